import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Role } from '#shared/domain/actor';
import { cirrusHome } from './paths.ts';

/**
 * Dev auth: the local server plays Cognito + the API Gateway JWT authorizer. Tokens are signed
 * with a key pair created on first use and kept in `.cirrus/dev-auth-key.json` (never committed),
 * so tokens survive restarts and no secret lives in the repo.
 */
export const DEV_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_CirrusDev';
/** The audience the local authorizer accepts (Cognito access tokens carry it as `client_id`). */
export const DEV_CLIENT_ID = 'cirrus-local-dev';
const ALGORITHM = 'ES256';
const TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

interface StoredKey {
  alg: typeof ALGORITHM;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

interface DevKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const cache = new Map<string, Promise<DevKey>>();

const createKeyFile = async (file: string): Promise<void> => {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const stored: StoredKey = {
    alg: ALGORITHM,
    kid: await calculateJwkThumbprint(publicJwk),
    privateJwk: await exportJWK(privateKey),
    publicJwk,
  };
  // Write a temp file, then hard-link it into place: link fails if the file exists, so two
  // processes starting at once agree on one key, and nobody ever reads a half-written file.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
};

const loadKey = async (file: string): Promise<DevKey> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    await createKeyFile(file);
    text = readFileSync(file, 'utf8');
  }
  const stored = JSON.parse(text) as StoredKey;
  return {
    kid: stored.kid,
    privateKey: (await importJWK(stored.privateJwk, stored.alg)) as CryptoKey,
    publicKey: (await importJWK(stored.publicJwk, stored.alg)) as CryptoKey,
  };
};

/** The dev signing key of the current CIRRUS_HOME, created on first use. */
const devKey = (): Promise<DevKey> => {
  const file = join(cirrusHome(), 'dev-auth-key.json');
  let key = cache.get(file);
  if (!key) {
    key = loadKey(file);
    key.catch(() => cache.delete(file));
    cache.set(file, key);
  }
  return key;
};

/**
 * Signs a dev access token for a user with `role`, with the claims of a Cognito access token
 * (sub, cognito:groups, username, token_use, client_id, scope, iss, iat, exp).
 */
export const signDevToken = async (
  role: Role,
  options: { lifetimeSeconds?: number; sub?: string } = {},
): Promise<string> => {
  const { kid, privateKey } = await devKey();
  const sub = options.sub ?? `dev-${role}`;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    'cognito:groups': [role],
    username: sub,
    token_use: 'access',
    client_id: DEV_CLIENT_ID,
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    origin_jti: randomUUID(),
  })
    .setProtectedHeader({ alg: ALGORITHM, kid })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? TOKEN_LIFETIME_SECONDS))
    .setJti(randomUUID())
    .sign(privateKey);
};

/**
 * Verifies a token as the API Gateway JWT authorizer does: signature, issuer, expiry and audience
 * (`aud`, or `client_id` when there is no `aud`, as with Cognito access tokens). Roles are not
 * checked here: that is our middleware's job, in AWS too. Throws when the token is not valid.
 */
export const verifyDevToken = async (token: string): Promise<JWTPayload> => {
  const { publicKey } = await devKey();
  const { payload } = await jwtVerify(token, publicKey, { issuer: DEV_ISSUER, algorithms: [ALGORITHM] });
  const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
  if (!audiences.includes(DEV_CLIENT_ID)) throw new Error('Token audience does not match');
  return payload;
};
