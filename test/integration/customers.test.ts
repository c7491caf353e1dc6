import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { asUser } from '../helpers/customers-api.ts';

/** The customers handler against DynamoDB Local: uniqueness, concurrency, idempotency, listing. */
const admin = asUser('admin');
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}@example.com`;

const numberFields = (keys: string[]) => keys.map((key) => ({ key, label: key, type: 'number' }));
const defineNumberFields = async (keys: string[]) => {
  const settings = await admin.putCustomFields({ fields: numberFields(keys) });
  expect(settings.status).toBe(200);
};

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
  await defineNumberFields(['k0', 'k1', 'k2', 'k3', 'zero', 'small', 'tiny']);
});

describe('customers on DynamoDB Local', () => {
  it('creates, reads with its ETag, and keeps the stored record exact', async () => {
    const created = await admin.create({ name: 'Ada', emails: [{ address: unique('ada') }], tags: ['vip'] });
    expect(created.status).toBe(201);
    const read = await admin.get(created.body.id);
    expect(read).toMatchObject({ status: 200, headers: { ETag: '"1"' } });
    expect(read.body).toEqual(created.body);
  });

  it('refuses a second customer with the same e-mail in any case, naming the first', async () => {
    const address = unique('dup');
    const first = await admin.create({ name: 'First', emails: [{ address }] });
    const second = await admin.create({ name: 'Second', emails: [{ address: address.toUpperCase() }] });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ existingId: first.body.id, errors: [{ field: 'emails.0.address' }] });
  });

  it('lets exactly one of ten concurrent creates with one e-mail address win', async () => {
    const address = unique('race');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => admin.create({ name: `Racer ${i}`, emails: [{ address }] })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
  });

  it('frees an address when the customer drops it or is deleted', async () => {
    const a = unique('a');
    const b = unique('b');
    const customer = await admin.create({ name: 'Mover', emails: [{ address: a }] });
    const moved = await admin.update(customer.body.id, { emails: [{ address: b }] });
    expect(moved.status).toBe(200);
    expect((await admin.create({ name: 'Takes A', emails: [{ address: a }] })).status).toBe(201);
    expect((await admin.create({ name: 'Wants B', emails: [{ address: b }] })).status).toBe(409);
    expect((await admin.remove(customer.body.id)).status).toBe(204);
    expect((await admin.get(customer.body.id)).status).toBe(404);
    expect((await admin.create({ name: 'Takes B', emails: [{ address: b }] })).status).toBe(201);
  });

  it('with one If-Match, exactly one of five concurrent updates wins; the rest get 412', async () => {
    const customer = await admin.create({ name: 'Contested' });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        admin.update(customer.body.id, { title: `Title ${i}` }, { 'If-Match': '"1"' }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(4);
    expect((await admin.get(customer.body.id)).body.version).toBe(2);
  });

  it('without If-Match, concurrent updates are re-applied and none is lost silently', async () => {
    const customer = await admin.create({ name: 'Busy' });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => admin.update(customer.body.id, { customFields: { [`k${i}`]: i } })),
    );
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const succeeded = results.filter((r) => r.status === 200).length;
    const final = (await admin.get(customer.body.id)).body;
    expect(final.version).toBe(1 + succeeded);
    expect(Object.keys(final.customFields)).toHaveLength(succeeded);
  });

  it('answers a stale If-Match with 412 and a missing customer with 404', async () => {
    const customer = await admin.create({ name: 'Stale' });
    await admin.update(customer.body.id, { title: 'New' });
    expect((await admin.update(customer.body.id, { title: 'Old' }, { 'If-Match': '"1"' })).status).toBe(412);
    expect((await admin.remove(customer.body.id, { 'If-Match': 'W/"1"' })).status).toBe(412);
    expect((await admin.get('01JDQ3Z7YB8V5X1G6N2K4M9P0R')).status).toBe(404);
  });

  it('replays an Idempotency-Key: same body → the first response; other body → 422', async () => {
    const key = `key-${Math.random()}`;
    const body = { name: 'Once Only', tags: ['idem'] };
    const first = await admin.create(body, { 'Idempotency-Key': key });
    const again = await admin.create(body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    const other = await admin.create({ name: 'Someone Else' }, { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    // The key is per user: another user's identical key is another request.
    const otherUser = await asUser('manager').create(body, { 'Idempotency-Key': key });
    expect(otherUser.status).toBe(201);
    expect(otherUser.body.id).not.toBe(first.body.id);
  });

  it('enforces ownership: a rep edits their own customers, not another rep’s', async () => {
    const repA = asUser('sales', 'rep-a');
    const repB = asUser('sales', 'rep-b');
    const own = await repA.create({ name: 'Mine' });
    expect(own.body.ownerId).toBe('rep-a');
    expect((await repA.update(own.body.id, { title: 'Edited' })).status).toBe(200);
    expect((await repB.update(own.body.id, { title: 'Hijack' })).status).toBe(403);
    expect((await repB.get(own.body.id)).status).toBe(200);
    expect((await repA.remove(own.body.id)).status).toBe(403);
    expect((await asUser('support').create({ name: 'Nope' })).status).toBe(403);
  });

  it('lists by tag, owner and stage, newest first, paging with cursors without gaps or repeats', async () => {
    const tag = `t${Math.random().toString(36).slice(2, 8)}`;
    const owner = `owner-${tag}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const stage = i % 2 === 0 ? 'prospect' : 'customer';
      const created = await admin.create({
        name: `L${i}`,
        tags: [tag],
        ownerId: owner,
        lifecycleStage: stage,
      });
      ids.push(created.body.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.list({ tag, limit: '3', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const byOwner = await admin.list({ ownerId: owner, lifecycleStage: 'prospect', limit: '100' });
    expect(byOwner.body.items.map((c: { id: string }) => c.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
    const byStageAndTag = await admin.list({ tag, lifecycleStage: 'customer' });
    expect(byStageAndTag.body.items).toHaveLength(3);
    const byStage = await admin.list({ lifecycleStage: 'customer', limit: '100' });
    expect(byStage.body.items.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([ids[1], ids[3], ids[5]]),
    );
  });

  it('moves a customer between tag listings when its tags change', async () => {
    const customer = await admin.create({ name: 'Tagged', tags: ['old-tag'] });
    await admin.update(customer.body.id, { tags: ['new-tag'] });
    const oldList = await admin.list({ tag: 'old-tag', limit: '100' });
    const newList = await admin.list({ tag: 'new-tag', limit: '100' });
    expect(oldList.body.items.map((c: { id: string }) => c.id)).not.toContain(customer.body.id);
    expect(newList.body.items.map((c: { id: string }) => c.id)).toContain(customer.body.id);
  });
});

describe('input that once got past the edge (review findings)', () => {
  it('refuses a patch whose merged result breaks the record’s own limits, and keeps the customer readable', async () => {
    const keys = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}${i}`);
    await defineNumberFields(keys('a'));
    const fifty = Object.fromEntries(keys('a').map((key, i) => [key, i]));
    const customer = await admin.create({ name: 'Full', customFields: fifty });
    expect(customer.status).toBe(201);
    // Values stay when their definitions go: fifty more make the record break its own limit.
    await defineNumberFields(keys('b'));
    const more = Object.fromEntries(keys('b').map((key, i) => [key, i]));
    const patched = await admin.update(customer.body.id, { customFields: more });
    await defineNumberFields(['k0', 'k1', 'k2', 'k3', 'zero', 'small', 'tiny']);
    expect(patched.status).toBe(400);
    expect(patched.body.errors[0].field).toBe('customFields');
    const read = await admin.get(customer.body.id);
    expect(read).toMatchObject({ status: 200, body: { version: 1 } });
    expect((await admin.list({ limit: '100' })).status).toBe(200);
  });

  it('refuses values DynamoDB or plain objects cannot hold, with 400 not 500', async () => {
    expect((await admin.create({ name: 'X', customFields: { constructor: 'x' } })).status).toBe(400);
    expect((await admin.create({ name: 'X', customFields: { toString: 'x', valueOf: 1 } })).status).toBe(400);
    expect((await admin.create({ name: 'X', customFields: { tiny: 1e-200 } })).status).toBe(400);
    expect((await admin.create({ name: 'X', customFields: { zero: 0, small: 1e-50 } })).status).toBe(201);
  });

  it('refuses invisible and malformed text in names', async () => {
    for (const name of ['evil\u202Etxt.exe', 'zero\u200Bwidth', 'lone\uD800surrogate']) {
      const result = await admin.create({ name });
      expect(result.status).toBe(400);
      expect(result.body.errors[0].field).toBe('name');
    }
    expect((await admin.create({ name: 'Zoë 😀 Ñandú' })).status).toBe(201);
  });

  it('keeps problem bodies within the documented Problem schema, however many bad keys arrive', async () => {
    const { Problem } = await import('#shared/http/problem');
    const keys = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 1]));
    const many = await admin.create({ name: 'X', ...keys, ['x'.repeat(5000)]: 1, 'a\u0000b': 1 });
    expect(many.status).toBe(400);
    expect(many.body.errors).toHaveLength(100);
    expect(Problem.safeParse(many.body).success).toBe(true);
  });

  it('accepts consent given this very second, written without fractional seconds', async () => {
    const at = `${new Date().toISOString().slice(0, 19)}Z`;
    const result = await admin.create({
      name: 'Now',
      consent: { email: { status: 'granted', source: 'form', at } },
    });
    expect(result.status).toBe(201);
  });

  it('clamps any whole-number limit', async () => {
    expect((await admin.list({ limit: '1000000' })).status).toBe(200);
    expect((await admin.list({ limit: '0' })).status).toBe(200);
  });
});

describe('data cleaning and search', () => {
  const suffix = () => Math.floor(Math.random() * 9000 + 1000);

  it('stores phones in E.164 and refuses a second customer with the same number, naming the first', async () => {
    const line = `415555${suffix()}`;
    const first = await admin.create({
      name: 'Phone One',
      phones: [{ number: `(${line.slice(0, 3)}) ${line.slice(3, 6)}-${line.slice(6)}` }],
    });
    expect(first.status).toBe(201);
    expect(first.body.phones).toEqual([{ number: `+1${line}`, label: 'mobile' }]);
    const second = await admin.create({ name: 'Phone Two', phones: [{ number: `+1 ${line}` }] });
    expect(second).toMatchObject({
      status: 409,
      body: { existingId: first.body.id, errors: [{ field: 'phones.0.number' }] },
    });
    const bad = await admin.create({ name: 'Bad', phones: [{ number: '12' }] });
    expect(bad.body.errors).toMatchObject([{ field: 'phones.0.number' }]);
  });

  it('finds a customer by e-mail (any case) and by phone (any notation)', async () => {
    const address = unique('Find');
    const line = `212555${suffix()}`;
    const customer = await admin.create({
      name: 'Findable',
      emails: [{ address }],
      phones: [{ number: `+1${line}` }],
    });
    const byEmail = await admin.list({ email: address.toUpperCase() });
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual([customer.body.id]);
    const byPhone = await admin.list({ phone: `(${line.slice(0, 3)}) ${line.slice(3, 6)} ${line.slice(6)}` });
    expect(byPhone.body.items.map((c: { id: string }) => c.id)).toEqual([customer.body.id]);
    expect((await admin.list({ email: unique('nobody') })).body.items).toEqual([]);
  });

  it('finds customers by name prefix, ignoring case and accents, alphabetically, and by company', async () => {
    const tag = `s${suffix()}`;
    const company = `Ünïqué Corp ${tag}`;
    for (const name of ['Zoë Quill', 'zoe Adams', 'Zoey Brook'])
      await admin.create({ name, company, tags: [tag] });
    await admin.create({ name: 'Zed Other', tags: [tag] });
    const byName = await admin.list({ namePrefix: 'ZOE', tag, limit: '100' });
    expect(byName.body.items.map((c: { name: string }) => c.name)).toEqual([
      'zoe Adams',
      'Zoë Quill',
      'Zoey Brook',
    ]);
    const byCompany = await admin.list({ company: `unique corp ${tag}` });
    expect(byCompany.body.items).toHaveLength(3);
    expect((await admin.list({ namePrefix: 'z' })).status).toBe(400);
  });
});

describe('the six dimensions of the profile', () => {
  const profile = {
    name: 'Rosa Parks',
    gender: 'female',
    birthday: '1990-02-04',
    addresses: [
      {
        label: 'home',
        line1: '1 Main St',
        city: 'Montgomery',
        region: 'AL',
        postalCode: '36104',
        country: 'US',
      },
    ],
    preferredLanguage: 'en-US',
    preferredChannel: 'email',
    interests: ['Cycling', 'cycling', 'books'],
    scores: { valueScore: 80, riskLevel: 'low' },
    consent: { email: { status: 'granted', source: 'form' }, sms: { status: 'denied', source: 'form' } },
  };

  it('stores base information, preferences, consent per channel and scores', async () => {
    const created = await admin.create(profile);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      gender: 'female',
      birthday: '1990-02-04',
      addresses: [{ label: 'home', city: 'Montgomery', country: 'US' }],
      preferredLanguage: 'en-US',
      preferredChannel: 'email',
      interests: ['cycling', 'books'],
      scores: { valueScore: 80, riskLevel: 'low' },
      consent: { email: { status: 'granted' }, sms: { status: 'denied' } },
    });
  });

  it('patches them: null clears, consent merges channel by channel', async () => {
    const created = (await admin.create(profile)).body;
    const patched = await admin.update(created.id, {
      gender: null,
      addresses: [],
      consent: { phone: { status: 'granted', source: 'call' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).not.toHaveProperty('gender');
    expect(patched.body.addresses).toEqual([]);
    expect(patched.body.consent).toMatchObject({
      email: { status: 'granted' },
      sms: { status: 'denied' },
      phone: { status: 'granted', source: 'call' },
    });
  });

  it('refuses impossible values, naming each field (future consent: see the domain unit tests)', async () => {
    const bad = await admin.create({
      name: 'Bad Profile',
      birthday: '2999-01-01',
      addresses: [{ line1: 'x', city: 'y', country: 'usa' }],
      preferredLanguage: 'english',
      scores: { valueScore: 101 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'addresses.0.country',
      'birthday',
      'preferredLanguage',
      'scores.valueScore',
    ]);
  });
});

describe('likely duplicates', () => {
  it('finds a similar e-mail and the same name and company, with the reasons, and forgets a removed address', async () => {
    const n = Math.random().toString(36).slice(2, 8);
    const original = (
      await admin.create({
        name: `Ann ${n}`,
        company: 'Acme',
        emails: [{ address: `ann.lee.${n}@gmail.com` }],
      })
    ).body;
    const plusTag = (
      await admin.create({ name: 'Someone', emails: [{ address: `annlee${n}+crm@googlemail.com` }] })
    ).body;
    const sameName = (await admin.create({ name: `ANN ${n}`, company: 'ACME' })).body;
    await admin.create({ name: `Ann ${n}`, company: 'Other Co' });
    const found = await admin.duplicates(original.id);
    expect(found.status).toBe(200);
    const byId = Object.fromEntries(
      found.body.items.map((d: { customer: { id: string }; reasons: string[] }) => [
        d.customer.id,
        d.reasons,
      ]),
    );
    expect(byId).toEqual({ [plusTag.id]: ['similar-email'], [sameName.id]: ['same-name-and-company'] });

    await admin.update(plusTag.id, { emails: [{ address: `someone-${n}@example.com` }] });
    const after = await admin.duplicates(original.id);
    expect(after.body.items.map((d: { customer: { id: string } }) => d.customer.id)).toEqual([sameName.id]);
    expect((await admin.duplicates('01JDQ3Z7YB8V5X1G6N2K4M9P0R')).status).toBe(404);
  });
});
