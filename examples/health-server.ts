// A small node:http server for Kubernetes probes: /livez (the process is up), /readyz (a bounded health
// check of every configured database, 503 when one is down) and /metrics (pool status, Prometheus text).
import { createServer, type Server } from 'node:http';
import { createJsonLogger, loadConfig, openDatabases, type Databases } from '../src/index.js';

function prometheus(dbs: Databases, health: Awaited<ReturnType<Databases['healthCheck']>> | undefined): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, values: [string, number][]) => {
    lines.push(`# HELP sqlwright_${name} ${help}`, `# TYPE sqlwright_${name} gauge`);
    for (const [pool, value] of values) lines.push(`sqlwright_${name}{pool="${pool}"} ${value}`);
  };
  const status = Object.entries(dbs.poolStatus());
  gauge('pool_size', 'Configured base size of the pool (pool_size).', status.map(([p, s]) => [p, s.size]));
  gauge('pool_checked_in', 'Open connections idle in the pool.', status.map(([p, s]) => [p, s.checkedIn]));
  gauge('pool_checked_out', 'Connections lent out.', status.map(([p, s]) => [p, s.checkedOut]));
  gauge('pool_overflow', 'Open connections beyond pool_size.', status.map(([p, s]) => [p, s.overflow]));
  gauge('pool_invalid', 'Connections found broken or marked for replacement since start.', status.map(([p, s]) => [p, s.invalid]));
  gauge('pool_waiting', 'Callers waiting for a connection.', status.map(([p, s]) => [p, s.waiting]));
  gauge('pool_max', 'pool_size + max_overflow.', status.map(([p, s]) => [p, s.max]));
  if (health) {
    gauge('database_up', '1 when the last health check succeeded.', Object.entries(health).map(([p, h]) => [p, h.ok ? 1 : 0]));
    gauge('database_health_latency_ms', 'Latency of the last health check.', Object.entries(health).map(([p, h]) => [p, h.latencyMs]));
  }
  return lines.join('\n') + '\n';
}

export function startHealthServer(dbs: Databases, port: number): Promise<Server> {
  let lastHealth: Awaited<ReturnType<Databases['healthCheck']>> | undefined;
  const server = createServer(async (req, res) => {
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.url === '/livez') return reply(200, 'text/plain', 'ok\n');
    if (req.url === '/readyz') {
      lastHealth = await dbs.healthCheck({ timeoutMs: 2000 });
      const ready = Object.values(lastHealth).every((h) => h.ok || h.role === 'replica');
      return reply(ready ? 200 : 503, 'application/json', JSON.stringify({ ready, databases: lastHealth }, null, 2) + '\n');
    }
    if (req.url === '/metrics') return reply(200, 'text/plain; version=0.0.4', prometheus(dbs, lastHealth));
    reply(404, 'text/plain', 'not found\n');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const dbs = openDatabases(loadConfig(), { logger: createJsonLogger({ level: 'warn' }) });
const server = await startHealthServer(dbs, Number(process.env.PORT ?? 8080));
const { port } = server.address() as { port: number };
console.log(`health server on http://127.0.0.1:${port} (/livez /readyz /metrics), databases: ${dbs.names.join(', ')}`);
console.log(`try: curl http://127.0.0.1:${port}/readyz (PORT=... picks another port); Ctrl-C stops it`);

const shutdown = () => {
  server.close();
  void dbs.close().then(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
