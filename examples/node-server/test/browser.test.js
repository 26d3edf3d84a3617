'use strict'
// The page at / in headless Chromium (Debian's, driven by playwright-core):
// the cascading dropdowns fill from the API and the VIN box shows a decode.
// Leaves a screenshot (path printed; $VIN_SCREENSHOT sets it).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { chromium } = require('playwright-core')
const { sqliteUrl, startServer, token } = require('./support')

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

test('the page: cascading dropdowns and a VIN decode', async () => {
  const srv = await startServer({ DATABASE_URL: sqliteUrl() })
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vin-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
  })
  try {
    const page = context.pages()[0] ?? await context.newPage()
    const failures = []
    page.on('pageerror', (err) => failures.push(err.message))
    await page.goto(`${srv.base}/`)

    await page.waitForSelector('#year option[value="2003"]', { state: 'attached' })
    await page.selectOption('#year', '2003')
    await page.waitForFunction(() => [...document.querySelectorAll('#make option')].some((o) => /^honda$/i.test(o.textContent)))
    const honda = await page.$$eval('#make option', (os) => os.find((o) => /^honda$/i.test(o.textContent)).value)
    await page.selectOption('#make', honda)
    await page.waitForSelector('#model:not([disabled]) option >> text=Accord', { state: 'attached' })
    await page.selectOption('#model', { label: 'Accord' })
    await page.waitForSelector('#trim option >> text=EX-V6', { state: 'attached' })
    await page.selectOption('#trim', { label: 'EX-V6' })
    await page.waitForFunction(() => document.querySelector('#engine').options.length > 1)
    const engines = await page.$$eval('#engine option', (os) => os.map((o) => o.textContent))
    assert.ok(engines.length > 1, `engines: ${engines}`)

    // Without a token the API answers 401 and the page says so.
    await page.fill('#vin', '1HGCM82633A004352')
    await page.click('#decode')
    await page.waitForSelector('#decode-status.error')
    assert.match(await page.textContent('#decode-status'), /401/)

    await page.fill('#token', token())
    await page.click('#decode')
    await page.waitForSelector('#decoded')
    const text = await page.textContent('#decoded')
    assert.match(text, /HONDA/i)
    assert.match(text, /Accord/)
    assert.match(text, /2003/)
    assert.match(await page.textContent('#confidence'), /Confidence \d+ %/)
    assert.deepEqual(failures, [])

    const shot = process.env.VIN_SCREENSHOT ?? path.join(os.tmpdir(), 'vehicles-page.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok(fs.statSync(shot).size > 10_000)
    console.log(`screenshot: ${shot}`)
  } finally {
    await context.close()
    fs.rmSync(profile, { recursive: true, force: true })
    await srv.stop()
  }
})
