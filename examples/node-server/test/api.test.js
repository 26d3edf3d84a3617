'use strict'
// End to end on SQLite: the real server process, every endpoint, the
// success, 400 and 401 paths, headers and bodies.

const test = require('node:test')
const assert = require('node:assert/strict')
const { sqliteUrl, startServer, token, decodeVin } = require('./support')

let srv
const get = (path) => fetch(`${srv.base}${path}`)

test.before(async () => {
  srv = await startServer({ DATABASE_URL: sqliteUrl() })
})
test.after(async () => {
  const code = await srv?.stop()
  assert.equal(code, 0, 'the server shuts down cleanly on SIGTERM')
})

async function json (res, status) {
  assert.equal(res.status, status, `${res.url}: ${res.status}`)
  assert.match(res.headers.get('content-type'), /application\/json/)
  return res.json()
}

/** Walks the cascade down to the Honda Accord of 2003 (present in the sample). */
async function accord () {
  const years = await json(await get('/api/vehicles/dropdown/years'), 200)
  assert.ok(years.includes(2003))
  const makes = await json(await get('/api/vehicles/dropdown/makes?year=2003'), 200)
  const honda = makes.find((m) => /^honda$/i.test(m.name))
  assert.ok(honda, 'HONDA is offered for 2003')
  const models = await json(await get(`/api/vehicles/dropdown/models?year=2003&make_id=${honda.id}`), 200)
  const model = models.find((m) => m.name === 'Accord')
  assert.ok(model, 'Accord is offered')
  return { honda, model }
}

test('dropdowns: bare arrays, newest year first, 7-day Cache-Control', async () => {
  const res = await get('/api/vehicles/dropdown/years')
  const years = await json(res, 200)
  assert.equal(res.headers.get('cache-control'), 'public, max-age=604800')
  assert.ok(Array.isArray(years) && years.length > 0)
  assert.ok(years.every(Number.isInteger))
  assert.deepEqual(years, [...years].sort((a, b) => b - a))

  const { honda, model } = await accord()
  const base = `year=2003&make_id=${honda.id}&model_id=${model.id}`
  const trimsRes = await get(`/api/vehicles/dropdown/trims?${base}`)
  const trims = await json(trimsRes, 200)
  assert.equal(trimsRes.headers.get('cache-control'), 'public, max-age=604800')
  assert.ok(trims.some((t) => t.name === 'EX-V6'), JSON.stringify(trims))
  for (const list of [trims]) for (const c of list) assert.deepEqual(Object.keys(c).sort(), ['id', 'name'])
  const engines = await json(await get(`/api/vehicles/dropdown/engines?${base}`), 200)
  assert.ok(engines.length > 0)
  const ex = trims.find((t) => t.name === 'EX-V6')
  const exEngines = await json(await get(`/api/vehicles/dropdown/engines?${base}&trim_id=${ex.id}`), 200)
  assert.ok(Array.isArray(exEngines))
  const transmissions = await json(await get(`/api/vehicles/dropdown/transmissions?${base}`), 200)
  assert.ok(Array.isArray(transmissions))
})

test('dropdowns: 400 with a JSON error on bad parameters', async () => {
  const bad = [
    '/api/vehicles/dropdown/makes',
    '/api/vehicles/dropdown/makes?year=abc',
    '/api/vehicles/dropdown/makes?year=20.5',
    '/api/vehicles/dropdown/makes?year=1800',
    '/api/vehicles/dropdown/models?year=2003',
    '/api/vehicles/dropdown/models?year=2003&make_id=-4',
    '/api/vehicles/dropdown/trims?year=2003&make_id=1',
    '/api/vehicles/dropdown/engines?year=2003&make_id=1&model_id=x',
    '/api/vehicles/dropdown/transmissions?make_id=1&model_id=2',
  ]
  for (const path of bad) {
    const res = await get(path)
    const body = await json(res, 400)
    assert.equal(body.statusCode, 400, path)
    assert.equal(body.code, 'ERR_INVALID_ARGUMENT', path)
    assert.equal(typeof body.message, 'string')
    assert.notEqual(res.headers.get('cache-control'), 'public, max-age=604800')
  }
  // Unknown parents are not errors: an empty list.
  assert.deepEqual(await json(await get('/api/vehicles/dropdown/models?year=2003&make_id=987654321'), 200), [])
})

