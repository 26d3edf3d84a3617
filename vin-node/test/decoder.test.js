'use strict'
// The Decoder: golden VINs decode as the Rust CLI decodes them, sync equals
// async, batches equal single calls, coded errors, dropdowns, health.

const test = require('node:test')
const assert = require('node:assert/strict')
const { vin, testDatabaseUrl, goldenRows, rustDecodes } = require('./support')

const golden = goldenRows()

/** The CLI's JSON with camelCase keys (attribute names are kept as they are). */
function camel (value) {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [
    k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()),
    k === 'attributes' ? v : camel(v),
  ]))
}

/** A (frozen) result as plain objects and arrays, for deepEqual with parsed JSON. */
function plain (d) {
  return JSON.parse(JSON.stringify(d))
}
const url = testDatabaseUrl()
let decoder

test.before(async () => {
  decoder = await vin.Decoder.open({ url, preload: true })
})
test.after(async () => {
  await decoder?.close()
})

test('golden VINs decode in Node exactly as in Rust', async () => {
  const vins = golden.map((g) => g.vin)
  const rust = rustDecodes(url, vins)
  let expectedFields = 0
  let matchedFields = 0
  for (const row of golden) {
    const d = await decoder.decode(row.vin)
    const r = rust.get(row.vin)
    assert.ok(r, `the CLI printed nothing for ${row.vin}`)
    assert.equal(d.vin, r.vin, row.vin)
    assert.equal(d.modelYear, r.model_year, row.vin)
    assert.deepEqual(d.errorCodes, r.error_codes, row.vin)
    assert.deepEqual({ ...d.attributes }, r.attributes, row.vin)
    assert.equal(d.confidence, r.confidence, row.vin)
    // Every field, typed ones and facts included, as the CLI prints it.
    assert.deepEqual(plain(d), { ...camel(r), values: null }, row.vin)
    for (const [name, value] of Object.entries(row.expected)) {
      expectedFields++
      if (JSON.stringify(d.attributes[name]) === JSON.stringify(value)) matchedFields++
    }
  }
  // How far the data these tests load reproduces the golden values (the full
  // lite data should give 100 %; the sample only holds some WMIs).
  console.log(`golden: ${golden.length} VINs decoded as in Rust; ` +
    `${matchedFields}/${expectedFields} expected fields reproduced`)
})

test('results built again (strings and attribute lists already sent to JS) equal the first ones', async () => {
  // A decoder of its own: its JS side starts with no strings and no
  // compiled attribute lists; no remembered objects, so every call builds.
  const own = await vin.Decoder.open({ url, objectCacheEntries: 0 })
  try {
    const vins = golden.map((g) => g.vin)
    const first = vins.map((v) => plain(own.decodeSync(v)))
    for (let round = 0; round < 3; round++) {
      vins.forEach((v, i) => assert.deepEqual(plain(own.decodeSync(v)), first[i], v))
    }
    // An attribute list gets its compiled literal only once it has recurred
    // several times: decode some VINs often enough to build through it, with
    // runs of places that keep their last values.
    const often = vins.slice(0, 25)
    for (let round = 0; round < 40; round++) {
      often.forEach((v, i) => assert.deepEqual(plain(own.decodeSync(v)), first[i], v))
    }
    vins.forEach((v, i) => assert.deepEqual(plain(decoder.decodeSync(v)), first[i], v))
    // Equal facts cross once: every result that has them shares one frozen object.
    const facts = new Map()
    for (const v of vins) {
      const f = own.decodeSync(v).facts
      const key = JSON.stringify(f)
      if (facts.has(key)) assert.equal(f, facts.get(key), v)
      facts.set(key, f)
    }
    assert.ok(facts.size < vins.length, 'golden VINs share facts')
  } finally {
    await own.close()
  }
})

