'use strict'
// The pure helpers: normalizeVin, validateVin, checkDigit, modelYearCandidates.

const test = require('node:test')
const assert = require('node:assert/strict')
const { vin, goldenRows } = require('./support')

const golden = goldenRows()

test('normalizeVin trims spaces and upper-cases, as vPIC does', () => {
  assert.equal(vin.normalizeVin('  1hgcm82633a004352 '), '1HGCM82633A004352')
  assert.equal(vin.normalizeVin('abc'), 'ABC')
  assert.equal(vin.normalizeVin(''), '')
})

test('normalizeVin refuses more than 17 characters with ERR_INVALID_ARGUMENT', () => {
  assert.throws(() => vin.normalizeVin('1HGCM82633A0043521'), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'ERR_INVALID_ARGUMENT')
    assert.match(err.message, /18/)
    return true
  })
})

test('checkDigit agrees with the golden VINs (code 1 marks a wrong check digit)', () => {
  let checked = 0
  for (const row of golden) {
    if (row.error_codes === null || row.vin.length !== 17) continue
    const v = vin.validateVin(row.vin)
    if (!v.valid) continue
    const expected = vin.checkDigit(row.vin)
    assert.match(expected, /^[0-9X]$/)
    const wrong = row.error_codes.includes(1)
    assert.equal(expected !== row.vin[8], wrong, row.vin)
    assert.equal(v.checkDigit.valid, !wrong, row.vin)
    assert.equal(v.checkDigit.expected, expected)
    assert.equal(v.checkDigit.actual, row.vin[8])
    checked++
  }
  assert.ok(checked > 100, `only ${checked} golden VINs checked`)
})

test('checkDigit: the worked example of 49 CFR 565', () => {
  assert.equal(vin.checkDigit('1M8GDM9AXKP042788'), 'X')
  assert.equal(vin.checkDigit('1hgcm82633a004352'), '3')
})

test('checkDigit throws ERR_INVALID_ARGUMENT for text that is no VIN', () => {
  for (const bad of ['', '1HGCM82633A00435', '1HGCM82633A00435I']) {
    assert.throws(() => vin.checkDigit(bad), { code: 'ERR_INVALID_ARGUMENT' })
  }
})

test('validateVin reports every problem as data', () => {
  const ok = vin.validateVin('1HGCM82633A004352')
  assert.deepEqual(ok, {
    vin: '1HGCM82633A004352',
    valid: true,
    problems: [],
    checkDigit: { expected: '3', actual: '3', valid: true },
  })

  const bad = vin.validateVin('1hgcm8263OA00435!')
  assert.equal(bad.valid, false)
  assert.equal(bad.vin, '1HGCM8263OA00435!')
  assert.equal(bad.checkDigit, null)
  const chars = bad.problems.filter((p) => p.code === 'VIN_INVALID_CHAR')
  assert.deepEqual(chars.map((p) => [p.position, p.character]), [[10, 'O'], [17, '!']])
  for (const p of bad.problems) assert.equal(typeof p.message, 'string')

  const short = vin.validateVin('1HGCM826')
  assert.equal(short.valid, false)
  assert.ok(short.problems.some((p) => p.code === 'VIN_LENGTH' && p.position === null))

  const long = vin.validateVin('1HGCM82633A004352XYZ')
  assert.equal(long.valid, false)
  assert.deepEqual(long.problems.map((p) => p.code), ['VIN_LENGTH'])

  const empty = vin.validateVin('   ')
  assert.equal(empty.valid, false)
  assert.ok(empty.problems.length >= 1)
})

test('modelYearCandidates: position 10 with position 7 for light vehicles', () => {
  assert.deepEqual(vin.modelYearCandidates('1HGCM82633A004352', { currentYear: 2026 }), {
    years: [2003],
    conclusive: true,
  })
  const truck = vin.modelYearCandidates('1FTFW1E54JFB00000', { vehicleClass: 'other', currentYear: 2026 })
  assert.deepEqual(truck, { years: [1988, 2018], conclusive: false })
  // Without a current year the system clock decides; 2003 is possible either way.
  assert.ok(vin.modelYearCandidates('1HGCM82633A004352').years.includes(2003))
})

test('modelYearCandidates agrees with the golden model years of clean VINs', () => {
  let checked = 0
  for (const row of golden) {
    if (row.model_year === null || row.error_codes === null || !row.error_codes.every((c) => c === 0)) continue
    if (row.vin.length !== 17) continue
    const c = vin.modelYearCandidates(row.vin, { vehicleClass: 'other' })
    assert.ok(c.years.includes(row.model_year), `${row.vin}: ${c.years} lacks ${row.model_year}`)
    checked++
  }
  assert.ok(checked > 100, `only ${checked} golden VINs checked`)
})

test('modelYearCandidates rejects bad options', () => {
  assert.throws(() => vin.modelYearCandidates('1HGCM82633A004352', { vehicleClass: 'boat' }), {
    code: 'ERR_INVALID_ARGUMENT',
  })
  assert.throws(() => vin.modelYearCandidates('1HGCM82633A004352', { currentYear: '2026' }), {
    name: 'TypeError',
    code: 'ERR_INVALID_ARG_TYPE',
  })
  assert.throws(() => vin.modelYearCandidates('1HGCM82633A004352', 7), { name: 'TypeError' })
})

test('wrong JS types are TypeErrors with ERR_INVALID_ARG_TYPE', () => {
  const values = [undefined, null, 17, 1n, true, {}, [], Symbol('x'), () => {}]
  for (const fn of [vin.normalizeVin, vin.validateVin, vin.checkDigit, vin.modelYearCandidates]) {
    for (const value of values) {
      assert.throws(() => fn(value), (err) => {
        assert.ok(err instanceof TypeError, `${fn.name}(${String(value)}) threw ${err}`)
        assert.equal(err.code, 'ERR_INVALID_ARG_TYPE')
        assert.match(err.message, /"vin" argument must be of type string/)
        return true
      })
    }
  }
})

test('hostile strings never crash the helpers', () => {
  const inputs = ['\u0000'.repeat(17), '\uD800abc', 'ÄÖÜ'.repeat(5), '🚗'.repeat(8), 'x'.repeat(1 << 20)]
  for (const input of inputs) {
    const v = vin.validateVin(input)
    assert.equal(v.valid, false)
    assert.ok(v.problems.length > 0)
    assert.throws(() => vin.checkDigit(input), { code: 'ERR_INVALID_ARGUMENT' })
  }
})
