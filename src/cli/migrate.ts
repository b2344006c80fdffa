import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { Migrator } from '../migrate/migrator.js';
import { redactUrl } from '../redact.js';

const USAGE = `usage: npm run migrate -- up|status|verify [--url postgresql://...] [--dir sql/schema] [--role owner] [--lock-timeout ms]
  The URL defaults to DATABASE_URL.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      dir: { type: 'string', default: 'sql/schema' },
      role: { type: 'string' },
      'lock-timeout': { type: 'string', default: '60000' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['up', 'status', 'verify'].includes(command)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const url = values.url ?? process.env.DATABASE_URL;
  if (!url) {
    console.error('migrate: no database: set DATABASE_URL or pass --url');
    return 2;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    console.error(`migrate: cannot connect to ${redactUrl(url)}: ${(error as Error).message}`);
    return 1;
  }
  const migrator = new Migrator(client, {
    dir: path.resolve(values.dir!),
    role: values.role,
    lockTimeoutMs: Number(values['lock-timeout']),
  });
  try {
    if (command === 'up') {
      const applied = await migrator.up();
      console.log(applied.length ? applied.map((f) => `applied ${f.fileName}`).join('\n') : 'up to date: nothing to apply');
    } else if (command === 'status') {
      const { applied, pending } = await migrator.status();
      for (const a of applied) console.log(`applied  ${String(a.version).padStart(4, '0')}_${a.name}  ${a.appliedAt.toISOString()}  ${a.durationMs} ms`);
      for (const p of pending) console.log(`pending  ${p.fileName}`);
      if (applied.length + pending.length === 0) console.log('no migrations');
    } else {
      await migrator.verify();
      console.log('verified: applied migrations match their files');
    }
    return 0;
  } catch (error) {
    console.error(`migrate: ${(error as Error).message}`);
    return 1;
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
