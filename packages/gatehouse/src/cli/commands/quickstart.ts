import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { decisionLogDestination } from '../../audit/decision-log.ts';
import { loadConfig } from '../../config/index.ts';
import { UserService } from '../../issuer/users/user-service.ts';
import { startGatehouse } from '../../runtime/start-gatehouse.ts';
import { CliError } from '../cli-error.ts';
import type { Command } from '../command.ts';
import { startDemoUpstream } from '../demo-upstream.ts';
import { EXIT } from '../exit-codes.ts';
import { CONFIG_FILE, DEMO_USER, exists, initGatehouse } from '../init-files.ts';
import { SHUTDOWN_GRACE_MS } from './start.ts';

/** The directory `npm start` works in, under the current directory (git-ignored). */
export const QUICKSTART_DIR = '.gatehouse-quickstart';

/**
 * `gatehouse quickstart` (what `npm start` runs): init on first use, then issuer, gateway, console
 * and a demo upstream in one process, and the exact commands to try — a token that passes, one that
 * is refused, and the browser sign-in.
 */
export const quickstart: Command = {
  path: ['quickstart'],
  summary: 'run issuer, gateway and a demo upstream, and print what to try',
  usage: '[--dir DIR]',
  description: [
    `Works in DIR (default ./${QUICKSTART_DIR}): the first run writes a configuration there as`,
    '`gatehouse init` does; every run gives the demo user a new password, starts a demo upstream',
    'that verifies the gateway\'s assertions, mints two tokens and prints curl lines for them.',
    'The decision log goes to DIR/decisions.log. Ctrl-C stops everything gracefully.',
  ].join('\n'),
  options: {
    dir: { type: 'string', placeholder: 'DIR', description: `where the configuration, key and store live (default: ./${QUICKSTART_DIR})` },
  },
  positionals: [0, 0],
  async run(args, context) {
    const dir = resolve(context.io.cwd, typeof args.values.dir === 'string' ? args.values.dir : QUICKSTART_DIR);
    const configPath = join(dir, CONFIG_FILE);
    const env = context.io.env;
    let password: string;
    if (await exists(configPath)) {
      password = '';
    } else {
      context.note(`first run: writing a configuration in ${dir}`);
      password = (await initGatehouse(dir, {}, env)).password;
    }
    const { config } = await loadConfig(configPath, { env });
    const api = config.routes.find((route) => route.id === 'demo-api');
    const app = config.routes.find((route) => route.id === 'demo-app');
    if (api === undefined || app === undefined) throw new CliError(EXIT.config, `${configPath} has no demo-api and demo-app routes`, `remove ${dir} to start over, or run \`gatehouse start --config ${configPath}\``);
    const logger = pino({ level: 'warn', base: { service: 'gatehouse' } }, pino.destination({ dest: 2, sync: true }));
    const decisions = decisionLogDestination(join(dir, 'decisions.log'));
    const running = await startGatehouse(config, { services: ['issuer', 'gateway'], configPath, logger, env, decisionLogDestination: decisions });
    let upstream: Server | undefined;
    try {
      const services = running.issuer.services;
      const upstreamUrl = new URL(api.upstream);
      upstream = await startDemoUpstream({ host: upstreamUrl.hostname, port: Number(upstreamUrl.port), issuer: config.issuer, keys: services.keys.keySet, audience: api.audience });
      const users = new UserService(services);
      const demo = await services.store.users.findByUsername(DEMO_USER);
      if (demo === undefined) throw new CliError(EXIT.config, `the store in ${dir} has no user "${DEMO_USER}"`, `remove ${dir} to start over`);
      if (password === '') {
        password = randomBytes(12).toString('base64url');
        await users.setPassword(demo.id, password);
      }
      const admin = await services.mintAccessToken({ subject: demo.id, audience: api.audience, clientId: 'gatehouse-quickstart', roles: ['admin'], ttlSeconds: 3600 });
      const reader = await services.mintAccessToken({ subject: 'reader', audience: api.audience, clientId: 'gatehouse-quickstart', scopes: ['demo:read'], ttlSeconds: 3600 });
      const gateway = running.urls.gateway!;
      const appUrl = `http://localhost:${new URL(gateway).port}/app/`;
      const lines = [
        '',
        'Gatehouse is running:',
        `  issuer   ${running.urls.issuer}  (discovery: ${config.issuer}/.well-known/openid-configuration)`,
        `  gateway  ${gateway}`,
        `  control  ${running.urls.control}  (/metrics, /healthz, /readyz)`,
        `  console  http://localhost:${new URL(running.urls.control).port}/console/  (sign in as "${DEMO_USER}", an admin)`,
        `  upstream http://${upstreamUrl.host}  (the demo service; it verifies the gateway's assertion)`,
        '',
        'Try it (tokens valid for 1 hour):',
        '',
        '  # allowed: an admin token → 200 from the upstream, with the identity it proved',
        `  curl -i -H 'Authorization: Bearer ${admin.token}' ${gateway}/api/hello`,
        '',
        '  # refused: a reader may only GET → 403 insufficient_scope',
        `  curl -i -X POST -H 'Authorization: Bearer ${reader.token}' ${gateway}/api/hello`,
        '',
        '  # why? every check and the policy, one line each:',
        `  npx gatehouse token explain ${reader.token} --route demo-api --method POST --config ${configPath}`,
        '',
        `  # in a browser: ${appUrl}  → sign in as "${DEMO_USER}" with password ${password}`,
        '',
        `Decision log: ${join(dir, 'decisions.log')} (one JSON line per request). Ctrl-C to stop.`,
        '',
      ];
      context.out(lines.join('\n'));
      await context.io.waitForStop();
      context.note('stopping…');
    } finally {
      await running.stop(SHUTDOWN_GRACE_MS);
      upstream?.closeAllConnections();
      await new Promise<void>((done) => (upstream === undefined ? done() : upstream.close(() => done())));
    }
    return EXIT.ok;
  },
};

