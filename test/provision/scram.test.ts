import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { isScramVerifier, scramVerifier, verifyScram } from '../../src/provision/scram.js';
import { adminQuery, testServer } from '../support/database.js';

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

describe('SCRAM-SHA-256 verifiers', () => {
  it('match the RFC 7677 example exchange: the server signature and the client proof check out', () => {
    const verifier = scramVerifier('pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
    const [, storedKey, serverKey] = /\$([^:$]+):([^:$]+)$/.exec(verifier)!.map((p) => Buffer.from(p, 'base64'));
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    assert.equal(hmac(serverKey, authMessage).toString('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const clientSignature = hmac(storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]));
    assert.deepEqual(createHash('sha256').update(clientKey).digest(), storedKey);
    assert.match(verifier, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  });

  it('verify their own password only, and use a fresh salt each time', () => {
    const a = scramVerifier('correct horse');
    const b = scramVerifier('correct horse');
    assert.notEqual(a, b);
    assert.ok(verifyScram(a, 'correct horse'));
    assert.ok(verifyScram(b, 'correct horse'));
    assert.equal(verifyScram(a, 'correct horsE'), false);
    assert.equal(verifyScram(null, 'correct horse'), false);
    assert.equal(verifyScram('md5' + createHash('md5').update('correct horseuser').digest('hex'), 'correct horse'), false);
    assert.ok(isScramVerifier(a));
    assert.equal(isScramVerifier('md5abc'), false);
  });

  describe('against the server', () => {
    const role = `t${process.pid}_${randomBytes(3).toString('hex')}_scram`;
    after(async () => {
      const { adminUrl } = await testServer();
      await adminQuery(adminUrl, `DROP ROLE IF EXISTS ${role}`);
    });

    it('recognise a verifier PostgreSQL computed itself, and PostgreSQL keeps ours as sent', async () => {
      const { adminUrl } = await testServer();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`SET password_encryption = 'scram-sha-256'`);
        await client.query(`CREATE ROLE ${role} NOLOGIN PASSWORD 'server-side pw 42!'`);
        const server = (await client.query(`SELECT rolpassword FROM pg_authid WHERE rolname = $1`, [role])).rows[0].rolpassword;
        assert.ok(verifyScram(server, 'server-side pw 42!'));
        assert.equal(verifyScram(server, 'server-side pw 43!'), false);

        const ours = scramVerifier('client-side pw');
        await client.query(`ALTER ROLE ${role} PASSWORD ${pg.escapeLiteral(ours)}`);
        const stored = (await client.query(`SELECT rolpassword FROM pg_authid WHERE rolname = $1`, [role])).rows[0].rolpassword;
        assert.equal(stored, ours);
      } finally {
        await client.end();
      }
    });
  });
});
