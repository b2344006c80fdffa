import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_RUNTIME_MODULE, isRelativeSpecifier } from './emit/runtime-module.js';

/** sqlwright.config.json (every key optional; flags override it). Paths are relative to the config file. */
export const configFileSchema = z.strictObject({
  /** Directory of NNNN_name.sql migrations. Default `sql/schema`. */
  schemaDir: z.string().min(1).optional(),
  /** Directory of `<table>.sql` files of named queries. Default `sql/queries`. */
  queriesDir: z.string().min(1).optional(),
  /** Where generated files go. Default `generated`. */
  outDir: z.string().min(1).optional(),
  /** Schemas to generate for. Default: every schema except PostgreSQL's own and `sqlwright`. */
  schemas: z.array(z.string().min(1)).min(1).optional(),
  /**
   * The module generated code imports the runtime from. Default `sqlwright/runtime`, the installed package; a
   * value starting with `.` is a path relative to this file (`./src/repository-runtime.js` in sqlwright itself).
   */
  runtimeModule: z.string().min(1).optional(),
});

export interface CodegenConfig {
  /** The directory paths in headers and messages are relative to. */
  root: string;
  schemaDir: string;
  queriesDir: string;
  outDir: string;
  schemas?: string[];
  /** A package specifier, or an absolute path; default {@link DEFAULT_RUNTIME_MODULE}. */
  runtimeModule?: string;
}

export interface CliOptions {
  check: boolean;
  pglite: boolean;
  config: CodegenConfig;
}

export const USAGE = `usage: sqlwright codegen [--check] [--config FILE] [--schema DIR] [--queries DIR] [--out DIR] [--pglite]
  --check      regenerate in memory; fail listing the files that differ from --out (nothing is written)
  --config     config file (default: ./sqlwright.config.json when present)
  --schema     migrations directory (default sql/schema)
  --queries    named queries directory (default sql/queries)
  --out        output directory (default generated)
  --pglite     use the embedded PGlite even when a server is reachable`;

/** argv (after the script) -> options. @throws Error with the usage on bad flags or config. */
export function parseArgs(argv: readonly string[], cwd = process.cwd()): CliOptions {
  const flags: Record<string, string> = {};
  let check = false;
  let pglite = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === 'codegen' && i === 0) continue;
    if (arg === '--check') check = true;
    else if (arg === '--pglite') pglite = true;
    else if (['--config', '--schema', '--queries', '--out'].includes(arg) && argv[i + 1] !== undefined) flags[arg] = argv[++i];
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const configPath = flags['--config'] ? path.resolve(cwd, flags['--config']) : path.join(cwd, 'sqlwright.config.json');
  let file: z.infer<typeof configFileSchema> = {};
  if (existsSync(configPath)) {
    const parsed = configFileSchema.safeParse(JSON.parse(readFileSync(configPath, 'utf8')));
    if (!parsed.success) throw new Error(`${configPath}: ${z.prettifyError(parsed.error)}`);
    file = parsed.data;
  } else if (flags['--config']) {
    throw new Error(`config file ${configPath} does not exist`);
  }
  const base = path.dirname(configPath);
  const pick = (flag: string, key: 'schemaDir' | 'queriesDir' | 'outDir', fallback: string) =>
    flags[flag] ? path.resolve(cwd, flags[flag]) : path.resolve(base, file[key] ?? fallback);
  return {
    check,
    pglite,
    config: {
      root: base,
      schemaDir: pick('--schema', 'schemaDir', 'sql/schema'),
      queriesDir: pick('--queries', 'queriesDir', 'sql/queries'),
      outDir: pick('--out', 'outDir', 'generated'),
      schemas: file.schemas,
      runtimeModule: file.runtimeModule !== undefined && isRelativeSpecifier(file.runtimeModule) ? path.resolve(base, file.runtimeModule) : file.runtimeModule ?? DEFAULT_RUNTIME_MODULE,
    },
  };
}
