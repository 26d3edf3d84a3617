//! The decoding item (spec 3.0): one candidate value for one element.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use super::result::SourceKind;
use crate::model::Timestamp;

/// The producer of an item, one variant per `Source` text of spec 3.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Src {
    Pattern,
    EngineModelPattern,
    VehType,
    ManuName,
    ManuId,
    ModelYear,
    Formula,
    PatternModel,
    Make,
    /// `Conversion <id>: <formula>` (already cut to 50 characters). Boxed:
    /// a thin pointer keeps every item small enough to move without a
    /// memory-copy call, and conversions are rare.
    Conversion(Box<Arc<str>>),
    VehicleSpecs,
    Default,
    Corrections,
}

impl Src {
    /// The reference's `Source` text.
    pub fn text(&self) -> &str {
        match self {
            Src::Pattern => "Pattern",
            Src::EngineModelPattern => "EngineModelPattern",
            Src::VehType => "VehType",
            Src::ManuName => "Manu. Name",
            Src::ManuId => "Manu. Id",
            Src::ModelYear => "ModelYear",
            Src::Formula => "Formula Pattern",
            Src::PatternModel => "pattern - model",
            Src::Make => "Make",
            Src::Conversion(t) => t,
            Src::VehicleSpecs => "Vehicle Specs",
            Src::Default => "Default",
            Src::Corrections => "Corrections",
        }
    }

    /// The `Source` text, shared: the constant texts are allocated once per
    /// process, so building a result copies a pointer instead of the text.
    pub fn shared_text(&self) -> Arc<str> {
        static TEXTS: OnceLock<[Arc<str>; 12]> = OnceLock::new();
        let texts = TEXTS.get_or_init(|| {
            [
                Src::Pattern,
                Src::EngineModelPattern,
                Src::VehType,
                Src::ManuName,
                Src::ManuId,
                Src::ModelYear,
                Src::Formula,
                Src::PatternModel,
                Src::Make,
                Src::VehicleSpecs,
                Src::Default,
                Src::Corrections,
            ]
            .map(|s| Arc::from(s.text()))
        });
        let index = match self {
            Src::Conversion(t) => return Arc::clone(t),
            Src::Pattern => 0,
            Src::EngineModelPattern => 1,
            Src::VehType => 2,
            Src::ManuName => 3,
            Src::ManuId => 4,
            Src::ModelYear => 5,
            Src::Formula => 6,
            Src::PatternModel => 7,
            Src::Make => 8,
            Src::VehicleSpecs => 9,
            Src::Default => 10,
            Src::Corrections => 11,
        };
        texts[index].clone()
    }

    /// The public enum.
    pub fn kind(&self) -> SourceKind {
        match self {
            Src::Pattern => SourceKind::Pattern,
            Src::EngineModelPattern => SourceKind::EngineModelPattern,
            Src::VehType | Src::ManuName | Src::ManuId => SourceKind::Wmi,
            Src::ModelYear => SourceKind::ModelYear,
            Src::Formula => SourceKind::Formula,
            Src::PatternModel => SourceKind::MakeFromModel,
            Src::Make => SourceKind::MakeFromWmi,
            Src::Conversion(_) => SourceKind::Conversion,
            Src::VehicleSpecs => SourceKind::VehicleSpec,
            Src::Default => SourceKind::Default,
            Src::Corrections => SourceKind::Correction,
        }
    }

    /// The `Source` contains `pattern` in any case (spec 4.6 step 1).
    pub fn mentions_pattern(&self) -> bool {
        matches!(
            self,
            Src::Pattern | Src::EngineModelPattern | Src::Formula | Src::PatternModel
        )
    }

    /// Counted by the best-pass "Patterns" number (spec 2.6).
    pub fn counts_as_pattern(&self) -> bool {
        matches!(self, Src::Pattern | Src::EngineModelPattern | Src::Formula)
    }

    /// The `Source` starts with `pattern`, `formula`, `enginem` or `convers` in
    /// any case (the QC sweep of spec 3.20 step 1).
    pub fn qc_swept(&self) -> bool {
        matches!(
            self,
            Src::Pattern
                | Src::PatternModel
                | Src::Formula
                | Src::EngineModelPattern
                | Src::Conversion(_)
        )
    }
}

