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
/// those patterns cost one pointer lookup instead of hashing and comparing
/// the text. The lifetime keeps every remembered address alive and unchanged.
pub(crate) struct ByAddress<'i, 't> {
    interner: &'i mut Interner,
    keys: FxHashMap<(usize, usize), Arc<KeyEntry>>,
    values: FxHashMap<(i32, usize, usize), Arc<ValueEntry>>,
    texts: PhantomData<&'t str>,
}

fn address(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

impl<'i, 't> ByAddress<'i, 't> {
    pub(crate) fn new(interner: &'i mut Interner) -> Self {
        ByAddress {
            interner,
            keys: FxHashMap::default(),
            values: FxHashMap::default(),
            texts: PhantomData,
        }
    }

    /// [`Interner::key`].
    pub(crate) fn key(&mut self, text: &'t str) -> Arc<KeyEntry> {
        self.keys
            .entry(address(text))
            .or_insert_with(|| self.interner.key(text))
            .clone()
    }

    /// [`Interner::value`].
    pub(crate) fn value(
        &mut self,
        globals: &Globals,
        element: i32,
        attribute: &'t str,
    ) -> Arc<ValueEntry> {
        let (at, len) = address(attribute);
        self.values
            .entry((element, at, len))
            .or_insert_with(|| self.interner.value(globals, element, attribute))
            .clone()
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
