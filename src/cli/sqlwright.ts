#!/usr/bin/env node
// `npx sqlwright <command>`: the package's one binary, dispatching to the CLIs of this folder and codegen.
const USAGE = `usage: sqlwright <command> [options]
  codegen   generate typed entities and repositories from sql/ (needs the codegen dev dependencies:
            npm i -D ts-morph@28 @pgtyped/parser@2.4 @pgtyped/query@2.4 @pgtyped/wire@2.4 libpg-query@18,
            and @electric-sql/pglite@0.5.14 @electric-sql/pglite-socket@0.2.17 to run with no server)
  migrate   up | status | verify
  init-db   [--provision]
Run a command with --help for its options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      return (await import('./migrate.js')).main(rest);
    case 'init-db':
      return (await import('./init-db.js')).main(rest);
    case 'codegen':
      try {
        return await (await import('../../codegen/cli.js')).main(rest);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
          console.error(`sqlwright codegen: ${(error as Error).message}\n${USAGE}`);
          return 2;
        }
        throw error;
      }
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(command === undefined ? `sqlwright: name a command\n${USAGE}` : `sqlwright: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
