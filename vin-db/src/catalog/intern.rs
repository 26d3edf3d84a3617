//! The per-dataset interner: key texts (parsed once per dataset), pattern
//! values (attribute with its display value) and plain strings repeat across
//! schemas, so every schema shares one copy of each.

use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use vin_core::key::Key;

use super::globals::Globals;

/// A pattern key text: as stored, upper-cased, and parsed.
#[derive(Debug)]
pub(crate) struct KeyEntry {
    /// The key as stored.
    pub stored: Arc<str>,
    /// Upper-cased (the item's `Keys`); the same `Arc` when already upper case.
    pub upper: Arc<str>,
    /// The compiled key; `None` when it cannot be compiled (it matches nothing).
    pub parsed: Option<Key>,
    /// The spec 4.5 expansion as (key index, ASCII byte) pairs: computed once
    /// per dataset, as every schema using the text needs it.
    pub expansion: Box<[(u8, u8)]>,
    /// The text holds a `#` (a formula key, spec 3.6).
    pub formula: bool,
}

/// A pattern's attribute with its display value resolved for its element.
#[derive(Debug)]
pub(crate) struct ValueEntry {
    pub attribute: Arc<str>,
    pub display: Option<Arc<str>>,
}

/// Looks a [`KeyEntry`] up by its stored text.
#[derive(Debug)]
struct ByText(Arc<KeyEntry>);

impl Borrow<str> for ByText {
    fn borrow(&self) -> &str {
        &self.0.stored
    }
}

impl PartialEq for ByText {
    fn eq(&self, other: &Self) -> bool {
        self.0.stored == other.0.stored
    }
}

impl Eq for ByText {}

impl Hash for ByText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Must agree with `str`'s hash for `Borrow<str>` lookups.
        self.0.stored.as_ref().hash(state);
    }
}

/// Per-dataset interner (owned by the dataset's schema cache).
#[derive(Debug, Default)]
pub(crate) struct Interner {
    // Fx hashing: the texts come from the dataset, not from callers, and
    // SipHash was a tenth of a cold WMI's load.
    strings: FxHashSet<Arc<str>>,
    keys: FxHashSet<ByText>,
    /// By (element, address of the interned attribute).
    values: FxHashMap<(i32, usize), Arc<ValueEntry>>,
}

impl Interner {
    /// The shared copy of `s`.
    pub(crate) fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.strings.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.strings.insert(a.clone());
        a
    }

    /// The key text `text`, parsed the first time the dataset meets it.
    pub(crate) fn key(&mut self, text: &str) -> Arc<KeyEntry> {
        if let Some(k) = self.keys.get(text) {
            return k.0.clone();
        }
        let stored = self.intern(text);
        let upper = if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_lowercase()) {
            stored.clone()
        } else {
            self.intern(&text.to_uppercase())
        };
        let expansion = super::charset::expansion(text);
        let entry = Arc::new(KeyEntry {
            parsed: Key::parse(text).ok(),
            expansion,
            formula: text.contains('#'),
            stored,
            upper,
        });
        self.keys.insert(ByText(entry.clone()));
        entry
    }

    /// The value `attribute` of `element`, its display value resolved once.
    pub(crate) fn value(
        &mut self,
        globals: &Globals,
        element: i32,
        attribute: &str,
    ) -> Arc<ValueEntry> {
        let attribute = self.intern(attribute);
        let addr = Arc::as_ptr(&attribute).cast::<u8>() as usize;
        self.values
            .entry((element, addr))
            .or_insert_with(|| {
                Arc::new(ValueEntry {
                    display: globals.display(element, Some(&attribute)),
                    attribute,
                })
            })
            .clone()
    }

    /// Approximate bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.strings.iter().map(|s| s.len() + 40).sum::<usize>()
            + self
                .keys
                .iter()
                .map(|k| std::mem::size_of::<KeyEntry>() + 32 + 2 * k.0.expansion.len())
                .sum::<usize>()
            + self.values.len() * (std::mem::size_of::<ValueEntry>() + 56)
    }
}

