import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseError } from '../../src/errors.js';
import { isSqlState, statementFailure } from '../../src/migrate/driver-error.js';

describe('statementFailure', () => {
  it('takes PostgreSQL SQLSTATEs, and no Node errno code however much it looks like one', () => {
    for (const code of ['42703', '55P03', '0A000', '57P01', 'XX000', 'P0001', 'HV000', 'F0000', '2BP01']) assert.ok(isSqlState(code), code);
    for (const code of ['EPIPE', 'EPERM', 'EBADF', 'EROFS', 'ENXIO', 'ECONNRESET', '4270', '42x03', 'ZZ000']) assert.ok(!isSqlState(code), code);
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    assert.deepEqual(statementFailure(epipe), { message: 'write EPIPE' });
  });

  it('finds the server\'s SQLSTATE and position under sqlwright\'s own error, whose code is a word', () => {
    const pgError = Object.assign(new Error('column "x" does not exist'), { code: '42703', position: '8' });
    const wrapped = new DatabaseError('column "x" does not exist', { cause: pgError });
    assert.deepEqual(statementFailure(wrapped), { message: 'column "x" does not exist', sqlState: '42703', position: 8 });
  });
});
