/**
 * The upstream every gateway benchmark row forwards to: node:http answering a small JSON body.
 * Usage: PORT. Prints "listening" once it accepts requests.
 */
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ ok: true, service: 'orders' }));
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