/// The interner seen through texts borrowed for `'t` (a pattern set being
/// compiled): entries are remembered by the text's address too, and a
/// packed value stores each text once for all the patterns that use it, so
/// those patterns cost one slot check instead of hashing and comparing the
/// text. The memory is direct-mapped (a colliding text just asks the
/// interner again), so it never grows or rehashes. The lifetime keeps every
/// remembered address alive and unchanged.
pub(crate) struct ByAddress<'i, 't> {
    interner: &'i mut Interner,
    keys: Box<[Option<KeySlot>]>,
    values: Box<[Option<ValueSlot>]>,
    texts: PhantomData<&'t str>,
}

/// A remembered key text: its address, length and entry.
type KeySlot = (usize, usize, Arc<KeyEntry>);

/// A remembered value: the attribute's address and length, the element, the entry.
type ValueSlot = (usize, usize, i32, Arc<ValueEntry>);

/// Slots of each direct-mapped memory (a power of two).
const SLOTS: usize = 1 << 13;

fn slot(at: usize, len: usize, element: i32) -> usize {
    let h = (at ^ (len << 48) ^ ((element as usize) << 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (usize::BITS - SLOTS.trailing_zeros())) & (SLOTS - 1)
}

impl<'i, 't> ByAddress<'i, 't> {
    pub(crate) fn new(interner: &'i mut Interner) -> Self {
        ByAddress {
            interner,
            keys: vec![None; SLOTS].into_boxed_slice(),
            values: vec![None; SLOTS].into_boxed_slice(),
            texts: PhantomData,
        }
    }

    /// [`Interner::key`].
    pub(crate) fn key(&mut self, text: &'t str) -> Arc<KeyEntry> {
        let (at, len) = (text.as_ptr() as usize, text.len());
        let i = slot(at, len, 0);
        if let Some(Some((a, l, e))) = self.keys.get(i)
            && (*a, *l) == (at, len)
        {
            return e.clone();
        }
        let e = self.interner.key(text);
        if let Some(place) = self.keys.get_mut(i) {
            *place = Some((at, len, e.clone()));
        }
        e
    }

    /// [`Interner::value`].
    pub(crate) fn value(
        &mut self,
        globals: &Globals,
        element: i32,
        attribute: &'t str,
    ) -> Arc<ValueEntry> {
        let (at, len) = (attribute.as_ptr() as usize, attribute.len());
        let i = slot(at, len, element);
        if let Some(Some((a, l, el, v))) = self.values.get(i)
            && (*a, *l, *el) == (at, len, element)
        {
            return v.clone();
        }
        let v = self.interner.value(globals, element, attribute);
        if let Some(place) = self.values.get_mut(i) {
            *place = Some((at, len, element, v.clone()));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_parsed_once_and_shared() {
        let mut i = Interner::default();
        let a = i.key("cm82*");
        let b = i.key("cm82*");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a.upper, "CM82*");
        assert!(a.parsed.is_some());
        let c = i.key("CM82*");
        assert!(
            Arc::ptr_eq(&c.stored, &a.upper),
            "upper form shares the text"
        );
        assert!(
            i.key("[AB").parsed.is_none(),
            "an unclosed group never matches"
        );
    }

    #[test]
    fn by_address_answers_as_the_interner_does() {
        let g = Globals::compile(1, crate::model::GlobalRows::default());
        let mut i = Interner::default();
        // More texts than slots, so some share one: every answer must still
        // be the interner's entry for that very text.
        let texts: Vec<String> = (0..3 * SLOTS).map(|n| format!("K{n}*")).collect();
        let copies = texts.clone();
        let mut memo = ByAddress::new(&mut i);
        for round in 0..2 {
            for (n, (a, b)) in texts.iter().zip(&copies).enumerate() {
                let k = memo.key(a);
                assert_eq!(&*k.stored, a.as_str(), "round {round}");
                assert!(Arc::ptr_eq(&k, &memo.key(b)), "same text elsewhere");
                let v = memo.value(&g, 5 + (n % 2) as i32, a);
                assert_eq!(&*v.attribute, a.as_str());
                let other = memo.value(&g, 7, a);
                assert!(!Arc::ptr_eq(&v, &other), "values are per element");
            }
        }
    }

    #[test]
    fn values_are_shared_per_element() {
        let g = Globals::compile(1, crate::model::GlobalRows::default());
        let mut i = Interner::default();
        let a = i.value(&g, 28, "1234");
        let b = i.value(&g, 28, "1234");
        let c = i.value(&g, 5, "1234");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(Arc::ptr_eq(&a.attribute, &c.attribute));
    }
}
