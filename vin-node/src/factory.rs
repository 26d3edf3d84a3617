//! Builds result objects in JavaScript from numbers the native side writes
//! into a buffer the two sides share.
//!
//! Every Node-API call costs some 0.05–0.4 µs (setting a property goes through
//! V8's runtime; creating a string copies it), and a result has over a
//! hundred values. Here the native side writes a result as numbers into a
//! buffer (strings as their number in [`crate::strings`], so each
//! distinct string crosses once per environment) and makes one call; a small
//! JS function reads the numbers back and builds the object with an object
//! literal, which JIT-compiled code does for next to nothing. Per result this
//! takes about six Node-API calls: the VIN and its descriptor (new with
//! every VIN), the strings not sent before, and the call itself.

use std::ptr;
use std::sync::Arc;

use napi::{Status, sys};
use vin_db::decode::{Attribute, Decoded as RustDecoded, Facts};

use crate::decoded;
use crate::js::{Builder, Raw, check};
use crate::strings::{Found, Strings};

/// The factory's source: `[setBuffer, build]`. `build(values, vin,
/// descriptor, ...fresh)` appends the fresh strings to its table and reads
/// the result from the buffer in the order [`Encoder::decoded`] writes it.
///
/// The buffer starts with five `f64`s (the numbers that may not fit an
/// `i32`), then `i32`s: 1 when the string table starts over, then the values.
/// A string is written as its number in the table, or -1 for `null`, -2 for
/// the VIN, -3 for the descriptor; an optional number as a presence flag (and
/// the number, unless it is in the head); an integer list as `-1 - n` for
/// the `n`th list sent before, else its length and its items (it becomes the
/// next list). The facts are `-1 - n` for the `n`th list sent before, or 0
/// and their fields (they become the next list, before the position lists
/// among their fields). The attributes are their count, then -1 (no shape) or twice
/// their shape ([`Strings::shape`]), then each as its name and its value (one
/// string, or `-5 - length` and the strings of a list); or twice their shape
/// plus one, then only the values, when the JS side has the shape's names
/// (-4 and a count `n` for `n` places in a row whose values are those of
/// the shape's last result).
const SOURCE: &str = r#"(function () {
  'use strict'
  const freeze = Object.freeze
  const HEAD = 10
  let strings = []
  let w = new Int32Array(0)
  let d = new Float64Array(0)
  let p = 0
  let vin = ''
  let descriptor = ''
  function setBuffer (buffer) {
    w = new Int32Array(buffer)
    d = new Float64Array(buffer)
  }
  function s () {
    const x = w[p++]
    return x >= 0 ? strings[x] : x === -1 ? null : x === -2 ? vin : descriptor
  }
  function n () {
    const present = w[p++]
    const v = w[p++]
    return present === 1 ? v : null
  }
  function real (i) { return w[p++] === 1 ? d[i] : null }
  function flag () { return w[p++] === 1 }
  function optFlag () {
    const x = w[p++]
    return x < 0 ? null : x === 1
  }
  let lists = []
  function ints () {
    const x = w[p++]
    if (x < 0) return lists[-1 - x]
    const out = []
    for (let k = x; k > 0; k--) out.push(w[p++])
    lists.push(freeze(out))
    return lists[lists.length - 1]
  }
  // The facts recur (a few hundred combinations): each crosses once, as a
  // frozen object shared by every result that has the same. Its number is
  // taken before its position lists are numbered, so its slot is reserved.
  function facts () {
    const x = w[p++]
    if (x < 0) return lists[-1 - x]
    const at = lists.length
    lists.push(null)
    lists[at] = freeze({
      checkDigitOk: optFlag(),
      modelYearConclusive: flag(),
      passId: w[p++],
      positionsExplained: ints(),
      positionsUnexplained: ints(),
      modelResolved: flag(),
      wmiKnown: flag(),
    })
    return lists[at]
  }
  function value () {
    const x = w[p++]
    if (x >= 0) return strings[x]
    if (x > -4) return x === -1 ? null : x === -2 ? vin : descriptor
    const list = []
    for (let k = -5 - x; k > 0; k--) list.push(s())
    return freeze(list)
  }
  // Adding properties by computed name turns an object into a slow
  // dictionary after a dozen; a recurring list of names gets a compiled
  // object literal instead, which makes a fast object in one step. Its
  // values come as parameters (no keyed load per value while V8 interprets
  // it). V8 gives a function its feedback vector only after several calls or
  // once it has run enough code, and until then each call of a literal goes
  // through the runtime property by property (about twice what the
  // dictionary costs): one call that spins a short loop gets the vector at
  // once, so the literal is fast from its second real call.
  let shapes = []
  let shapeNames = []
  let compiling = true
  const MAX_PARAMS = 4096
  function compile (names) {
    if (!compiling || names.length > MAX_PARAMS || names.includes('__proto__')) return null
    const params = names.map((_, i) => 'a' + i)
    const props = names.map((name, i) => JSON.stringify(name) + ': a' + i)
    try {
      const make = new Function('warm', ...params, "'use strict'\n" +
        'if (warm) { for (let i = 0; i < 300; i++); return null }\n' +
        'return {' + props.join(', ') + '}')
      make(true)
      return make
    } catch {
      compiling = false // code generation from strings is turned off
      return null
    }
  }
  function put (out, name, v) {
    if (name === '__proto__') {
      Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true })
    } else {
      out[name] = v
    }
  }
  function attributes () {
    const k = w[p++]
    const code = w[p++]
    if (code >= 0 && (code & 1) === 1) return known(code >> 1, k)
    let make = null
    if (code >= 0) {
      const shape = code >> 1
      make = shapes[shape]
      if (make === undefined) {
        const names = []
        const at = p
        for (let i = 0; i < k; i++) {
          names.push(strings[w[p++]])
          value()
        }
        p = at
        shapeNames[shape] = names
        make = shapes[shape] = compile(names)
      }
    }
    if (make === null) {
      const out = {}
      for (let i = 0; i < k; i++) {
        const name = strings[w[p++]]
        put(out, name, value())
      }
      return freeze(out)
    }
    const vals = new Array(k)
    for (let i = 0; i < k; i++) {
      p++
      vals[i] = value()
    }
    return freeze(make(false, ...vals))
  }
  // Attributes of a shape already sent: only their values follow, -4 and a
  // count for places in a row that keep the values the shape's last result
  // had there (kept in `last`, which then holds this result's values).
  let lastValues = []
  function known (shape, k) {
    let last = lastValues[shape]
    if (last === undefined) last = lastValues[shape] = new Array(k).fill(null)
    for (let i = 0; i < k; i++) {
      if (w[p] === -4) {
        i += w[p + 1] - 1
        p += 2
      } else {
        last[i] = value()
      }
    }
    const make = shapes[shape]
    if (make === null) {
      const names = shapeNames[shape]
      const out = {}
      for (let i = 0; i < k; i++) put(out, names[i], last[i])
      return freeze(out)
    }
    return freeze(make(false, ...last))
  }
  function build (values, vin_, descriptor_, ...fresh) {
    vin = vin_
    descriptor = descriptor_
    if (w[HEAD] === 1) {
      strings = []
      shapes = []
      shapeNames = []
      lastValues = []
      lists = []
    }
    for (let i = 0; i < fresh.length; i++) strings.push(fresh[i])
    p = HEAD + 1
    const attrs = attributes()
    return freeze({
      vin,
      modelYear: n(),
      errorCodes: ints(),
      errorText: s(),
      additionalErrorText: s(),
      suggestedVin: s(),
      possibleValues: s(),
      vehicleDescriptor: descriptor,
      make: s(),
      model: s(),
      trim: s(),
      series: s(),
      bodyClass: s(),
      vehicleType: s(),
      manufacturer: s(),
      plantCity: s(),
      plantState: s(),
      plantCountry: s(),
      engineCylinders: real(1),
      displacementL: real(0),
      displacementCc: s(),
      displacementCi: s(),
      engineModel: s(),
      engineManufacturer: s(),
      fuelTypePrimary: s(),
      fuelTypeSecondary: s(),
      driveType: s(),
      transmissionStyle: s(),
      transmissionSpeeds: s(),
      doors: real(2),
      gvwr: s(),
      attributes: attrs,
      values,
      facts: facts(),
      confidence: d[3],
      stale: flag(),
      datasetVersion: d[4],
    })
  }
  return [setBuffer, build]
})()"#;

