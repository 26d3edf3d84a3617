use super::*;
use crate::VinText;

fn kt(s: &str) -> KeyText {
    KeyText::from_keys(s).unwrap()
}

fn m(key: &str, keys: &str) -> bool {
    let k = Key::parse(key).unwrap();
    let fast = k.matches(&kt(keys));
    assert_eq!(fast, interpret(key, &kt(keys)).unwrap(), "{key} on {keys}");
    fast
}

#[test]
fn key_is_small() {
    assert!(
        core::mem::size_of::<Key>() <= 64,
        "{}",
        core::mem::size_of::<Key>()
    );
}

#[test]
fn path_a_prefix_wildcards_and_literals() {
    assert!(m("CM82*", "CM826|3A004352"));
    assert!(m("", "CM826|3A004352"));
    assert!(m("*****|*A", "CM826|3A004352"));
    assert!(!m("*****|*B", "CM826|3A004352"));
    assert!(m("C_8", "CM826|3A004352"), "_ is a wildcard in LIKE");
    assert!(!m("CM826|3A004352X", "CM826|3A004352"), "longer than keys");
    assert!(!m("CM82", "CM8"));
    assert!(!m("*##", "CM826"), "# is literal in path A");
    assert!(m("*##", "C##26"));
    assert!(m("C%6", "CM826"), "% is any run");
    assert!(m("C%", "C"));
    assert!(!m("C%X", "CM826"));
    assert!(m("C\\M", "CM826"));
    assert!(
        m("\\*", "_M826"),
        "\\* is a literal _ after the * → _ rewrite"
    );
    assert!(!m("\\*", "AM826"));
    assert!(!m("cM", "CM826"), "case-sensitive");
}

#[test]
fn path_b_groups_and_quirks() {
    assert!(m("[AB]*4", "AX4"));
    assert!(m("[AB]*4", "BX4"));
    assert!(!m("[AB]*4", "CX4"));
    assert!(m("[A-Z]", "I"), "ranges include I, O, Q");
    assert!(m("[*]", "."), "* in a group is a literal dot");
    assert!(!m("[*]", "A"));
    assert!(m("*_[A]", "X_A"), "_ is literal in path B");
    assert!(!m("*_[A]", "XYA"));
    assert!(m("[^A]", "^"), "^ does not negate");
    assert!(m("[^A]", "A"));
    assert!(!m("[^A]", "B"));
    assert!(m("[A-]", "-"));
    assert!(m("[-A]", "-"));
    assert!(m("*[.]", "X."));
    assert!(m("[A]%", "A%"), "% is literal in path B");
    assert!(!m("[A]%", "AB"));
    assert!(m("[]A]", "]"), "] first in a group is a member");
    // The 1-A patch: [1-A-JT] becomes [1A-JT].
    let keys = "CM826|1";
    assert!(m("*****|[1-A-JT]", keys));
    for (c, want) in [
        ('1', true),
        ('A', true),
        ('E', true),
        ('J', true),
        ('T', true),
        ('2', false),
        ('K', false),
    ] {
        let s = alloc::format!("CM826|{c}");
        assert_eq!(m("*****|[1-A-JT]", &s), want, "{c}");
    }
    // Outside groups the patch shortens the key.
    assert!(m("1-A[B]", "1AB"));
}

#[test]
fn malformed_keys_are_typed_errors() {
    let e = |k: &str| Key::parse(k).unwrap_err();
    assert_eq!(e("AB[CD").kind, KeyErrorKind::UnclosedGroup);
    assert_eq!(e("AB[CD").position, 3);
    assert_eq!(e("[Z-A]").kind, KeyErrorKind::DescendingRange);
    assert_eq!(e("[A-C-E]").kind, KeyErrorKind::ChainedRange);
    assert_eq!(e("[]").kind, KeyErrorKind::EmptyGroup);
    assert_eq!(e("[[:alpha:]]").kind, KeyErrorKind::UnsupportedClass);
    assert_eq!(e("AB\\").kind, KeyErrorKind::TrailingEscape);
    assert_eq!(e("AB\\").code(), "KEY_TRAILING_ESCAPE");
}

#[test]
fn exotic_characters_are_exact() {
    // 'é' and lower-case letters are outside the alphabet.
    assert!(m("*é", "Aé"));
    assert!(!m("*é", "Aè"));
    assert!(m("[à-ê]", "é"));
    assert!(!m("[à-ê]", "ë"));
    assert!(m("[!-~]", "Z"));
    assert!(!m("[!-~]", "é"));
    // A non-exotic key never accepts an outside character at a constrained index.
    assert!(!m("[AB]", "é"));
    assert!(m("*A", "éA"));
}

#[test]
fn many_groups_spill_out_of_line() {
    let key = "[AB][CD][EF][GH][1-3]";
    assert!(m(key, "ADEH2"));
    assert!(!m(key, "ADEH4"));
    assert!(!m(key, "ADEI2"));
}

#[test]
fn formula_matching_and_slice() {
    let keys = VinText::new("1HGCM82633A004352").unwrap().keys();
    let f = keys.formula();
    let k = Key::parse("*****|**##").unwrap();
    assert!(k.is_formula());
    assert!(k.matches_formula(&f));
    assert!(!k.matches(&keys));
    assert_eq!(k.formula_slice(&keys), Some("00"));
    let k = Key::parse("*****|*A#*#").unwrap();
    assert!(k.matches_formula(&f));
    assert_eq!(k.formula_slice(&keys), Some("004"));
    // A digit in a formula key never matches; letters must match.
    assert!(!Key::parse("*****|3A#").unwrap().matches_formula(&f));
    assert!(!Key::parse("*****|*B#").unwrap().matches_formula(&f));
    // Not a formula key.
    assert!(!Key::parse("CM").unwrap().matches_formula(&f));
    // A bracket formula key is read with path-A rules for formulas.
    let k = Key::parse("[C]M###").unwrap();
    assert!(!k.matches_formula(&f));
    assert!(Key::parse("C_###").unwrap().matches_formula(&f));
}

#[test]
fn fixed_chars_allowed_and_compatible() {
    let k = Key::parse("*B[CF]**|*").unwrap();
    assert_eq!(k.fixed_char_count(), 6);
    assert!(k.allowed(1).is_any());
    assert_eq!(k.allowed(2), CharSet::single('B'));
    assert_eq!(
        k.allowed(3).chars().collect::<alloc::string::String>(),
        "CF"
    );
    assert!(k.allowed(9).is_any());
    let a = Key::parse("[AB]C").unwrap();
    assert!(a.compatible(&Key::parse("B").unwrap()));
    assert!(a.compatible(&Key::parse("*C*D").unwrap()));
    assert!(!a.compatible(&Key::parse("*D").unwrap()));
    assert!(!a.compatible(&Key::parse("C").unwrap()));
}

#[test]
fn key_and_texts_are_thread_safe_values() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Key>();
    check::<KeyText>();
    check::<VinText>();
    check::<crate::Vin>();
}
