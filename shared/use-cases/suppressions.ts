import * as store from '#shared/data/suppressions';
import { type Actor, hasAnyRole } from '#shared/domain/actor';
import { Forbidden, NotFound } from '#shared/domain/errors';
import { nowIso } from '#shared/ids';

/** The suppression list as people manage it (the SES bounce handler calls shared/data/suppressions.ts directly). */

const MANAGE = ['admin', 'manager', 'marketing'] as const;

/** Admins, managers and marketing read and change the suppression list (it holds addresses). */
export const assertMayManageSuppressions = (actor: Actor): void => {
  if (!hasAnyRole(actor, MANAGE))
    throw new Forbidden('Only admins, managers and marketing manage the suppression list.');
};

export const listSuppressions = async (actor: Actor, page: { limit: number; cursor?: string }) => {
  assertMayManageSuppressions(actor);
  return store.listSuppressions(page);
};

/**
 * 1. Check the caller's role.
 * 2. Suppress the address and take its holder out of the marketable index, in one transaction
 *    (an address already suppressed keeps its first entry: `created` false).
 */
export const addSuppression = async (
  actor: Actor,
  input: { email: string; reason: store.SuppressionReason },
) => {
  assertMayManageSuppressions(actor);
  return store.suppress(input.email, input.reason, `api:${actor.userId}`, nowIso());
};

/** Lifts a suppression; the holder, if marketable with that address, returns to the index. */
export const removeSuppression = async (actor: Actor, email: string): Promise<void> => {
  assertMayManageSuppressions(actor);
  if (!(await store.unsuppress(email))) throw new NotFound('This address is not suppressed.');
};
