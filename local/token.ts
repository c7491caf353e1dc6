/**
 * `npm run --silent token -- <role>`: prints a dev access token for that role, and nothing else,
 * so it composes: curl -H "Authorization: Bearer $(npm run --silent token -- admin)" …
 */
import { isRole, ROLES } from '#shared/domain/actor';
import { signDevToken } from './dev-auth.ts';

const role = process.argv[2] ?? '';
if (!isRole(role)) {
  console.error(`Unknown role "${role}": use one of ${ROLES.join(', ')}`);
  process.exit(1);
}
process.stdout.write(`${await signDevToken(role)}\n`);
