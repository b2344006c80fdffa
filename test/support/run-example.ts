import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './database.js';

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exampleEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // a clean environment: only what the example is given, plus what node and the libpq defaults need
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, APP_ENV: 'development', ...env };
}

/** Runs `examples/<name>.ts` as a child process, the way `npx tsx examples/<name>.ts` would. */
export function runExample(name: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('examples', `${name}.ts`)], {
      cwd: REPO_ROOT,
      env: exampleEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`example ${name} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running example and resolves once its stdout matches `ready`. */
export function startExample(name: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('examples', `${name}.ts`)], { cwd: REPO_ROOT, env: exampleEnv(env) });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`example ${name} was not ready within 30 s:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`example ${name} exited with ${code} before it was ready:\n${out}`));
    });
  });
}
