import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1). The parameters travel inside each
 * PHC string, so raising them later only affects new hashes.
 */
export const PASSWORD_HASH_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under verbatimModuleSyntax */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

/** A hash of a random password, verified against when the user does not exist, so both cases cost the same. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`unknown-user-${Math.random()}-${Date.now()}`);
  return dummyHash;
}

/**
 * Verifies a password against a stored PHC string, or against the dummy hash when there is no
 * user: the same work, the same time, and always false then.
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  const target = storedHash ?? (await dummyPasswordHash());
  let matches: boolean;
  try {
    matches = await verify(target, password);
  } catch {
    matches = false; // a malformed stored hash never signs anyone in
  }
  return storedHash !== undefined && matches;
}
