/**
 * `npm run --silent token -- <role> [user-id]`: prints a dev access token for that role (and user
 * id, `dev-<role>` by default), and nothing else, so it composes:
 * curl -H "Authorization: Bearer $(npm run --silent token -- sales rep-2)" …
 */
import { isRole, ROLES } from '#shared/domain/actor';
import { UserId } from '#shared/schemas/common';
import { signDevToken } from './dev-auth.ts';

const [role = '', userId] = process.argv.slice(2);
if (!isRole(role)) {
  console.error(`Unknown role "${role}": use one of ${ROLES.join(', ')}`);
  process.exit(1);
}
if (userId !== undefined && !UserId.safeParse(userId).success) {
  console.error(`Not a user id: "${userId}" (letters, digits and : _ @ . - only)`);
  process.exit(1);
}
process.stdout.write(`${await signDevToken(role, userId === undefined ? {} : { sub: userId })}\n`);
