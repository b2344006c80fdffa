import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './database.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout then stderr. */
  out: string;
}

const TSX = pathToFileURL(createRequire(path.join(REPO_ROOT, 'package.json')).resolve('tsx')).href;

/**
 * Runs `src/cli/<cli>.ts` as a child process, as `npm run <cli>` / `npx sqlwright` would, in `cwd`: never the
 * repository, whose ./config.yaml may be a developer's (a test once migrated one). The environment holds only
 * PATH, HOME and `env`, so no DATABASE_URL or APP_ENV of the shell leaks in.
 */
export function runCli(cli: 'migrate' | 'init-db' | 'sqlwright', args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, path.join(REPO_ROOT, 'src/cli', `${cli}.ts`), ...args], { cwd, env: childEnv }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, out: stdout + stderr });
    });
  });
}
