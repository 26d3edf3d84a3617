'use strict'
// Prints a bearer token for the decode endpoint, signed (HS256) with JWT_SECRET:
//   JWT_SECRET=… npm run token [-- SUBJECT [HOURS]]
const { createSigner } = require('fast-jwt')

const secret = process.env.JWT_SECRET
if (!secret) {
  console.error('JWT_SECRET is not set')
  process.exit(2)
}
const [subject = 'vehicles-api-user', hours = '12'] = process.argv.slice(2)
const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: Number(hours) * 3600 * 1000 })
console.log(sign({ sub: subject }))
