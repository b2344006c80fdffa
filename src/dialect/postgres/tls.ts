import type { ConnectionOptions } from 'node:tls';
import type { SslConfig } from '../../config/load.js';
import type { SslMode } from '../../config/schema.js';

const SSL_URL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'sslpassword', 'uselibpqcompat'];

/** pg lets `sslmode` in the URL override the `ssl` option, so TLS is decided by tlsOptionsFor alone and stripped from the URL. */
export function withoutSslParams(url: string): string {
  const u = new URL(url);
  for (const p of SSL_URL_PARAMS) u.searchParams.delete(p);
  return u.toString();
}

/**
 * libpq's sslmode as node TLS options: `require` encrypts without checking the certificate, `verify-ca`
 * checks the chain against the CA, `verify-full` also checks the host name. `prefer` is treated as
 * `disable` (pg cannot fall back from TLS to plain). `mode` is the pool's own (its URL's `?sslmode=` first).
 */
export function tlsOptionsFor(ssl: SslConfig, mode: SslMode = ssl.mode): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false, cert: ssl.cert, key: ssl.key };
    case 'verify-ca':
      return { rejectUnauthorized: true, ca: ssl.ca, cert: ssl.cert, key: ssl.key, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true, ca: ssl.ca, cert: ssl.cert, key: ssl.key };
  }
}
