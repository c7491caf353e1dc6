import { signDevToken } from '#local/dev-auth';
import type { Role } from '#shared/domain/actor';

/**
 * A dev access token for `role`, signed with this test file's key (CIRRUS_HOME is per file), so
 * the local runtime started by the same file accepts it. Pass `sub` to act as a specific user.
 */
export const tokenFor = (role: Role, options: { sub?: string } = {}): Promise<string> =>
  signDevToken(role, options);

/** `{ authorization: 'Bearer …' }` for fetch. */
export const authHeader = async (
  role: Role,
  options: { sub?: string } = {},
): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await tokenFor(role, options)}`,
});
