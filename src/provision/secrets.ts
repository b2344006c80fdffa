import { readFile } from 'node:fs/promises';

/** A secret file could not be used. The message names the file and the problem, never the content. */
export class SecretFileError extends Error {
  readonly file: string;
  constructor(label: string, file: string, problem: string, options?: { cause?: unknown }) {
    super(`${label} (${file}): ${problem}`, options);
    this.name = 'SecretFileError';
    this.file = file;
  }
}

/** Printable ASCII: SASLprep leaves it untouched, so server and client derive the same SCRAM keys. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * Reads a password from a file (a Docker secret such as `/run/secrets/appuser_password`), dropping one
 * trailing newline (`echo` and editors add one). The content is never logged or put in an error.
 * @param label what the file is for, used in errors, e.g. `APPUSER_PASSWORD_FILE`.
 * @throws SecretFileError when the file cannot be read, is empty, or holds anything but printable ASCII on
 *   one line (other characters may be rewritten by the server's SASLprep, so the password would not work).
 */
export async function readPasswordFile(label: string, file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SecretFileError(label, file, `cannot be read${code ? ` (${code})` : ''}`, { cause: error });
  }
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0) throw new SecretFileError(label, file, 'is empty');
  if (!PRINTABLE_ASCII.test(password)) {
    throw new SecretFileError(
      label,
      file,
      'must hold one line of printable ASCII (e.g. from `openssl rand -base64 32`); it has a line break, a control ' +
        'character or a non-ASCII character',
    );
  }
  return password;
}
