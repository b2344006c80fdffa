import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  ca: string;
  /** A CA that did not sign the server certificate. */
  otherCa: string;
  serverCert: string;
  serverKey: string;
}

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

/** A CA, a server certificate for localhost/127.0.0.1 signed by it, and an unrelated CA: made fresh by the test. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqlwright-tls-'));
  try {
    makeCa(dir, 'test-ca');
    makeCa(dir, 'other-ca');
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
    writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.crt', '-CAkey', 'test-ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt']);
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
    return { ca: read('test-ca.crt'), otherCa: read('other-ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
