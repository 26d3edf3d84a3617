//! Builds result objects in JavaScript: the native side passes the values as
//! the arguments of one call, and a small JS function makes the object with
//! an object literal.
//!
//! Setting properties one by one through Node-API goes through V8's runtime
//! for every property (about 0.4 µs each on the reference machine, some 30 µs
//! for one result); an object literal in JIT-compiled code costs next to
//! nothing. Attribute names, a small fixed vocabulary, are sent once per
//! environment and then referred to by index, so the JS side stores them with
//! names it already holds.

use std::collections::HashMap;
use std::ptr;

use napi::{Status, sys};
use vin_db::decode::{Attribute, Decoded as RustDecoded};

use crate::decoded;
use crate::js::{Builder, Raw, check};

/// The factory's source: `[register, build]`. `build`'s parameters are the
/// arguments [`Factory::build`] passes, in that order; the object literal
/// lists the properties in the order of [`crate::decoded::Decoded`].
const SOURCE: &str = r#"(function () {
  'use strict'
  const names = []
  const freeze = Object.freeze
  function register (index, name) { names[index] = name }
  function build (vin, modelYear, errorText, additionalErrorText, suggestedVin,
    possibleValues, vehicleDescriptor, make, model, trim, series, bodyClass,
    vehicleType, manufacturer, plantCity, plantState, plantCountry,
    engineCylinders, displacementL, displacementCc, displacementCi, engineModel,
    engineManufacturer, fuelTypePrimary, fuelTypeSecondary, driveType,
    transmissionStyle, transmissionSpeeds, doors, gvwr, values, checkDigitOk,
    modelYearConclusive, passId, modelResolved, wmiKnown, confidence, stale,
    datasetVersion, codes, explained, unexplained, ...rest) {
    const at = codes + explained + unexplained
    const attributes = {}
    for (let i = at; i < rest.length; i += 2) attributes[names[rest[i]]] = rest[i + 1]
    return freeze({
      vin, modelYear, errorCodes: freeze(rest.slice(0, codes)), errorText,
      additionalErrorText, suggestedVin, possibleValues, vehicleDescriptor, make,
      model, trim, series, bodyClass, vehicleType, manufacturer, plantCity,
      plantState, plantCountry, engineCylinders, displacementL, displacementCc,
      displacementCi, engineModel, engineManufacturer, fuelTypePrimary,
      fuelTypeSecondary, driveType, transmissionStyle, transmissionSpeeds, doors,
      gvwr, attributes: freeze(attributes), values,
      facts: freeze({
        checkDigitOk, modelYearConclusive, passId,
        positionsExplained: freeze(rest.slice(codes, codes + explained)),
        positionsUnexplained: freeze(rest.slice(codes + explained, at)),
        modelResolved, wmiKnown,
      }),
      confidence, stale, datasetVersion,
    })
  }
  return [register, build]
})()"#;

/// Fixed arguments of `build` before the variable part.
const FIXED_ARGS: usize = 42;

/// The compiled factory of one JS environment.
pub struct Factory {
    env: sys::napi_env,
    register: sys::napi_ref,
    build: sys::napi_ref,
    /// Attribute names the JS side holds, with their index there.
    names: HashMap<Box<str>, u32>,
}

impl Factory {
    /// Compiles the factory in `b`'s environment.
    pub fn new(b: &Builder) -> napi::Result<Factory> {
        let env = b.env();
        let source = b.string(SOURCE)?;
        let mut pair = ptr::null_mut();
        // SAFETY: valid env on its JS thread; the script is our constant.
        check(
            unsafe { sys::napi_run_script(env, source, &mut pair) },
            "compile",
        )?;
        let mut refs = [ptr::null_mut(); 2];
        for (i, slot) in refs.iter_mut().enumerate() {
            let mut f = ptr::null_mut();
            // SAFETY: `pair` is the array the script returned.
            check(
                unsafe { sys::napi_get_element(env, pair, i as u32, &mut f) },
                "compile",
            )?;
            // SAFETY: `f` is a function of this env.
            check(
                unsafe { sys::napi_create_reference(env, f, 1, slot) },
                "compile",
            )?;
        }
        Ok(Factory {
            env,
            register: refs[0],
            build: refs[1],
            names: HashMap::new(),
        })
    }

    fn function(&self, reference: sys::napi_ref) -> napi::Result<Raw> {
        let mut f = ptr::null_mut();
        // SAFETY: the reference belongs to `self.env` and holds its function.
        check(
            unsafe { sys::napi_get_reference_value(self.env, reference, &mut f) },
            "lookup",
        )?;
        Ok(f)
    }

