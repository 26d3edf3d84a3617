'use strict'
// 10,000 decodes in flight at once over one decoder give the answers of
// one-by-one decoding.

const test = require('node:test')
const assert = require('node:assert/strict')
const { vin, testDatabaseUrl, goldenRows } = require('./support')

test('10,000 concurrent decode calls', async () => {
  const decoder = await vin.Decoder.open({ url: testDatabaseUrl(), preload: true })
  try {
    const vins = goldenRows().map((g) => g.vin)
    const calls = Array.from({ length: 10_000 }, (_, i) => vins[i % vins.length])
    // Catalogs are resident (preload) but the result cache is empty: the
    // first call for each VIN runs the engine while others hit the cache.
    const results = await Promise.all(calls.map((v) => decoder.decode(v)))
    assert.equal(results.length, calls.length)
    const expected = new Map()
    for (const v of vins) expected.set(v, decoder.decodeSync(v))
    results.forEach((d, i) => assert.deepEqual(d, expected.get(calls[i]), calls[i]))
  } finally {
    await decoder.close()
  }
})
