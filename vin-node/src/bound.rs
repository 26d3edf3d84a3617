//! Each decoder's own `decodeSync`: a plain Node-API function bound to the
//! decoder's state, set on the instance when the decoder opens.
//!
//! napi-rs's wrapper around a method checks the receiver's type tag and
//! records a borrow of it on every call: some 4,500 instructions, about a
//! sixth of what building a result costs. This function finds the decoder
//! through its own data instead, reads its two arguments and runs the
//! method's body ([`crate::decoder::decode_sync_call`]), so both behave the
//! same; the method stays on the prototype (and in the generated types).

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::rc::Rc;
use std::sync::RwLock;

use napi::bindgen_prelude::FromNapiValue;
use napi::{Env, JsError, Unknown, sys};
use vin_db::decoder::Decoder as RustDecoder;

use crate::decoder::decode_sync_call;
use crate::error::{ERR_INTERNAL, Failure, panic_message};
use crate::js::check;
use crate::objects::ObjectCache;

/// The state the function shares with its decoder (closing one closes both).
pub struct Bound {
    pub inner: Rc<RwLock<Option<RustDecoder>>>,
    pub objects: Rc<RefCell<ObjectCache>>,
}

/// Sets `decodeSync` on `instance` (not enumerable, like a method), bound to
/// `bound`; the state is freed when the function is collected.
pub fn install(env: sys::napi_env, instance: sys::napi_value, bound: Bound) -> napi::Result<()> {
    let name = c"decodeSync";
    let data = Box::into_raw(Box::new(bound));
    let mut function = ptr::null_mut();
    // SAFETY: valid env on its JS thread; `name` is NUL-terminated; `data`
    // stays alive until the finalizer below frees it.
    let created = check(
        unsafe {
            sys::napi_create_function(
                env,
                name.as_ptr(),
                name.count_bytes() as isize,
                Some(call),
                data.cast(),
                &mut function,
            )
        },
        "decodeSync",
    )
    .and_then(|()| {
        // SAFETY: `function` was just created; the finalizer gets `data` once.
        check(
            unsafe {
                sys::napi_add_finalizer(
                    env,
                    function,
                    data.cast(),
                    Some(finalize),
                    ptr::null_mut(),
                    ptr::null_mut(),
                )
            },
            "decodeSync",
        )
    });
    if let Err(e) = created {
        // SAFETY: no finalizer owns `data`: it is freed here, once.
        drop(unsafe { Box::from_raw(data) });
        return Err(e);
    }
    let property = sys::napi_property_descriptor {
        utf8name: name.as_ptr(),
        name: ptr::null_mut(),
        method: None,
        getter: None,
        setter: None,
        value: function,
        attributes: sys::PropertyAttributes::default,
        data: ptr::null_mut(),
    };
    // SAFETY: `instance` is an object of this env; one descriptor passed.
    check(
        unsafe { sys::napi_define_properties(env, instance, 1, &property) },
        "decodeSync",
    )
}

unsafe extern "C" fn finalize(
    _env: sys::napi_env,
    data: *mut std::ffi::c_void,
    _hint: *mut std::ffi::c_void,
) {
    // SAFETY: `data` is the box `install` leaked; Node calls this once.
    drop(unsafe { Box::from_raw(data.cast::<Bound>()) });
}

unsafe extern "C" fn call(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: called by Node with a valid env and callback info.
        unsafe { body(env, info) }
    }));
    let error = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(e)) => e,
        Err(payload) => Failure::Coded {
            code: ERR_INTERNAL,
            message: format!("internal error: {}", panic_message(payload.as_ref())),
        }
        .into_napi(&Env::from_raw(env)),
    };
    // SAFETY: valid env on its JS thread; the error is thrown once.
    unsafe { JsError::from(error).throw_into(env) };
    ptr::null_mut()
}

/// Reads the arguments and decodes (see [`crate::decoder::decode_sync_call`]).
unsafe fn body(env: sys::napi_env, info: sys::napi_callback_info) -> napi::Result<sys::napi_value> {
    let mut argc = 2;
    let mut argv = [ptr::null_mut(); 2];
    let mut data = ptr::null_mut();
    // SAFETY: valid env and info; `argv` holds `argc` values (missing ones
    // are set to `undefined`).
    check(
        unsafe {
            sys::napi_get_cb_info(
                env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                ptr::null_mut(),
                &mut data,
            )
        },
        "decodeSync",
    )?;
    // SAFETY: `data` is the `Bound` of `install`, alive while the function is.
    let bound = unsafe { &*data.cast::<Bound>() };
    // SAFETY: the values are this call's arguments, of this env.
    let (vin, options) = unsafe {
        (
            Unknown::from_napi_value(env, argv[0])?,
            Unknown::from_napi_value(env, argv[1])?,
        )
    };
    let env = Env::from_raw(env);
    decode_sync_call(&env, &bound.inner, &bound.objects, vin, Some(options))
}
