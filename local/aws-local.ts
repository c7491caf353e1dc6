/**
 * Region and dummy credentials for the local emulators. They never reach AWS; they only have to be
 * present so the SDK signs requests (the emulators check that a signature exists, not that it is valid).
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Client options for an SDK client talking to a local emulator. */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
