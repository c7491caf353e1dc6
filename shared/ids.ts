import { monotonicFactory } from 'ulidx';

/** ULIDs: unique, and sorted by creation time, which the list indexes rely on. */
export const newId: () => string = monotonicFactory();

export const nowIso = (): string => new Date().toISOString();
