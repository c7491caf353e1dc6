import { beforeAll, describe, expect, it } from 'vitest';
import { handler as companyRename } from '#functions/consumers/company-rename';
import { ensureTable } from '#local/table';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { outboxEvents } from '../helpers/table-items.ts';

/** A renamed company's name reaches its people's display name (consumer of company.updated). */
const admin = asUser('admin');

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

describe('company rename', () => {
  it('copies the new name to every linked person once, and search by company follows', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const company = (await admin.createCompany({ name: `Old Name ${run}` })).body;
    const people = [];
    for (const name of ['Ann', 'Bob']) {
      people.push((await admin.create({ name: `${name} ${run}`, companyId: company.id })).body);
    }
    const loner = (await admin.create({ name: `Loner ${run}`, company: `Old Name ${run}` })).body;
    expect((await admin.updateCompany(company.id, { name: `New Name ${run}` })).status).toBe(200);

    const [event] = (await outboxEvents('company.updated')).filter(
      (e) => (e.detail as { data: { company: { id: string } } }).data.company.id === company.id,
    );
    expect(await companyRename(event as never, lambdaContext('companyRename'))).toEqual({ renamed: 2 });
    for (const person of people) {
      expect((await admin.get(person.id)).body.company).toBe(`New Name ${run}`);
    }
    // A person who only typed the old name as free text is not linked, and keeps it.
    expect((await admin.get(loner.id)).body.company).toBe(`Old Name ${run}`);
    const found = await admin.list({ company: `New Name ${run}` });
    expect(found.body.items.map((c: { id: string }) => c.id).sort()).toEqual(people.map((p) => p.id).sort());
    // Delivered again: nothing left to change.
    expect(await companyRename(event as never, lambdaContext('companyRename'))).toEqual({ renamed: 0 });
  });
});
