import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { asUser } from '../helpers/customers-api.ts';

/** Companies and people's links to them, on DynamoDB Local: uniqueness, links, delete rules, search. */
const admin = asUser('admin');
const rep = asUser('sales', 'rep-companies');
const otherRep = asUser('sales', 'rep-other');
const domain = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}.example`;
const ids = (page: { body: { items: { id: string }[] } }) => page.body.items.map((item) => item.id);

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

describe('companies on DynamoDB Local', () => {
  it('creates with a normalized domain, reads with its ETag, and keeps the stored record exact', async () => {
    const host = domain('acme');
    const created = await rep.createCompany({
      name: 'Acme Ltd',
      domain: `WWW.${host.toUpperCase()}.`,
      website: 'https://acme.example/about',
      industry: 'software',
      size: '11-50',
      annualRevenue: { amount: 125_000_000, currency: 'EUR' },
      address: { label: 'work', line1: '1 Main St', city: 'Berlin', country: 'DE' },
      tags: ['partner', 'partner'],
    });
    expect(created).toMatchObject({
      status: 201,
      headers: { ETag: '"1"' },
      body: { domain: host, ownerId: 'rep-companies', tags: ['partner'], version: 1 },
    });
    const read = await admin.getCompany(created.body.id);
    expect(read.body).toEqual(created.body);
    expect(read.headers.ETag).toBe('"1"');
  });

  it('refuses a second company with the same domain, naming the first; frees it on change', async () => {
    const host = domain('dup');
    const first = await admin.createCompany({ name: 'First', domain: host });
    const second = await admin.createCompany({ name: 'Second', domain: host.toUpperCase() });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ existingId: first.body.id, errors: [{ field: 'domain' }] });
    const moved = await admin.updateCompany(first.body.id, { domain: domain('moved') });
    expect(moved).toMatchObject({ status: 200, body: { version: 2 } });
    expect((await admin.createCompany({ name: 'Takes it', domain: host })).status).toBe(201);
  });

  it('lets exactly one of two concurrent creates with one domain win; the other gets 409', async () => {
    const host = domain('race');
    const results = await Promise.all([
      admin.createCompany({ name: 'Racer A', domain: host }),
      admin.createCompany({ name: 'Racer B', domain: host }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('lets sales reps edit only their own companies, and only admins and managers delete', async () => {
    const own = await rep.createCompany({ name: 'Rep Co' });
    expect((await rep.updateCompany(own.body.id, { size: '1-10' })).status).toBe(200);
    expect((await otherRep.updateCompany(own.body.id, { size: '11-50' })).status).toBe(403);
    expect((await rep.updateCompany(own.body.id, { ownerId: 'rep-other' })).status).toBe(403);
    expect((await asUser('marketing').createCompany({ name: 'No' })).status).toBe(403);
    expect((await asUser('support').getCompany(own.body.id)).status).toBe(200);
    expect((await rep.removeCompany(own.body.id)).status).toBe(403);
    expect((await asUser('manager').removeCompany(own.body.id, { 'If-Match': '"1"' })).status).toBe(412);
    expect((await asUser('manager').removeCompany(own.body.id, { 'If-Match': '"2"' })).status).toBe(204);
    expect((await admin.getCompany(own.body.id)).status).toBe(404);
  });

  it('finds companies by name prefix (accents and case ignored) and by exact domain', async () => {
    const host = domain('zeta');
    const zeta = await admin.createCompany({ name: 'Zétàlpha Works', domain: host });
    await admin.createCompany({ name: 'Zetabeta Inc' });
    const byName = await admin.listCompanies({ namePrefix: 'ZETAL' });
    expect(ids(byName)).toEqual([zeta.body.id]);
    expect(ids(await admin.listCompanies({ domain: `www.${host}` }))).toEqual([zeta.body.id]);
    expect(ids(await admin.listCompanies({ domain: domain('nobody') }))).toEqual([]);
    expect((await admin.listCompanies({ domain: 'not a domain' })).status).toBe(400);
    const page = await admin.listCompanies({ limit: '1' });
    expect(page.body.items).toHaveLength(1);
    const next = await admin.listCompanies({ limit: '1', cursor: page.body.nextCursor });
    expect(ids(next)).not.toEqual(ids(page));
    expect((await admin.listCompanies({ namePrefix: 'zeta', cursor: page.body.nextCursor })).status).toBe(
      400,
    );
  });
});

describe('people linked to a company', () => {
  it('links a person with a title, copies the company name, and lists the company people', async () => {
    const company = await admin.createCompany({ name: 'Linked Co' });
    const person = await admin.create({ name: 'Pat Person', title: 'CTO', companyId: company.body.id });
    expect(person).toMatchObject({
      status: 201,
      body: { companyId: company.body.id, company: 'Linked Co', title: 'CTO' },
    });
    // `company` follows the link: a free-text value sent while linked is replaced by the name.
    const renamed = await admin.update(person.body.id, { company: 'Something else' });
    expect(renamed.body.company).toBe('Linked Co');
    const people = await admin.people(company.body.id);
    expect(people.body.items).toEqual([renamed.body]);
    expect(
      (await admin.list({ company: 'linked co' })).body.items.map((c: { id: string }) => c.id),
    ).toContain(person.body.id);
  });

  it('refuses a companyId that names no company with 422, on create and on update', async () => {
    const missing = '01JDQ3Z7YB8V5X1G6N2K4M9C0M';
    const created = await admin.create({ name: 'Nobody', companyId: missing });
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([
      { in: 'body', field: 'companyId', detail: `No company ${missing}` },
    ]);
    const person = await admin.create({ name: 'Somebody' });
    expect((await admin.update(person.body.id, { companyId: missing })).status).toBe(422);
    expect((await admin.get(person.body.id)).body.version).toBe(1);
  });

  it('refuses to delete a company people are linked to (409 saying how many), until they are unlinked', async () => {
    const company = await admin.createCompany({ name: 'Busy Co' });
    const a = await admin.create({ name: 'Anna', companyId: company.body.id });
    const b = await admin.create({ name: 'Bert', companyId: company.body.id });
    const refused = await admin.removeCompany(company.body.id);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('2 people are linked');
    expect((await admin.update(a.body.id, { companyId: null })).body).not.toHaveProperty('companyId');
    expect((await admin.remove(b.body.id)).status).toBe(204);
    expect((await admin.people(company.body.id)).body.items).toEqual([]);
    expect((await admin.removeCompany(company.body.id)).status).toBe(204);
    expect((await admin.people(company.body.id)).status).toBe(404);
  });

  it('moves a person between companies and keeps both counts right', async () => {
    const from = await admin.createCompany({ name: 'From Co' });
    const to = await admin.createCompany({ name: 'To Co' });
    const person = await admin.create({ name: 'Mo Ver', companyId: from.body.id });
    const moved = await admin.update(person.body.id, { companyId: to.body.id });
    expect(moved.body).toMatchObject({ companyId: to.body.id, company: 'To Co' });
    expect(ids(await admin.people(from.body.id))).toEqual([]);
    expect(ids(await admin.people(to.body.id))).toEqual([person.body.id]);
    expect((await admin.removeCompany(from.body.id)).status).toBe(204);
    expect((await admin.removeCompany(to.body.id)).status).toBe(409);
  });

  it('never leaves a person linked to a deleted company when a link and the delete race', async () => {
    for (let round = 0; round < 5; round++) {
      const company = await admin.createCompany({ name: `Race Co ${round}` });
      const [person, removed] = await Promise.all([
        admin.create({ name: `Racer ${round}`, companyId: company.body.id }),
        admin.removeCompany(company.body.id),
      ]);
      const companyExists = (await admin.getCompany(company.body.id)).status === 200;
      if (person.status === 201) expect(companyExists).toBe(true);
      if (removed.status === 204) expect(person.status).not.toBe(201);
      expect([201, 409, 422]).toContain(person.status);
      expect([204, 409]).toContain(removed.status);
    }
  });
});
