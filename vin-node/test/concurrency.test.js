'use strict'
// 10,000 decodes in flight at once over one decoder give the answers of
// one-by-one decoding, with the catalogs resident (preload) and with nothing
// resident (every WMI's catalog loaded once while the other callers wait).

const test = require('node:test')
const assert = require('node:assert/strict')
const { vin, testDatabaseUrl, goldenRows } = require('./support')

const vins = goldenRows().map((g) => g.vin)
const calls = Array.from({ length: 10_000 }, (_, i) => vins[i % vins.length])

/** Checks a burst's answers against one-by-one decodes of the same decoder. */
function assertAnswers (decoder, results) {
  assert.equal(results.length, calls.length)
  const expected = new Map()
  for (const v of vins) expected.set(v, decoder.decodeSync(v))
  results.forEach((d, i) => assert.deepEqual(d, expected.get(calls[i]), calls[i]))
}

test('10,000 concurrent decode calls over resident catalogs', async () => {
  const decoder = await vin.Decoder.open({ url: testDatabaseUrl(), preload: true })
  try {
    // Catalogs are resident (preload) but the result cache is empty: the
    // first call for each VIN runs the engine while others hit the cache.
    const results = await Promise.all(calls.map((v) => decoder.decode(v)))
    assertAnswers(decoder, results)
  } finally {
    await decoder.close()
  }
})

test('10,000 concurrent decode calls with nothing resident', async () => {
  const decoder = await vin.Decoder.open({ url: testDatabaseUrl() })
  try {
    assert.equal((await decoder.health()).residentWmis, 0)
    // Every call starts cold: the WMIs of the golden VINs are loaded while
    // thousands of calls for them wait.
    const settled = await Promise.allSettled(calls.map((v) => decoder.decode(v)))
    const failures = settled.filter((s) => s.status === 'rejected')
    assert.deepEqual(failures.slice(0, 3).map((f) => `${f.reason.code}: ${f.reason.message}`), [])
    const stats = decoder.stats()
    const health = await decoder.health()
    assert.equal(stats.loadFailures, 0)
    assert.ok(health.residentWmis > 100, `${health.residentWmis} WMIs resident`)
    // One load per WMI: a second load of a WMI would count without adding a
    // resident catalog.
    assert.equal(stats.catalogLoads, health.residentWmis)
    assert.equal(stats.globalsLoads, 1)
    assertAnswers(decoder, settled.map((s) => s.value))
  } finally {
    await decoder.close()
  }
})
