import * as store from '#shared/data/automations';
import { getTemplate } from '#shared/data/templates';
import type { Actor } from '#shared/domain/actor';
import { applyAutomationPut, assertMayManageAutomations } from '#shared/domain/automation';
import { Unprocessable, VersionMismatch } from '#shared/domain/errors';
import { nowIso } from '#shared/ids';
import {
  AUTOMATION_KINDS,
  type Automation,
  type AutomationKind,
  type AutomationList,
  type PutAutomationRequest,
} from '#shared/schemas/automation';
import { retryLostRaces } from './retry-races.ts';

/** Automated e-mail configurations (birthday, anniversary): read and replaced by the people who run campaigns. */

/** Every kind, configured or not (an unconfigured kind is disabled, version 0). */
export const listAutomations = async (actor: Actor): Promise<AutomationList> => {
  assertMayManageAutomations(actor);
  return { items: await Promise.all(AUTOMATION_KINDS.map((kind) => store.getAutomation(kind))) };
};

export const getAutomation = async (actor: Actor, kind: AutomationKind): Promise<Automation> => {
  assertMayManageAutomations(actor);
  return store.getAutomation(kind);
};

/**
 * 1. Check the caller may manage automations and the template exists (422 naming `templateId`).
 * 2. Read the configuration (consistent); check If-Match against its version (`"0"`: never set).
 * 3. Write the next version conditionally (lost race: 412 with If-Match, else read again and replace).
 */
export const putAutomation = async (
  actor: Actor,
  kind: AutomationKind,
  input: PutAutomationRequest,
  ifMatch?: number | '*',
): Promise<Automation> => {
  assertMayManageAutomations(actor);
  if (!(await getTemplate(input.templateId))) {
    throw new Unprocessable([{ in: 'body', field: 'templateId', detail: `No template ${input.templateId}` }]);
  }
  return retryLostRaces(
    async () => {
      const current = await store.getAutomation(kind, { consistent: true });
      if (typeof ifMatch === 'number' && ifMatch !== current.version) {
        throw new VersionMismatch(`The ${kind} automation is at version ${current.version}, not ${ifMatch}.`);
      }
      const next = applyAutomationPut(current, input, actor, nowIso());
      await store.putAutomation(next, current);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
};
