import type { FastifyInstance } from 'fastify';
import { ServerError } from '../../errors.ts';
import { UserError } from '../../issuer/users/user-errors.ts';
import { UserService } from '../../issuer/users/user-service.ts';
import type { User } from '../../store/index.ts';
import type { ConsoleServices } from '../console-services.ts';
import { jsonBody, optionalStringList, pathParameter, requiredString } from './request-fields.ts';

/** Long enough that the password policy, not the field reader, answers a too-long password (password_too_long). */
const MAX_PASSWORD_FIELD = 4096;

/**
 * The people who sign in at the issuer, managed as `gatehouse users add|list|disable|passwd` does,
 * through the same UserService (its user.created, user.disabled and user.password_changed events).
 * Disabling a user or setting their password ends every session and access token they hold.
 * Never a password hash in an answer.
 */
export function registerUserEndpoints(api: FastifyInstance, services: ConsoleServices): void {
  const { store } = services.issuer;
  const users = new UserService(services.issuer);

  api.get('/users', async () => (await store.users.list()).map(userJson));

  api.post('/users', async (request, reply) => {
    const body = jsonBody(request);
    const username = requiredString(body, 'username');
    const password = requiredString(body, 'password', MAX_PASSWORD_FIELD);
    // As `users add --roles` reads them: no empty role, none with a comma or spaces around it.
    const roles = [...new Set((optionalStringList(body, 'roles') ?? []).flatMap((role) => role.split(',')).map((role) => role.trim()).filter((role) => role !== ''))];
    const taken = (): ServerError => new ServerError('store_conflict', `a user named ${JSON.stringify(username)} exists already (names are unique in any letter case)`);
    if ((await store.users.findByUsername(username)) !== undefined) throw taken();
    try {
      const user = await users.createUser(username, password, roles);
      return reply.code(201).send(userJson(user));
    } catch (error) {
      // Added meanwhile by someone else.
      if (error instanceof ServerError && error.code === 'store_conflict') throw taken();
      throw error;
    }
  });

  api.post('/users/:id/disable', async (request) => {
    const user = await store.users.findById(pathParameter(request, 'id'));
    if (user === undefined) throw new UserError('user_not_found');
    return userJson(user.disabled ? user : await users.setDisabled(user.id, true));
  });

  api.post('/users/:id/password', async (request) => {
    const password = requiredString(jsonBody(request), 'password', MAX_PASSWORD_FIELD);
    await users.setPassword(pathParameter(request, 'id'), password);
    return { ok: true };
  });
}

function userJson(user: User) {
  return { id: user.id, username: user.username, roles: user.roles, disabled: user.disabled, createdAt: new Date(user.createdAt).toISOString() };
}