test('decode-vin: the decode with headline fields and every attribute', async () => {
  const res = await decodeVin(srv.base, { vin: '1HGCM82633A004352' }, token())
  const d = await json(res, 200)
  assert.equal(d.vin, '1HGCM82633A004352')
  assert.equal(d.year, 2003)
  assert.equal(d.make, 'HONDA')
  assert.equal(d.model, 'Accord')
  assert.equal(d.trim, 'EX-V6')
  assert.equal(d.bodyClass, 'Coupe')
  assert.equal(d.fuelType, 'Gasoline')
  assert.equal(d.engine.cylinders, 6)
  assert.equal(d.engine.model, 'J30A4')
  assert.match(d.engine.description, /6 cyl/)
  assert.ok('style' in d.transmission && 'driveType' in d)
  assert.deepEqual(d.errorCodes, [0])
  assert.ok(d.confidence > 0 && d.confidence <= 1)
  assert.equal(d.attributes['Plant City'], 'MARYSVILLE')
  assert.equal(d.attributes.Make, 'HONDA')
  assert.equal(res.headers.get('cache-control'), 'private, no-store')

  // Lower case and surrounding spaces are normalised, a wrong check digit is a code.
  const messy = await json(await decodeVin(srv.base, { vin: ' 1hgcm82643a004352 ' }, token()), 200)
  assert.equal(messy.vin, '1HGCM82643A004352')
  assert.ok(messy.errorCodes.includes(1))
})

test('decode-vin: 401 without a valid HS256 bearer token', async () => {
  const cases = [
    undefined,
    'not-a-jwt',
    token({ key: 'some-other-secret' }),
    token({ algorithm: 'HS512' }),
    token({ expiresIn: 1 }),
  ]
  await new Promise((resolve) => setTimeout(resolve, 5))
  for (const bearer of cases) {
    const res = await decodeVin(srv.base, { vin: '1HGCM82633A004352' }, bearer)
    const body = await json(res, 401)
    assert.equal(body.code, 'ERR_UNAUTHORIZED')
    assert.equal(res.headers.get('www-authenticate'), 'Bearer')
  }
  const basic = await fetch(`${srv.base}/api/vehicles/decode-vin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
    body: '{"vin":"1HGCM82633A004352"}',
  })
  assert.equal(basic.status, 401)
})

test('decode-vin: 400 for input that is not a VIN at all', async () => {
  const bodies = [{}, { vin: 17 }, { vin: null }, { vin: '' }, { vin: '    ' }, { vin: '1HGCM82633A0043521' }, { vin: 'x'.repeat(5000) }, '[1,2]', 'not json']
  for (const body of bodies) {
    const res = await decodeVin(srv.base, body, token())
    const err = await json(res, 400)
    assert.equal(err.statusCode, 400, JSON.stringify(body))
    assert.equal(typeof err.message, 'string')
  }
})

test('health: 200 with reachability, dataset month, cache stats and breaker', async () => {
  const res = await get('/health')
  const h = await json(res, 200)
  assert.equal(h.status, 'ok')
  assert.equal(h.databaseReachable, true)
  assert.equal(h.datasetMonth, '2026_02')
  assert.equal(h.breaker.state, 'closed')
  assert.ok(h.cache.stats.decodes > 0)
  assert.equal(typeof h.cache.results, 'number')
  assert.equal(res.headers.get('cache-control'), 'no-store')
})

test('the page is served at /', async () => {
  const res = await get('/')
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /text\/html/)
  const html = await res.text()
  assert.match(html, /<select id="year">/)
  assert.match(html, /<input id="vin"/)
})

test('unknown routes are 404 JSON', async () => {
  const res = await get('/api/vehicles/nothing')
  assert.equal(res.status, 404)
})
