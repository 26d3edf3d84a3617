'use strict'
// The generated index.d.ts type-checks a small TypeScript program using the API.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

test('tsc --noEmit on a TypeScript file using the declarations', () => {
  const pkg = path.resolve(__dirname, '..')
  const tsc = path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc')
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(__dirname, 'types')], {
    encoding: 'utf8',
    cwd: pkg,
  })
  assert.equal(run.status, 0, run.stdout + run.stderr)
})