test('the typed fields mirror the attributes', async () => {
  const d = await decoder.decode('1HGCM82633A004352')
  assert.equal(d.vin, '1HGCM82633A004352')
  const attr = (name) => d.attributes[name] ?? null
  assert.equal(d.make, attr('Make'))
  assert.equal(d.model, attr('Model'))
  assert.equal(d.trim, attr('Trim'))
  assert.equal(d.bodyClass, attr('Body Class'))
  assert.equal(d.vehicleType, attr('Vehicle Type'))
  assert.equal(d.plantCountry, attr('Plant Country'))
  assert.equal(d.values, null, 'provenance only on request')
  assert.equal(typeof d.confidence, 'number')
  assert.ok(d.confidence >= 0 && d.confidence <= 1)
  assert.equal(typeof d.facts.modelYearConclusive, 'boolean')
  assert.equal(d.stale, false)
  assert.ok(Number.isInteger(d.datasetVersion))
})

test('provenance on request: one value per output row', async () => {
  const d = await decoder.decode('1HGCM82633A004352', { provenance: true })
  assert.ok(Array.isArray(d.values) && d.values.length > 0)
  for (const v of d.values) {
    assert.equal(typeof v.variable, 'string')
    assert.equal(typeof v.source, 'string')
    assert.ok(Number.isInteger(v.elementId))
  }
  const variables = new Set(d.values.map((v) => v.variable))
  for (const name of Object.keys(d.attributes)) assert.ok(variables.has(name), name)
})

test('decodeSync equals decode, with and without a caller year', async () => {
  const sample = golden.slice(0, 200).map((g) => g.vin)
  for (const v of sample) {
    assert.deepEqual(decoder.decodeSync(v), await decoder.decode(v), v)
    const y = { modelYear: 2015 }
    assert.deepEqual(decoder.decodeSync(v, y), await decoder.decode(v, y), v)
  }
})

test('a caller year changes the decode as vPIC does (year kept on a clean VIN)', async () => {
  const d = await decoder.decode('1HGCM82633A004352', { modelYear: 2003 })
  assert.equal(d.modelYear, 2003)
})

test('decodeMany answers in input order, errors per VIN', async () => {
  const vins = [...golden.slice(0, 50).map((g) => g.vin), 'X'.repeat(18), '1HGCM82633A004352']
  const results = await decoder.decodeMany(vins)
  assert.equal(results.length, vins.length)
  for (let i = 0; i < vins.length; i++) {
    if (i === 50) {
      assert.equal(results[i].decoded, null)
      assert.equal(results[i].error.code, 'ERR_INVALID_ARGUMENT')
      continue
    }
    assert.equal(results[i].error, null)
    assert.deepEqual(results[i].decoded, await decoder.decode(vins[i]), vins[i])
  }
  assert.deepEqual(await decoder.decodeMany([]), [])
})

test('invalid input: coded errors on the sync and async paths', async () => {
  const long = '1HGCM82633A0043521'
  assert.throws(() => decoder.decodeSync(long), { code: 'ERR_INVALID_ARGUMENT' })
  await assert.rejects(decoder.decode(long), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'ERR_INVALID_ARGUMENT')
    assert.match(err.message, /17|18/)
    return true
  })
  for (const year of [1800, 2500]) {
    assert.throws(() => decoder.decodeSync('1HGCM82633A004352', { modelYear: year }), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(decoder.decode('1HGCM82633A004352', { modelYear: year }), { code: 'ERR_INVALID_ARGUMENT' })
  }
  assert.throws(() => decoder.decodeSync('1HGCM82633A004352', { modelYear: 2003.5 }), { code: 'ERR_INVALID_ARGUMENT' })
  await assert.rejects(decoder.decode('x'.repeat(1 << 20)), { code: 'ERR_INVALID_ARGUMENT' })
})

