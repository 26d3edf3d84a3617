'use strict'
// The vehicles API: dropdowns (public) and VIN decoding (JWT), on Fastify,
// served in-process by the vin native module.

const fs = require('node:fs')
const path = require('node:path')
const Fastify = require('fastify')
const fastifyJwt = require('@fastify/jwt')

// The dropdown data changes with the monthly vPIC release; clients may keep
// an answer as long as the server's own cache does (7 days).
const DROPDOWN_CACHE_CONTROL = 'public, max-age=604800'
const PAGE = fs.readFileSync(path.join(__dirname, 'page.html'), 'utf8')

const int = { type: 'integer' }
const id = { type: 'integer', minimum: 0 }

/** Query-string schemas of the dropdown endpoints (Fastify answers 400 on a mismatch). */
const dropdownRoutes = [
  { name: 'years', query: {}, call: (d) => d.years() },
  { name: 'makes', query: { year: int }, call: (d, q) => d.makes(q.year) },
  { name: 'models', query: { year: int, make_id: id }, call: (d, q) => d.models(q.year, q.make_id) },
  {
    name: 'trims',
    query: { year: int, make_id: id, model_id: id },
    call: (d, q) => d.trims(q.year, q.make_id, q.model_id),
  },
  {
    name: 'engines',
    query: { year: int, make_id: id, model_id: id, trim_id: id },
    optional: ['trim_id'],
    call: (d, q) => d.engines(q.year, q.make_id, q.model_id, q.trim_id ?? null),
  },
  {
    name: 'transmissions',
    query: { year: int, make_id: id, model_id: id, trim_id: id },
    optional: ['trim_id'],
    call: (d, q) => d.transmissions(q.year, q.make_id, q.model_id, q.trim_id ?? null),
  },
]

/** The HTTP status for a coded error of the native module (or of Fastify). */
function statusFor (err) {
  if (err.validation) return 400
  switch (err.code) {
    case 'ERR_INVALID_ARGUMENT':
    case 'ERR_INVALID_ARG_TYPE':
      return 400
    case 'ERR_DATA_UNAVAILABLE':
    case 'ERR_DATABASE':
    case 'ERR_DECODER_CLOSED':
      return 503
    default:
      return err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
  }
}

const REASONS = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }

/** An `ERR_INVALID_ARGUMENT` error (answered 400). */
function badRequest (message) {
  const err = new Error(message)
  err.code = 'ERR_INVALID_ARGUMENT'
  return err
}

/** A short engine description from the typed fields, e.g. `2.4L 4 cyl (K24A4)`. */
function engineText (d) {
  const parts = []
  if (d.displacementL != null) parts.push(`${Number(d.displacementL.toFixed(1))}L`)
  if (d.engineCylinders != null) parts.push(`${d.engineCylinders} cyl`)
  if (d.engineModel) parts.push(`(${d.engineModel})`)
  return parts.length ? parts.join(' ') : null
}

/** The decode-vin answer: the headline fields, the confidence and every attribute. */
function decodeBody (d) {
  return {
    vin: d.vin,
    year: d.modelYear,
    make: d.make,
    model: d.model,
    trim: d.trim,
    series: d.series,
    engine: {
      description: engineText(d),
      displacementL: d.displacementL,
      cylinders: d.engineCylinders,
      model: d.engineModel,
      manufacturer: d.engineManufacturer,
    },
    transmission: { style: d.transmissionStyle, speeds: d.transmissionSpeeds },
    driveType: d.driveType,
    fuelType: d.fuelTypePrimary,
    fuelTypeSecondary: d.fuelTypeSecondary,
    bodyClass: d.bodyClass,
    vehicleType: d.vehicleType,
    manufacturer: d.manufacturer,
    confidence: d.confidence,
    errorCodes: d.errorCodes,
    errorText: d.errorText,
    stale: d.stale,
    datasetVersion: d.datasetVersion,
    attributes: d.attributes,
  }
}

/**
 * Builds the server around an open `Decoder`.
 * @param {{ decoder: import('vin-node').Decoder, jwtSecret: string, retryAfterSeconds?: number, logger?: boolean | object }} options
 */
function buildServer ({ decoder, jwtSecret, retryAfterSeconds = 30, logger = false }) {
  if (!jwtSecret) throw new Error('a JWT secret is required (JWT_SECRET)')
  const app = Fastify({ logger, bodyLimit: 16 * 1024 })
  app.register(fastifyJwt, { secret: jwtSecret, verify: { algorithms: ['HS256'] } })

  app.setErrorHandler((err, request, reply) => {
    const status = statusFor(err)
    if (status >= 500) request.log.error({ err }, 'request failed')
    if (status === 503) reply.header('Retry-After', String(retryAfterSeconds))
    reply
      .code(status)
      .header('Cache-Control', 'no-store')
      .send({
        statusCode: status,
        error: REASONS[status] ?? 'Internal Server Error',
        code: err.validation ? 'ERR_INVALID_ARGUMENT' : (err.code ?? 'ERR_INTERNAL'),
        message: status === 500 ? 'internal error' : err.message,
      })
  })

  app.get('/', (request, reply) => {
    reply.type('text/html; charset=utf-8').send(PAGE)
  })

  for (const route of dropdownRoutes) {
    const required = Object.keys(route.query).filter((k) => !(route.optional ?? []).includes(k))
    app.get(`/api/vehicles/dropdown/${route.name}`, {
      schema: {
        querystring: { type: 'object', properties: route.query, required },
      },
    }, async (request, reply) => {
      const list = await route.call(decoder, request.query)
      reply.header('Cache-Control', DROPDOWN_CACHE_CONTROL)
      return list
    })
  }

  app.post('/api/vehicles/decode-vin', {
    onRequest: async (request, reply) => {
      try {
        await request.jwtVerify()
      } catch (err) {
        reply
          .code(401)
          .header('WWW-Authenticate', 'Bearer')
          .header('Cache-Control', 'no-store')
          .send({ statusCode: 401, error: 'Unauthorized', code: 'ERR_UNAUTHORIZED', message: err.message })
        return reply
      }
    },
  }, async (request, reply) => {
    // Checked here rather than by a schema: Fastify's validator would coerce
    // a number to a string, and a number is not a VIN.
    const vin = request.body?.vin
    if (typeof vin !== 'string') throw badRequest('the body must be a JSON object with a string "vin"')
    // Text with nothing to decode is not a VIN at all; anything of 1-17
    // characters is decoded (vPIC reports what is wrong with it as codes).
    if (vin.trim() === '') throw badRequest('the VIN is empty')
    const decoded = await decoder.decode(vin)
    reply.header('Cache-Control', 'private, no-store')
    return decodeBody(decoded)
  })

  app.get('/health', async (request, reply) => {
    const h = await decoder.health()
    const ok = h.databaseReachable
    reply.code(ok ? 200 : 503).header('Cache-Control', 'no-store')
    if (!ok) reply.header('Retry-After', String(retryAfterSeconds))
    return {
      status: ok ? 'ok' : 'unavailable',
      databaseReachable: h.databaseReachable,
      database: h.database,
      datasetMonth: h.dataset?.dataMonth ?? null,
      datasetVersion: h.datasetVersion,
      breaker: h.breaker,
      cache: {
        results: h.cachedResults,
        residentWmis: h.residentWmis,
        catalogBytes: h.catalogBytes,
        stats: h.stats,
      },
    }
  })

  return app
}

module.exports = { buildServer, decodeBody, statusFor }
