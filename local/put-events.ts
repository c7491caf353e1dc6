import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './aws-local.ts';

/** One `PutEventsRequestEntry` as the SDK serializes it (AWS JSON 1.1: timestamps in epoch seconds). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: number | string;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** The envelope EventBridge delivers to targets. */
export type BusEvent = EventBridgeEvent<string, Record<string, unknown>>;

/** EventBridge's limit on one entry (Time, Source, DetailType, Detail and Resources, in UTF-8 bytes). */
export const MAX_ENTRY_BYTES = 256 * 1024;

const entrySize = (entry: PutEventsEntry): number =>
  (entry.Time === undefined ? 0 : 14) +
  Buffer.byteLength(entry.Source ?? '') +
  Buffer.byteLength(entry.DetailType ?? '') +
  Buffer.byteLength(entry.Detail ?? '') +
  (entry.Resources ?? []).reduce((sum, resource) => sum + Buffer.byteLength(resource), 0);

const failure = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });

const required = (name: string) =>
  failure('InvalidArgument', `Parameter ${name} is not valid. Reason: ${name} is a required argument.`);

/** EventBridge stamps events with second precision. */
const isoSeconds = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

const eventTime = (time: PutEventsEntry['Time']): Date => {
  if (time === undefined) return new Date();
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return Number.isNaN(date.getTime()) ? new Date() : date;
};

/** The bus an entry targets: EventBridge accepts a name or an ARN, and no name means `default`. */
const busNameOf = (entry: PutEventsEntry): string => entry.EventBusName?.split('/').pop() || 'default';

export interface AcceptedEntry {
  busName: string;
  event: BusEvent;
}

/**
 * Validates one entry the way PutEvents does (a bad entry fails alone, with ErrorCode and
 * ErrorMessage in its result, while the others go through) and builds its envelope.
 */
export const acceptEntry = (
  entry: PutEventsEntry,
  options: { knownBuses: readonly string[]; region: string },
): { result: PutEventsResultEntry; accepted?: AcceptedEntry } => {
  if (!entry.Source) return { result: required('Source') };
  if (!entry.DetailType) return { result: required('DetailType') };
  if (entry.Detail === undefined || entry.Detail === '') return { result: required('Detail') };
  if (entry.Source.startsWith('aws.')) {
    return { result: failure('NotAuthorizedForSourceException', 'Not authorized for the source.') };
  }
  if (entrySize(entry) > MAX_ENTRY_BYTES) {
    return { result: failure('InvalidArgument', 'Total size of the entry exceeds the limit of 256 KB.') };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { result: failure('MalformedDetail', 'Detail is malformed.') };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { result: failure('MalformedDetail', 'Detail is malformed.') };
  }
  const busName = busNameOf(entry);
  if (busName !== 'default' && !options.knownBuses.includes(busName)) {
    return { result: failure('ResourceNotFoundException', `Event bus ${busName} does not exist.`) };
  }
  const id = randomUUID();
  return {
    result: { EventId: id },
    accepted: {
      busName,
      event: {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: LOCAL_ACCOUNT_ID,
        time: isoSeconds(eventTime(entry.Time)),
        region: options.region,
        resources: entry.Resources ?? [],
        detail: detail as Record<string, unknown>,
      },
    },
  };
};
