import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { usesItsSegmentAndTemplate } from '#shared/domain/campaign';
import type { Campaign } from '#shared/schemas/campaign';
import { type IndexPattern, queryIndexPage } from './index-query.ts';
import { segmentUsage } from './segments.ts';
import { withoutKeyAttributes } from './table-definition.ts';
import { templateUsage } from './templates.ts';
import { commitWithUsage, usageChanges } from './usage.ts';
import { deleteVersioned, putVersioned, versionedDeleteEntry, versionedPutEntry } from './versioned-write.ts';

/**
 * Campaign items.
 *
 * | Access pattern                  | Index | Key condition                                      |
 * |---------------------------------|-------|----------------------------------------------------|
 * | Get a campaign by id            | table | pk = CAMPAIGN#<id>, sk = PROFILE                   |
 * | List campaigns, newest first    | gsi1  | gsi1pk = CAMPAIGNS, gsi1sk = <id> (ULID)           |
 * | Create / change a campaign      | table | Put, conditional on absence or on `version`        |
 *
 * While a campaign may still send (draft, scheduled, sending) it is a user of its segment and
 * template (shared/data/usage.ts): a write that starts or stops naming one is a transaction with
 * the usage items, so neither can be deleted while the campaign needs it.
 */
export const campaignKeys = {
  profile: (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'PROFILE' }),
};

const all: IndexPattern & { value: string } = {
  name: 'gsi1',
  pk: 'gsi1pk',
  sk: 'gsi1sk',
  value: 'CAMPAIGNS',
};

const item = (campaign: Campaign) => ({
  ...campaignKeys.profile(campaign.id),
  type: 'campaign',
  ...campaign,
  gsi1pk: all.value,
  gsi1sk: campaign.id,
});

const toCampaign = (stored: Record<string, unknown>) => withoutKeyAttributes<Campaign>(stored);

export const getCampaign = async (id: string, options: { consistent?: boolean } = {}) => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: config.tableName,
      Key: campaignKeys.profile(id),
      ConsistentRead: options.consistent,
    }),
  );
  return Item ? toCampaign(Item) : undefined;
};

/** The segment and template a campaign uses (none once sent or cancelled). */
const uses = (campaign: Campaign | undefined) =>
  campaign && usesItsSegmentAndTemplate(campaign)
    ? [
        { usage: segmentUsage, id: campaign.segmentId, user: user(campaign), field: 'segmentId' },
        { usage: templateUsage, id: campaign.templateId, user: user(campaign), field: 'templateId' },
      ]
    : [];
const user = (campaign: Campaign) => ({ kind: 'campaign' as const, id: campaign.id });

/**
 * Writes `next` if the stored campaign is still `previous` (by version; absent for a new one).
 * A segment or template it starts using must exist (422 naming the field otherwise).
 */
export const putCampaign = (next: Campaign, previous?: Campaign): Promise<void> => {
  const changes = usageChanges(uses(previous), uses(next));
  return changes.length === 0
    ? putVersioned(item(next), previous?.version, 'campaign')
    : commitWithUsage(versionedPutEntry(item(next), previous?.version), changes, 'campaign');
};

export const listCampaigns = async (page: { limit: number; cursor?: string }) => {
  const result = await queryIndexPage(all, all.value, page);
  return { items: result.items.map(toCampaign), nextCursor: result.nextCursor };
};

/** Deletes a campaign still at the version read. */
export const deleteCampaign = (campaign: Campaign): Promise<void> => {
  const changes = usageChanges(uses(campaign), []);
  return changes.length === 0
    ? deleteVersioned(campaignKeys.profile(campaign.id), campaign.version, 'campaign')
    : commitWithUsage(
        versionedDeleteEntry(campaignKeys.profile(campaign.id), campaign.version),
        changes,
        'campaign',
      );
};
