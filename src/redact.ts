/** Replaces the password of a connection URL (and any `password=` query parameter) with `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key) && !/file$/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

// From the first `: "` whose quote runs to the end: PostgreSQL does not escape quotes inside the value.
const TRAILING_QUOTED_VALUE = /: "[\s\S]*"$/;

/**
 * PostgreSQL ends some messages with the offending input, quoted after a colon (`invalid input syntax for type
 * uuid: "<value>"`, `invalid input value for enum ...: "<value>"`): a parameter value, maybe a secret. Masks it;
 * identifiers quoted elsewhere (`relation "app.users" does not exist`) stay readable.
 */
export function maskTrailingValue(text: string): string {
  // The check first keeps long texts (SQL in echo lines) from a scan per `: "` when there is nothing to mask.
  return text.endsWith('"') ? text.replace(TRAILING_QUOTED_VALUE, ': "***"') : text;
}