    fn call(&self, reference: sys::napi_ref, args: &[Raw]) -> napi::Result<Raw> {
        let f = self.function(reference)?;
        let mut this = ptr::null_mut();
        let mut out = ptr::null_mut();
        // SAFETY: valid env; `f` is our function; `args` are values of this env.
        unsafe {
            check(sys::napi_get_undefined(self.env, &mut this), "call")?;
            check(
                sys::napi_call_function(self.env, this, f, args.len(), args.as_ptr(), &mut out),
                "call",
            )?;
        }
        Ok(out)
    }

    /// The index of an attribute name on the JS side, sending it there first
    /// if it is new.
    fn name(&mut self, b: &Builder, name: &str) -> napi::Result<u32> {
        if let Some(&i) = self.names.get(name) {
            return Ok(i);
        }
        let index = u32::try_from(self.names.len())
            .map_err(|_| napi::Error::new(Status::GenericFailure, "too many names".to_owned()))?;
        self.call(
            self.register,
            &[b.number(f64::from(index))?, b.string(name)?],
        )?;
        self.names.insert(name.into(), index);
        Ok(index)
    }

    /// The frozen JS object of a decode (`values` only with `provenance`).
    pub fn build(&mut self, b: &Builder, d: &RustDecoded, provenance: bool) -> napi::Result<Raw> {
        let f = &d.facts;
        let variable = d.error_codes.len()
            + f.positions_explained.len()
            + f.positions_unexplained.len()
            + 2 * d.attributes.len();
        let mut args = Vec::with_capacity(FIXED_ARGS + variable);
        let opt_int = |n: Option<i32>| b.opt_number(n.map(f64::from));
        args.push(b.string(&d.vin)?);
        args.push(opt_int(d.model_year)?);
        args.push(b.string(&d.error_text)?);
        args.push(b.opt_string(d.additional_error_text.as_deref())?);
        args.push(b.string(&d.suggested_vin)?);
        args.push(b.string(&d.possible_values)?);
        args.push(b.string(&d.vehicle_descriptor)?);
        for s in [
            &d.make,
            &d.model,
            &d.trim,
            &d.series,
            &d.body_class,
            &d.vehicle_type,
            &d.manufacturer,
            &d.plant_city,
            &d.plant_state,
            &d.plant_country,
        ] {
            args.push(b.opt_string(s.as_deref())?);
        }
        args.push(b.opt_number(d.engine_cylinders.map(f64::from))?);
        args.push(b.opt_number(d.displacement_l)?);
        for s in [
            &d.displacement_cc,
            &d.displacement_ci,
            &d.engine_model,
            &d.engine_manufacturer,
            &d.fuel_type_primary,
            &d.fuel_type_secondary,
            &d.drive_type,
            &d.transmission_style,
            &d.transmission_speeds,
        ] {
            args.push(b.opt_string(s.as_deref())?);
        }
        args.push(b.opt_number(d.doors.map(f64::from))?);
        args.push(b.opt_string(d.gvwr.as_deref())?);
        args.push(if provenance {
            decoded::values(b, &d.values)?
        } else {
            b.null()?
        });
        args.push(b.opt_boolean(f.check_digit_ok)?);
        args.push(b.boolean(f.model_year_conclusive)?);
        args.push(b.int(i32::from(f.pass_id))?);
        args.push(b.boolean(f.model_resolved)?);
        args.push(b.boolean(f.wmi_known)?);
        args.push(b.number(d.confidence)?);
        args.push(b.boolean(d.stale)?);
        args.push(b.number(d.dataset_version as f64)?);
        for n in [
            d.error_codes.len(),
            f.positions_explained.len(),
            f.positions_unexplained.len(),
        ] {
            args.push(b.number(n as f64)?);
        }
        debug_assert_eq!(args.len(), FIXED_ARGS);
        for &code in &d.error_codes {
            args.push(b.int(code)?);
        }
        for &p in f.positions_explained.iter().chain(&f.positions_unexplained) {
            args.push(b.int(i32::from(p))?);
        }
        for (name, value) in &d.attributes {
            let index = self.name(b, name)?;
            args.push(b.number(f64::from(index))?);
            args.push(match value {
                Attribute::One(one) => b.opt_string(one.as_deref())?,
                Attribute::Many(_) => decoded::attribute(b, value)?,
            });
        }
        self.call(self.build, &args)
    }
}

impl Drop for Factory {
    fn drop(&mut self) {
        // SAFETY: both references belong to `self.env` and are deleted once;
        // the owner is dropped on its JS thread.
        unsafe {
            sys::napi_delete_reference(self.env, self.register);
            sys::napi_delete_reference(self.env, self.build);
        }
    }
}
