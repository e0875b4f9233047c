// The baseline for bench/auth.ts: a bare node:http server answering every request with the
// body and headers maaskit sends for GET /MAAS/api/2.0/version/ (passed in the environment).
import { createServer } from 'node:http';

const body = Buffer.from(process.env['BENCH_BARE_BODY'] ?? '');
const headers: Record<string, string> = {
  ...(JSON.parse(process.env['BENCH_BARE_HEADERS'] ?? '{}') as Record<string, string>),
  'content-length': String(body.length),
};

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
// As fastify does: keep idle keep-alive connections open well past a benchmark's pauses.
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare: listening on http://127.0.0.1:${port}/\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
