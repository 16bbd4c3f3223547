import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as sdk from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('the TypeScript declarations compile against typical usage', async () => {
  const result = await new Promise((resolve) => {
    execFile(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/types/tsconfig.json'], { cwd: root },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, output: stdout + stderr }));
  });
  assert.equal(result.code, 0, result.output);
});

test('every runtime export is declared in index.d.ts', () => {
  const declarations = readFileSync(new URL('../src/index.d.ts', import.meta.url), 'utf8');
  for (const name of Object.keys(sdk)) {
    assert.match(declarations, new RegExp(`export declare (class|function) ${name}\\b`), `${name} is not declared`);
  }
});
