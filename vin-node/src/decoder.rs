//! The `Decoder` class: `vin_db::decoder::Decoder` for JavaScript, with its
//! dropdown queries, health and counters.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use napi::bindgen_prelude::{JavaScriptClassExt, JsValue, PromiseRaw};
use napi::{Env, Unknown};
use napi_derive::napi;
use vin_db::decode::Detail;
use vin_db::decoder::{Decoder as RustDecoder, DecoderConfig};

use crate::args;
use crate::error::{ERR_DECODER_CLOSED, Failure, guard};
use crate::js::{Builder, Built, Raw};
use crate::objects::{self, ObjectCache};
use crate::promise::spawn;
use crate::report::{Choice, Health, NativeTiming, Stats};

/// Options of `Decoder.open`.
#[napi(object, object_to_js = false)]
pub struct OpenOptions {
    /// `postgres://…` or `sqlite://PATH`; absent, `""` or `"default"` for the
    /// embedded SQLite default.
    pub url: Option<String>,
    /// Load every WMI's catalog at open rather than on first use.
    pub preload: Option<bool>,
    /// How long a decode result stays fresh in the cache (default 30 days).
    pub cache_ttl_seconds: Option<f64>,
    /// Capacity of the result cache, in entries (default 100,000).
    pub max_cache_entries: Option<f64>,
    /// Cache decode results at all (default `true`; benchmarks turn it off so
    /// that every call really decodes).
    pub cache_results: Option<bool>,
    /// How many recent results keep their JS object, so that a cache hit
    /// returns it instead of building it again (default 1,024; 0 turns this
    /// off; unused when `cacheResults` is `false`).
    pub object_cache_entries: Option<f64>,
}

