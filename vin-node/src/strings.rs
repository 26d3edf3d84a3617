//! The strings one JS environment already holds, numbered, so that a result
//! refers to them by number instead of creating them again.
//!
//! Most strings of a result are the catalog's (`Arc<str>` shared between all
//! results: variable names, makes, models, lookup values), and creating a JS
//! string costs a Node-API call and a copy, some 0.1 µs each, over a hundred
//! times per result. Here each distinct string is sent to JS once; the
//! factory's JS side keeps them in an array in the order they were numbered.
//!
//! Strings are found by address (holding the `Arc`, so that the address
//! cannot be reused while the entry exists), then by content. Texts made
//! during a decode (error texts, model years) are shared by the decoder from
//! one decode to the next, so a new allocation of a known text is remembered
//! by its address too. The table starts over when it holds [`CAPACITY`]
//! strings or allocations, or the dataset changes, which keeps it bounded.

use std::sync::Arc;

use rustc_hash::FxHashMap;

/// Strings the table holds before it starts over (a few MB of JS heap; the
/// full lite data's results use some 40,000), and other allocations of them
/// it remembers by address.
pub const CAPACITY: u32 = 1 << 17;

/// Attribute-name lists that get a compiled object literal, at most.
pub const SHAPES: u32 = 2048;

/// Sightings of an attribute-name list before it gets a compiled object
/// literal. Compiling one and its first call cost about 25 objects built
/// property by property (some 6 µs each for 60 names); from then on a build
/// costs a fifth of that while V8 interprets the literal, next to nothing
/// once it has optimized it. A list seen this often tends to keep recurring.
pub const SHAPE_AFTER: u32 = 8;

/// Attribute-name lists remembered (seen once or more), at most.
const SEEN_SHAPES: usize = 16 * 1024;

/// Distinct integer lists (error codes, positions) and facts the table holds
/// before it starts over; a dataset has a few thousand.
const LISTS: usize = 16 * 1024;

/// Slots of [`Strings`]' recent addresses (a power of two): 256 KB, which
/// holds most of a dataset's frequent strings.
const RECENT: usize = 16384;

/// The numbered strings of one environment (the Rust side of the table).
pub struct Strings {
    /// Recently found addresses with their numbers, direct-mapped by a hash
    /// of the address (0: empty). A result looks up some 150 strings; most
    /// end here, in a table small enough to stay in the cache, rather than
    /// in `by_address`, which grows to tens of thousands of entries.
    recent: Box<[(usize, u32)]>,
    /// Shared strings by address (of their text), with their number.
    by_address: FxHashMap<usize, u32>,
    /// Keeps the addresses in `by_address` from being reused.
    held: Vec<Arc<str>>,
    /// Every numbered string by content.
    by_text: FxHashMap<Box<str>, u32>,
    /// The next number; also how many strings the JS side holds.
    next: u32,
    /// The dataset the table's strings came from.
    dataset: Option<i64>,
    /// The JS side may not hold what this side numbered (a build failed).
    unsure: bool,
    /// Attribute-name lists (as string numbers) seen, with how often (up to
    /// [`SHAPE_AFTER`]) and their shape number once seen that often.
    shapes: FxHashMap<Box<[u32]>, Shape>,
    /// The next shape number.
    next_shape: u32,
    /// Shapes by the addresses of their names (all numbered by address, so
    /// held): a result whose names are the catalog's finds its shape without
    /// numbering each name.
    by_names: FxHashMap<Box<[usize]>, u32>,
    /// Integer lists sent, by content, with their number.
    lists: FxHashMap<Box<[i32]>, u32>,
    /// Per shape, the addresses of its last result's values (0: not a held
    /// string); see [`Strings::take_last`].
    last: Vec<Vec<usize>>,
}

impl Default for Strings {
    fn default() -> Strings {
        Strings {
            recent: vec![(0, 0); RECENT].into_boxed_slice(),
            by_address: FxHashMap::default(),
            held: Vec::new(),
            by_text: FxHashMap::default(),
            next: 0,
            dataset: None,
            unsure: false,
            shapes: FxHashMap::default(),
            next_shape: 0,
            by_names: FxHashMap::default(),
            lists: FxHashMap::default(),
            last: Vec::new(),
        }
    }
}

