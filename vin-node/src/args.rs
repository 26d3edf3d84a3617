//! Reading JS arguments with the checks Node's own APIs make: a value of the
//! wrong type is a `TypeError` (`ERR_INVALID_ARG_TYPE`), never a crash.

use std::borrow::Cow;

use napi::{
    JsValue, Unknown, ValueType,
    bindgen_prelude::{JsObjectValue, Object},
    sys,
};

use crate::error::Failure;

/// The JS type name of `value`, for messages.
pub fn type_name(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "type boolean",
        Ok(ValueType::Number) => "type number",
        Ok(ValueType::String) => "type string",
        Ok(ValueType::Symbol) => "type symbol",
        Ok(ValueType::Object) => "an instance of Object",
        Ok(ValueType::Function) => "type function",
        Ok(ValueType::BigInt) => "type bigint",
        _ => "an unknown value",
    }
}

/// Whether `value` is `undefined` or `null`.
pub fn is_nullish(value: &Unknown<'_>) -> bool {
    matches!(
        value.get_type(),
        Ok(ValueType::Undefined) | Ok(ValueType::Null)
    )
}

/// A required string argument.
pub fn string(name: &str, value: Unknown<'_>) -> Result<String, Failure> {
    if value.get_type()? != ValueType::String {
        return Err(Failure::arg_type(name, "of type string", type_name(&value)));
    }
    // SAFETY: the value was just checked to be a JS string.
    Ok(unsafe { value.cast::<String>() }?)
}

/// Bytes of the buffer [`short_string`] reads into.
pub const SHORT: usize = 64;

/// A required string argument, read into `buffer` when it is short (a VIN
/// is: no allocation), else into a new `String`.
pub fn short_string<'b>(
    name: &str,
    value: Unknown<'_>,
    buffer: &'b mut [u8; SHORT],
) -> Result<Cow<'b, str>, Failure> {
    if value.get_type()? != ValueType::String {
        return Err(Failure::arg_type(name, "of type string", type_name(&value)));
    }
    let raw = value.value();
    let mut len = 0;
    // SAFETY: `raw` is a JS string of its env (checked above); the buffer
    // outlives the call and its size is passed.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            raw.env,
            raw.value,
            buffer.as_mut_ptr().cast(),
            SHORT,
            &mut len,
        )
    };
    // A cut string fills the buffer but for its NUL and at most one
    // character's bytes (up to 4): a shorter one is whole.
    if status == sys::Status::napi_ok
        && len < SHORT - 4
        && let Some(bytes) = buffer.get(..len)
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Ok(Cow::Borrowed(text));
    }
    // SAFETY: the value was checked to be a JS string.
    Ok(Cow::Owned(unsafe { value.cast::<String>() }?))
}

/// A required number argument that must be an integer within `range`.
pub fn integer(
    name: &str,
    value: Unknown<'_>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, Failure> {
    if value.get_type()? != ValueType::Number {
        return Err(Failure::arg_type(name, "of type number", type_name(&value)));
    }
    // SAFETY: the value was just checked to be a JS number.
    let number = unsafe { value.cast::<f64>() }?;
    if number.fract() != 0.0 || !number.is_finite() {
        return Err(Failure::invalid(format!(
            "\"{name}\" must be an integer; received {number}"
        )));
    }
    if number < *range.start() as f64 || number > *range.end() as f64 {
        return Err(Failure::invalid(format!(
            "\"{name}\" must be within {}..={}; received {number}",
            range.start(),
            range.end()
        )));
    }
    Ok(number as i64)
}

/// An optional integer: `undefined` and `null` mean absent.
pub fn opt_integer(
    name: &str,
    value: Option<Unknown<'_>>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Failure> {
    match value {
        Some(value) if !is_nullish(&value) => integer(name, value, range).map(Some),
        _ => Ok(None),
    }
}

/// An optional boolean: `undefined` and `null` mean absent.
pub fn opt_bool(name: &str, value: Option<Unknown<'_>>) -> Result<Option<bool>, Failure> {
    match value {
        Some(value) if !is_nullish(&value) => {
            if value.get_type()? != ValueType::Boolean {
                return Err(Failure::arg_type(
                    name,
                    "of type boolean",
                    type_name(&value),
                ));
            }
            // SAFETY: the value was just checked to be a JS boolean.
            Ok(Some(unsafe { value.cast::<bool>() }?))
        }
        _ => Ok(None),
    }
}

/// An optional string: `undefined` and `null` mean absent.
pub fn opt_string(name: &str, value: Option<Unknown<'_>>) -> Result<Option<String>, Failure> {
    match value {
        Some(value) if !is_nullish(&value) => string(name, value).map(Some),
        _ => Ok(None),
    }
}

/// An optional options object: `undefined` and `null` mean "no options".
pub fn opt_object<'env>(
    name: &str,
    value: Option<Unknown<'env>>,
) -> Result<Option<Object<'env>>, Failure> {
    match value {
        Some(value) if !is_nullish(&value) => {
            if value.get_type()? != ValueType::Object {
                return Err(Failure::arg_type(name, "of type object", type_name(&value)));
            }
            // SAFETY: the value was just checked to be a JS object.
            Ok(Some(unsafe { value.cast::<Object>() }?))
        }
        _ => Ok(None),
    }
}

/// A property of an options object (absent when the object is).
pub fn property<'env>(
    object: Option<&Object<'env>>,
    key: &str,
) -> Result<Option<Unknown<'env>>, Failure> {
    match object {
        Some(object) => Ok(Some(object.get_named_property::<Unknown>(key)?)),
        None => Ok(None),
    }
}

/// A required array of strings.
pub fn string_array(name: &str, value: Unknown<'_>) -> Result<Vec<String>, Failure> {
    if value.get_type()? != ValueType::Object || !value.is_array()? {
        return Err(Failure::arg_type(
            name,
            "an array of strings",
            type_name(&value),
        ));
    }
    // SAFETY: the value was just checked to be a JS array.
    let array = unsafe { value.cast::<napi::bindgen_prelude::Array>() }?;
    let mut out = Vec::with_capacity(array.len() as usize);
    for index in 0..array.len() {
        let item = array.get::<Unknown>(index)?.unwrap_or(value);
        out.push(string(&format!("{name}[{index}]"), item)?);
    }
    Ok(out)
}
