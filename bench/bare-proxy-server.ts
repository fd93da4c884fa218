/**
 * The reference for the gateway benchmark: the same data-plane technology (node:http + an undici
 * Pool, `stream`) with no authentication, policy, assertion or audit — what forwarding alone costs.
 * Like any proxy it relays the client's request headers (minus hop-by-hop ones and Host) and adds
 * X-Forwarded-For; the benchmark sends it the same requests, Authorization included, as the gateway.
 * Usage: PORT UPSTREAM_URL. Prints "listening" once it accepts requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { Pool } from 'undici';

const [port, upstream] = process.argv.slice(2);
const pool = new Pool(upstream!, { connections: 128, pipelining: 1 });

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const headers: string[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) headers.push(raw[i]!, raw[i + 1]!);
  headers.push('x-forwarded-for', request.socket.remoteAddress ?? '');
  pool.stream(
    { method: request.method as 'GET', path: request.url!, headers, body: request.method === 'GET' || request.method === 'HEAD' ? null : request },
    ({ statusCode, headers }) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(headers)) if (value !== undefined && name !== 'connection' && name !== 'keep-alive') out[name] = value;
      response.writeHead(statusCode, out);
      return new Writable({
        write(chunk, _encoding, callback) {
          response.write(chunk, callback);
        },
        final(callback) {
          response.end(callback);
        },
      });
    },
    (error) => {
      if (error !== null && !response.headersSent) {
        response.writeHead(502).end();
      }
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => void pool.close().then(() => process.exit(0))));
