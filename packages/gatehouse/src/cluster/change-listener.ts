import pg from 'pg';
import type { Logger } from 'pino';
import { CHANGE_CHANNEL, changeTopicFor, type ChangeTopic } from './change-channel.ts';

export interface ChangeListenerOptions {
  /** The store's PostgreSQL URL (its password is never logged). */
  readonly connectionString: string;
  /** The schema the store lives in, when it is not the server's default search_path (tests). */
  readonly schema?: string;
  /** Another replica changed `topic` (this replica's own changes come back too, and are harmless). */
  readonly onChange: (topic: ChangeTopic) => void;
  /** LISTEN is in place: called after every (re)connection, since what was sent meanwhile is lost. */
  readonly onConnected?: () => void;
  /** The connection is gone; reconnection has started. */
  readonly onDisconnected?: () => void;
  readonly logger?: Logger;
  /** First wait before reconnecting, doubled after each failure up to maxBackoffMs. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Default 5 s. */
  readonly maxBackoffMs?: number;
  /**
   * How often the idle connection is asked `select 1`; no answer within as long counts as lost.
   * TCP keepalive alone takes minutes to notice a peer that vanished. Default 5 s.
   */
  readonly heartbeatMs?: number;
  /** For the connect attempt. Default 5 s. */
  readonly connectTimeoutMs?: number;
}

/**
 * One dedicated connection per replica that LISTENs on the change channel (a pooled connection
 * cannot: LISTEN belongs to a session). Lost connections — a restarted server, a network cut, an
 * administrator's pg_terminate_backend — are noticed (error, end, or a heartbeat with no answer)
 * and replaced, with exponential backoff and jitter; each new connection LISTENs again and reports
 * onConnected so the owner catches up on what it missed.
 */
export class ChangeListener {
  readonly #options: ChangeListenerOptions;
  readonly #log: Logger | undefined;
  #closed = false;
  #connected = false;
  /** Whether the last attempt failed: only the first failure of an outage is logged. */
  #failing = false;
  #backendPid: number | undefined;
  /** Ends the current connection's life (lost or closing); set while one is up. */
  #lose: (() => void) | undefined;
  /** Cuts the current backoff wait short (closing). */
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ChangeListenerOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** Starts connecting in the background; never rejects (failures are logged and retried). */
  start(): void {
    this.#running ??= this.#run();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The server process of the listening connection, while connected (diagnostics, fault tests). */
  get backendPid(): number | undefined {
    return this.#connected ? this.#backendPid : undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#lose?.();
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    const initial = this.#options.initialBackoffMs ?? 100;
    const max = this.#options.maxBackoffMs ?? 5_000;
    let backoff = initial;
    while (!this.#closed) {
      const wasUp = await this.#listenOnce();
      if (this.#closed) break;
      // A connection that worked resets the backoff: the next failure is a new outage.
      if (wasUp) backoff = initial;
      // Full jitter between half and all of the wait, so replicas do not reconnect in step.
      await this.#sleep(backoff / 2 + Math.random() * (backoff / 2));
      backoff = Math.min(max, backoff * 2);
    }
  }

  /** One connection, from connect to loss. Resolves whether LISTEN was ever in place on it. */
  async #listenOnce(): Promise<boolean> {
    const { connectionString, schema } = this.#options;
    const client = new pg.Client({
      connectionString,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
      application_name: 'gatehouse-listener',
      keepAlive: true,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5_000,
    });
    // This connection's own: a late event of an old client must not end the next one.
    let lose!: () => void;
    const lost = new Promise<void>((resolve) => {
      lose = resolve;
    });
    this.#lose = lose;
    // Every step on the way up gives way when the connection is lost or the listener closes.
    const whenLost = lost.then(() => Promise.reject(new Error('connection lost')));
    whenLost.catch(() => {});
    const untilLost = <T>(step: Promise<T>): Promise<T> => Promise.race([step, whenLost]);
    // Unhandled, an 'error' on the client would end the process.
    client.on('error', (error) => {
      if (!this.#closed) this.#log?.warn({ err: error }, 'cluster: the change listener lost its connection');
      lose();
    });
    client.on('end', lose);
    let up = false;
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      await untilLost(client.connect());
      const { rows } = await untilLost(client.query<{ schema: string | null; pid: number }>('select current_schema() as schema, pg_backend_pid() as pid'));
      const listening = rows[0]?.schema;
      if (listening === null || listening === undefined) throw new Error('the search_path names no existing schema');
      client.on('notification', (message) => {
        if (message.channel !== CHANGE_CHANNEL) return;
        const topic = changeTopicFor(listening, message.payload);
        if (topic !== undefined) this.#options.onChange(topic);
      });
      await untilLost(client.query(`listen ${CHANGE_CHANNEL}`));
      if (this.#closed) return false;
      up = true;
      this.#backendPid = rows[0]?.pid;
      this.#connected = true;
      this.#failing = false;
      this.#log?.info({ schema: listening }, 'cluster: listening for other replicas\' changes');
      heartbeat = this.#startHeartbeat(client, lose);
      this.#options.onConnected?.();
      await lost;
    } catch (error) {
      if (!this.#closed && !this.#failing) this.#log?.warn({ err: error }, 'cluster: the change listener could not connect; retrying with backoff (silently until it connects)');
      this.#failing = true;
    } finally {
      clearInterval(heartbeat);
      this.#connected = false;
      this.#lose = undefined;
      // end() waits for the server's goodbye, which a dead peer never sends: not awaited.
      void client.end().catch(() => {});
      if (up && !this.#closed) this.#options.onDisconnected?.();
    }
    return up;
  }

  #startHeartbeat(client: pg.Client, lose: () => void): NodeJS.Timeout {
    const every = this.#options.heartbeatMs ?? 5_000;
    let waiting = false;
    const timer = setInterval(() => {
      if (waiting) return;
      waiting = true;
      let timeout: NodeJS.Timeout | undefined;
      const answered = client.query('select 1').then(() => true, () => false);
      const late = new Promise<boolean>((resolve) => {
        timeout = setTimeout(() => resolve(false), every);
      });
      void Promise.race([answered, late]).then((ok) => {
        clearTimeout(timeout);
        waiting = false;
        if (ok) return;
        this.#log?.warn('cluster: the change listener\'s connection stopped answering; reconnecting');
        lose();
      });
    }, every);
    timer.unref();
    return timer;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      timer.unref();
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
