import { pino, type Level } from 'pino';
import { formatIssue, loadConfig } from '../../config/index.ts';
import { SERVICES, startGatehouse, type ServiceName } from '../../runtime/start-gatehouse.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { CONFIG_OPTION, configPath } from '../common-options.ts';
import { EXIT } from '../exit-codes.ts';

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
/** How long requests in flight get to finish after SIGTERM/SIGINT. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** `gatehouse start`: issuer + gateway (with the console on its control listener) in one process, until SIGTERM/SIGINT (graceful). */
export const start: Command = {
  path: ['start'],
  summary: 'run the issuer, the gateway and its console (until Ctrl-C / SIGTERM)',
  usage: '[--config FILE] [--services issuer,gateway] [--log-level info]',
  description: [
    'Runs the selected parts in one process on the configured store. Logs are JSON lines on stderr;',
    'the gateway\'s decision log is JSON lines on stdout. Routes and policies reload when the file',
    'changes or on SIGHUP. SIGTERM or Ctrl-C: /readyz turns 503, new connections are refused and',
    `requests in flight get ${SHUTDOWN_GRACE_MS / 1000} s to finish. The gateway's control listener also serves the`,
    'web console at /console/ (admins sign in through the issuer).',
  ].join('\n'),
  options: {
    ...CONFIG_OPTION,
    services: { type: 'string', placeholder: 'LIST', description: `which parts to run, comma-separated: ${SERVICES.join(', ')} (default: all)` },
    'log-level': { type: 'string', placeholder: 'LEVEL', description: `${LEVELS.join(', ')} (default: info)` },
  },
  positionals: [0, 0],
  async run(args, context) {
    const services = parseServices(args.values.services);
    const level = parseLevel(args.values['log-level']);
    const path = configPath(args, context);
    const { config, warnings } = await loadConfig(path, { env: context.io.env });
    const logger = pino({ level, base: { service: 'gatehouse' } }, pino.destination({ dest: 2, sync: true }));
    for (const warning of warnings) logger.warn({ file: warning.file, path: warning.path }, formatIssue(warning));
    const running = await startGatehouse(config, { services, configPath: path, logger, env: context.io.env });
    const { urls } = running;
    context.note(`gatehouse is running (${services.join(' + ')}, config ${path})`);
    if (urls.issuer !== undefined) context.note(`  issuer   ${urls.issuer}   (public URL ${config.issuer}; discovery at ${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration)`);
    if (urls.gateway !== undefined) context.note(`  gateway  ${urls.gateway}   (${config.routes.length} route${config.routes.length === 1 ? '' : 's'})`);
    context.note(`  control  ${urls.control}   (/healthz, /readyz${urls.gateway === undefined ? '' : ', /metrics, the console at /console/'})`);
    context.note('Press Ctrl-C to stop.');
    const signal = await context.io.waitForStop();
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const cut = await running.stop(SHUTDOWN_GRACE_MS);
    logger.info({ cut }, cut === 0 ? 'stopped cleanly' : `stopped; ${cut} connection(s) were cut after the grace period`);
    return EXIT.ok;
  },
};

function parseServices(value: unknown): ServiceName[] {
  if (value === undefined) return [...SERVICES];
  const names = String(value).split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(SERVICES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const hint = unknown.includes('console')
      ? 'the console comes with the gateway: it is served at /console/ on the gateway\'s control listener; run gateway'
      : `choose from: ${SERVICES.join(', ')}`;
    throw new CliError(EXIT.usage, `--services: unknown part${unknown.length === 1 ? '' : 's'} ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}`, hint);
  }
  return [...new Set(names)] as ServiceName[];
}

function parseLevel(value: unknown): Level {
  if (value === undefined) return 'info';
  if (!(LEVELS as readonly unknown[]).includes(value)) throw new CliError(EXIT.usage, `--log-level: unknown level "${String(value)}"`, `choose from: ${LEVELS.join(', ')}`);
  return value as Level;
}
