//! [`Attributes`]: a decode's variables by name, in name order.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::result::Attribute;

/// Every printed variable of a decode by its vPIC name, in name order (byte
/// order of the names), each name once.
///
/// A map held as one sorted list: the decoder produces the names already in
/// order, so building it is a copy, and reading it in order walks one slice;
/// a tree would cost an allocation per node and a stable sort per decode.
/// Serialized as a map (a JSON object).
///
/// ```
/// use std::sync::Arc;
/// use vin_db::decode::{Attribute, Attributes};
/// let attributes: Attributes = [
///     (Arc::from("Model"), Attribute::One(Some(Arc::from("Accord")))),
///     (Arc::from("Make"), Attribute::One(Some(Arc::from("HONDA")))),
/// ]
/// .into_iter()
/// .collect();
/// assert_eq!(attributes.get("Make").and_then(Attribute::first), Some("HONDA"));
/// assert_eq!(attributes.keys().map(|k| &**k).collect::<Vec<_>>(), ["Make", "Model"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    entries: Vec<(Arc<str>, Attribute)>,
}

impl Attributes {
    /// From entries already in name order with no name twice: the decoder
    /// builds them in the order of the names' ranks, which the global tables
    /// number in name order.
    pub(crate) fn from_sorted(entries: Vec<(Arc<str>, Attribute)>) -> Attributes {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Attributes { entries }
    }

    /// The variable called `name`.
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.entries
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// Whether there is a variable called `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// How many variables there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The variables with their names, in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Arc<str>, &Attribute)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The names, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Arc<str>> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in their names' order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Attribute> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl FromIterator<(Arc<str>, Attribute)> for Attributes {
    /// Sorts by name; of entries with equal names the last wins (as inserting
    /// into a map would).
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Attribute)>>(iter: I) -> Attributes {
        let map: BTreeMap<Arc<str>, Attribute> = iter.into_iter().collect();
        Attributes {
            entries: map.into_iter().collect(),
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = (&'a Arc<str>, &'a Attribute);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, Attribute)>,
        fn(&'a (Arc<str>, Attribute)) -> (&'a Arc<str>, &'a Attribute),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Attributes, D::Error> {
        let map = BTreeMap::<Arc<str>, Attribute>::deserialize(deserializer)?;
        Ok(Attributes {
            entries: map.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> Attribute {
        Attribute::One(Some(Arc::from(v)))
    }

    #[test]
    fn sorted_unique_lookups_and_json_as_a_map() {
        let a: Attributes = [
            ("b", one("2")),
            ("a", one("1")),
            ("c", one("3")),
            ("a", one("9")),
        ]
        .into_iter()
        .map(|(k, v)| (Arc::from(k), v))
        .collect();
        assert_eq!(a.len(), 3);
        assert_eq!(a.keys().map(|k| &**k).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(a.get("a"), Some(&one("9")), "the last of equal names wins");
        assert_eq!(a.get("c"), Some(&one("3")));
        assert_eq!(a.get("d"), None);
        assert!(a.contains_key("b") && !a.contains_key(""));

        let json = serde_json::to_string(&a).expect("serializes");
        assert_eq!(json, r#"{"a":"9","b":"2","c":"3"}"#);
        let back: Attributes = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, a);

        assert_eq!(Attributes::default().get("a"), None);
    }
}
