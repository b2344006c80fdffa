import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseArgs } from '../../codegen/config.js';
import { runCodegen } from '../../codegen/pipeline.js';
import { compare } from '../../codegen/write.js';
import { REPO_ROOT } from '../support/database.js';

// The fallback for machines without a server: embedded PGlite (PostgreSQL 18 in WASM) on a local socket.
// Costs about 3 s and 600 MB, so it runs once, on the real schema.
describe('codegen on the embedded PGlite', () => {
  it('generates exactly the committed generated/', async () => {
    const { config } = parseArgs(['--config', path.join(REPO_ROOT, 'sqlwright.config.json')]);
    const { files, server } = await runCodegen(config, { forcePglite: true });
    assert.equal(server, 'pglite');
    assert.deepEqual(compare(config.outDir, files), []);
  });
});