test('wrong JS types are TypeErrors, thrown at once; other bad values reject', () => {
  const typeError = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }
  for (const value of [undefined, null, 42, {}, ['1HGCM82633A004352'], Symbol('v')]) {
    assert.throws(() => decoder.decode(value), typeError)
    assert.throws(() => decoder.decodeSync(value), typeError)
  }
  assert.throws(() => decoder.decode('1HGCM82633A004352', 'opts'), typeError)
  assert.throws(() => decoder.decode('1HGCM82633A004352', { modelYear: '2003' }), typeError)
  assert.throws(() => decoder.decode('1HGCM82633A004352', { provenance: 1 }), typeError)
  assert.throws(() => decoder.decodeMany('1HGCM82633A004352'), typeError)
  assert.throws(() => decoder.decodeMany(['1HGCM82633A004352', 7]), typeError)
  assert.throws(() => decoder.makes('2020'), typeError)
  assert.throws(() => decoder.models(2020, null), typeError)
  assert.throws(() => decoder.engines(2020, 1, 2, 'x'), typeError)
  assert.throws(() => vin.Decoder.open('sqlite://x'), typeError)
  assert.throws(() => vin.Decoder.open({ preload: 'yes' }), typeError)
  assert.throws(() => vin.Decoder.open({ url: 5 }), typeError)
})

test('hostile VIN text of up to 17 characters decodes with error codes', async () => {
  for (const input of ['', '\u0000'.repeat(17), 'ÄÖÜ1HGCM8263', '🚗🚗🚗', '1HGCM82633A00435\n', '!!!!!!!!!!!!!!!!!']) {
    const d = await decoder.decode(input)
    assert.ok(d.errorCodes.length > 0 && !d.errorCodes.every((c) => c === 0), JSON.stringify(input))
    assert.deepEqual(decoder.decodeSync(input), d)
  }
})

test('dropdowns cascade: years, makes, models, trims, engines, transmissions', async () => {
  const years = await decoder.years()
  assert.ok(years.length > 0)
  assert.deepEqual(years, [...years].sort((a, b) => b - a))
  const year = years.includes(2003) ? 2003 : years[Math.floor(years.length / 2)]
  const makes = await decoder.makes(year)
  assert.ok(makes.length > 0)
  for (const m of makes) {
    assert.ok(Number.isSafeInteger(m.id))
    assert.equal(typeof m.name, 'string')
  }
  const names = makes.map((m) => m.name)
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
  const make = makes.find((m) => m.name === 'HONDA') ?? makes[0]
  const models = await decoder.models(year, make.id)
  assert.ok(models.length > 0, `no models for ${make.name} ${year}`)
  const model = models.find((m) => m.name === 'Accord') ?? models[0]
  const trims = await decoder.trims(year, make.id, model.id)
  const engines = await decoder.engines(year, make.id, model.id)
  const transmissions = await decoder.transmissions(year, make.id, model.id)
  for (const list of [trims, engines, transmissions]) {
    assert.ok(Array.isArray(list))
    for (const c of list) assert.ok(Number.isSafeInteger(c.id) && typeof c.name === 'string')
  }
  if (trims.length > 0) {
    const byTrim = await decoder.engines(year, make.id, model.id, trims[0].id)
    assert.ok(Array.isArray(byTrim))
  }
  assert.deepEqual(await decoder.models(year, 999_999_999), [])
})

test('dropdown arguments out of range reject with ERR_INVALID_ARGUMENT', async () => {
  await assert.rejects(decoder.makes(1800), { code: 'ERR_INVALID_ARGUMENT' })
  await assert.rejects(decoder.models(2020, -1), { code: 'ERR_INVALID_ARGUMENT' })
  await assert.rejects(decoder.makes(2020.5), { code: 'ERR_INVALID_ARGUMENT' })
})

test('health and stats', async () => {
  const h = await decoder.health()
  assert.equal(h.databaseReachable, true)
  assert.equal(h.breaker.state, 'closed')
  assert.ok(h.dataset)
  assert.equal(h.dataset.version, h.datasetVersion)
  assert.ok(h.residentWmis > 0, 'preload makes catalogs resident')
  assert.ok(h.stats.decodes > 0)
  const s = decoder.stats()
  assert.ok(s.decodes >= h.stats.decodes)
  assert.ok(s.resultHits > 0)
})

