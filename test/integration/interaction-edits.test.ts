import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { asUser } from '../helpers/customers-api.ts';

/** Who may correct an interaction, on DynamoDB Local; concurrent edits both land. */
const admin = asUser('admin');
const call = {
  type: 'call',
  channel: 'phone',
  direction: 'inbound',
  summary: 'Asked about pricing',
} as const;

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

describe('PATCH /customers/{id}/interactions/{interactionId}', () => {
  it("lets support correct anyone's interaction, and shows the edit on the timeline", async () => {
    const customer = (await admin.create({ name: 'Caller', ownerId: 'rep-a' })).body;
    const logged = (await asUser('sales', 'rep-a').logInteraction(customer.id, call)).body;
    const edited = await asUser('support', 'agent-1').updateInteraction(customer.id, logged.id, {
      summary: 'Asked about pricing; sent the price list',
      direction: 'outbound',
    });
    expect(edited).toMatchObject({
      status: 200,
      body: {
        id: logged.id,
        author: 'rep-a',
        summary: 'Asked about pricing; sent the price list',
        direction: 'outbound',
        type: 'call',
        occurredAt: logged.occurredAt,
        editedBy: 'agent-1',
        revision: 1,
      },
    });
    const [entry] = (await admin.timeline(customer.id)).body.items;
    expect(entry).toEqual(edited.body);
  });

  it('lets sales reps edit on the customers they own, and authors their own; refuses the others', async () => {
    const customer = (await admin.create({ name: 'Owned', ownerId: 'rep-a' })).body;
    const byAdmin = (await admin.logInteraction(customer.id, call)).body;
    const byMarketing = (await asUser('marketing', 'mk-1').logInteraction(customer.id, call)).body;
    const fix = { summary: 'Fixed' };
    expect((await asUser('sales', 'rep-a').updateInteraction(customer.id, byAdmin.id, fix)).status).toBe(200);
    expect((await asUser('sales', 'rep-b').updateInteraction(customer.id, byAdmin.id, fix)).status).toBe(403);
    expect((await asUser('marketing', 'mk-2').updateInteraction(customer.id, byAdmin.id, fix)).status).toBe(
      403,
    );
    expect(
      (await asUser('marketing', 'mk-1').updateInteraction(customer.id, byMarketing.id, fix)).status,
    ).toBe(200);
    expect((await asUser('manager').updateInteraction(customer.id, byMarketing.id, fix)).body.revision).toBe(
      2,
    );
  });

  it('applies concurrent edits one after the other, and answers 404, 400 and 308 where due', async () => {
    const customer = (await admin.create({ name: 'Busy' })).body;
    const logged = (await admin.logInteraction(customer.id, call)).body;
    const results = await Promise.all(
      ['one', 'two', 'three', 'four'].map((summary) =>
        admin.updateInteraction(customer.id, logged.id, { summary }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results.map((r) => r.body.revision).sort()).toEqual([1, 2, 3, 4]);
    // With If-Match (the revision, as the ETag says) a stale edit is refused instead of re-applied.
    expect(results.find((r) => r.body.revision === 4)?.headers.ETag).toBe('"4"');
    const stale = await admin.request('PATCH /customers/{id}/interactions/{interactionId}', {
      pathParameters: { id: customer.id, interactionId: logged.id },
      headers: { 'If-Match': '"3"' },
      body: { summary: 'stale' },
    });
    expect(stale.status).toBe(412);
    const fresh = await admin.request('PATCH /customers/{id}/interactions/{interactionId}', {
      pathParameters: { id: customer.id, interactionId: logged.id },
      headers: { 'If-Match': '"4"' },
      body: { summary: 'fresh' },
    });
    expect(fresh).toMatchObject({ status: 200, headers: { ETag: '"5"' } });

    expect((await admin.updateInteraction(customer.id, customer.id, { summary: 'x' })).status).toBe(404);
    const invalid = await admin.updateInteraction(customer.id, logged.id, {
      occurredAt: '2026-01-01T00:00:00Z',
    });
    expect(invalid.status).toBe(400);
    expect((await admin.updateInteraction(customer.id, logged.id, {})).status).toBe(400);

    const survivor = (await admin.create({ name: 'Survivor' })).body;
    expect((await admin.merge(survivor.id, customer.id)).status).toBe(200);
    const moved = await admin.updateInteraction(customer.id, logged.id, { summary: 'after merge' });
    expect(moved).toMatchObject({
      status: 308,
      headers: { Location: `/customers/${survivor.id}/interactions/${logged.id}` },
    });
    expect(
      (await admin.updateInteraction(survivor.id, logged.id, { summary: 'after merge' })).body.revision,
    ).toBe(6);
  });
});
