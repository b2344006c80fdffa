import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One migration file: `NNNN_name.sql`, applied in version order. */
export interface MigrationFile {
  version: number;
  name: string;
  fileName: string;
  sql: string;
  /** sha-256 of the file's bytes, hex. */
  checksum: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function checksumOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Reads every `NNNN_name.sql` file of a directory, sorted by version.
 * @throws Error when two files share a version or a `.sql` file is misnamed, so nothing is silently skipped.
 */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const fileName of entries) {
    const match = FILE_PATTERN.exec(fileName);
    if (!match) throw new Error(`migration file ${fileName} in ${dir} is not named NNNN_name.sql`);
    const sql = await readFile(path.join(dir, fileName), 'utf8');
    files.push({ version: Number(match[1]), name: match[2], fileName, sql, checksum: checksumOf(sql) });
  }
  for (let i = 1; i < files.length; i++) {
    if (files[i].version === files[i - 1].version) {
      throw new Error(`migrations ${files[i - 1].fileName} and ${files[i].fileName} share version ${files[i].version}`);
    }
  }
  return files;
}
