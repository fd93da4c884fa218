/**
 * One Gatehouse replica in its own process, as `gatehouse start` runs it (startGatehouse: issuer +
 * gateway on the configured store, LISTEN/NOTIFY included), for the multi-process cluster tests
 * and `npm run bench cluster`. Decision lines go to /dev/null, logs (warnings and worse) to stderr.
 *
 *   node --conditions=gatehouse-source --import tsx replica-process.ts CONFIG
 *
 * Prints one JSON line `{"ready":{"issuer":URL,"gateway":URL,"control":URL}}` once it serves.
 * Then reads commands on stdin, one per line, and answers each with one JSON line:
 *   rotate  → {"rotated":KID}  (on-demand key rotation at this replica)
 * SIGTERM stops it gracefully.
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { decisionLogDestination } from '../../../src/audit/decision-log.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { startGatehouse } from '../../../src/runtime/start-gatehouse.ts';

const [configPath] = process.argv.slice(2);
if (configPath === undefined) throw new Error('usage: replica-process.ts CONFIG');
const { config } = await loadConfig(configPath);
const logger = pino({ level: process.env.REPLICA_LOG_LEVEL ?? 'warn', base: { replica: process.pid } }, pino.destination({ dest: 2, sync: true }));
const running = await startGatehouse(config, { services: ['issuer', 'gateway'], logger, decisionLogDestination: decisionLogDestination('/dev/null') });
const answer = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
answer({ ready: running.urls });

const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  void (async () => {
    try {
      switch (line.trim()) {
        case 'rotate':
          answer({ rotated: (await running.issuer.services.keys.rotate()).kid });
          break;
        default:
          answer({ error: `unknown command ${JSON.stringify(line)}` });
      }
    } catch (error) {
      answer({ error: String(error) });
    }
  })();
});

process.once('SIGTERM', () => {
  commands.close();
  void running.stop(1_000).then(() => process.exit(0), () => process.exit(1));
});
