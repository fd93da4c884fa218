import type { Kysely, Selectable } from 'kysely';
import type { Database, SecurityEventsTable } from '../schema.ts';
import { decodeJsonObject, encodeJson } from '../json-columns.ts';

export type SecuritySeverity = 'info' | 'warning' | 'critical';

/** Event types are `noun.verb`: refresh.reused, login.locked, key.rotated, key.revoked, ... */
export type SecurityEventType = `${string}.${string}`;

export interface SecurityEvent {
  readonly id: number;
  readonly at: number;
  readonly type: SecurityEventType;
  readonly severity: SecuritySeverity;
  readonly subject: string | null;
  readonly clientId: string | null;
  readonly ip: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface NewSecurityEvent {
  readonly at: number;
  readonly type: SecurityEventType;
  readonly severity: SecuritySeverity;
  readonly subject?: string | null;
  readonly clientId?: string | null;
  readonly ip?: string | null;
  /** Never secrets: no tokens, hashes of tokens, passwords or keys. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface SecurityEventFilter {
  readonly type?: SecurityEventType;
  readonly subject?: string;
  /** Only events after this id (the console polls with the newest id it has). */
  readonly afterId?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export class SecurityEventRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async append(event: NewSecurityEvent): Promise<SecurityEvent> {
    const row = await this.#db
      .insertInto('security_events')
      .values({
        at: event.at,
        type: event.type,
        severity: event.severity,
        subject: event.subject ?? null,
        client_id: event.clientId ?? null,
        ip: event.ip ?? null,
        details: encodeJson(event.details ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSecurityEvent(row);
  }

  /** The most recent events matching the filter, newest first. */
  async listRecent(filter: SecurityEventFilter = {}): Promise<SecurityEvent[]> {
    const { type, subject, afterId } = filter;
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const rows = await this.#db
      .selectFrom('security_events')
      .selectAll()
      .$if(type !== undefined, (qb) => qb.where('type', '=', type!))
      .$if(subject !== undefined, (qb) => qb.where('subject', '=', subject!))
      .$if(afterId !== undefined, (qb) => qb.where('id', '>', afterId!))
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toSecurityEvent);
  }

  /**
   * Events after `afterId`, oldest first, at most `limit` (default 100, at most 1000): for
   * following the log (`gatehouse audit tail --follow`) page by page without skipping any.
   */
  async listAfter(afterId: number, filter: Omit<SecurityEventFilter, 'afterId'> = {}): Promise<SecurityEvent[]> {
    const { type, subject } = filter;
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const rows = await this.#db
      .selectFrom('security_events')
      .selectAll()
      .where('id', '>', afterId)
      .$if(type !== undefined, (qb) => qb.where('type', '=', type!))
      .$if(subject !== undefined, (qb) => qb.where('subject', '=', subject!))
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toSecurityEvent);
  }

  /** Drops events older than `before`; returns how many. */
  async deleteOlderThan(before: number): Promise<number> {
    const result = await this.#db.deleteFrom('security_events').where('at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toSecurityEvent(row: Selectable<SecurityEventsTable>): SecurityEvent {
  return {
    id: row.id,
    at: row.at,
    type: row.type as SecurityEventType,
    severity: row.severity as SecuritySeverity,
    subject: row.subject,
    clientId: row.client_id,
    ip: row.ip,
    details: decodeJsonObject(row.details),
  };
}
