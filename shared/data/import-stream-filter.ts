/**
 * The stream records the import worker is invoked for (Lambda event-source filter in AWS, the same
 * pattern in the local stream poller): a chunk's progress item (`type = import-chunk`, written by
 * shared/data/imports.ts), inserted when the job is committed. Its own module, free of SDK clients:
 * infra/ and the local runtime import it before any handler environment exists.
 */
export const IMPORT_CHUNK_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { type: { S: ['import-chunk'] } } },
} as const;