/// An item's `Value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    /// The placeholder `XXX`: resolved from `AttributeId` at the end (spec 5).
    /// Carries that resolution, computed at load time.
    Pending(Option<Arc<str>>),
    /// A final value (NULL possible).
    Text(Option<Arc<str>>),
}

impl Val {
    /// The value as the reference holds it before display resolution.
    pub fn raw(&self) -> Option<&str> {
        match self {
            Val::Pending(_) => Some("XXX"),
            Val::Text(t) => t.as_deref(),
        }
    }

    /// The value after display resolution.
    pub fn resolved(&self) -> Option<&Arc<str>> {
        match self {
            Val::Pending(v) | Val::Text(v) => v.as_ref(),
        }
    }
}

/// One decoding item (spec 3.0).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub seq: u32,
    pub element: i32,
    pub src: Src,
    pub priority: i32,
    pub created_on: Option<Timestamp>,
    pub pattern_id: Option<i32>,
    pub keys: Option<Arc<str>>,
    pub vin_schema_id: Option<i32>,
    pub wmi_id: Option<i32>,
    pub attribute: Option<Arc<str>>,
    pub value: Val,
    pub tobe_qced: Option<bool>,
    /// `VinSchemaId` names a `VinSchema` with `TobeQCed` true.
    pub qc_schema: bool,
}

impl Item {
    /// A blank item of `element` from `src`; callers fill in the rest.
    pub fn new(element: i32, src: Src, priority: i32) -> Item {
        Item {
            seq: 0,
            element,
            src,
            priority,
            created_on: None,
            pattern_id: None,
            keys: None,
            vin_schema_id: None,
            wmi_id: None,
            attribute: None,
            value: Val::Text(None),
            tobe_qced: None,
            qc_schema: false,
        }
    }
}

/// `CreatedOn` descending with NULL first: `Less` when `a` ranks first.
pub(crate) fn created_desc_nulls_first(a: Option<Timestamp>, b: Option<Timestamp>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x),
    }
}

fn fixed_chars(keys: Option<&str>) -> usize {
    keys.map_or(0, |k| k.chars().filter(|&c| c != '*').count())
}

fn without_brackets(keys: Option<&str>) -> impl Iterator<Item = u8> + '_ {
    keys.unwrap_or("")
        .bytes()
        .filter(|&b| b != b'[' && b != b']')
}

/// The de-duplication order of spec 3.7: `Less` when `a` is kept over `b`.
pub(crate) fn dedup_order(a: &Item, b: &Item) -> Ordering {
    b.priority
        .cmp(&a.priority)
        .then_with(|| created_desc_nulls_first(a.created_on, b.created_on))
        .then_with(|| fixed_chars(a.keys.as_deref()).cmp(&fixed_chars(b.keys.as_deref())))
        .then_with(|| without_brackets(a.keys.as_deref()).cmp(without_brackets(b.keys.as_deref())))
        .then_with(|| a.seq.cmp(&b.seq))
}

/// Elements whose items all survive de-duplication (spec 3.7).
pub(crate) const REPEATABLE: [i32; 8] = [114, 121, 129, 150, 154, 155, 169, 186];

/// Keeps, per element, the first item in [`dedup_order`], except for the
/// repeatable elements (spec 3.7). Creation order is preserved.
pub(crate) fn dedup(items: &mut Vec<Item>) {
    let mut best: Vec<(i32, usize)> = Vec::with_capacity(64);
    for (i, item) in items.iter().enumerate() {
        if REPEATABLE.contains(&item.element) {
            continue;
        }
        match best.iter_mut().find(|(e, _)| *e == item.element) {
            Some(slot) => {
                if dedup_order(item, &items[slot.1]) == Ordering::Less {
                    slot.1 = i;
                }
            }
            None => best.push((item.element, i)),
        }
    }
    if best.len()
        + items
            .iter()
            .filter(|i| REPEATABLE.contains(&i.element))
            .count()
        == items.len()
    {
        // Nothing to drop.
        return;
    }
    let mut keep = vec![false; items.len()];
    for &(_, i) in &best {
        keep[i] = true;
    }
    let mut index = 0;
    items.retain(|item| {
        let kept = keep[index] || REPEATABLE.contains(&item.element);
        index += 1;
        kept
    });
}

