import * as api from '#shared/api/campaigns';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { created, etag, noContent, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import type { Campaign } from '#shared/schemas/campaign';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import { sendCampaignTest } from '#shared/use-cases/campaign-test-send';
import * as campaigns from '#shared/use-cases/campaigns';

const withETag = (campaign: Campaign) => ok(campaign, { ETag: etag(campaign.version) });
const createdReply = (campaign: Campaign) =>
  created(campaign, { ETag: etag(campaign.version), Location: `/campaigns/${campaign.id}` });

/** Campaigns API: one Lambda for the campaigns resource group (routes in shared/api/campaigns.ts). */
export const handler = httpApi(
  route(api.createCampaign, (request) =>
    onceForIdempotencyKey(request, {
      run: async () => {
        const campaign = await campaigns.createCampaign(request.actor, request.body);
        return { record: { campaignId: campaign.id }, reply: createdReply(campaign) };
      },
      replay: async ({ campaignId }) => createdReply(await campaigns.getCampaign(request.actor, campaignId)),
    }),
  ),
  route(api.listCampaigns, async ({ actor, query }) =>
    ok(
      await campaigns.listCampaigns(actor, { cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE }),
    ),
  ),
  route(api.getCampaign, async ({ actor, path }) => withETag(await campaigns.getCampaign(actor, path.id))),
  route(api.updateCampaign, async ({ actor, path, headers, body }) =>
    withETag(await campaigns.updateCampaign(actor, path.id, body, parseIfMatch(headers['If-Match']))),
  ),
  route(api.deleteCampaign, async ({ actor, path, headers }) => {
    await campaigns.deleteCampaign(actor, path.id, parseIfMatch(headers['If-Match']));
    return noContent();
  }),
  route(api.scheduleCampaign, async ({ actor, path, headers, body }) =>
    withETag(await campaigns.scheduleCampaign(actor, path.id, body, parseIfMatch(headers['If-Match']))),
  ),
  route(api.sendCampaignTest, async ({ actor, path, body }) =>
    ok(await sendCampaignTest(actor, path.id, body)),
  ),
  route(api.cancelCampaign, async ({ actor, path, headers }) =>
    withETag(await campaigns.cancelCampaign(actor, path.id, parseIfMatch(headers['If-Match']))),
  ),
);
