'use strict'
// Starts the vehicles API. Configuration (environment):
//   PORT          port to listen on (default 3000; 0 picks a free one)
//   HOST          address to bind (default 127.0.0.1)
//   DATABASE_URL  postgres://… or sqlite://PATH (default: the embedded SQLite database)
//   JWT_SECRET    HS256 secret for the decode endpoint's bearer tokens (required)
//   PRELOAD       "1" to load every WMI's catalog at start

const { Decoder } = require('vin-node')
const { buildServer } = require('./server')

async function main () {
  const jwtSecret = process.env.JWT_SECRET
  if (!jwtSecret) {
    console.error('JWT_SECRET is not set: it is the HS256 secret that signs the bearer tokens')
    process.exit(2)
  }
  const port = Number.parseInt(process.env.PORT ?? '3000', 10)
  const host = process.env.HOST ?? '127.0.0.1'
  const decoder = await Decoder.open({
    url: process.env.DATABASE_URL || undefined,
    preload: process.env.PRELOAD === '1',
  })
  const app = buildServer({ decoder, jwtSecret, logger: process.env.LOG === '1' })
  const address = await app.listen({ port, host })
  console.log(`listening on ${address}`)

  let closing = false
  const shutdown = async () => {
    if (closing) return
    closing = true
    await app.close()
    await decoder.close()
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

main().catch((err) => {
  console.error(`cannot start: ${err.code ?? ''} ${err.message}`)
  process.exit(1)
})