/// A set of element ids: a bit array for the usual ids, a list beyond.
#[derive(Default)]
pub(crate) struct ElementSet {
    bits: [u64; 4],
    others: Vec<i32>,
}

impl ElementSet {
    /// Whether `element` is in the set.
    pub fn contains(&self, element: i32) -> bool {
        match usize::try_from(element) {
            Ok(i) if i < 256 => self.bits[i / 64] & (1u64 << (i % 64)) != 0,
            _ => self.others.contains(&element),
        }
    }

    /// Adds `element`; `true` when it was not in the set.
    pub fn insert(&mut self, element: i32) -> bool {
        match usize::try_from(element) {
            Ok(i) if i < 256 => {
                let (word, bit) = (i / 64, 1u64 << (i % 64));
                let new = self.bits[word] & bit == 0;
                self.bits[word] |= bit;
                new
            }
            _ => {
                let new = !self.others.contains(&element);
                if new {
                    self.others.push(element);
                }
                new
            }
        }
    }
}

thread_local! {
    /// Item buffers of finished decodes, reused by the next passes on this
    /// thread so that a pass does not allocate (and free) its item list.
    static ITEM_BUFFERS: RefCell<Vec<Vec<Item>>> = const { RefCell::new(Vec::new()) };
}

/// Item buffers kept per thread, and the largest one kept.
const KEPT_BUFFERS: usize = 4;
const KEPT_CAPACITY: usize = 4096;

/// An empty item list with room for a typical pass.
pub(crate) fn item_buffer() -> Vec<Item> {
    ITEM_BUFFERS
        .with_borrow_mut(Vec::pop)
        .unwrap_or_else(|| Vec::with_capacity(192))
}

/// Gives an item list back for reuse (its items are dropped now).
pub(crate) fn recycle(mut items: Vec<Item>) {
    items.clear();
    if items.capacity() <= KEPT_CAPACITY {
        ITEM_BUFFERS.with_borrow_mut(|kept| {
            if kept.len() < KEPT_BUFFERS {
                kept.push(items);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(seq: u32, element: i32, priority: i32, keys: &str) -> Item {
        let mut it = Item::new(element, Src::Pattern, priority);
        it.seq = seq;
        it.keys = Some(Arc::from(keys));
        it
    }

    #[test]
    fn fewer_fixed_characters_win() {
        // Same priority and time: the less specific key is kept (quirk of 3.7 rule 3).
        let mut items = vec![pat(1, 5, 2010, "CM82*"), pat(2, 5, 2010, "CM***")];
        dedup(&mut items);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].keys.as_deref(), Some("CM***"));
    }

    #[test]
    fn priority_then_time_then_brackets_then_seq() {
        let mut a = pat(1, 5, 2010, "CM***");
        let b = pat(2, 5, 2012, "CM82A");
        assert_eq!(dedup_order(&b, &a), Ordering::Less);
        a.priority = 2012;
        a.created_on = Some(Timestamp(5));
        let mut b2 = b.clone();
        b2.created_on = None;
        // NULL CreatedOn ranks first.
        assert_eq!(dedup_order(&b2, &a), Ordering::Less);
        // Brackets are ignored in the key-text comparison: "[AB]*" ~ "AB*" > "AA*".
        let c = pat(3, 5, 2012, "[AB]*");
        let d = pat(4, 5, 2012, "AA*");
        assert_eq!(fixed_chars(c.keys.as_deref()), 4);
        assert_eq!(dedup_order(&d, &c), Ordering::Less);
        let e = pat(5, 5, 2012, "AA*");
        assert_eq!(dedup_order(&d, &e), Ordering::Less);
    }

    #[test]
    fn repeatable_elements_keep_all_copies() {
        let mut items = vec![
            pat(1, 129, 2010, "A"),
            pat(2, 129, 2010, "A"),
            pat(3, 28, 2010, "A"),
            pat(4, 28, 2011, "B"),
        ];
        dedup(&mut items);
        let seqs: Vec<u32> = items.iter().map(|i| i.seq).collect();
        assert_eq!(seqs, vec![1, 2, 4]);
    }
}
