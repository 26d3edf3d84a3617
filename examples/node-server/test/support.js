'use strict'
// Starts the real server (node src/main.js) as a child process against a real
// database, and the helpers the end-to-end tests share.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, execFileSync } = require('node:child_process')
const { createSigner } = require('fast-jwt')

const root = path.resolve(__dirname, '..', '..', '..')
const server = path.resolve(__dirname, '..', 'src', 'main.js')
const SECRET = 'test-secret-for-the-vehicles-api'

/** The `vin` CLI: $VIN_BIN, else the workspace's debug build. */
function vinBin () {
  if (process.env.VIN_BIN) return process.env.VIN_BIN
  return path.join(process.env.VIN_TARGET_DIR ?? path.join(root, 'target'), 'debug', 'vin')
}

const SAMPLE = path.join(root, 'data', 'sample', 'vpic-sample.sql.gz')

/** Loads the committed sample into `url` through the ETL. */
function loadSample (url) {
  execFileSync(vinBin(), ['etl', 'run', '--quiet', '--source', SAMPLE, '--database-url', url], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  })
}

/** A SQLite database holding the sample: $VIN_TEST_DATABASE_URL, else loaded here. */
function sqliteUrl () {
  if (process.env.VIN_TEST_DATABASE_URL) return process.env.VIN_TEST_DATABASE_URL
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vin-server-test-'))
  const url = `sqlite://${path.join(dir, 'vin.sqlite')}`
  loadSample(url)
  process.env.VIN_TEST_DATABASE_URL = url
  return url
}

/** A throw-away Postgres cluster (scripts/pg-cluster) that the test may stop and restart. */
function pgCluster () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vin-server-pg-'))
  const data = path.join(dir, 'data')
  const script = path.join(root, 'scripts', 'pg-cluster')
  const url = execFileSync(script, ['start', data], { encoding: 'utf8' }).trim().split('\n').pop()
  return {
    url,
    stop: () => execFileSync(script, ['stop', data], { stdio: 'ignore' }),
    restart: () => execFileSync(script, ['restart', data], { stdio: 'ignore' }),
    remove: () => {
      try { execFileSync(script, ['stop', data], { stdio: 'ignore' }) } catch {}
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Starts `npm start`'s entry with PORT=0 and resolves once it listens.
 * @returns {Promise<{ base: string, stop: () => Promise<number|null>, output: () => string }>}
 */
function startServer (env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start:\n${out}`))
    }, 120_000)
    const onData = (chunk) => {
      out += chunk
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({
          base: m[1],
          output: () => out,
          stop: () => new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(child.exitCode)
            child.once('exit', (code) => resolve(code))
            child.kill('SIGTERM')
          }),
        })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited with ${code}:\n${out}`))
    })
  })
}

/** A valid bearer token (HS256 with the server's secret). */
function token (options = {}) {
  const sign = createSigner({ key: options.key ?? SECRET, algorithm: options.algorithm ?? 'HS256', expiresIn: options.expiresIn ?? 3_600_000 })
  return sign({ sub: 'e2e-test' })
}

/** POST /api/vehicles/decode-vin with an optional bearer token. */
async function decodeVin (base, body, bearer) {
  const headers = { 'content-type': 'application/json' }
  if (bearer) headers.authorization = `Bearer ${bearer}`
  return fetch(`${base}/api/vehicles/decode-vin`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

module.exports = { root, SECRET, sqliteUrl, loadSample, pgCluster, startServer, token, decodeVin }

/** The golden VINs (vin-db/tests/data/golden.jsonl). */
function goldenVins () {
  const file = path.join(root, 'vin-db', 'tests', 'data', 'golden.jsonl')
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).vin)
}

module.exports.goldenVins = goldenVins
