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

/** = next.config.mjs experimental.serverActions.bodySizeLimit ('1mb'). */
const ACTION_BODY_LIMIT = 1024 * 1024;

/** A server action call (fetch with Next-Action) or a form POST to a page (which Next treats as one). */
function isActionPost(req) {
  return Boolean(req.headers['next-action']) || String(req.headers['content-type'] ?? '').startsWith('multipart/form-data');
}

const server = http.createServer((req, res) => {
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-warden-')) delete req.headers[name];
  }
  const correlationId = randomUUID();
  req.headers['x-warden-peer'] = req.socket.remoteAddress ?? '';
  req.headers['x-warden-correlation-id'] = correlationId;
  res.setHeader('X-Correlation-Id', correlationId);
  // T36: a server action body over the limit is refused with 413 before Next reads
  // it (Next 16 would answer 500 for it). Same limit as serverActions.bodySizeLimit.
  if (req.method === 'POST' && Number(req.headers['content-length'] ?? 0) > ACTION_BODY_LIMIT && isActionPost(req)) {
    res.statusCode = 413;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Connection', 'close');
    res.end(`Request body too large. Nothing was changed. Reference: ${correlationId}\n`);
    return;
  }
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
// A promise rejected with nobody to catch it (e.g. a background job's stray
// query) is logged as one JSON line in lib/log's format (pino: level 50 = error,
// time, app) and the server keeps serving: requests have their own error paths.
// An uncaught exception is logged the same way (level 60 = fatal) before Node's
// default handling ends the process, so the supervisor restarts it.
const logLine = (level, msg, error) =>
  console.error(
    JSON.stringify({
      level,
      time: new Date().toISOString(),
      app: 'warden',
      msg,
      err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { value: String(error) },
    }),
  );
process.on('unhandledRejection', (reason) => logLine(50, 'unhandled rejection', reason));
process.on('uncaughtExceptionMonitor', (error) => logLine(60, 'uncaught exception', error));
