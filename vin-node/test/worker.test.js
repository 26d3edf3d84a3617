'use strict'
// The module loads and decodes inside worker_threads, several at once, and
// the workers agree with the main thread.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { vin, testDatabaseUrl, goldenRows } = require('./support')

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const vin = require(workerData.entry)
;(async () => {
  const decoder = await vin.Decoder.open({ url: workerData.url })
  const out = []
  for (const v of workerData.vins) {
    const a = await decoder.decode(v)
    const s = decoder.decodeSync(v)
    out.push({ vin: v, async: a, sync: s })
  }
  out.push({ check: vin.checkDigit('1HGCM82633A004352') })
  await decoder.close()
  parentPort.postMessage(out)
})().catch((err) => parentPort.postMessage({ error: err.message, code: err.code }))
`

function runWorker (workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData })
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)))
  })
}

test('decoding from worker_threads', async () => {
  const url = testDatabaseUrl()
  const vins = goldenRows().slice(0, 60).map((g) => g.vin)
  const entry = path.resolve(__dirname, '..')
  const outputs = await Promise.all([0, 1, 2].map(() => runWorker({ entry, url, vins })))
  const decoder = await vin.Decoder.open({ url })
  try {
    for (const out of outputs) {
      assert.ok(Array.isArray(out), JSON.stringify(out))
      assert.equal(out.pop().check, '3')
      assert.equal(out.length, vins.length)
      for (const { vin: v, async: a, sync: s } of out) {
        const here = await decoder.decode(v)
        // Structured clone drops nothing of these plain objects.
        assert.deepEqual(a, here, v)
        assert.deepEqual(s, here, v)
      }
    }
  } finally {
    await decoder.close()
  }
})

test('a worker can be terminated while decodes are in flight', async () => {
  const url = testDatabaseUrl()
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads')
    const vin = require(workerData.entry)
    vin.Decoder.open({ url: workerData.url }).then((d) => {
      for (let i = 0; i < 2000; i++) d.decode(workerData.vin).catch(() => {})
      parentPort.postMessage('started')
    })
  `, { eval: true, workerData: { entry: path.resolve(__dirname, '..'), url, vin: '1HGCM82633A004352' } })
  await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const code = await worker.terminate()
  assert.equal(code, 1)
  // The main thread's module is unaffected.
  assert.equal(vin.checkDigit('1HGCM82633A004352'), '3')
})