/// Codes of strings that are not in the table (see [`SOURCE`]).
const NULL: i32 = -1;
const VIN: i32 = -2;
const DESCRIPTOR: i32 = -3;
/// Places of a known shape whose values are its last result's strings
/// there: `SAME` and how many in a row.
const SAME: i32 = -4;
/// An attribute's list of values is written as `LIST - length`.
const LIST: i32 = -5;

/// The numbers that may not fit an `i32`, at the head of the buffer as
/// `f64`s, in this order (`HEAD` in [`SOURCE`] counts their `i32` slots).
const REALS: usize = 5;

/// Size of the first shared buffer, in bytes. A result takes about 1 KB: the
/// buffer grows (to a power of two) with the first results, which also keeps
/// growing tested by every run of the tests.
const FIRST_BUFFER: usize = 512;

/// The shared buffer as the native side sees it.
struct Buffer {
    /// Keeps the `ArrayBuffer` (and so its memory) alive.
    reference: sys::napi_ref,
    data: *mut u8,
    bytes: usize,
}

/// Writes one result as numbers, numbering its strings on the way.
struct Encoder<'a> {
    b: &'a Builder,
    strings: &'a mut Strings,
    /// The `i32` part, after the head.
    out: &'a mut Vec<i32>,
    /// The head: displacement (L), cylinders, doors, confidence, dataset.
    reals: [f64; REALS],
    /// The arguments of `build`; strings new to the table are appended.
    args: &'a mut Vec<Raw>,
    vin: &'a str,
    descriptor: &'a str,
    /// The attribute names' numbers, for the shape.
    names: &'a mut Vec<u32>,
    /// The attribute names' addresses, for the shape.
    addresses: &'a mut Vec<usize>,
    /// An integer list's items, for its number.
    items: &'a mut Vec<i32>,
}

