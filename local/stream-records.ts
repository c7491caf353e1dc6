import type {
  AttributeValue as SdkAttributeValue,
  _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** SDK attribute values carry binaries as Uint8Array; in a Lambda event they are base64 strings. */
const toEventValue = (value: SdkAttributeValue): AttributeValue => {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toEventImage(value.M) ?? {} };
  if (value.L !== undefined) return { L: value.L.map(toEventValue) };
  const { $unknown: _, ...rest } = value as SdkAttributeValue & { $unknown?: unknown };
  return rest as AttributeValue;
};

const toEventImage = (
  image: Record<string, SdkAttributeValue> | undefined,
): Record<string, AttributeValue> | undefined =>
  image && Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toEventValue(value)]));

/**
 * Turns a GetRecords record into the record Lambda hands a DynamoDB-stream consumer: same field
 * names, epoch-second creation time, base64 binaries, the region in place of DynamoDB Local's
 * `ddblocal`, and `eventSourceARN` (GetRecords does not carry it; Lambda adds it).
 */
export const toLambdaRecord = (record: SdkRecord, streamArn: string, region: string): DynamoDBRecord => {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime:
        created === undefined ? undefined : Math.floor(new Date(created).getTime() / 1000),
      Keys: toEventImage(change.Keys),
      NewImage: toEventImage(change.NewImage),
      OldImage: toEventImage(change.OldImage),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    ...(record.userIdentity ? { userIdentity: { ...record.userIdentity } } : {}),
    eventSourceARN: streamArn.replace(':ddblocal:', `:${region}:`),
  };
};
