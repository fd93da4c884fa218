/**
 * The gateway for the gateway benchmark, as `gatehouse start` runs it: issuer and gateway in one
 * process on one store (keys, revocation lists shared). Before it says "listening" it mints the
 * benchmark's access tokens (client billing-svc, audience orders, role billing) and writes them,
 * with the public JWKS, to TOKENS_FILE. The decision log goes to /dev/null through the same
 * buffered destination as in production (real writes, without filling the disk).
 * Usage: CONFIG TOKENS_FILE TOKEN_COUNT
 */
import { writeFileSync } from 'node:fs';
import { decisionLogDestination, loadConfig, openGateway, openIssuer } from 'gatehouse';

const [configPath, tokensFile, count] = process.argv.slice(2);
const { config } = await loadConfig(configPath!);
const issuer = await openIssuer(config);
const gateway = await openGateway(config, {
  issuer: issuer.services,
  configPath: configPath!,
  watch: false,
  decisionLogDestination: decisionLogDestination('/dev/null'),
});
const tokens: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const minted = await issuer.services.mintAccessToken({ subject: `svc-${i}`, audience: 'orders', clientId: 'billing-svc', scopes: ['orders:read'], roles: ['billing'] });
  tokens.push(minted.token);
}
writeFileSync(tokensFile!, JSON.stringify({ tokens, jwks: issuer.services.keys.jwks() }));
await gateway.listen();
console.log('listening');
process.on('SIGTERM', () => void gateway.close().then(() => issuer.close()).then(() => process.exit(0)));