impl Encoder<'_> {
    fn push(&mut self, n: i32) {
        self.out.push(n);
    }

    fn flag(&mut self, b: bool) {
        self.push(i32::from(b));
    }

    fn opt_int(&mut self, n: Option<i32>) {
        self.flag(n.is_some());
        self.push(n.unwrap_or(0));
    }

    /// An optional number kept in the head's slot `i`.
    fn opt_real(&mut self, i: usize, n: Option<f64>) {
        self.flag(n.is_some());
        self.reals[i] = n.unwrap_or(0.0);
    }

    fn count(&mut self, n: usize) -> napi::Result<()> {
        let n = i32::try_from(n)
            .map_err(|_| napi::Error::new(Status::InvalidArg, "list too long for JS".to_owned()))?;
        self.push(n);
        Ok(())
    }

    /// An integer list, as its number when sent before.
    fn ints<T: Copy + Into<i32>>(&mut self, items: &[T]) -> napi::Result<()> {
        self.items.clear();
        self.items.extend(items.iter().map(|&n| n.into()));
        match self.strings.list(self.items) {
            // Numbers stay below `strings::LISTS` plus one result's lists.
            Found::Known(n) => self.push(-1 - n as i32),
            Found::New(_) => {
                self.count(items.len())?;
                self.out.extend_from_slice(self.items);
            }
        }
        Ok(())
    }

    /// Writes the number `found` gives, creating the JS string if it is new.
    fn found(&mut self, found: Found, text: &str) -> napi::Result<u32> {
        let n = match found {
            Found::Known(n) => n,
            Found::New(n) => {
                self.args.push(self.b.string(text)?);
                n
            }
        };
        // Numbers stay below `strings::CAPACITY` plus one result's strings.
        self.push(n as i32);
        Ok(n)
    }

    fn shared(&mut self, s: Option<&Arc<str>>) -> napi::Result<()> {
        match s {
            None => {
                self.push(NULL);
                Ok(())
            }
            Some(s) => self.string(s).map(drop),
        }
    }

    /// Writes a string; `true` when it is in the table, and so held by it
    /// (its address cannot be reused for another string meanwhile).
    fn string(&mut self, s: &Arc<str>) -> napi::Result<bool> {
        // Most strings are the catalog's, numbered by address already.
        if let Some(n) = self.strings.known(s) {
            // Numbers stay below `strings::CAPACITY` plus one result's strings.
            self.push(n as i32);
            return Ok(true);
        }
        // The descriptor and the VIN are new with every VIN: they cross as
        // arguments and never enter the table.
        if **s == *self.descriptor {
            self.push(DESCRIPTOR);
            return Ok(false);
        }
        if **s == *self.vin {
            self.push(VIN);
            return Ok(false);
        }
        let found = self.strings.shared(s);
        self.found(found, s).map(|_| true)
    }

    fn attribute(&mut self, name: &Arc<str>, value: &Attribute) -> napi::Result<()> {
        let found = self.strings.shared(name);
        let n = self.found(found, name)?;
        self.names.push(n);
        self.value(value)
    }

    fn value(&mut self, value: &Attribute) -> napi::Result<()> {
        match value {
            Attribute::One(one) => self.shared(one.as_ref()),
            Attribute::Many(many) => {
                let n = i32::try_from(many.len())
                    .ok()
                    .and_then(|n| LIST.checked_sub(n))
                    .ok_or_else(|| {
                        napi::Error::new(Status::InvalidArg, "list too long for JS".to_owned())
                    })?;
                self.push(n);
                many.iter().try_for_each(|item| self.shared(item.as_ref()))
            }
        }
    }

    /// The values of attributes whose names make `shape`: places whose
    /// values are the very strings of the shape's last result there are
    /// written as [`SAME`] and their count (the JS side keeps that result's
    /// values), so the two sides skip looking them up. Most places keep their
    /// value from one vehicle to the next; looking strings up in tables too
    /// big for the cache is most of what writing a result costs.
    fn values_of_shape(&mut self, shape: u32, d: &RustDecoded) -> napi::Result<()> {
        let mut last = self.strings.take_last(shape, d.attributes.len());
        // Places in a row with their last values, not yet written.
        let mut same = 0;
        for (place, value) in last.iter_mut().zip(d.attributes.values()) {
            if let Attribute::One(Some(s)) = value {
                let address = s.as_ptr() as usize;
                if *place == address {
                    same += 1;
                    continue;
                }
                self.same(&mut same);
                // Only a held string's address stands for it later.
                *place = if self.string(s)? { address } else { 0 };
            } else {
                self.same(&mut same);
                self.value(value)?;
                *place = 0;
            }
        }
        self.same(&mut same);
        self.strings.put_last(shape, last);
        Ok(())
    }

    /// Writes a run of `same` places that keep their last values, if any.
    fn same(&mut self, same: &mut i32) {
        if *same > 0 {
            self.push(SAME);
            self.push(*same);
            *same = 0;
        }
    }

    /// Writes the attributes: by a shape's number and values only when the
    /// names (the catalog's, by address) make a shape the JS side has.
    fn attributes(&mut self, d: &RustDecoded) -> napi::Result<()> {
        self.count(d.attributes.len())?;
        self.addresses.clear();
        self.addresses
            .extend(d.attributes.keys().map(|name| name.as_ptr() as usize));
        if let Some(shape) = self.strings.shape_by_names(self.addresses) {
            // Shapes stay below `strings::SHAPES`: twice plus one fits.
            self.push(2 * shape as i32 + 1);
            return self.values_of_shape(shape, d);
        }
        let shape_at = self.out.len();
        self.push(-1);
        self.names.clear();
        for (name, value) in &d.attributes {
            self.attribute(name, value)?;
        }
        if let Some(shape) = self.strings.shape(self.names) {
            self.out[shape_at] = 2 * shape as i32;
            self.strings.name_shape(self.addresses, shape);
        }
        Ok(())
    }

    /// The facts: their number when the same facts were sent before, else 0
    /// and the fields (see `facts` in [`SOURCE`]).
    fn facts(&mut self, f: &Facts) -> napi::Result<()> {
        // The key leads with a tag no integer list has (their items are
        // error codes and positions), and gives the lists' lengths.
        let check_digit = match f.check_digit_ok {
            None => -1,
            Some(ok) => i32::from(ok),
        };
        let lengths = [f.positions_explained.len(), f.positions_unexplained.len()];
        let [explained, unexplained] = lengths.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
        self.items.clear();
        self.items.extend([
            i32::MIN,
            check_digit,
            i32::from(f.model_year_conclusive),
            i32::from(f.pass_id),
            i32::from(f.model_resolved),
            i32::from(f.wmi_known),
            explained,
            unexplained,
        ]);
        self.items
            .extend(f.positions_explained.iter().map(|&n| i32::from(n)));
        self.items
            .extend(f.positions_unexplained.iter().map(|&n| i32::from(n)));
        if let Found::Known(n) = self.strings.list(self.items) {
            // Numbers stay below `strings::LISTS` plus one result's lists.
            self.push(-1 - n as i32);
            return Ok(());
        }
        self.push(0);
        self.push(check_digit);
        self.flag(f.model_year_conclusive);
        self.push(i32::from(f.pass_id));
        self.ints(&f.positions_explained)?;
        self.ints(&f.positions_unexplained)?;
        self.flag(f.model_resolved);
        self.flag(f.wmi_known);
        Ok(())
    }

    /// Writes `d` in the order `build` reads it: the attributes first, then
    /// the properties in order.
    fn decoded(&mut self, d: &RustDecoded) -> napi::Result<()> {
        let f = &d.facts;
        self.attributes(d)?;
        self.opt_int(d.model_year);
        self.ints(&d.error_codes)?;
        // Shared with the attributes (the decoder shares recurring texts).
        self.shared(Some(&d.error_text))?;
        self.shared(d.additional_error_text.as_ref())?;
        self.shared(Some(&d.suggested_vin))?;
        self.shared(Some(&d.possible_values))?;
        // The typed fields are mostly the attributes' own strings: found by
        // address.
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
            self.shared(s.as_ref())?;
        }
        self.opt_real(1, d.engine_cylinders.map(f64::from));
        self.opt_real(0, d.displacement_l);
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
            self.shared(s.as_ref())?;
        }
        self.opt_real(2, d.doors.map(f64::from));
        self.shared(d.gvwr.as_ref())?;
        self.facts(f)?;
        self.reals[3] = d.confidence;
        self.flag(d.stale);
        self.reals[4] = d.dataset_version as f64;
        Ok(())
    }
}

