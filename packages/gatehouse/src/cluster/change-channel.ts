import { sql, type Kysely } from 'kysely';

/**
 * What replicas tell each other through PostgreSQL (LISTEN/NOTIFY): only that something changed
 * and where to look. The data itself is read from the store by cursor (revocations) or reloaded
 * (keys), so a notification lost or repeated changes nothing but how soon that read happens.
 */
export const CHANGE_CHANNEL = 'gatehouse_changes';

/** `revocations`: an entry was added (token, family, subject or key). `keys`: a signing key record changed. */
export const CHANGE_TOPICS = ['revocations', 'keys'] as const;
export type ChangeTopic = (typeof CHANGE_TOPICS)[number];

/**
 * Sends one notification for `topic` on the store's own connections. The payload names the
 * schema (`<schema> <topic>`): channels are database-wide, and several Gatehouse deployments (or
 * test schemas) may share one database. Delivered once the statement commits (at once, here).
 */
export async function announceChange(db: Kysely<any>, topic: ChangeTopic): Promise<void> {
  await sql`select pg_notify(${CHANGE_CHANNEL}, current_schema() || ' ' || ${topic})`.execute(db);
}

/** The topic of a notification for `schema`, or undefined when it is another schema's or not ours. */
export function changeTopicFor(schema: string, payload: string | undefined): ChangeTopic | undefined {
  if (payload === undefined) return undefined;
  const space = payload.lastIndexOf(' ');
  if (space === -1 || payload.slice(0, space) !== schema) return undefined;
  const topic = payload.slice(space + 1);
  return (CHANGE_TOPICS as readonly string[]).includes(topic) ? (topic as ChangeTopic) : undefined;
}
