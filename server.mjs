#!/usr/bin/env node
// Warden's HTTP entry point: Next.js behind a thin Node server.
//
// Why not plain `next start`: Next.js fills X-Forwarded-For from the socket only
// when the client did not send one, so the app could not tell a client-supplied
// header from the real peer address (SECURITY.md T33). This server records the
// socket's address and a fresh correlation id in headers that clients cannot set
// (any incoming x-warden-* header is dropped), then hands the request to Next.
//
// Usage: node server.mjs [--dev]   (HOST, PORT and NEXT_DIST_DIR from the environment)
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import next from 'next';

if (fs.existsSync('.env')) process.loadEnvFile('.env');

const dev = process.argv.includes('--dev');
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

const app = next({ dev, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-warden-')) delete req.headers[name];
  }
  const correlationId = randomUUID();
  req.headers['x-warden-peer'] = req.socket.remoteAddress ?? '';
  req.headers['x-warden-correlation-id'] = correlationId;
  res.setHeader('X-Correlation-Id', correlationId);
  handle(req, res).catch((error) => {
    console.error(JSON.stringify({ level: 50, msg: 'unhandled request error', correlationId, err: String(error) }));
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    }
    res.end(`Something went wrong. Quote this id when you report it: ${correlationId}\n`);
  });
});

server.listen(port, host, () => {
  console.log(JSON.stringify({ level: 30, msg: `Warden listening on http://${host}:${port}`, dev }));
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
process.on('unhandledRejection', (reason) => {
  console.error(JSON.stringify({ level: 50, msg: 'unhandled rejection', err: String(reason) }));
});
