import { type Actor, hasAnyRole } from './actor.ts';
import { Forbidden } from './errors.ts';

/** Imports create and change customers in bulk, owners included: admins and managers only. */
const IMPORT = ['admin', 'manager'] as const;

export const assertMayImport = (actor: Actor): void => {
  if (!hasAnyRole(actor, IMPORT)) throw new Forbidden('Only admins and managers may import customers.');
};
