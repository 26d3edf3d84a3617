'use strict'
// End to end on Postgres: a throw-away cluster loaded with the sample through
// the ETL; then Postgres is stopped (503 with Retry-After, /health 503) and
// restarted (the server recovers on its own).

const test = require('node:test')
const assert = require('node:assert/strict')
const { pgCluster, loadSample, startServer, token, decodeVin, goldenVins } = require('./support')

let pg
let srv

test.before(async () => {
  pg = pgCluster()
  loadSample(pg.url)
  srv = await startServer({ DATABASE_URL: pg.url })
})
test.after(async () => {
  await srv?.stop()
  pg?.remove()
})

const get = (path) => fetch(`${srv.base}${path}`)

test('serves dropdowns, decodes and reports health from Postgres', async () => {
  const years = await (await get('/api/vehicles/dropdown/years')).json()
  assert.ok(years.includes(2003))
  const makes = await (await get('/api/vehicles/dropdown/makes?year=2003')).json()
  assert.ok(makes.some((m) => /^honda$/i.test(m.name)))
  const res = await decodeVin(srv.base, { vin: '1HGCM82633A004352' }, token())
  assert.equal(res.status, 200)
  const d = await res.json()
  assert.equal(d.make, 'HONDA')
  assert.equal(d.model, 'Accord')
  const health = await get('/health')
  assert.equal(health.status, 200)
  const h = await health.json()
  assert.equal(h.databaseReachable, true)
  assert.equal(h.datasetMonth, '2026_02')
  assert.match(h.database, /^postgres/)
  assert.doesNotMatch(h.database, /password|:[^@/]*@/)
})

test('Postgres down: 503 with Retry-After; back up: recovers by itself', async () => {
  // A WMI this server has not loaded yet needs the database.
  const cold = goldenVins().find((v) => v.startsWith('5YJ'))
  pg.stop()

  const res = await decodeVin(srv.base, { vin: cold }, token())
  assert.equal(res.status, 503, await res.clone().text())
  assert.match(res.headers.get('retry-after'), /^\d+$/)
  const body = await res.json()
  assert.equal(body.code, 'ERR_DATA_UNAVAILABLE')

  const health = await get('/health')
  assert.equal(health.status, 503)
  assert.match(health.headers.get('retry-after'), /^\d+$/)
  assert.equal((await health.json()).databaseReachable, false)

  const dd = await get('/api/vehicles/dropdown/makes?year=1999')
  assert.equal(dd.status, 503)

  // What is resident keeps decoding while the database is down.
  const warm = await decodeVin(srv.base, { vin: '1HGCM82633A004352' }, token())
  assert.equal(warm.status, 200)

  pg.restart()
  // Bounded wait for the breaker's next trial to find the database again.
  let status = 0
  for (let i = 0; i < 120 && status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    status = (await decodeVin(srv.base, { vin: cold }, token())).status
  }
  assert.equal(status, 200, 'decoding recovers after Postgres is back')
  assert.equal((await get('/health')).status, 200)
})