test('open on an unreachable database rejects with a coded error', async () => {
  await assert.rejects(vin.Decoder.open({ url: 'postgres://vin@127.0.0.1:1/none' }), (err) => {
    assert.ok(['ERR_DATA_UNAVAILABLE', 'ERR_DATABASE'].includes(err.code), err.code)
    return true
  })
  await assert.rejects(vin.Decoder.open({ url: 'mysql://nope' }), { code: 'ERR_INVALID_ARGUMENT' })
})

test('a closed decoder refuses calls with ERR_DECODER_CLOSED', async () => {
  const d = await vin.Decoder.open({ url })
  await d.close()
  await d.close()
  assert.throws(() => d.decodeSync('1HGCM82633A004352'), { code: 'ERR_DECODER_CLOSED' })
  await assert.rejects(d.decode('1HGCM82633A004352'), { code: 'ERR_DECODER_CLOSED' })
  await assert.rejects(d.decodeMany(['1HGCM82633A004352']), { code: 'ERR_DECODER_CLOSED' })
  await assert.rejects(d.years(), { code: 'ERR_DECODER_CLOSED' })
  await assert.rejects(d.health(), { code: 'ERR_DECODER_CLOSED' })
  assert.throws(() => d.stats(), { code: 'ERR_DECODER_CLOSED' })
})

test('results are frozen; a repeated VIN returns the remembered object', async () => {
  const v = '1HGCM82633A004352'
  const d = decoder.decodeSync(v)
  assert.ok(Object.isFrozen(d) && Object.isFrozen(d.attributes) && Object.isFrozen(d.facts))
  assert.ok(Object.isFrozen(d.errorCodes) && Object.isFrozen(d.facts.positionsExplained))
  assert.throws(() => { 'use strict'; d.make = 'x' }, TypeError)
  assert.equal(decoder.decodeSync(v), d, 'a result-cache hit gives the same object')
  assert.equal(await decoder.decode(v), d, 'on the async path too')
  const p = decoder.decodeSync(v, { provenance: true })
  assert.notEqual(p, d)
  assert.ok(Array.isArray(p.values) && Object.isFrozen(p.values) && Object.isFrozen(p.values[0]))
  assert.deepEqual({ ...p, values: null }, { ...d })

  const plain = await vin.Decoder.open({ url, objectCacheEntries: 0 })
  try {
    const a = plain.decodeSync(v)
    const b = plain.decodeSync(v)
    assert.notEqual(a, b, 'no object cache: a new object per call')
    assert.deepEqual(a, b)
    assert.deepEqual(a, d)
    assert.ok(Object.isFrozen(a))
  } finally {
    await plain.close()
  }
  await assert.rejects(vin.Decoder.open({ url, objectCacheEntries: -1 }), { code: 'ERR_INVALID_ARGUMENT' })
  assert.throws(() => vin.Decoder.open({ url, objectCacheEntries: 'many' }), { name: 'TypeError' })
})

test('decodeSync reads short, long and non-ASCII input whole, as decode does', async () => {
  // decodeSync reads short strings into a fixed buffer: inputs around its
  // size, with characters of several bytes at the edge, must arrive whole.
  const inputs = [
    '1HGCM82633A004352', ' 1hgcm82633a004352 ', '1HGCM82633A00435€',
    'x'.repeat(58) + 'é', 'x'.repeat(59) + 'é', 'x'.repeat(60) + '€', 'x'.repeat(62) + '😀',
    'é'.repeat(40), 'x'.repeat(200),
  ]
  const outcome = async (f) => {
    try {
      return plain(await f())
    } catch (e) {
      return { code: e.code, message: e.message }
    }
  }
  for (const input of inputs) {
    const sync = await outcome(() => decoder.decodeSync(input))
    assert.deepEqual(sync, await outcome(() => decoder.decode(input)), input)
    // The message counts what arrived: characters, or bytes when too long.
    const whole = input.trim()
    const counts = `(has ${[...whole].length}|${Buffer.byteLength(whole)} bytes)\\b`
    if (sync.code) assert.match(sync.message, new RegExp(counts), input)
  }
})
