'use strict'
// npm run bench: decodes per second through the native module, against the
// full lite data, over a corpus generated from the catalog's own patterns.
//
//   decodeSync                 one thread, one call after another
//   decode, awaited one by one
//   decode, 1,000 in flight
//   native loop                the same decodes inside Rust (measureNative):
//                              the difference per call is what crossing into JS costs
//
// The result cache is off, so every call really decodes (catalogs preloaded).
// Environment:
//   VIN_BENCH_DATABASE_URL  a database already holding the lite data; else
//   VPIC_LITE               the lite file, loaded here into a temporary SQLite file
//   VIN_BENCH_CORPUS        a VIN file to use instead of generating one
//   VIN_BENCH_VINS          corpus size to generate (default 20000)
//   VIN_BIN                 the `vin` CLI (default: the workspace's release, else debug build)

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const { Decoder } = require('..')

const root = path.resolve(__dirname, '..', '..')

function vinBin () {
  if (process.env.VIN_BIN) return process.env.VIN_BIN
  const target = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target')
  for (const profile of ['release', 'debug']) {
    const bin = path.join(target, profile, 'vin')
    if (fs.existsSync(bin)) return bin
  }
  throw new Error('no `vin` CLI found: build it (cargo build --release --bin vin) or set VIN_BIN')
}

function database (tmp) {
  if (process.env.VIN_BENCH_DATABASE_URL) return process.env.VIN_BENCH_DATABASE_URL
  if (!process.env.VPIC_LITE) {
    throw new Error('set VPIC_LITE (the lite vPIC file) or VIN_BENCH_DATABASE_URL')
  }
  const url = `sqlite://${path.join(tmp, 'lite.sqlite')}`
  console.log(`loading ${process.env.VPIC_LITE} into ${url} …`)
  execFileSync(vinBin(), ['etl', 'run', '--quiet', '--source', `sqlite:${process.env.VPIC_LITE}`, '--database-url', url], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return url
}

function corpus (tmp, url) {
  let file = process.env.VIN_BENCH_CORPUS
  if (!file) {
    file = path.join(tmp, 'corpus.txt')
    const n = process.env.VIN_BENCH_VINS ?? '20000'
    execFileSync(vinBin(), ['bench', '--generate', n, '--file', file, '--database-url', url], {
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  }
  return fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)
}

function rate (n, ms) {
  return n / (ms / 1000)
}

function fmt (n) {
  return Math.round(n).toLocaleString('en-US')
}

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

async function main () {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vin-node-bench-'))
  try {
    const url = database(tmp)
    const vins = corpus(tmp, url)
    const decoder = await Decoder.open({ url, preload: true, cacheResults: false })
    for (const v of vins) decoder.decodeSync(v) // warm: every catalog resident
    const rows = []

    // decodeSync, one thread; per-call latencies from a timed pass.
    let t = performance.now()
    for (const v of vins) decoder.decodeSync(v)
    const syncMs = performance.now() - t
    const lat = new Float64Array(vins.length)
    for (let i = 0; i < vins.length; i++) {
      const s = performance.now()
      decoder.decodeSync(vins[i])
      lat[i] = (performance.now() - s) * 1000
    }
    lat.sort()
    rows.push(['decodeSync', rate(vins.length, syncMs), percentile(lat, 0.5), percentile(lat, 0.99)])

    // decode, awaited one by one.
    t = performance.now()
    for (const v of vins) await decoder.decode(v)
    rows.push(['decode, awaited one by one', rate(vins.length, performance.now() - t)])

    // decode, 1,000 in flight.
    t = performance.now()
    let next = 0
    async function lane () {
      while (next < vins.length) await decoder.decode(vins[next++])
    }
    await Promise.all(Array.from({ length: 1000 }, lane))
    rows.push(['decode, 1,000 in flight', rate(vins.length, performance.now() - t)])

    // The same decodes inside Rust, no JS crossing per VIN.
    const native = decoder.measureNative(vins, 1)
    const nativeRate = native.decodes / native.seconds
    rows.push(['native loop (Rust only)', nativeRate])

    // With provenance (every output row and its source) crossing too.
    t = performance.now()
    for (const v of vins) decoder.decodeSync(v, { provenance: true })
    rows.push(['decodeSync with provenance', rate(vins.length, performance.now() - t)])
    await decoder.close()

    // Result-cache hits (the repeat-VIN case of a web backend).
    // objectCacheEntries covers the corpus, so every hit returns its remembered object.
    const cached = await Decoder.open({ url, preload: true, objectCacheEntries: vins.length })
    for (const v of vins) cached.decodeSync(v)
    // Several rounds: a hit is so short that one pass is mostly noise.
    const hitRounds = 5
    t = performance.now()
    for (let r = 0; r < hitRounds; r++) for (const v of vins) cached.decodeSync(v)
    rows.push(['decodeSync, result-cache hit', rate(vins.length * hitRounds, performance.now() - t)])
    const cachedNative = cached.measureNative(vins, hitRounds)
    rows.push(['native loop, result-cache hit', cachedNative.decodes / cachedNative.seconds])
    await cached.close()

    console.log(`\n${vins.length} VINs (generated from the catalog's patterns), ${os.cpus()[0].model}, Node ${process.version}\n`)
    for (const [name, r, p50, p99] of rows) {
      const latency = p50 === undefined ? '' : `   p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs`
      console.log(`${name.padEnd(32)} ${fmt(r).padStart(10)} VIN/s${latency}`)
    }
    const overhead = 1e6 / rows[0][1] - 1e6 / nativeRate
    const hitOverhead = 1e6 / rows[5][1] - 1e6 / rows[6][1]
    console.log(`\nnapi crossing per decodeSync call: ${overhead.toFixed(2)} µs over the Rust decode` +
      ` (${hitOverhead.toFixed(2)} µs on a cache hit)`)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
