/**
 * Runs one issuer from a configuration file (the compiled package, as users run it) for the
 * issuer benchmark, in its own process so the load generator does not share its event loop.
 * Prints "listening" once it accepts requests. Usage: issuer-server.ts CONFIG PORT
 */
import { loadConfig, openIssuer } from 'gatehouse';

const [configPath, port] = process.argv.slice(2);
const { config } = await loadConfig(configPath!);
const issuer = await openIssuer(config);
await issuer.app.listen({ port: Number(port), host: '127.0.0.1' });
console.log('listening');
process.on('SIGTERM', () => void issuer.close().then(() => process.exit(0)));
