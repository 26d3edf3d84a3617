//! Step 3.2 matching on the shared schemas: which (pattern, link) pairs a
//! catalog yields, and in which order.

use std::sync::Arc;

use vin_core::VinText;

use super::wmi::Match;
use super::{Globals, WmiCatalog};
use crate::model::{
    ElementRow, GlobalRows, PatternRow, Timestamp, VinSchemaRow, WmiRow, WmiRows, WmiSchemaLink,
};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("test timestamp")
}

fn globals() -> Globals {
    let element = |id: i32, private: bool| ElementRow {
        id,
        name: format!("element {id}"),
        code: None,
        group_name: Some("General".into()),
        data_type: Some("string".into()),
        decode: Some("Pattern".into()),
        is_private: Some(private),
        weight: None,
    };
    Globals::compile(
        1,
        GlobalRows {
            // 38 and 5 match in 3.2; 200 is private (not patternable).
            elements: vec![element(5, false), element(38, false), element(200, true)],
            ..GlobalRows::default()
        },
    )
}

fn wmi_row(id: i32, public: &str) -> WmiRow {
    WmiRow {
        id,
        wmi: "1AB".into(),
        manufacturer_id: None,
        vehicle_type_id: Some(2),
        truck_type_id: None,
        country_id: None,
        created_on: None,
        updated_on: None,
        public_availability_date: Some(ts(public)),
    }
}

fn link(id: i32, wmi_id: i32, schema: i32, from: i32, to: Option<i32>) -> WmiSchemaLink {
    WmiSchemaLink {
        id,
        wmi_id,
        vin_schema_id: schema,
        year_from: from,
        year_to: to,
    }
}

fn pattern(id: i32, schema: i32, keys: &str, element: i32) -> PatternRow {
    PatternRow {
        id,
        vin_schema_id: schema,
        keys: keys.into(),
        element_id: element,
        attribute_id: format!("v{id}"),
        created_on: None,
        updated_on: None,
    }
}

fn schema(id: i32) -> VinSchemaRow {
    VinSchemaRow {
        id,
        name: format!("schema {id}"),
        tobeqced: Some(false),
    }
}

/// Two schemas sharing key texts, linked twice and once; one link for a
/// later year range and one `Wmi` row not yet published.
fn rows() -> WmiRows {
    WmiRows {
        wmi: "1AB".into(),
        wmis: vec![
            wmi_row(1, "2015-01-01 00:00:00"),
            wmi_row(2, "2099-01-01 00:00:00"),
        ],
        links: vec![
            // Ids out of order: links are ranked by id.
            link(31, 1, 100, 2000, Some(2010)),
            link(30, 1, 200, 2000, None),
            link(32, 1, 100, 2005, Some(2012)),
            link(33, 1, 100, 2020, None),
            link(34, 2, 200, 2000, None),
        ],
        schemas: vec![schema(100), schema(200)],
        patterns: vec![
            pattern(7, 100, "CD", 5),
            pattern(3, 100, "C", 38),
            pattern(5, 200, "C", 38),
            pattern(4, 200, "CD*", 5),
            pattern(6, 100, "X", 38),
            pattern(2, 100, "C", 200),
            pattern(1, 200, "[AB", 38),
            pattern(8, 200, "*D", 38),
        ],
        wmi_makes: vec![],
        spec_schemas: vec![],
        spec_patterns: vec![],
    }
}

fn matches(cat: &WmiCatalog, vin: &str, year: Option<i32>) -> Vec<(i32, i32)> {
    let keys = VinText::new(vin).expect("test VIN").keys();
    let mut out: Vec<Match> = Vec::new();
    cat.matches(&keys, year, ts("2026-01-01 00:00:00"), &mut out);
    out.iter()
        .map(|m| {
            let p = cat.pattern(m.schema as usize, m.pattern as usize);
            let link = &cat.links[m.link as usize];
            (p.id, cat.rows[link.row].id * 100 + link.year_from - 2000)
        })
        .collect()
}

#[test]
fn pairs_come_in_pattern_then_link_order_for_covering_published_links() {
    let g = globals();
    let cat = WmiCatalog::compile(&g, rows());
    // Keys "CD…": every step-3.2 pattern but 6 (X), 2 (private element) and
    // 1 (malformed key) matches.
    let vin = "1ABCD12345A123456";
    // 2007: schema 100 through links 31 (2000) and 32 (2005); schema 200
    // through link 30 only (row 2 is not published).
    assert_eq!(
        matches(&cat, vin, Some(2007)),
        [
            (3, 100),
            (3, 105),
            (4, 100),
            (5, 100),
            (7, 100),
            (7, 105),
            (8, 100)
        ]
    );
    // 2011: only link 32 of schema 100 covers it.
    assert_eq!(
        matches(&cat, vin, Some(2011)),
        [(3, 105), (4, 100), (5, 100), (7, 105), (8, 100)]
    );
    // 2015: schema 100 has no covering link.
    assert_eq!(
        matches(&cat, vin, Some(2015)),
        [(4, 100), (5, 100), (8, 100)]
    );
    // No year: every link of a published row.
    assert_eq!(matches(&cat, vin, None).len(), 9);
    // Position 5 is not D: the "CD" keys fail.
    assert_eq!(matches(&cat, "1ABCE12345A123456", Some(2015)), [(5, 100)]);
}

#[test]
fn schemas_share_one_parsed_key_per_text() {
    let g = globals();
    let cat = WmiCatalog::compile(&g, rows());
    let c100 = &cat.schemas[0].compiled;
    let c200 = &cat.schemas[1].compiled;
    let text = |c: &super::VinSchema, id: i32| {
        let p = c.patterns.iter().find(|p| p.id == id).expect("pattern");
        p.keys().clone()
    };
    // "C" of pattern 3 (schema 100) and of pattern 5 (schema 200): one text.
    assert!(Arc::ptr_eq(&text(c100, 3), &text(c200, 5)));
    // Matched keys per schema: 100 has C, CD, X; 200 has C, CD*, *D (the
    // malformed key matches nothing and is not kept).
    assert_eq!(c100.key_count(), 3);
    assert_eq!(c200.key_count(), 3);
    // A second WMI over the same dataset reuses the resident schemas.
    let again = WmiCatalog::compile(&g, rows());
    assert!(Arc::ptr_eq(c100, &again.schemas[0].compiled));
}
