import type { User, UserRepository } from '../../store/index.ts';
import { MAX_USERNAME_LENGTH } from '../users/credential-policy.ts';
import { verifyPassword } from '../users/password-hash.ts';

export type CredentialCheck =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'unknown_user' | 'wrong_password' | 'disabled' };

/**
 * Checks a username and password with exactly one argon2 verification on every path: against the
 * user's hash, or against the dummy hash when there is no such user, and also for a disabled
 * account (checked after the password). So an unknown user, a wrong password and a disabled
 * account cost the same time; the reason is for the log only.
 */
export async function checkCredentials(
  users: Pick<UserRepository, 'findByUsername'>,
  username: string,
  password: string,
  verify: (storedHash: string | undefined, password: string) => Promise<boolean> = verifyPassword,
): Promise<CredentialCheck> {
  // Longer names cannot exist (users/credential-policy.ts): no need to look them up.
  const user = username.length <= MAX_USERNAME_LENGTH ? await users.findByUsername(username) : undefined;
  const matches = await verify(user?.passwordHash, password);
  if (user === undefined) return { ok: false, reason: 'unknown_user' };
  if (!matches) return { ok: false, reason: 'wrong_password' };
  if (user.disabled) return { ok: false, reason: 'disabled' };
  return { ok: true, user };
}