/// The slot of `address` in [`Strings::recent`].
fn recent_slot(address: usize) -> usize {
    // Fibonacci hashing of the address (its low bits are alignment): the
    // top bits of the product pick the slot.
    let h = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - RECENT.trailing_zeros())) as usize
}

/// What the table knows of one attribute-name list.
#[derive(Clone, Copy)]
enum Shape {
    /// Seen this many times.
    Seen(u32),
    /// Has a compiled literal.
    Compiled(u32),
}

/// How [`Strings::find`] answered.
pub enum Found {
    /// The string has this number.
    Known(u32),
    /// The string was numbered now: the JS side must get it with this build.
    New(u32),
}

impl Strings {
    /// Starts a build for `dataset`; `true` when the table starts over, so the
    /// JS side must drop its strings first.
    pub fn begin(&mut self, dataset: i64) -> bool {
        let over = self.unsure
            || self.next >= CAPACITY
            || self.lists.len() >= LISTS
            || self.dataset != Some(dataset);
        if over {
            self.recent.fill((0, 0));
            self.last.clear();
            self.by_names.clear();
            self.lists.clear();
            self.by_address.clear();
            self.held.clear();
            self.by_text.clear();
            self.shapes.clear();
            self.next = 0;
            self.next_shape = 0;
            self.dataset = Some(dataset);
            self.unsure = false;
        }
        over
    }

    /// Marks the JS side's strings as unknown (a build failed midway): the
    /// next build starts over.
    pub fn forget(&mut self) {
        self.unsure = true;
    }