/// Options of `decode`, `decodeSync` and `decodeMany`.
#[napi(object, object_to_js = false)]
pub struct DecodeOptions {
    /// The model year the caller knows (1900–2100), as vPIC's `@year`.
    pub model_year: Option<i32>,
    /// Include `values`: every output row with its provenance.
    pub provenance: Option<bool>,
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

fn read_open_options(value: Option<Unknown<'_>>) -> Result<OpenOptions, Failure> {
    let object = args::opt_object("options", value)?;
    let get = |key| args::property(object.as_ref(), key);
    Ok(OpenOptions {
        url: args::opt_string("options.url", get("url")?)?,
        preload: args::opt_bool("options.preload", get("preload")?)?,
        cache_ttl_seconds: args::opt_integer(
            "options.cacheTtlSeconds",
            get("cacheTtlSeconds")?,
            0..=MAX_SAFE,
        )?
        .map(|v| v as f64),
        max_cache_entries: args::opt_integer(
            "options.maxCacheEntries",
            get("maxCacheEntries")?,
            0..=MAX_SAFE,
        )?
        .map(|v| v as f64),
        cache_results: args::opt_bool("options.cacheResults", get("cacheResults")?)?,
        object_cache_entries: args::opt_integer(
            "options.objectCacheEntries",
            get("objectCacheEntries")?,
            0..=1 << 20,
        )?
        .map(|v| v as f64),
    })
}

fn read_decode_options(value: Option<Unknown<'_>>) -> Result<DecodeOptions, Failure> {
    let object = args::opt_object("options", value)?;
    let get = |key| args::property(object.as_ref(), key);
    Ok(DecodeOptions {
        model_year: args::opt_integer(
            "options.modelYear",
            get("modelYear")?,
            i64::from(i32::MIN)..=i64::from(i32::MAX),
        )?
        .map(|y| y as i32),
        provenance: args::opt_bool("options.provenance", get("provenance")?)?,
    })
}

fn config(options: &OpenOptions) -> DecoderConfig {
    let mut config = DecoderConfig::default();
    if let Some(preload) = options.preload {
        config.preload = preload;
    }
    if let Some(ttl) = options.cache_ttl_seconds {
        config.result_ttl = Duration::from_secs(ttl as u64);
    }
    if let Some(max) = options.max_cache_entries {
        config.max_results = max as u64;
    }
    if let Some(cache) = options.cache_results {
        config.cache_results = cache;
    }
    config
}

/// Slots of the JS object cache for these options.
fn object_entries(options: &OpenOptions) -> usize {
    if options.cache_results == Some(false) {
        return 0;
    }
    options
        .object_cache_entries
        .map_or(objects::DEFAULT_ENTRIES, |n| n as usize)
}

fn year(name: &str, value: Unknown<'_>) -> Result<i32, Failure> {
    args::integer(name, value, i64::from(i32::MIN)..=i64::from(i32::MAX)).map(|y| y as i32)
}

fn id(name: &str, value: Unknown<'_>) -> Result<i64, Failure> {
    args::integer(name, value, -MAX_SAFE..=MAX_SAFE)
}

fn opt_id(name: &str, value: Option<Unknown<'_>>) -> Result<Option<i64>, Failure> {
    args::opt_integer(name, value, -MAX_SAFE..=MAX_SAFE)
}

/// Throws a `TypeError` at once (a caller's bug, as Node's own APIs do);
/// keeps any other failure for the promise to reject with.
fn throw_type_errors<T>(env: &Env, parsed: Result<T, Failure>) -> napi::Result<Result<T, Failure>> {
    match parsed {
        Err(failure @ Failure::Type(_)) => Err(failure.into_napi(env)),
        other => Ok(other),
    }
}

/// What to decode: the output rows only when the result carries them.
fn detail(provenance: bool) -> Detail {
    if provenance {
        Detail::Full
    } else {
        Detail::Summary
    }
}

/// Whether parsed decode options ask for provenance.
fn provenance_of<D, V>(parsed: &Result<(D, V, DecodeOptions), Failure>) -> bool {
    matches!(
        parsed,
        Ok((
            _,
            _,
            DecodeOptions {
                provenance: Some(true),
                ..
            }
        ))
    )
}

fn choices(list: std::sync::Arc<[vin_db::dropdowns::Choice]>) -> Vec<Choice> {
    list.iter().cloned().map(Choice::from).collect()
}

/// A VIN decoder over a vPIC catalog (Postgres or SQLite), with caches, a
/// circuit breaker and the dropdown queries.
///
/// ```js
/// const { Decoder } = require('vin-node')
/// const decoder = await Decoder.open({ preload: true })
/// const d = await decoder.decode('1HGCM82633A004352')
/// console.log(d.make, d.model, d.modelYear)
/// await decoder.close()
/// ```
///
/// Decode results are frozen objects: a repeated VIN may get the very object
/// an earlier call got (copy it to change it).
#[napi]
pub struct Decoder {
    /// Shared with the decoder's bound `decodeSync` ([`crate::bound`]).
    inner: Rc<RwLock<Option<RustDecoder>>>,
    /// JS objects of recent results (used on this decoder's JS thread only).
    objects: Rc<RefCell<ObjectCache>>,
}

/// The JS object of a result, from the object cache when it is free (a
/// re-entrant call from JS during a build just builds its own).
fn result_object(
    objects: &RefCell<ObjectCache>,
    b: &Builder,
    decoded: &Arc<vin_db::decode::Decoded>,
    provenance: bool,
) -> napi::Result<Raw> {
    match objects.try_borrow_mut() {
        Ok(mut cache) => cache.object(b, decoded, provenance),
        Err(_) => crate::decoded::build(b, decoded, provenance),
    }
}

/// One `decodeMany` answer: `{ decoded, error }`, one of them `null`.
fn outcome(
    objects: &RefCell<ObjectCache>,
    b: &Builder,
    result: vin_db::Result<Arc<vin_db::decode::Decoded>>,
    provenance: bool,
) -> napi::Result<Raw> {
    let o = b.object()?;
    match result {
        Ok(decoded) => {
            b.set(
                o,
                c"decoded",
                result_object(objects, b, &decoded, provenance)?,
            )?;
            b.set(o, c"error", b.null()?)?;
        }
        Err(error) => {
            let failure = Failure::from(error);
            let e = b.object()?;
            b.set(e, c"code", b.string(failure.code())?)?;
            b.set(e, c"message", b.string(failure.message())?)?;
            b.set(o, c"decoded", b.null()?)?;
            b.set(o, c"error", e)?;
        }
    }
    Ok(o)
}

/// The live Rust decoder, or `ERR_DECODER_CLOSED` after `close()`.
fn live(inner: &RwLock<Option<RustDecoder>>) -> Result<RustDecoder, Failure> {
    let guard = inner
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    guard.clone().ok_or_else(|| Failure::Coded {
        code: ERR_DECODER_CLOSED,
        message: "the decoder is closed".to_owned(),
    })
}

/// `decodeSync`: the method's body, also run by the decoder's bound function
/// ([`crate::bound`]).
pub(crate) fn decode_sync_call(
    env: &Env,
    inner: &RwLock<Option<RustDecoder>>,
    objects: &RefCell<ObjectCache>,
    vin: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Raw> {
    let (decoded, provenance) = guard(|| {
        let decoder = live(inner)?;
        let mut buffer = [0; args::SHORT];
        let vin = args::short_string("vin", vin, &mut buffer)?;
        let options = read_decode_options(options)?;
        let provenance = options.provenance.unwrap_or(false);
        let decoded = decoder.decode_sync_with(&vin, options.model_year, detail(provenance))?;
        Ok((decoded, provenance))
    })
    .map_err(|f| f.into_napi(env))?;
    result_object(objects, &Builder::new(env), &decoded, provenance)
}

impl Decoder {
    /// The live Rust decoder, or `ERR_DECODER_CLOSED` after `close()`.
    fn live(&self) -> Result<RustDecoder, Failure> {
        live(&self.inner)
    }

    /// Runs a dropdown query on the runtime.
    fn query<'env, A, T, F, Fut>(
        &self,
        env: &'env Env,
        parsed: Result<A, Failure>,
        query: F,
    ) -> napi::Result<PromiseRaw<'env, T>>
    where
        A: Send + 'static,
        T: Send + 'static + napi::bindgen_prelude::ToNapiValue,
        F: FnOnce(RustDecoder, A) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = vin_db::Result<T>> + Send + 'static,
    {
        let parsed = throw_type_errors(env, parsed.and_then(|a| Ok((self.live()?, a))))?;
        spawn(
            env,
            async move {
                let (decoder, parsed) = parsed?;
                query(decoder, parsed).await.map_err(Failure::from)
            },
            |_, v| Ok(v),
        )
    }
}

#[napi]
impl Decoder {
    /// Opens a decoder. `url` defaults to the embedded SQLite database (built
    /// from the bundled sample on first use).
    #[napi(
        ts_args_type = "options?: OpenOptions",
        ts_return_type = "Promise<Decoder>"
    )]
    pub fn open<'env>(
        env: &'env Env,
        options: Option<Unknown<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Built>> {
        let options = throw_type_errors(env, guard(|| read_open_options(options)))?;
        let entries = options.as_ref().map_or(0, object_entries);
        spawn(
            env,
            async move {
                let options = options?;
                let url = options.url.clone().unwrap_or_default();
                RustDecoder::open(&url, config(&options))
                    .await
                    .map_err(Failure::from)
            },
            move |env, decoder| {
                let inner = Rc::new(RwLock::new(Some(decoder)));
                let objects = Rc::new(RefCell::new(ObjectCache::new(entries)));
                let bound = crate::bound::Bound {
                    inner: Rc::clone(&inner),
                    objects: Rc::clone(&objects),
                };
                let instance = Decoder { inner, objects }.into_instance(env)?;
                let instance = instance.value().value;
                crate::bound::install(env.raw(), instance, bound)?;
                Ok(Built(instance))
            },
        )
    }

    /// Decodes one VIN. Throws a `TypeError` at once for arguments of the
    /// wrong type; rejects with `ERR_INVALID_ARGUMENT` for text that cannot be
    /// a VIN (more than 17 characters) or a model year outside 1900–2100,
    /// `ERR_DATA_UNAVAILABLE` when the catalog is unreachable and
    /// `ERR_DECODER_CLOSED` after `close()`.
    #[napi(
        ts_args_type = "vin: string, options?: DecodeOptions",
        ts_return_type = "Promise<Decoded>"
    )]
    pub fn decode<'env>(
        &self,
        env: &'env Env,
        vin: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Built>> {
        let parsed = throw_type_errors(
            env,
            guard(|| {
                let vin = args::string("vin", vin)?;
                let options = read_decode_options(options)?;
                Ok((self.live()?, vin, options))
            }),
        )?;
        let provenance = provenance_of(&parsed);
        let objects = Rc::clone(&self.objects);
        spawn(
            env,
            async move {
                let (decoder, vin, options) = parsed?;
                decoder
                    .decode_with(&vin, options.model_year, detail(provenance))
                    .await
                    .map_err(Failure::from)
            },
            move |env, decoded| {
                result_object(&objects, &Builder::new(env), &decoded, provenance).map(Built)
            },
        )
    }

    /// Decodes one VIN on the calling thread: answers from the resident
    /// catalogs and the result cache (blocking on the first load of a WMI).
    /// Throws the same coded errors as `decode`.
    #[napi(
        ts_args_type = "vin: string, options?: DecodeOptions",
        ts_return_type = "Decoded"
    )]
    pub fn decode_sync(
        &self,
        env: &Env,
        vin: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Built> {
        decode_sync_call(env, &self.inner, &self.objects, vin, options).map(Built)
    }

    /// Decodes many VINs; answers in input order, each either `decoded` or
    /// the `error` that VIN alone met.
    #[napi(
        ts_args_type = "vins: Array<string>, options?: DecodeOptions",
        ts_return_type = "Promise<Array<DecodeOutcome>>"
    )]
    pub fn decode_many<'env>(
        &self,
        env: &'env Env,
        vins: Unknown<'env>,
        options: Option<Unknown<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Built>> {
        let parsed = throw_type_errors(
            env,
            guard(|| {
                let vins = args::string_array("vins", vins)?;
                let options = read_decode_options(options)?;
                Ok((self.live()?, vins, options))
            }),
        )?;
        let provenance = provenance_of(&parsed);
        let objects = Rc::clone(&self.objects);
        spawn(
            env,
            async move {
                let (decoder, vins, options) = parsed?;
                Ok(decoder.decode_batch(&vins, options.model_year).await)
            },
            move |env, results| {
                let b = Builder::new(env);
                let array = b.array(results.len())?;
                for (i, result) in results.into_iter().enumerate() {
                    b.set_index(array, i, outcome(&objects, &b, result, provenance)?)?;
                }
                Ok(Built(array))
            },
        )
    }

    /// Model years offered, newest first.
    #[napi(ts_return_type = "Promise<Array<number>>")]
    pub fn years<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Vec<i32>>> {
        self.query(env, Ok(()), |d, ()| async move {
            d.dropdowns().years().await.map(|y| y.to_vec())
        })
    }

    /// Makes offered for a model year, sorted by name.
    #[napi(
        ts_args_type = "year: number",
        ts_return_type = "Promise<Array<Choice>>"
    )]
    pub fn makes<'env>(
        &self,
        env: &'env Env,
        year: Unknown<'env>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Choice>>> {
        self.query(env, self::year("year", year), |d, year| async move {
            d.dropdowns().makes(year).await.map(choices)
        })
    }

    /// Models of a make in a model year, sorted by name.
    #[napi(
        ts_args_type = "year: number, makeId: number",
        ts_return_type = "Promise<Array<Choice>>"
    )]
    pub fn models<'env>(
        &self,
        env: &'env Env,
        year: Unknown<'env>,
        make_id: Unknown<'env>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Choice>>> {
        let parsed = (|| Ok((self::year("year", year)?, id("makeId", make_id)?)))();
        self.query(env, parsed, |d, (year, make)| async move {
            d.dropdowns().models(year, make).await.map(choices)
        })
    }

    /// Trims of a model, sorted by name.
    #[napi(
        ts_args_type = "year: number, makeId: number, modelId: number",
        ts_return_type = "Promise<Array<Choice>>"
    )]
    pub fn trims<'env>(
        &self,
        env: &'env Env,
        year: Unknown<'env>,
        make_id: Unknown<'env>,
        model_id: Unknown<'env>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Choice>>> {
        let parsed = (|| {
            Ok((
                self::year("year", year)?,
                id("makeId", make_id)?,
                id("modelId", model_id)?,
            ))
        })();
        self.query(env, parsed, |d, (year, make, model)| async move {
            d.dropdowns().trims(year, make, model).await.map(choices)
        })
    }

    /// Engines of a model (of one trim when `trimId` is given), sorted by name.
    #[napi(
        ts_args_type = "year: number, makeId: number, modelId: number, trimId?: number | null",
        ts_return_type = "Promise<Array<Choice>>"
    )]
    pub fn engines<'env>(
        &self,
        env: &'env Env,
        year: Unknown<'env>,
        make_id: Unknown<'env>,
        model_id: Unknown<'env>,
        trim_id: Option<Unknown<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Choice>>> {
        let parsed = (|| {
            Ok((
                self::year("year", year)?,
                id("makeId", make_id)?,
                id("modelId", model_id)?,
                opt_id("trimId", trim_id)?,
            ))
        })();
        self.query(env, parsed, |d, (year, make, model, trim)| async move {
            d.dropdowns()
                .engines(year, make, model, trim)
                .await
                .map(choices)
        })
    }

    /// Transmissions of a model (of one trim when `trimId` is given), sorted
    /// by name; empty when the data has none.
    #[napi(
        ts_args_type = "year: number, makeId: number, modelId: number, trimId?: number | null",
        ts_return_type = "Promise<Array<Choice>>"
    )]
    pub fn transmissions<'env>(
        &self,
        env: &'env Env,
        year: Unknown<'env>,
        make_id: Unknown<'env>,
        model_id: Unknown<'env>,
        trim_id: Option<Unknown<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Vec<Choice>>> {
        let parsed = (|| {
            Ok((
                self::year("year", year)?,
                id("makeId", make_id)?,
                id("modelId", model_id)?,
                opt_id("trimId", trim_id)?,
            ))
        })();
        self.query(env, parsed, |d, (year, make, model, trim)| async move {
            d.dropdowns()
                .transmissions(year, make, model, trim)
                .await
                .map(choices)
        })
    }

    /// Database reachability, breaker state, dataset, resident catalogs and
    /// cache statistics.
    #[napi(ts_return_type = "Promise<Health>")]
    pub fn health<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Health>> {
        let decoder = self.live();
        spawn(
            env,
            async move { Ok(decoder?.health().await) },
            |_, health| Ok(Health::from(&health)),
        )
    }

    /// Decodes `vins` in a loop inside the native module, `rounds` times,
    /// without crossing into JS per VIN: the Rust-only baseline that
    /// benchmarks compare `decodeSync` with (the same decodes: no
    /// provenance). Every VIN must decode.
    #[napi(ts_args_type = "vins: Array<string>, rounds: number")]
    pub fn measure_native(
        &self,
        env: &Env,
        vins: Unknown<'_>,
        rounds: Unknown<'_>,
    ) -> napi::Result<NativeTiming> {
        guard(|| {
            let vins = args::string_array("vins", vins)?;
            let rounds = args::integer("rounds", rounds, 1..=1_000_000)?;
            let decoder = self.live()?;
            let started = Instant::now();
            let mut checksum = 0usize;
            for _ in 0..rounds {
                for vin in &vins {
                    checksum += decoder
                        .decode_sync_with(vin, None, detail(false))?
                        .attributes
                        .len();
                }
            }
            Ok(NativeTiming {
                decodes: (vins.len() as f64) * rounds as f64,
                seconds: started.elapsed().as_secs_f64(),
                attributes: checksum as f64,
            })
        })
        .map_err(|f| f.into_napi(env))
    }

    /// Counters since the decoder was opened.
    #[napi]
    pub fn stats(&self, env: &Env) -> napi::Result<Stats> {
        let decoder = self.live().map_err(|f| f.into_napi(env))?;
        Ok(Stats::from(&decoder.stats()))
    }

    /// Stops background work and releases the database; later calls reject
    /// with `ERR_DECODER_CLOSED`. Closing twice is harmless.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let decoder = self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Ok(mut objects) = self.objects.try_borrow_mut() {
            objects.clear();
        }
        spawn(
            env,
            async move {
                if let Some(decoder) = decoder {
                    decoder.close().await;
                }
                Ok(())
            },
            |_, ()| Ok(()),
        )
    }
}
