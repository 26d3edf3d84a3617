//! A thin layer over the raw Node-API calls that build plain JS values.
//!
//! The derived `#[napi(object)]` conversion allocates a C string for every
//! property name and converts owned Rust values, which made a decode's result
//! cost tens of microseconds to hand over. Here constant property names are
//! `&'static CStr` (no allocation), values are created straight from borrowed
//! Rust data, and every call is one Node-API call.

use std::ffi::CStr;
use std::ptr;

use napi::{Env, Status, sys};

/// A JS value under construction (valid within the current handle scope).
pub type Raw = sys::napi_value;

/// A Node-API status as a `Result`, naming the step that failed.
pub(crate) fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            Status::from(status),
            format!("building a result failed at {what}"),
        ))
    }
}

/// Builds JS values in one environment, on its JS thread.
#[derive(Clone, Copy)]
pub struct Builder {
    env: sys::napi_env,
}

impl Builder {
    /// A builder for `env` (the JS thread's environment).
    pub fn new(env: &Env) -> Builder {
        Builder { env: env.raw() }
    }

    /// The raw environment.
    pub fn env(&self) -> sys::napi_env {
        self.env
    }

    /// A new empty object.
    pub fn object(&self) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        // SAFETY: valid env (JS thread), out-pointer to a local.
        check(
            unsafe { sys::napi_create_object(self.env, &mut out) },
            "object",
        )?;
        Ok(out)
    }

    /// A new array of `len` holes.
    pub fn array(&self, len: usize) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        // SAFETY: as in `object`.
        check(
            unsafe { sys::napi_create_array_with_length(self.env, len, &mut out) },
            "array",
        )?;
        Ok(out)
    }

    /// A JS string with the text of `s`.
    pub fn string(&self, s: &str) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        let len = isize::try_from(s.len()).map_err(|_| {
            napi::Error::new(Status::InvalidArg, "string too long for JS".to_owned())
        })?;
        // ASCII is also Latin-1, which V8 takes as it is (UTF-8 is decoded).
        // SAFETY: the pointer and length describe valid UTF-8 (ASCII in the
        // first case) that outlives the call.
        let status = unsafe {
            if s.is_ascii() {
                sys::napi_create_string_latin1(self.env, s.as_ptr().cast(), len, &mut out)
            } else {
                sys::napi_create_string_utf8(self.env, s.as_ptr().cast(), len, &mut out)
            }
        };
        check(status, "string")?;
        Ok(out)
    }

    /// `null`.
    pub fn null(&self) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        // SAFETY: as in `object`.
        check(unsafe { sys::napi_get_null(self.env, &mut out) }, "null")?;
        Ok(out)
    }

    /// A string, or `null` for `None`.
    pub fn opt_string(&self, s: Option<&str>) -> napi::Result<Raw> {
        match s {
            Some(s) => self.string(s),
            None => self.null(),
        }
    }

    /// A number.
    pub fn number(&self, n: f64) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        // SAFETY: as in `object`.
        check(
            unsafe { sys::napi_create_double(self.env, n, &mut out) },
            "number",
        )?;
        Ok(out)
    }

    /// An integer (exact in a JS number).
    pub fn int(&self, n: i32) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        // SAFETY: as in `object`.
        check(
            unsafe { sys::napi_create_int32(self.env, n, &mut out) },
            "int",
        )?;
        Ok(out)
    }

    /// A number, or `null` for `None`.
    pub fn opt_number(&self, n: Option<f64>) -> napi::Result<Raw> {
        match n {
            Some(n) => self.number(n),
            None => self.null(),
        }
    }

    /// A boolean.
    pub fn boolean(&self, b: bool) -> napi::Result<Raw> {
        let mut out = ptr::null_mut();
        // SAFETY: as in `object`.
        check(
            unsafe { sys::napi_get_boolean(self.env, b, &mut out) },
            "boolean",
        )?;
        Ok(out)
    }

    /// A boolean, or `null` for `None`.
    pub fn opt_boolean(&self, b: Option<bool>) -> napi::Result<Raw> {
        match b {
            Some(b) => self.boolean(b),
            None => self.null(),
        }
    }

    /// An array of integers.
    pub fn ints<T: Copy + Into<i32>>(&self, items: &[T]) -> napi::Result<Raw> {
        let array = self.array(items.len())?;
        for (i, &n) in items.iter().enumerate() {
            self.set_index(array, i, self.int(n.into())?)?;
        }
        Ok(array)
    }

    /// `object[key] = value` for a constant key.
    pub fn set(&self, object: Raw, key: &CStr, value: Raw) -> napi::Result<()> {
        // SAFETY: `key` is NUL-terminated; both values belong to this env.
        check(
            unsafe { sys::napi_set_named_property(self.env, object, key.as_ptr(), value) },
            "a property",
        )
    }

    /// `object[key] = value` for a key known only at run time.
    pub fn set_dyn(&self, object: Raw, key: &str, value: Raw) -> napi::Result<()> {
        let key = self.string(key)?;
        // SAFETY: all three values belong to this env.
        check(
            unsafe { sys::napi_set_property(self.env, object, key, value) },
            "an attribute",
        )
    }

    /// `array[index] = value`.
    pub fn set_index(&self, array: Raw, index: usize, value: Raw) -> napi::Result<()> {
        let index = u32::try_from(index).map_err(|_| {
            napi::Error::new(Status::InvalidArg, "array too long for JS".to_owned())
        })?;
        // SAFETY: both values belong to this env.
        check(
            unsafe { sys::napi_set_element(self.env, array, index, value) },
            "an element",
        )
    }

    /// `Object.freeze(value)`.
    pub fn freeze(&self, value: Raw) -> napi::Result<()> {
        // SAFETY: the value belongs to this env.
        check(
            unsafe { sys::napi_object_freeze(self.env, value) },
            "freeze",
        )
    }
}

/// A built value handed back to napi-rs (as a return value or a promise's
/// resolution), on the JS thread that built it.
pub struct Built(pub Raw);

impl napi::bindgen_prelude::ToNapiValue for Built {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(val.0)
    }
}
