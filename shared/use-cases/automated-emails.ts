import { config } from '#shared/config';
import { getAutomation } from '#shared/data/automations';
import { getCustomer } from '#shared/data/customers';
import { claimDelivery } from '#shared/data/email-deliveries';
import { marketableIdsByMonthDay } from '#shared/data/marketable';
import { isSuppressed } from '#shared/data/suppressions';
import { getTemplate } from '#shared/data/templates';
import {
  AUTOMATION_NAMES,
  deliveryKindOf,
  isDue,
  monthDaysGreetedOn,
  utcDay,
} from '#shared/domain/automation';
import { hasMarketingConsent } from '#shared/domain/customer';
import { buildMarketingMessage } from '#shared/email/marketing-message';
import { sendRawEmail } from '#shared/email/send-email';
import { type BackoffOptions, SendPace, withThrottlingBackoff } from '#shared/email/send-pace';
import { nowIso } from '#shared/ids';
import { AUTOMATION_KINDS, type AutomationKind } from '#shared/schemas/automation';
import type { Template } from '#shared/schemas/template';
import { settleSent, settleUnsent } from './email-ledger.ts';
import { unsubscribeTokenFor } from './unsubscribe.ts';

export interface AutomatedEmailCounts {
  /** E-mails handed to SES by this run. */
  sent: number;
  /** Listed for today but not (or no longer) due, without consent, suppressed, or gone. */
  skipped: number;
  /** Already sent (or being sent) this year: a re-run, a duplicate event. */
  alreadySent: number;
  /** SES refused or rendering failed: the ledger item is `failed`, a retry of the run may send it. */
  failed: number;
}

export type KindOutcome = AutomatedEmailCounts & { status: 'disabled' | 'template-missing' | 'ran' };

export interface AutomatedEmailsResult extends AutomatedEmailCounts {
  /** The UTC day greeted. */
  day: string;
  kinds: Record<AutomationKind, KindOutcome>;
}

export interface AutomatedEmailsOptions {
  pace?: SendPace;
  backoff?: BackoffOptions;
  /** People handled at once (their reads overlap; sends still go one by one at the pace). */
  concurrency?: number;
}

type Outcome = keyof AutomatedEmailCounts;
const zero = (): AutomatedEmailCounts => ({ sent: 0, skipped: 0, alreadySent: 0, failed: 0 });

/** Runs `work` over `items` with at most `limit` at a time. */
const forEachConcurrently = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * One person's e-mail of `kind` for `day`:
 * 1. Re-read the customer (consistent): gone, no longer due (a changed birthday, an anniversary
 *    under one year), no e-mail consent or a suppressed address → skipped.
 * 2. Claim the year's ledger item (`birthday-2026`) BEFORE SES: held already → alreadySent.
 * 3. Render the template (unsubscribe link for this kind), wait for the pace, send (throttling is
 *    retried with backoff), settle `sent`. A failure before SES took it settles `failed` (a later
 *    run may retry); one that may have reached SES leaves the claim `sending` (see settleUnsent).
 */
const greet = async (
  customerId: string,
  context: { kind: AutomationKind; day: string; template: Template; eventId: string },
  options: { pace: SendPace; backoff?: BackoffOptions },
): Promise<Outcome> => {
  const { kind, day, template, eventId } = context;
  const customer = await getCustomer(customerId, { consistent: true });
  if (!customer || !hasMarketingConsent(customer)) return 'skipped';
  if (
    !isDue(
      kind,
      { birthday: customer.birthday, firstPurchaseAt: customer.purchaseSummary?.firstPurchaseAt },
      day,
    )
  )
    return 'skipped';
  const to = customer.emails[0]?.address as string;
  if (await isSuppressed(to)) return 'skipped';
  const ledgerKind = deliveryKindOf(kind, day);
  if (!(await claimDelivery(customer.id, ledgerKind, eventId, nowIso()))) return 'alreadySent';
  let messageId: string;
  try {
    const message = await buildMarketingMessage({
      template,
      customer,
      campaign: { id: kind, name: AUTOMATION_NAMES[kind] },
      messageKind: kind,
      unsubscribeToken: await unsubscribeTokenFor({ customerId: customer.id, kind }),
    });
    await options.pace.take();
    messageId = await withThrottlingBackoff(() => sendRawEmail(message.raw, message.tags), options.backoff);
  } catch (error) {
    await settleUnsent(customer.id, ledgerKind, error);
    return 'failed';
  }
  await settleSent(customer.id, ledgerKind, messageId);
  return 'sent';
};

/**
 * The daily run (`time`: the schedule's own time, so a late or replayed invocation greets the day
 * it was meant for, in UTC):
 * 1. For each kind, read its configuration; disabled or never configured → nothing; its template
 *    deleted since → nothing (reported as `template-missing`).
 * 2. Query the kind's month-day index for the day (and 02-29 on 28 February of a common year),
 *    page by page, and greet each person (see `greet`): once per person and year, whatever the
 *    number of runs.
 */
export const sendAutomatedEmails = async (
  time: string,
  eventId: string,
  options: AutomatedEmailsOptions = {},
): Promise<AutomatedEmailsResult> => {
  const day = utcDay(time);
  // One campaign sender's share of the account's SES rate, not the whole of it: a campaign may
  // be sending at this hour too (its senders together take the whole rate), and the birthdays of
  // a day are ~1/365 of the audience, so a share is plenty. If both run, SES may throttle briefly
  // above the rate; withThrottlingBackoff waits those messages out, none is dropped.
  const pace = options.pace ?? new SendPace(config.sesMaxSendRate / config.campaignSenderConcurrency);
  const concurrency = options.concurrency ?? 8;
  const kinds = {} as Record<AutomationKind, KindOutcome>;
  for (const kind of AUTOMATION_KINDS) {
    const counts = zero();
    const automation = await getAutomation(kind, { consistent: true });
    if (!automation.enabled || !automation.templateId) {
      kinds[kind] = { status: 'disabled', ...counts };
      continue;
    }
    const template = await getTemplate(automation.templateId);
    if (!template) {
      kinds[kind] = { status: 'template-missing', ...counts };
      continue;
    }
    for (const monthDay of monthDaysGreetedOn(day)) {
      for await (const ids of marketableIdsByMonthDay(kind, monthDay)) {
        await forEachConcurrently(ids, concurrency, async (id) => {
          counts[await greet(id, { kind, day, template, eventId }, { pace, backoff: options.backoff })]++;
        });
      }
    }
    kinds[kind] = { status: 'ran', ...counts };
  }
  const total = zero();
  for (const outcome of Object.values(kinds))
    for (const key of Object.keys(total) as Outcome[]) total[key] += outcome[key];
  return { day, ...total, kinds };
};
