// Compiled with `tsc --noEmit` by the tests: the generated declarations
// describe the API as it is used.
import { Decoder, checkDigit, modelYearCandidates, normalizeVin, validateVin } from '../..'
import type { Choice, Decoded, DecodeOutcome, Health, VinValidation } from '../..'

async function main (): Promise<void> {
  const decoder: Decoder = await Decoder.open({ url: 'sqlite:///tmp/vin.sqlite', preload: true, cacheTtlSeconds: 60, maxCacheEntries: 1000 })
  const d: Decoded = await decoder.decode('1HGCM82633A004352', { modelYear: 2003 })
  const year: number | null = d.modelYear
  const make: string | null = d.make
  const codes: number[] = d.errorCodes
  const model: string | null | Array<string | null> | undefined = d.attributes['Model']
  const sync: Decoded = decoder.decodeSync('1HGCM82633A004352')
  const many: DecodeOutcome[] = await decoder.decodeMany(['1HGCM82633A004352'])
  const first: Decoded | null = many[0].decoded
  const years: number[] = await decoder.years()
  const makes: Choice[] = await decoder.makes(years[0])
  const models: Choice[] = await decoder.models(years[0], makes[0].id)
  const trims: Choice[] = await decoder.trims(years[0], makes[0].id, models[0].id)
  await decoder.engines(years[0], makes[0].id, models[0].id, trims[0]?.id)
  await decoder.transmissions(years[0], makes[0].id, models[0].id)
  const health: Health = await decoder.health()
  const reachable: boolean = health.databaseReachable
  const confidence: number = d.confidence + sync.confidence
  await decoder.close()

  const v: VinValidation = validateVin(normalizeVin(' 1hgcm82633a004352 '))
  const digit: string = checkDigit(v.vin)
  const candidates: number[] = modelYearCandidates(v.vin, { vehicleClass: 'light' }).years
  console.log(year, make, codes, model, first, reachable, confidence, digit, candidates)
}

// @ts-expect-error: a VIN is a string
checkDigit(17)

void main()
