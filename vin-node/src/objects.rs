//! The JS objects of recent decode results, kept so that a result-cache hit
//! costs a lookup instead of building the object again.
//!
//! The Rust decoder hands out the same `Arc<Decoded>` for every hit of one
//! cached result; this remembers the JS object built for it, for a bounded
//! number of results (the oldest forgotten first), so memory stays bounded
//! whatever the traffic. The objects are frozen (see [`crate::decoded`]), so
//! handing one to several callers is safe. Slots hold a `Weak` to their
//! result: while it exists the address cannot be reused by another result,
//! so an equal address means the same result.

use std::collections::{HashMap, VecDeque};
use std::ptr;
use std::sync::{Arc, Weak};

use napi::sys;
use vin_db::decode::Decoded as RustDecoded;

use crate::factory::Factory;
use crate::js::{Builder, Raw};

/// Entries when the caller does not say (a few MB of JS heap at most).
pub const DEFAULT_ENTRIES: usize = 1024;

struct Slot {
    /// Keeps the result's address from being reused while the slot exists.
    decoded: Weak<RustDecoded>,
    object: sys::napi_ref,
}

/// A result's address, and whether its object carries provenance.
type Key = (usize, bool);

/// Recent results' JS objects, for one JS environment.
pub struct ObjectCache {
    /// The environment the references belong to (set by the first insert).
    env: sys::napi_env,
    slots: HashMap<Key, Slot>,
    /// Keys in insertion order, for forgetting the oldest.
    order: VecDeque<Key>,
    capacity: usize,
    /// Builds the objects (compiled on first use).
    factory: Option<Factory>,
}

impl ObjectCache {
    /// A cache of `entries` objects; zero turns caching off.
    pub fn new(entries: usize) -> ObjectCache {
        ObjectCache {
            env: ptr::null_mut(),
            slots: HashMap::new(),
            order: VecDeque::new(),
            capacity: entries,
            factory: None,
        }
    }

    /// Builds a new object for `decoded`.
    fn build(&mut self, b: &Builder, decoded: &RustDecoded, provenance: bool) -> napi::Result<Raw> {
        let factory = match &mut self.factory {
            Some(f) => f,
            slot => slot.insert(Factory::new(b)?),
        };
        factory.build(b, decoded, provenance)
    }

    /// The JS object of `decoded`: the remembered one, or a new one that is
    /// remembered in its slot.
    pub fn object(
        &mut self,
        b: &Builder,
        decoded: &Arc<RustDecoded>,
        provenance: bool,
    ) -> napi::Result<Raw> {
        if self.env.is_null() {
            self.env = b.env();
        } else if self.env != b.env() {
            // Only ever used from its decoder's environment; be safe anyway.
            return crate::decoded::build(b, decoded, provenance);
        }
        if self.capacity == 0 {
            return self.build(b, decoded, provenance);
        }
        let key = (Arc::as_ptr(decoded) as usize, provenance);
        if let Some(slot) = self.slots.get(&key)
            && ptr::eq(slot.decoded.as_ptr(), Arc::as_ptr(decoded))
        {
            let mut out = ptr::null_mut();
            // SAFETY: the reference belongs to this env and is alive (count 1).
            let status = unsafe { sys::napi_get_reference_value(self.env, slot.object, &mut out) };
            if status == sys::Status::napi_ok && !out.is_null() {
                return Ok(out);
            }
        }
        let object = self.build(b, decoded, provenance)?;
        let mut reference = ptr::null_mut();
        // SAFETY: `object` was just created in this env.
        let status = unsafe { sys::napi_create_reference(self.env, object, 1, &mut reference) };
        if status != sys::Status::napi_ok {
            return Ok(object);
        }
        let slot = Slot {
            decoded: Arc::downgrade(decoded),
            object: reference,
        };
        match self.slots.insert(key, slot) {
            Some(old) => self.release(Some(old)),
            None => self.order.push_back(key),
        }
        while self.slots.len() > self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            let old = self.slots.remove(&oldest);
            self.release(old);
        }
        Ok(object)
    }

    fn release(&self, slot: Option<Slot>) {
        if let Some(slot) = slot {
            // SAFETY: the reference was created in `self.env` and is deleted once.
            unsafe { sys::napi_delete_reference(self.env, slot.object) };
        }
    }

    /// Forgets every remembered object.
    pub fn clear(&mut self) {
        self.order.clear();
        let slots: Vec<Slot> = self.slots.drain().map(|(_, slot)| slot).collect();
        for slot in slots {
            self.release(Some(slot));
        }
    }
}

impl Drop for ObjectCache {
    fn drop(&mut self) {
        // The owning decoder is finalized on its JS thread, where deleting
        // references is allowed (also while the environment shuts down).
        self.clear();
    }
}
