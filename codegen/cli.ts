import path from 'node:path';
import { parseArgs } from './config.js';
import { CodegenError } from './errors.js';
import { runCodegen } from './pipeline.js';
import { explainQuery } from './typed/nullability/explain.js';
import type { TypedQuery } from './typed/types.js';
import { compare, write } from './write.js';

/** `npm run codegen [-- --check]` / `npx sqlwright codegen`: see docs/codegen.md. Exit 0 ok, 1 problems or differences, 2 usage. */
export async function main(argv: readonly string[]): Promise<number> {
  // `--explain <QueryName>`: print the query's result columns with the rule that decided their nullability; writes nothing.
  const explainAt = argv.indexOf('--explain');
  const explain = explainAt >= 0 ? argv[explainAt + 1] : undefined;
  if (explainAt >= 0 && (explain === undefined || explain.startsWith('--'))) {
    console.error('--explain needs a query name, e.g. --explain FindUserByEmail');
    return 2;
  }
  let options;
  try {
    options = parseArgs(explainAt >= 0 ? [...argv.slice(0, explainAt), ...argv.slice(explainAt + 2)] : argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { config } = options;
  const out = path.relative(process.cwd(), config.outDir) || '.';
  const started = performance.now();
  if (explain !== undefined) return explainMain(explain, config, options.pglite);
  try {
    const { files, server } = await runCodegen(config, { forcePglite: options.pglite });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (options.check) {
      const differences = compare(config.outDir, files);
      if (differences.length > 0) {
        console.error(`${out}/ is out of date; run npm run codegen and commit the result:`);
        for (const d of differences) console.error(`  ${d.change.padEnd(7)} ${out}/${d.file}`);
        return 1;
      }
      console.log(`${out}/ is up to date (${files.size} files, ${server} server, ${seconds} s)`);
      return 0;
    }
    const changed = write(config.outDir, files);
    for (const d of changed) console.log(`  ${d.change === 'stale' ? 'deleted' : d.change.padEnd(7)} ${out}/${d.file}`);
    console.log(`codegen: ${files.size} files in ${out}/, ${changed.length} changed (${server} server, ${seconds} s)`);
    return 0;
  } catch (error) {
    if (error instanceof CodegenError) console.error(error.message);
    else console.error(`codegen failed: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

async function explainMain(name: string, config: Parameters<typeof runCodegen>[0], pglite: boolean | undefined): Promise<number> {
  let typed: readonly TypedQuery[] = [];
  let failure: unknown;
  await runCodegen(config, { forcePglite: pglite, onQueries: (queries) => (typed = queries) }).catch((error) => (failure = error));
  const found = typed.filter((q) => q.name === name);
  for (const q of found) console.log(explainQuery(q));
  if (failure) console.error(failure instanceof CodegenError ? failure.message : `codegen failed: ${(failure as Error).stack ?? failure}`);
  if (found.length === 0) console.error(`no query named ${name} was typed`);
  return found.length > 0 && !failure ? 0 : 1;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) process.exitCode = await main(process.argv.slice(2));
