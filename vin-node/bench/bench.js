'use strict'
// npm run bench: decodes per second through the native module, against the
// full lite data, over a corpus generated from the catalog's own patterns.
//
//   decodeSync                 one thread, one call after another
//   decode, awaited one by one
//   decode, 1,000 in flight
//   native loop                the same decodes inside Rust (measureNative),
//                              alternating with decodeSync round by round: the
//                              difference per call is what crossing into JS costs
//
// The result cache is off, so every call really decodes (catalogs preloaded).
// Environment:
//   VIN_BENCH_DATABASE_URL  a database already holding the lite data; else
//   VPIC_LITE               the lite file, loaded here into a temporary SQLite file
//   VIN_BENCH_CORPUS        a VIN file to use instead of generating one
//   VIN_BENCH_VINS          corpus size to generate (default 20000)
//   VIN_BENCH_ROUNDS        alternating decodeSync / native rounds (default 11)
//   VIN_BENCH_WARM          passes over the corpus before measuring (default 10)
//   VIN_BIN                 the `vin` CLI (default: the workspace's release, else debug build)

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const { Decoder } = require('..')

const root = path.resolve(__dirname, '..', '..')
const rounds = Number(process.env.VIN_BENCH_ROUNDS ?? 11)
const warmRounds = Number(process.env.VIN_BENCH_WARM ?? 10)

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

function median (xs) {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// CPU time (user + system, all threads of the process) of fn, in µs: unlike
// wall time it does not count the time other processes hold the cores, so it
// compares runs on a busy machine. Used where two ways are compared.
function cpuUs (fn) {
  const start = process.cpuUsage()
  fn()
  const used = process.cpuUsage(start)
  return used.user + used.system
}

// CPU µs per decode of measureNative's loop alone: two rounds minus one, so
// that reading the VIN array into Rust is not counted.
function nativeCpuUs (decoder, vins) {
  const one = cpuUs(() => decoder.measureNative(vins, 1))
  const two = cpuUs(() => decoder.measureNative(vins, 2))
  return (two - one) / vins.length
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
    // Warm up to the steady state of a long-running server: every catalog
    // resident, the string table filled, and each recurring attribute list's
    // object builder compiled (at its 8th sighting), the frequent ones optimized
    // by V8.
    for (let r = 0; r < warmRounds; r++) for (const v of vins) decoder.decodeSync(v)
    const rows = []

    // decodeSync against the same decodes inside Rust (measureNative: no JS
    // crossing per VIN), in alternating rounds so that both see the same
    // machine: the difference per call is what crossing into JS costs. Both
    // are warm (catalogs resident, JIT and the string table warmed above).
    const syncUs = []
    const nativeUs = []
    for (let r = 0; r < rounds; r++) {
      syncUs.push(cpuUs(() => { for (const v of vins) decoder.decodeSync(v) }) / vins.length)
      nativeUs.push(nativeCpuUs(decoder, vins))
    }
    const lat = new Float64Array(vins.length)
    for (let i = 0; i < vins.length; i++) {
      const s = performance.now()
      decoder.decodeSync(vins[i])
      lat[i] = (performance.now() - s) * 1000
    }
    lat.sort()
    rows.push(['decodeSync (CPU time)', 1e6 / median(syncUs), percentile(lat, 0.5), percentile(lat, 0.99)])
    rows.push(['native loop (Rust only, CPU)', 1e6 / median(nativeUs)])

    // decode, awaited one by one.
    let t = performance.now()
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

    // Building a result's object alone: result-cache hits (next to no Rust
    // work) with no remembered objects, so every call builds a new one.
    const fresh = await Decoder.open({ url, preload: true, objectCacheEntries: 0 })
    for (const v of vins) fresh.decodeSync(v)
    for (const v of vins) fresh.decodeSync(v)
    const buildUs = []
    const hitUs = []
    for (let r = 0; r < rounds; r++) {
      buildUs.push(cpuUs(() => { for (const v of vins) fresh.decodeSync(v) }) / vins.length)
      hitUs.push(nativeCpuUs(fresh, vins))
    }
    rows.push(['decodeSync, hit, new object (CPU)', 1e6 / median(buildUs)])
    await fresh.close()

    console.log(`\n${vins.length} VINs (generated from the catalog's patterns), ${os.cpus()[0].model}, Node ${process.version}\n`)
    for (const [name, r, p50, p99] of rows) {
      const latency = p50 === undefined ? '' : `   p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs`
      console.log(`${name.padEnd(32)} ${fmt(r).padStart(10)} VIN/s${latency}`)
    }
    const crossing = syncUs.map((us, r) => us - nativeUs[r])
    const hitOverhead = 1e6 / rows[5][1] - 1e6 / rows[6][1]
    console.log(`\n${rounds} alternating rounds, CPU µs per call (median, best):` +
      ` decodeSync ${median(syncUs).toFixed(2)}, ${Math.min(...syncUs).toFixed(2)};` +
      ` Rust decode ${median(nativeUs).toFixed(2)}, ${Math.min(...nativeUs).toFixed(2)}`)
    console.log(`napi crossing per decodeSync call: ${median(crossing).toFixed(2)} µs over the Rust decode` +
      ` (median of the rounds' differences, which range ${Math.min(...crossing).toFixed(2)}–` +
      `${Math.max(...crossing).toFixed(2)}; ${hitOverhead.toFixed(2)} µs on a cache hit)`)
    const building = buildUs.map((us, r) => us - hitUs[r])
    console.log(`building an uncached result's object: ${median(building).toFixed(2)} CPU µs per call` +
      ` (result-cache hits without remembered objects, minus the same hits in Rust)`)
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
