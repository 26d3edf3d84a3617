'use strict'
// Shared by the test files: the package entry, the test database, the golden
// VINs and the Rust CLI's own decodes to compare with.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const root = path.resolve(__dirname, '..', '..')
const vin = require('..') // through the package entry, as users load it

/** The `vin` CLI: $VIN_BIN, else the debug build of the workspace. */
function vinBin () {
  if (process.env.VIN_BIN) return process.env.VIN_BIN
  const target = process.env.VIN_TARGET_DIR ?? path.join(root, 'target')
  return path.join(target, 'debug', 'vin')
}

/**
 * The database the tests decode against: $VIN_TEST_DATABASE_URL (scripts/node-test
 * loads it once), else a fresh SQLite file loaded here from the committed sample.
 */
function testDatabaseUrl () {
  if (process.env.VIN_TEST_DATABASE_URL) return process.env.VIN_TEST_DATABASE_URL
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vin-node-test-'))
  const url = `sqlite://${path.join(dir, 'vin.sqlite')}`
  loadDataset(url)
  process.env.VIN_TEST_DATABASE_URL = url
  return url
}

/** The ETL source the tests load: the committed sample (every golden VIN's WMI, complete). */
function datasetSource () {
  return process.env.VIN_TEST_SOURCE ?? path.join(root, 'data', 'sample', 'vpic-sample.sql.gz')
}

/** Loads the test dataset into `url` with the `vin` CLI. */
function loadDataset (url, source = datasetSource()) {
  execFileSync(vinBin(), ['etl', 'run', '--quiet', '--source', source, '--database-url', url], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  })
}

/** Every golden VIN with its expected values (vin-db/tests/data/golden.jsonl). */
function goldenRows () {
  const file = path.join(root, 'vin-db', 'tests', 'data', 'golden.jsonl')
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
}

/** What the Rust CLI decodes for `vins` on `url`: a Map from input VIN to its JSON object. */
function rustDecodes (url, vins) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vin-node-cli-'))
  const file = path.join(dir, 'vins.txt')
  fs.writeFileSync(file, vins.join('\n') + '\n')
  const out = execFileSync(vinBin(), ['decode', '--file', file, '--jsonl', '--database-url', url], {
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  })
  fs.rmSync(dir, { recursive: true, force: true })
  const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  const byVin = new Map()
  lines.forEach((obj, i) => byVin.set(vins[i], obj))
  return byVin
}

module.exports = { root, vin, vinBin, testDatabaseUrl, loadDataset, goldenRows, rustDecodes }
