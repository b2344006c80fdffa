import { DatabaseError } from '../../errors.js';

/** Where a SQLite database lives: a file path (as written, relative paths against the working directory) or memory. */
export type SqliteLocation = { kind: 'file'; filename: string } | { kind: 'memory' };

/**
 * Parses a `DATABASE_URL` that selects SQLite:
 * - `sqlite:///./database.db` → the relative file `./database.db` (three slashes, then the path)
 * - `sqlite:////var/data/app.db` → the absolute file `/var/data/app.db` (four slashes)
 * - `sqlite::memory:` → an in-memory database (gone on close)
 *
 * Percent-escapes in the path are decoded (`%20` → space). Query strings, hosts and anything else are rejected
 * rather than ignored, so a typo never silently opens a different database.
 * @throws DatabaseError (code `database`) naming the URL form that was expected.
 */
export function parseSqliteUrl(url: string): SqliteLocation {
  if (url === 'sqlite::memory:') return { kind: 'memory' };
  const fail = (why: string): never => {
    throw new DatabaseError(
      `invalid SQLite URL ${JSON.stringify(url)}: ${why}; expected sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite::memory:`,
    );
  };
  if (!url.startsWith('sqlite:')) fail('it does not start with sqlite:');
  if (!url.startsWith('sqlite:///')) fail('a file URL has three slashes before the path (no host)');
  const rest = url.slice('sqlite:///'.length);
  if (/[?#]/.test(rest)) fail('query strings and fragments are not supported');
  let filename: string;
  try {
    filename = decodeURIComponent(rest);
  } catch {
    return fail('the path has an invalid percent-escape');
  }
  if (filename === '' || filename === '/') fail('the path is empty');
  if (filename === ':memory:' || filename === '/:memory:') fail('use sqlite::memory: for an in-memory database');
  if (filename.endsWith('/')) fail('the path names a directory');
  if (filename.includes('\0')) fail('the path contains a NUL byte');
  return { kind: 'file', filename };
}

/** True when `url` asks for SQLite (so the caller should use the SQLite dialect, not PostgreSQL). */
export function isSqliteUrl(url: string): boolean {
  return url.startsWith('sqlite:');
}
