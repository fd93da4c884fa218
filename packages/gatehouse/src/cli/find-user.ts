import type { Store, User } from '../store/index.ts';
import { CliError } from './cli-error.ts';
import { EXIT } from './exit-codes.ts';

/** The user a command names, looked up as the sign-in page does (any letter case); exit 4 when there is none. */
export async function findUserNamed(store: Store, name: string): Promise<User> {
  const user = await store.users.findByUsername(name);
  if (user === undefined) throw new CliError(EXIT.unavailable, `no user named ${JSON.stringify(name)}`, 'see who exists with `gatehouse users list`');
  return user;
}
