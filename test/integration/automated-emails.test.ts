import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/scheduled/automated-emails';
import { scheduledEvent } from '#local/scheduled-functions';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { templateKey } from '#shared/data/templates';
import type { AutomatedEmailsResult } from '#shared/use-cases/automated-emails';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { allItems } from '../helpers/table-items.ts';
import { mailbox } from '../support/mailbox.ts';

/**
 * Birthday and anniversary e-mails on DynamoDB Local and the SES emulator: the daily function
 * reads the month-day indexes of the marketable item, and mails each due person once per year.
 */
beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const admin = asUser('admin');
const marketing = asUser('marketing');
const run = (time: string) =>
  handler(
    scheduledEvent('automatedEmails', new Date(time)),
    lambdaContext('automatedEmails'),
  ) as Promise<AutomatedEmailsResult>;
const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

const person = async (
  name: string,
  fields: { birthday?: string; consent?: 'granted' | 'denied' } = {},
): Promise<{ id: string; address: string }> => {
  const address = `${name.toLowerCase().replaceAll(' ', '.')}-${unique()}@example.com`;
  const created = await admin.create({
    name,
    emails: [{ address }],
    ...(fields.birthday ? { birthday: fields.birthday } : {}),
    consent: { email: { status: fields.consent ?? 'granted', source: 'signup-form' } },
  });
  expect(created.status).toBe(201);
  return { id: created.body.id, address };
};

const template = async (subject: string) => {
  const created = await marketing.request('POST /templates', {
    body: {
      name: subject,
      subject,
      html: '<p>Dear {{ customer.firstName }}, from {{ campaign.name }}</p>',
      text: 'Dear {{ customer.firstName }}, from {{ campaign.name }}',
    },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
};

const configure = async (kind: 'birthday' | 'anniversary', templateId: string, enabled = true) => {
  const put = await marketing.request('PUT /automations/{kind}', {
    pathParameters: { kind },
    body: { templateId, enabled },
  });
  expect(put.status).toBe(200);
};

const countFor = async (address: string) => (await mailbox().messagesFor(address)).length;

describe('birthday e-mails', () => {
  it('mails each marketable person whose birthday it is once, leap-day people on 28 February, nobody else', async () => {
    const today = await person('Ada Today', { birthday: '1990-02-28' });
    const leap = await person('Leo Leap', { birthday: '2000-02-29' });
    const tomorrow = await person('Tom Tomorrow', { birthday: '1990-03-01' });
    const denied = await person('Dan Denied', { birthday: '1985-02-28', consent: 'denied' });
    const suppressed = await person('Sue Suppressed', { birthday: '1970-02-28' });
    const noBirthday = await person('Nora Nobirthday');
    expect(
      (
        await marketing.request('POST /suppressions', {
          body: { email: suppressed.address, reason: 'manual' },
        })
      ).status,
    ).toBe(201);

    // Not configured yet: the run sends nothing.
    const idle = await run('2027-02-28T09:00:00.000Z');
    expect(idle.kinds.birthday.status).toBe('disabled');
    expect(await countFor(today.address)).toBe(0);

    await configure('birthday', await template('Happy birthday, {{ customer.firstName }}!'));
    const first = await run('2027-02-28T09:00:00.000Z');
    expect(first).toMatchObject({ day: '2027-02-28', sent: 2, alreadySent: 0, failed: 0 });
    expect(first.kinds.birthday.status).toBe('ran');
    expect(first.kinds.anniversary.status).toBe('disabled');

    // A retry, or a duplicate scheduled event, the same day: nobody is mailed twice.
    const second = await run('2027-02-28T09:05:00.000Z');
    expect(second).toMatchObject({ sent: 0, alreadySent: 2, failed: 0 });

    const [mail] = await mailbox().messagesFor(today.address);
    expect(mail?.subject).toBe('Happy birthday, Ada!');
    expect(mail?.body.text).toContain('Dear Ada, from Birthday e-mail');
    expect(mail?.body.text).toMatch(/Unsubscribe: https?:\/\/\S+\/unsubscribe\/\S+/);
    expect(await countFor(today.address)).toBe(1);
    expect(await countFor(leap.address)).toBe(1);
    for (const other of [tomorrow, denied, suppressed, noBirthday])
      expect(await countFor(other.address)).toBe(0);

    // The ledger holds one item per person and year, in the person's partition (erase purges it).
    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: { pk: `CUSTOMER#${today.id}`, sk: 'EMAIL#birthday-2027' },
      }),
    );
    expect(Item).toMatchObject({ status: 'sent', kind: 'birthday-2027' });

    // A leap year: 28 February is Ada's day only; Leo's is the 29th. A new year, a new e-mail.
    expect(await run('2028-02-28T09:00:00.000Z')).toMatchObject({ sent: 1 });
    expect(await countFor(today.address)).toBe(2);
    expect(await countFor(leap.address)).toBe(1);
    expect(await run('2028-02-29T09:00:00.000Z')).toMatchObject({ sent: 1 });
    expect(await countFor(leap.address)).toBe(2);

    // The e-mail's unsubscribe link works and says which e-mail it came from.
    const text = (await mailbox().messagesFor(leap.address))[0]?.body.text ?? '';
    const code = /\/unsubscribe\/([A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? '';
    const unsubscribed = await admin.request('POST /unsubscribe/{code}', {
      pathParameters: { code },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
      claims: null,
    } as never);
    expect(unsubscribed.status).toBe(200);
    const entry = (await admin.timeline(leap.id)).body.items.find(
      (e: { kind: string }) => e.kind === 'unsubscribe',
    );
    expect(entry).toMatchObject({ messageKind: 'birthday', source: 'one-click' });
    // Unsubscribed: out of the index and re-checked at send time, so no e-mail next year.
    await run('2029-02-28T09:00:00.000Z');
    expect(await countFor(leap.address)).toBe(2);
    expect(await countFor(today.address)).toBe(3);
  });

  it('keeps its template from being deleted; one gone anyway (removed by hand) sends nothing', async () => {
    const due = await person('Gina Gone', { birthday: '1991-07-14' });
    const templateId = await template('Gone soon');
    await configure('birthday', templateId);
    const refused = await marketing.request('DELETE /templates/{id}', { pathParameters: { id: templateId } });
    expect(refused.status).toBe(409);
    expect(refused.body.usedBy).toEqual([{ kind: 'automation', id: 'birthday' }]);
    // Only a hand-made delete (or data from before usage tracking) leaves a configuration without its template.
    await documentClient.send(
      new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: templateKey(templateId) }),
    );
    const result = await run('2027-07-14T09:00:00.000Z');
    expect(result.kinds.birthday.status).toBe('template-missing');
    expect(await countFor(due.address)).toBe(0);
    await configure('birthday', await template('Off'), false);
  });
});

