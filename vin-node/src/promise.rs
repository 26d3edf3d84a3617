//! Futures on napi-rs's Tokio runtime, settled as JS promises whose
//! rejections carry this module's coded errors (see [`crate::error`]).

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use napi::Env;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};

use crate::error::{ERR_INTERNAL, Failure, panic_message};

/// Runs `future` on the runtime; `convert` turns its output into the JS value
/// on the JS thread (it may fail, rejecting the promise). A failure (or a panic inside the future) rejects the
/// promise with the coded error.
pub fn spawn<'env, T, V, F, C>(
    env: &'env Env,
    future: F,
    convert: C,
) -> napi::Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = Result<T, Failure>> + Send + 'static,
    C: FnOnce(&Env, T) -> napi::Result<V> + 'static,
{
    let guarded = async move {
        let outcome = AssertUnwindSafe(future).catch_unwind().await;
        Ok(outcome.unwrap_or_else(|payload| {
            Err(Failure::Coded {
                code: ERR_INTERNAL,
                message: format!("internal error: {}", panic_message(payload.as_ref())),
            })
        }))
    };
    env.spawn_future_with_callback(guarded, move |env, outcome| match outcome {
        Ok(value) => convert(env, value),
        Err(failure) => Err(failure.into_napi(env)),
    })
}
