//! Failures as JavaScript sees them: an `Error` (or `TypeError`) whose `code`
//! is stable, with a message that names the problem.
//!
//! napi-rs would turn a Rust error into a plain `Error` whose `code` is a napi
//! status; instead every failure is built here as the JS object the caller
//! should get and handed to napi-rs as a retained value, which it throws (sync
//! paths) or rejects with (promises) verbatim.

use napi::{Env, JsError, JsTypeError};

/// Code of a JS value of the wrong type (as Node's own APIs use it).
pub const ERR_INVALID_ARG_TYPE: &str = "ERR_INVALID_ARG_TYPE";
/// Code of an argument of the right type but an unusable value.
pub const ERR_INVALID_ARGUMENT: &str = "ERR_INVALID_ARGUMENT";
/// Code of a call on a decoder after `close()`.
pub const ERR_DECODER_CLOSED: &str = "ERR_DECODER_CLOSED";
/// Code of a failure inside the native module itself (a caught panic).
pub const ERR_INTERNAL: &str = "ERR_INTERNAL";

/// A failure on its way to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A value of the wrong JS type: becomes a `TypeError`.
    Type(String),
    /// Any other failure: an `Error` with this code and message.
    Coded {
        /// The stable code (`ERR_…`).
        code: &'static str,
        /// What went wrong, for people.
        message: String,
    },
}

impl Failure {
    /// A `TypeError` for the argument `name` that should have been `expected`.
    pub fn arg_type(name: &str, expected: &str, received: &str) -> Failure {
        Failure::Type(format!(
            "The \"{name}\" argument must be {expected}; received {received}"
        ))
    }

    /// An `ERR_INVALID_ARGUMENT` error.
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::Coded {
            code: ERR_INVALID_ARGUMENT,
            message: message.into(),
        }
    }

    /// The failure's code.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Type(_) => ERR_INVALID_ARG_TYPE,
            Failure::Coded { code, .. } => code,
        }
    }

    /// The failure's message.
    pub fn message(&self) -> &str {
        match self {
            Failure::Type(message) | Failure::Coded { message, .. } => message,
        }
    }

    /// Builds the JS error object and wraps it so that napi-rs throws or
    /// rejects with exactly that object.
    pub fn into_napi(self, env: &Env) -> napi::Error {
        let code = self.code().to_owned();
        let error = match self {
            Failure::Type(message) => {
                JsTypeError::from(napi::Error::new(code, message)).into_unknown(*env)
            }
            Failure::Coded { message, .. } => {
                JsError::from(napi::Error::new(code, message)).into_unknown(*env)
            }
        };
        napi::Error::from(error)
    }
}

impl From<vin_db::Error> for Failure {
    fn from(error: vin_db::Error) -> Failure {
        Failure::Coded {
            code: error.code(),
            message: error.to_string(),
        }
    }
}

impl From<napi::Error> for Failure {
    fn from(error: napi::Error) -> Failure {
        Failure::Coded {
            code: ERR_INTERNAL,
            message: error.reason.clone(),
        }
    }
}

/// The message of a caught panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Runs `f`, turning a panic into an `ERR_INTERNAL` failure so that it never
/// unwinds into Node.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => Err(Failure::Coded {
            code: ERR_INTERNAL,
            message: format!("internal error: {}", panic_message(payload.as_ref())),
        }),
    }
}
