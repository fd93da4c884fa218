import { setTimeout as delay } from 'node:timers/promises';
import type { SecurityEvent, SecurityEventType, Store } from '../../store/index.ts';
import { securityEventJson } from '../../audit/security-event-json.ts';
import { CliError } from '../cli-error.ts';
import type { Command, CommandContext } from '../command.ts';
import { CONFIG_OPTION, JSON_OPTION, wantsJson } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';
import { withLocalStore } from '../local-store.ts';
import { integerFlag } from '../number-flag.ts';
import { stringFlag } from '../string-flag.ts';

/** How often --follow asks the store for new events. */
const FOLLOW_INTERVAL_MS = 1000;

/** `gatehouse audit tail`: the security events the store keeps (refresh reuse, key changes, revocations, anomalies …). */
export const auditTail: Command = {
  path: ['audit', 'tail'],
  summary: 'show the latest security events from the store; --follow for new ones as they come',
  usage: '[--limit N] [--type TYPE] [--follow] [--json]',
  description: [
    'Prints the newest security events, oldest first, one per line: time, severity, type, then subject,',
    'client, ip and the details. With --follow it keeps printing new events (checked every second) until',
    'Ctrl-C. --json prints a JSON array, or with --follow one JSON object per line.',
    'The types are listed in docs/reference/errors.md ("Security events"), e.g. refresh.reused, key.revoked.',
    '(Per-request decisions are not here: they are the gateway\'s audit log lines.)',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    limit: { type: 'string', placeholder: 'N', description: 'how many of the newest events to show first, 0 to 1000 (default 20)' },
    type: { type: 'string', placeholder: 'TYPE', description: 'only events of this type, e.g. refresh.reused' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new events until Ctrl-C' },
    ...JSON_OPTION,
  },
  positionals: [0, 0],
  async run(args, context) {
    const limit = integerFlag(args, 'limit', { min: 0, max: 1000, fallback: 20 });
    const given = stringFlag(args, 'type');
    const type = given === undefined ? undefined : eventType(given);
    const follow = args.values.follow === true;
    const json = wantsJson(args);
    return withLocalStore(args, context, async ({ store }) => {
      const recent = limit === 0 ? [] : (await store.securityEvents.listRecent({ limit, ...(type === undefined ? {} : { type }) })).reverse();
      if (!follow) {
        if (json) context.json(recent.map(securityEventJson));
        else if (recent.length === 0) context.note(type === undefined ? 'no security events' : `no ${type} events`);
        else for (const event of recent) context.out(formatEvent(event));
        return EXIT.ok;
      }
      const print = (event: SecurityEvent): void => (json ? context.out(JSON.stringify(securityEventJson(event))) : context.out(formatEvent(event)));
      recent.forEach(print);
      // Follow from the newest event shown; with --limit 0, from the newest there is.
      let cursor = recent.at(-1)?.id ?? (await store.securityEvents.listRecent({ limit: 1 }))[0]?.id ?? 0;
      context.note('(following new events; Ctrl-C to stop)');
      await pollUntilStopped(store, context, async () => {
        for (;;) {
          const batch = await store.securityEvents.listAfter(cursor, { limit: 1000, ...(type === undefined ? {} : { type }) });
          batch.forEach(print);
          cursor = batch.at(-1)?.id ?? cursor;
          if (batch.length < 1000) return;
        }
      });
      return EXIT.ok;
    });
  },
};

/** Runs `poll` every second until the user stops the command (Ctrl-C); a store that fails is exit 4. */
async function pollUntilStopped(store: Store, context: CommandContext, poll: () => Promise<void>): Promise<void> {
  const stop = new AbortController();
  void context.io.waitForStop().then(() => stop.abort());
  for (;;) {
    try {
      await delay(FOLLOW_INTERVAL_MS, undefined, { signal: stop.signal });
    } catch {
      return; // aborted: the user stopped it
    }
    try {
      await poll();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CliError(EXIT.unavailable, `lost the store at ${store.url}: ${reason}`, 'check that the database is up, then run `gatehouse audit tail --follow` again');
    }
  }
}

/** Types are `noun.verb`; anything else cannot match an event and is surely a typo. */
function eventType(value: string): SecurityEventType {
  if (!/^[a-z_]+\.[a-z_]+$/.test(value)) {
    throw new CliError(EXIT.usage, `--type must be an event type like refresh.reused, not ${JSON.stringify(value)}`, 'the types are listed in docs/reference/errors.md ("Security events")');
  }
  return value as SecurityEventType;
}

/** `2030-03-17T17:46:40.000Z  critical  refresh.reused  subject=… client=web ip=203.0.113.7 family_id=…` */
function formatEvent(event: SecurityEvent): string {
  const fields: [string, unknown][] = [];
  if (event.subject !== null) fields.push(['subject', event.subject]);
  if (event.clientId !== null) fields.push(['client', event.clientId]);
  if (event.ip !== null) fields.push(['ip', event.ip]);
  fields.push(...Object.entries(event.details));
  const details = fields.map(([name, value]) => `${name}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`).join(' ');
  return `${new Date(event.at).toISOString()}  ${event.severity.padEnd(8)}  ${event.type}  ${details}`.trimEnd();
}