/// The compiled factory of one JS environment.
pub struct Factory {
    env: sys::napi_env,
    set_buffer: sys::napi_ref,
    build: sys::napi_ref,
    buffer: Option<Buffer>,
    strings: Strings,
    /// A result's `i32` part, reused between builds.
    out: Vec<i32>,
    /// A result's attribute names, reused between builds.
    names: Vec<u32>,
    /// A result's attribute names' addresses, reused between builds.
    addresses: Vec<usize>,
    /// An integer list's items, reused between lists.
    items: Vec<i32>,
    /// The arguments of `build`, reused between builds (emptied after each).
    args: Vec<Raw>,
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
            set_buffer: refs[0],
            build: refs[1],
            buffer: None,
            strings: Strings::default(),
            out: Vec::with_capacity(FIRST_BUFFER / 4),
            names: Vec::new(),
            addresses: Vec::new(),
            items: Vec::new(),
            args: Vec::new(),
        })
    }

    fn call(&self, reference: sys::napi_ref, args: &[Raw]) -> napi::Result<Raw> {
        let mut f = ptr::null_mut();
        let mut this = ptr::null_mut();
        let mut out = ptr::null_mut();
        // SAFETY: valid env; the reference belongs to it and holds our
        // function; `args` are values of this env.
        unsafe {
            check(
                sys::napi_get_reference_value(self.env, reference, &mut f),
                "lookup",
            )?;
            check(sys::napi_get_undefined(self.env, &mut this), "call")?;
            check(
                sys::napi_call_function(self.env, this, f, args.len(), args.as_ptr(), &mut out),
                "call",
            )?;
        }
        Ok(out)
    }

    /// Makes the shared buffer hold at least `bytes` (a new, larger buffer
    /// handed to the JS side when the current one is too small).
    fn reserve(&mut self, bytes: usize) -> napi::Result<&Buffer> {
        let small = self.buffer.as_ref().is_none_or(|buf| buf.bytes < bytes);
        if small {
            let size = bytes.max(FIRST_BUFFER).next_power_of_two();
            let mut data = ptr::null_mut();
            let mut array_buffer = ptr::null_mut();
            // SAFETY: valid env (JS thread); out-pointers to locals.
            check(
                unsafe {
                    sys::napi_create_arraybuffer(self.env, size, &mut data, &mut array_buffer)
                },
                "buffer",
            )?;
            self.call(self.set_buffer, &[array_buffer])?;
            let mut reference = ptr::null_mut();
            // SAFETY: `array_buffer` was just created in this env.
            check(
                unsafe { sys::napi_create_reference(self.env, array_buffer, 1, &mut reference) },
                "buffer",
            )?;
            if let Some(old) = self.buffer.take() {
                // SAFETY: the old reference belongs to this env, deleted once.
                unsafe { sys::napi_delete_reference(self.env, old.reference) };
            }
            self.buffer = Some(Buffer {
                reference,
                data: data.cast(),
                bytes: size,
            });
        }
        self.buffer
            .as_ref()
            .ok_or_else(|| napi::Error::new(Status::GenericFailure, "no shared buffer".to_owned()))
    }

    /// The frozen JS object of a decode (`values` only with `provenance`).
    pub fn build(&mut self, b: &Builder, d: &RustDecoded, provenance: bool) -> napi::Result<Raw> {
        let built = self.encode_and_call(b, d, provenance);
        if built.is_err() {
            // Fresh strings may not have reached the JS side.
            self.strings.forget();
        }
        built
    }

    fn encode_and_call(
        &mut self,
        b: &Builder,
        d: &RustDecoded,
        provenance: bool,
    ) -> napi::Result<Raw> {
        let values = if provenance {
            decoded::values(b, &d.values)?
        } else {
            b.null()?
        };
        let mut args = std::mem::take(&mut self.args);
        args.clear();
        args.push(values);
        args.push(b.string(&d.vin)?);
        args.push(b.string(&d.vehicle_descriptor)?);
        let over = self.strings.begin(d.dataset_version);
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        out.push(i32::from(over));
        let mut encoder = Encoder {
            b,
            strings: &mut self.strings,
            out: &mut out,
            reals: [0.0; REALS],
            args: &mut args,
            vin: &d.vin,
            descriptor: &d.vehicle_descriptor,
            names: &mut self.names,
            addresses: &mut self.addresses,
            items: &mut self.items,
        };
        let encoded = encoder.decoded(d);
        let reals = encoder.reals;
        let written = encoded.and_then(|()| {
            let head = std::mem::size_of_val(&reals);
            let tail = std::mem::size_of_val(out.as_slice());
            let buffer = self.reserve(head + tail)?;
            // SAFETY: the buffer holds at least `head + tail` bytes (just
            // reserved) and stays alive through its reference; byte copies
            // need no alignment; nothing else touches it meanwhile (JS runs
            // on this thread only when called below).
            unsafe {
                ptr::copy_nonoverlapping(reals.as_ptr().cast::<u8>(), buffer.data, head);
                ptr::copy_nonoverlapping(out.as_ptr().cast::<u8>(), buffer.data.add(head), tail);
            }
            Ok(())
        });
        self.out = out;
        let built = written.and_then(|()| self.call(self.build, &args));
        // The values are handles of this call's scope: none is kept.
        args.clear();
        self.args = args;
        built
    }
}

impl Drop for Factory {
    fn drop(&mut self) {
        // SAFETY: every reference belongs to `self.env` and is deleted once;
        // the owner is dropped on its JS thread.
        unsafe {
            sys::napi_delete_reference(self.env, self.set_buffer);
            sys::napi_delete_reference(self.env, self.build);
            if let Some(buffer) = self.buffer.take() {
                sys::napi_delete_reference(self.env, buffer.reference);
            }
        }
    }
}