describe('anniversary e-mails', () => {
  it('mails buyers on the anniversary of their first purchase, from one year on, once', async () => {
    const buy = async (id: string, purchasedAt: string) =>
      expect((await admin.recordPurchase(id, { amount: 1000, currency: 'EUR', purchasedAt })).status).toBe(
        201,
      );
    const twoYears = await person('Anna Two');
    await buy(twoYears.id, '2024-05-10T12:00:00.000Z');
    const laterOrders = await person('Lars Later');
    await buy(laterOrders.id, '2025-01-01T12:00:00.000Z');
    await buy(laterOrders.id, '2023-05-10T18:00:00.000Z'); // an older order recorded late: the first now
    const firstToday = await person('Fay Firstday');
    await buy(firstToday.id, '2026-05-10T06:00:00.000Z');
    const otherDay = await person('Olga Other');
    await buy(otherDay.id, '2025-05-11T06:00:00.000Z');
    const neverBought = await person('Ned Never');

    await configure('anniversary', await template('Thank you, {{ customer.firstName }}'));
    const first = await run('2026-05-10T09:00:00.000Z');
    expect(first.kinds.anniversary).toMatchObject({ status: 'ran', sent: 2, skipped: 1, alreadySent: 0 });
    expect(await run('2026-05-10T09:00:00.000Z')).toMatchObject({
      kinds: { anniversary: { sent: 0, alreadySent: 2 } },
    });
    expect(await countFor(twoYears.address)).toBe(1);
    expect(await countFor(laterOrders.address)).toBe(1);
    for (const other of [firstToday, otherDay, neverBought]) expect(await countFor(other.address)).toBe(0);
  });
});

describe('the month-day index', () => {
  it('is kept on the marketable item only, and follows consent', async () => {
    const someone = await person('Ivy Index', { birthday: '1999-09-09' });
    const birthdayItems = async () =>
      (await allItems()).filter((item) => item.gsi1pk === 'BIRTHDAY#09-09' && item.gsi1sk === someone.id);
    expect((await birthdayItems()).map((item) => item.type)).toEqual(['marketable-customer']);
    await admin.update(someone.id, { consent: { email: { status: 'denied', source: 'phone' } } });
    expect(await birthdayItems()).toEqual([]);
  });
});
