import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { Campaign } from '#shared/schemas/campaign';
import { type IndexPattern, queryIndexPage } from './index-query.ts';
import { withoutKeyAttributes } from './table-definition.ts';
import { deleteVersioned, putVersioned } from './versioned-write.ts';

/**
 * Campaign items.
 *
 * | Access pattern                  | Index | Key condition                                      |
 * |---------------------------------|-------|----------------------------------------------------|
 * | Get a campaign by id            | table | pk = CAMPAIGN#<id>, sk = PROFILE                   |
 * | List campaigns, newest first    | gsi1  | gsi1pk = CAMPAIGNS, gsi1sk = <id> (ULID)           |
 * | Create / change a campaign      | table | Put, conditional on absence or on `version`        |
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

/** Writes `next` if the stored campaign is still at `previousVersion` (absent for a new one). */
export const putCampaign = (next: Campaign, previousVersion?: number): Promise<void> =>
  putVersioned(item(next), previousVersion, 'campaign');

export const listCampaigns = async (page: { limit: number; cursor?: string }) => {
  const result = await queryIndexPage(all, all.value, page);
  return { items: result.items.map(toCampaign), nextCursor: result.nextCursor };
};

/** Deletes a campaign still at the version read. */
export const deleteCampaign = (campaign: Campaign): Promise<void> =>
  deleteVersioned(campaignKeys.profile(campaign.id), campaign.version, 'campaign');
