import type { User } from '../../store/index.ts';
import type { IssuerServices } from '../issuer-services.ts';
import { checkPasswordPolicy, checkUsernamePolicy } from './credential-policy.ts';
import { revokeUserSessions } from '../tokens/revoke-user-sessions.ts';
import { hashPassword } from './password-hash.ts';
import { UserError } from './user-errors.ts';

/** What the service needs; an IssuerServices has it all, and the CLI can build it without a server. */
export type UserServiceDependencies = Pick<IssuerServices, 'store' | 'revoker' | 'recordSecurityEvent' | 'clock'>;

/**
 * Managing the people who sign in at the issuer (the CLI's `users add|passwd|disable`, the
 * console). A password change or a disable ends everything the user holds, at once: their refresh
 * families are revoked in the store, and a subject revocation refuses every access token issued
 * until now at every verifier and ends every issuer session (session/issuer-session.ts).
 */
export class UserService {
  readonly #deps: UserServiceDependencies;

  constructor(dependencies: UserServiceDependencies) {
    this.#deps = dependencies;
  }

  /** Throws username_invalid, password_too_short/long, or store_conflict for a taken name. */
  async createUser(username: string, password: string, roles: readonly string[] = []): Promise<User> {
    checkUsernamePolicy(username);
    checkPasswordPolicy(password);
    const user = await this.#deps.store.users.create({ username, passwordHash: await hashPassword(password), roles: [...roles], now: this.#deps.clock() });
    await this.#deps.recordSecurityEvent({ type: 'user.created', severity: 'info', subject: user.id, details: { username: user.username, roles: user.roles } });
    return user;
  }

  async setPassword(userId: string, password: string): Promise<User> {
    checkPasswordPolicy(password);
    const passwordHash = await hashPassword(password);
    const user = await this.#deps.store.users.setPassword(userId, passwordHash, this.#deps.clock());
    if (user === undefined) throw new UserError('user_not_found');
    const families = await this.#endSessions(userId, 'password_changed');
    await this.#deps.recordSecurityEvent({ type: 'user.password_changed', severity: 'warning', subject: userId, details: { revokedFamilies: families } });
    return user;
  }

  /** Disabling ends every session; enabling again restores none of them. */
  async setDisabled(userId: string, disabled: boolean): Promise<User> {
    const user = await this.#deps.store.users.setDisabled(userId, disabled, this.#deps.clock());
    if (user === undefined) throw new UserError('user_not_found');
    if (!disabled) {
      await this.#deps.recordSecurityEvent({ type: 'user.enabled', severity: 'info', subject: userId });
      return user;
    }
    const families = await this.#endSessions(userId, 'user_disabled');
    await this.#deps.recordSecurityEvent({ type: 'user.disabled', severity: 'warning', subject: userId, details: { revokedFamilies: families } });
    return user;
  }

  /** Returns how many refresh families were revoked. */
  async #endSessions(userId: string, reason: string): Promise<number> {
    return (await revokeUserSessions(this.#deps, userId, reason)).length;
  }
}
