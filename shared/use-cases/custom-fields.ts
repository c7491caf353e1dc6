import * as store from '#shared/data/custom-field-settings';
import type { Actor } from '#shared/domain/actor';
import { assertMayDefineCustomFields } from '#shared/domain/custom-fields';
import { VersionMismatch } from '#shared/domain/errors';
import { nowIso } from '#shared/ids';
import type {
  CustomFieldDefinition,
  CustomFieldSettings,
  ReplaceCustomFieldsRequest,
} from '#shared/schemas/custom-fields';
import { retryLostRaces } from './retry-races.ts';

/** Custom field settings: read by every role, replaced by admins, and read (cached) by writes that validate values. */

/**
 * Definitions change rarely and every customer write needs them: a container keeps them this
 * long, so a change reaches other containers within that time.
 */
const CACHE_MS = 5_000;
let cached: { fields: readonly CustomFieldDefinition[]; until: number } | undefined;

/** The definitions values are validated against (one GetItem at most every CACHE_MS per container). */
export const customFieldDefinitions = async (): Promise<readonly CustomFieldDefinition[]> => {
  if (cached && cached.until > Date.now()) return cached.fields;
  const { fields } = await store.getCustomFieldSettings();
  cached = { fields, until: Date.now() + CACHE_MS };
  return fields;
};

export const getCustomFields = async (_actor: Actor): Promise<CustomFieldSettings> =>
  store.getCustomFieldSettings({ consistent: true });

/**
 * 1. Check the caller is an admin.
 * 2. Read the settings; check If-Match against their version.
 * 3. Write the new list at the next version, conditional on the one read (lost race: 412 with
 *    If-Match, else read again and replace).
 */
export const replaceCustomFields = async (
  actor: Actor,
  input: ReplaceCustomFieldsRequest,
  ifMatch?: number | '*',
): Promise<CustomFieldSettings> => {
  assertMayDefineCustomFields(actor);
  const settings = await retryLostRaces(
    async () => {
      const current = await store.getCustomFieldSettings({ consistent: true });
      if (typeof ifMatch === 'number' && ifMatch !== current.version) {
        throw new VersionMismatch(`The custom fields are at version ${current.version}, not ${ifMatch}.`);
      }
      const next = {
        fields: input.fields,
        version: current.version + 1,
        updatedAt: nowIso(),
        updatedBy: actor.userId,
      };
      await store.putCustomFieldSettings(next, current.version);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
  cached = undefined;
  return settings;
};
