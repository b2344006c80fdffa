import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of sqlwright's own package.json, from `src/` in the repo and from `dist/src/` when installed. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'sqlwright') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the sqlwright package root');
    dir = parent;
  }
}