    fn number(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// The number of a shared string, when this allocation is numbered
    /// already (one lookup by address, no hashing of the text).
    pub fn known(&mut self, s: &Arc<str>) -> Option<u32> {
        let address = s.as_ptr() as usize;
        let slot = recent_slot(address);
        let (seen, n) = self.recent[slot];
        if seen == address {
            return Some(n);
        }
        // Every address in `recent` is in `by_address`, so held: no other
        // string can have it while the entry exists.
        let n = self.by_address.get(&address).copied()?;
        self.recent[slot] = (address, n);
        Some(n)
    }

    /// The number of a shared string.
    pub fn shared(&mut self, s: &Arc<str>) -> Found {
        if let Some(n) = self.known(s) {
            return Found::Known(n);
        }
        if let Some(&n) = self.by_text.get(&**s) {
            // Another allocation of a numbered text: remembered too, as the
            // decoder keeps handing out the allocation it shares (while there
            // is room: past that it is found by its text each time).
            if self.held.len() < CAPACITY as usize {
                self.by_address.insert(s.as_ptr() as usize, n);
                self.held.push(Arc::clone(s));
            }
            return Found::Known(n);
        }
        let n = self.number();
        self.by_text.insert(Box::from(&**s), n);
        self.by_address.insert(s.as_ptr() as usize, n);
        self.held.push(Arc::clone(s));
        Found::New(n)
    }

    /// The number of an integer list (a frozen array on the JS side, shared
    /// by every result that has the same list).
    pub fn list(&mut self, items: &[i32]) -> Found {
        if let Some(&n) = self.lists.get(items) {
            return Found::Known(n);
        }
        // At most `LISTS` plus one result's lists: fits.
        let n = self.lists.len() as u32;
        self.lists.insert(Box::from(items), n);
        Found::New(n)
    }

    /// The addresses of the values of `shape`'s last result, place by place
    /// (`len` places): 0 where there was none or it was not a string held by
    /// the table, so that an equal address means the same string. Give it
    /// back with [`Strings::put_last`] once this result's are in; a build
    /// that fails does not, and the table starts over after it anyway.
    pub fn take_last(&mut self, shape: u32, len: usize) -> Vec<usize> {
        let mut last = self
            .last
            .get_mut(shape as usize)
            .map(std::mem::take)
            .unwrap_or_default();
        last.resize(len, 0);
        last
    }

    /// Keeps `addresses` as `shape`'s last result's (see [`Strings::take_last`]).
    pub fn put_last(&mut self, shape: u32, addresses: Vec<usize>) {
        let shape = shape as usize;
        if self.last.len() <= shape {
            self.last.resize_with(shape + 1, Vec::new);
        }
        self.last[shape] = addresses;
    }

    /// The shape of a list of attribute names given by their addresses, when
    /// [`Strings::name_shape`] recorded it.
    pub fn shape_by_names(&self, addresses: &[usize]) -> Option<u32> {
        self.by_names.get(addresses).copied()
    }

    /// Records that the names at `addresses` have `shape`, when every one of
    /// them is numbered by address (and so held: no address can be reused
    /// for another string while the record exists).
    pub fn name_shape(&mut self, addresses: &[usize], shape: u32) {
        if addresses.iter().all(|a| self.by_address.contains_key(a)) {
            self.by_names.insert(Box::from(addresses), shape);
        }
    }

    /// The shape number of a list of attribute names (string numbers, in
    /// order), from its [`SHAPE_AFTER`]th sighting on: the JS side compiles
    /// an object literal for each shape, worth it only for lists that keep
    /// recurring. Most results share a few lists. `None` before that, or when
    /// the bounds are reached.
    pub fn shape(&mut self, names: &[u32]) -> Option<u32> {
        if let Some(shape) = self.shapes.get_mut(names) {
            match *shape {
                Shape::Compiled(n) => return Some(n),
                Shape::Seen(seen) if seen + 1 < SHAPE_AFTER => *shape = Shape::Seen(seen + 1),
                Shape::Seen(_) if self.next_shape < SHAPES => {
                    *shape = Shape::Compiled(self.next_shape);
                    self.next_shape += 1;
                    return Some(self.next_shape - 1);
                }
                Shape::Seen(_) => {}
            }
            return None;
        }
        if self.shapes.len() < SEEN_SHAPES {
            self.shapes.insert(Box::from(names), Shape::Seen(1));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(found: Found) -> (u32, bool) {
        match found {
            Found::Known(n) => (n, false),
            Found::New(n) => (n, true),
        }
    }

    #[test]
    fn numbers_each_distinct_string_once() {
        let mut t = Strings::default();
        assert!(t.begin(1));
        let make: Arc<str> = Arc::from("HONDA");
        assert_eq!(number(t.shared(&make)), (0, true));
        assert_eq!(number(t.shared(&make)), (0, false));
        // The same text from another allocation: same number.
        assert_eq!(number(t.shared(&Arc::from("HONDA"))), (0, false));
        assert_eq!(number(t.shared(&Arc::from("Accord"))), (1, true));
        assert_eq!(number(t.shared(&Arc::from("Accord"))), (1, false));
        assert!(!t.begin(1));
        assert_eq!(number(t.shared(&Arc::from("Accord"))), (1, false));
    }

    /// Sees `names` until it gets a shape, which must be at the
    /// [`SHAPE_AFTER`]th sighting.
    fn compile(t: &mut Strings, names: &[u32]) -> Option<u32> {
        for _ in 1..SHAPE_AFTER {
            assert_eq!(
                t.shape(names),
                None,
                "no shape before SHAPE_AFTER sightings"
            );
        }
        t.shape(names)
    }

    #[test]
    fn shapes_after_enough_sightings_and_bounded() {
        let mut t = Strings::default();
        t.begin(1);
        assert_eq!(compile(&mut t, &[1, 2, 3]), Some(0));
        assert_eq!(t.shape(&[1, 2, 3]), Some(0));
        assert_eq!(compile(&mut t, &[1, 2]), Some(1));
        assert_eq!(t.shape(&[1, 2, 3]), Some(0));
        for i in 2..SHAPES {
            assert_eq!(compile(&mut t, &[i, 0]), Some(i));
        }
        for _ in 0..2 * SHAPE_AFTER {
            assert_eq!(t.shape(&[0]), None, "no more shapes than SHAPES");
        }
        assert_eq!(t.shape(&[1, 2]), Some(1));
        // Numbers change when the table starts over: so do shapes.
        t.forget();
        t.begin(1);
        assert_eq!(t.shape(&[1, 2]), None);
    }

    #[test]
    fn shapes_by_held_name_addresses_and_lists() {
        let mut t = Strings::default();
        t.begin(1);
        let a: Arc<str> = Arc::from("Make");
        let b: Arc<str> = Arc::from("Model");
        let other_b: Arc<str> = Arc::from("Model");
        t.shared(&a);
        t.shared(&b);
        let ab = [a.as_ptr() as usize, b.as_ptr() as usize];
        assert_eq!(t.shape_by_names(&ab), None);
        t.name_shape(&ab, 7);
        assert_eq!(t.shape_by_names(&ab), Some(7));
        // A name whose allocation was never looked up: not recorded.
        let other = [a.as_ptr() as usize, other_b.as_ptr() as usize];
        t.name_shape(&other, 8);
        assert_eq!(t.shape_by_names(&other), None);
        // Once looked up, another allocation of a known text has the same
        // number and is remembered by its address: recorded.
        assert_eq!(number(t.shared(&other_b)), (1, false));
        assert_eq!(t.known(&other_b), Some(1));
        t.name_shape(&other, 8);
        assert_eq!(t.shape_by_names(&other), Some(8));

        assert_eq!(number(t.list(&[0])), (0, true));
        assert_eq!(number(t.list(&[4, 5])), (1, true));
        assert_eq!(number(t.list(&[0])), (0, false));
        assert_eq!(number(t.list(&[])), (2, true));
        t.forget();
        t.begin(1);
        assert_eq!(t.shape_by_names(&ab), None);
        assert_eq!(number(t.list(&[4, 5])), (0, true));
        // Bounded: the table starts over once it holds `LISTS` lists.
        for i in 0..LISTS as i32 {
            t.list(&[i, -1]);
        }
        assert!(t.begin(1));
        assert_eq!(number(t.list(&[4, 5])), (0, true));
    }

    #[test]
    fn starts_over_on_a_new_dataset_after_a_failure_and_when_full() {
        let mut t = Strings::default();
        assert!(t.begin(1));
        assert_eq!(number(t.shared(&Arc::from("a"))), (0, true));
        assert!(t.begin(2));
        assert_eq!(number(t.shared(&Arc::from("a"))), (0, true));
        t.forget();
        assert!(t.begin(2));
        assert_eq!(number(t.shared(&Arc::from("a"))), (0, true));
        for i in 1..CAPACITY - 1 {
            t.shared(&Arc::from(i.to_string()));
        }
        assert!(!t.begin(2));
        t.shared(&Arc::from("one more"));
        assert!(t.begin(2));
        assert_eq!(number(t.shared(&Arc::from("a"))), (0, true));
    }

    #[test]
    fn keeps_each_shapes_last_addresses_until_it_starts_over() {
        let mut t = Strings::default();
        t.begin(1);
        assert_eq!(t.take_last(3, 2), [0, 0], "nothing kept yet");
        t.put_last(3, vec![10, 0]);
        assert_eq!(t.take_last(0, 1), [0]);
        assert_eq!(t.take_last(3, 2), [10, 0]);
        // Taken out: a build that fails does not give it back.
        assert_eq!(t.take_last(3, 2), [0, 0]);
        t.put_last(3, vec![10, 20]);
        t.forget();
        t.begin(1);
        assert_eq!(t.take_last(3, 2), [0, 0], "gone when the table starts over");
    }

    #[test]
    fn remembers_a_bounded_number_of_allocations() {
        let mut t = Strings::default();
        t.begin(1);
        // Each allocation of one text is held, so its address stays unique.
        assert_eq!(number(t.shared(&Arc::from("same"))), (0, true));
        for _ in 1..CAPACITY {
            assert_eq!(number(t.shared(&Arc::from("same"))), (0, false));
        }
        let one_more: Arc<str> = Arc::from("same");
        assert_eq!(number(t.shared(&one_more)), (0, false));
        assert_eq!(
            t.known(&one_more),
            None,
            "past the bound: found by text only"
        );
        assert!(!t.begin(1), "the strings themselves still fit");
    }
}
