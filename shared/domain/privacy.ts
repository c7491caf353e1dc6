import { type Actor, hasAnyRole } from './actor.ts';
import { Forbidden } from './errors.ts';

/** Data-protection requests (export, erase) are answered by admins and managers. */
const PRIVACY_ROLES = ['admin', 'manager'] as const;

export const assertMayHandlePrivacyRequests = (actor: Actor): void => {
  if (!hasAnyRole(actor, PRIVACY_ROLES)) {
    throw new Forbidden('Only admins and managers may export or erase personal data.');
  }
};
