'use strict'
// A process that closes its decoder exits on its own, promptly: no native
// thread or handle keeps the event loop alive.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { testDatabaseUrl } = require('./support')

const SCRIPT = `
const vin = require(process.argv[1])
;(async () => {
  const decoder = await vin.Decoder.open({ url: process.argv[2], preload: true })
  const d = await decoder.decode('1HGCM82633A004352')
  decoder.decodeSync('1HGCM82633A004352')
  await decoder.years()
  await decoder.health()
  await decoder.close()
  globalThis.finishedAt = Date.now()
  process.on('exit', () => console.log(JSON.stringify({ vin: d.vin, lingerMs: Date.now() - globalThis.finishedAt })))
})()
`

test('the process exits promptly after close()', () => {
  const entry = path.resolve(__dirname, '..')
  // The timeout only bounds a hang; the assertion is on how long the process
  // lingered after close() resolved.
  const run = spawnSync(process.execPath, ['-e', SCRIPT, entry, testDatabaseUrl()], {
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.equal(run.signal, null, `killed: it did not exit (stderr: ${run.stderr})`)
  assert.equal(run.status, 0, run.stderr)
  const report = JSON.parse(run.stdout.trim().split('\n').pop())
  assert.equal(report.vin, '1HGCM82633A004352')
  assert.ok(report.lingerMs < 2000, `lingered ${report.lingerMs} ms after close()`)
})
