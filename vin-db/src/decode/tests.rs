//! Engine tests on constructed catalogs: the spec's examples and edge cases.

use super::*;
use crate::model::{
    ConversionRow, DefaultValueRow, ElementRow, EngineModelPatternRow, EngineModelRow,
    ErrorCodeRow, GlobalRows, LookupRow, MakeModelRow, PatternRow, SpecPatternRow, SpecSchemaRow,
    VinSchemaRow, WmiMakeRow, WmiRow, WmiRows, WmiSchemaLink,
};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("test timestamp")
}

fn clock() -> Clock {
    Clock::at(ts("2026-11-25 12:00:00"))
}

fn element(id: i32, name: &str, group: &str, data_type: &str, weight: Option<i32>) -> ElementRow {
    ElementRow {
        id,
        name: name.into(),
        code: None,
        group_name: (!group.is_empty()).then(|| group.to_string()),
        data_type: Some(data_type.into()),
        decode: Some(
            if group.is_empty() {
                "Decoding"
            } else {
                "Pattern"
            }
            .into(),
        ),
        is_private: Some(false),
        weight,
    }
}

fn lookup(table: &str, id: i32, name: &str) -> LookupRow {
    LookupRow {
        table: table.into(),
        id,
        name: name.into(),
    }
}

fn globals_rows() -> GlobalRows {
    let mut private = element(100, "Hidden Restraint", "Internal", "string", None);
    private.is_private = Some(true);
    let mut undecoded = element(101, "Drive Line Code", "Engine", "string", None);
    undecoded.decode = None;
    let elements = vec![
        element(5, "Body Class", "Exterior / Body", "lookup", Some(99)),
        element(9, "Engine Number of Cylinders", "Engine", "int", Some(88)),
        element(11, "Displacement (CC)", "Engine", "decimal", Some(98)),
        element(12, "Displacement (CI)", "Engine", "decimal", None),
        element(13, "Displacement (L)", "Engine", "decimal", None),
        element(14, "Doors", "Exterior / Body", "int", None),
        element(18, "Engine Model", "Engine", "string", Some(55)),
        element(
            25,
            "Gross Vehicle Weight Rating From",
            "Exterior / Dimension",
            "lookup",
            Some(70),
        ),
        element(26, "Make", "General", "lookup", Some(99)),
        element(27, "Manufacturer Name", "General", "lookup", None),
        element(28, "Model", "General", "lookup", Some(99)),
        element(29, "Model Year", "General", "int", Some(99)),
        element(31, "Plant City", "General", "string", Some(98)),
        element(34, "Series", "General", "string", Some(61)),
        element(38, "Trim", "General", "string", Some(61)),
        element(39, "Vehicle Type", "General", "lookup", Some(99)),
        element(
            55,
            "Curtain Air Bag Locations",
            "Passive Safety System",
            "lookup",
            None,
        ),
        element(129, "Other Engine Info", "Engine", "string", None),
        element(142, "Suggested VIN", "", "string", None),
        element(143, "Error Code", "", "lookup", None),
        element(144, "Possible Values", "", "string", None),
        element(156, "Additional Error Text", "", "string", None),
        element(191, "Error Text", "", "string", None),
        element(196, "Vehicle Descriptor", "", "string", None),
        private,
        undecoded,
    ];
    let codes: &[(i32, &str, Option<&str>, i32)] = &[
        (
            0,
            "0 - VIN decoded clean. Check Digit (9th position) is correct",
            None,
            0,
        ),
        (
            1,
            "1 - Check Digit (9th position) does not calculate properly",
            None,
            -5,
        ),
        (
            2,
            "2 - VIN corrected, error in one position only (indicated by ! in Suggested VIN), multiple matches found. ",
            None,
            -100,
        ),
        (
            3,
            "3 - VIN corrected, error in one position (assuming Check Digit is correct)",
            None,
            -100,
        ),
        (
            4,
            "4 - VIN corrected, error in one position only (indicated by ! in Suggested VIN), multiple matches found",
            Some("The error position is indicated by ! in Suggested VIN."),
            -200,
        ),
        (
            5,
            "5 - VIN has errors in few positions",
            Some("The error positions are indicated by ! in Suggested VIN"),
            -300,
        ),
        (6, "6 - Incomplete VIN", None, -10),
        (
            7,
            "7 - Manufacturer is not registered with NHTSA for sale or importation in the U.S. for use on U.S roads; Please contact the manufacturer directly for more information",
            None,
            -10000,
        ),
        (8, "8 - No detailed data available currently", None, -1000),
        (9, "9 - Glider", None, 0),
        (10, "10 - Off-road vehicle", None, 0),
        (
            11,
            "11 - Incorrect Model Year, decoded data may not be accurate",
            None,
            -20,
        ),
        (
            12,
            "12 - Model Year entered does not match the VIN",
            None,
            -20,
        ),
        (
            14,
            "14 - Unable to provide information for all the characters in the VIN",
            None,
            -30,
        ),
        (400, "400 - Invalid Characters Present", None, -40),
    ];
    GlobalRows {
        elements,
        lookups: vec![
            lookup("bodystyle", 3, "Coupe"),
            lookup("bodystyle", 13, "Sedan/Saloon"),
            lookup("bodystyle", 64, "Glider"),
            lookup("bodystyle", 69, "Off-road Vehicle - Dirt Bike"),
            lookup("make", 474, "Honda"),
            lookup("make", 475, "Acura"),
            lookup("make", 448, "Toyota"),
            lookup("model", 1861, "Accord"),
            lookup("model", 1862, "Civic"),
            lookup("manufacturer", 988, "American Honda Motor Co., Inc."),
            lookup("vehicletype", 1, "Motorcycle"),
            lookup("vehicletype", 2, "Passenger Car"),
            lookup("vehicletype", 3, "Truck "),
            lookup(
                "grossvehicleweightrating",
                10,
                "Class 1: 6,000 lb or less (2,722 kg or less)",
            ),
            lookup(
                "grossvehicleweightrating",
                11,
                "Class 1A: 3,000 lb or less (1,360 kg or less)",
            ),
            lookup("airbaglocations", 1, "1st Row (Driver and Passenger)"),
        ],
        error_codes: codes
            .iter()
            .map(|&(id, name, add, w)| ErrorCodeRow {
                id,
                name: name.into(),
                additional_error_text: add.map(str::to_string),
                weight: Some(w),
            })
            .collect(),
        conversions: [
            (1, 11, 12, "#x# / 16.387064 "),
            (2, 12, 11, "#x# * 16.387064 "),
            (3, 11, 13, "#x# / 1000."),
            (4, 13, 11, "#x# * 1000"),
            (5, 12, 13, "#x# * 0.016387064 "),
            (7, 13, 12, "#x# / 0.016387064 "),
        ]
        .iter()
        .map(|&(id, f, t, formula)| ConversionRow {
            id,
            from_element_id: f,
            to_element_id: t,
            formula: formula.into(),
        })
        .collect(),
        default_values: vec![
            DefaultValueRow {
                id: 1,
                element_id: 55,
                vehicle_type_id: 1,
                default_value: Some("0".into()),
                created_on: Some(ts("2019-12-21 20:26:30.583")),
                updated_on: None,
            },
            DefaultValueRow {
                id: 2,
                element_id: 25,
                vehicle_type_id: 1,
                default_value: Some("10".into()),
                created_on: Some(ts("2019-12-21 20:26:30.583")),
                updated_on: None,
            },
            DefaultValueRow {
                id: 3,
                element_id: 14,
                vehicle_type_id: 1,
                default_value: Some("0".into()),
                created_on: None,
                updated_on: None,
            },
        ],
        engine_models: vec![
            EngineModelRow {
                id: 7,
                name: " J30A4 ".into(),
            },
            EngineModelRow {
                id: 8,
                name: "K24".into(),
            },
        ],
        engine_model_patterns: vec![
            EngineModelPatternRow {
                id: 70,
                engine_model_id: 7,
                element_id: 9,
                attribute_id: "6".into(),
                created_on: Some(ts("2016-01-01 00:00:00")),
                updated_on: None,
            },
            EngineModelPatternRow {
                id: 71,
                engine_model_id: 7,
                element_id: 11,
                attribute_id: "2997".into(),
                created_on: Some(ts("2016-01-01 00:00:00")),
                updated_on: None,
            },
            EngineModelPatternRow {
                id: 80,
                engine_model_id: 8,
                element_id: 9,
                attribute_id: "4".into(),
                created_on: Some(ts("2016-01-01 00:00:00")),
                updated_on: None,
            },
        ],
        make_models: vec![MakeModelRow {
            make_id: 474,
            model_id: 1861,
        }],
        check_digit_exceptions: vec![],
    }
}

fn wmi_row(id: i32, wmi: &str, vehicle_type: i32) -> WmiRow {
    WmiRow {
        id,
        wmi: wmi.into(),
        manufacturer_id: Some(988),
        vehicle_type_id: Some(vehicle_type),
        truck_type_id: None,
        country_id: None,
        created_on: Some(ts("2015-03-04 09:34:13")),
        updated_on: None,
        public_availability_date: Some(ts("2015-01-01 00:00:00")),
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

fn schema(id: i32) -> VinSchemaRow {
    VinSchemaRow {
        id,
        name: format!("schema {id}"),
        tobeqced: Some(false),
    }
}

fn pattern(id: i32, schema: i32, keys: &str, element: i32, attribute: &str) -> PatternRow {
    PatternRow {
        id,
        vin_schema_id: schema,
        keys: keys.into(),
        element_id: element,
        attribute_id: attribute.into(),
        created_on: Some(ts("2015-03-04 10:33:34.057")),
        updated_on: None,
    }
}

/// A Honda-like passenger-car WMI whose schema covers 2003–2007 and explains
/// positions 4–8 and 11 of `1HGCM82633A004352`.
fn honda_rows() -> WmiRows {
    WmiRows {
        wmi: "1HG".into(),
        wmis: vec![wmi_row(1, "1HG", 2)],
        links: vec![link(10, 1, 100, 2003, Some(2007))],
        schemas: vec![schema(100)],
        patterns: vec![
            pattern(1000, 100, "CM8", 28, "1861"),
            pattern(1001, 100, "CM82", 5, "3"),
            pattern(1002, 100, "CM826", 18, "J30A4"),
            pattern(1003, 100, "CM826|*A", 38, "EX-V6"),
            pattern(1004, 100, "CM82*", 14, "2"),
            pattern(1005, 100, "CM826|*A", 129, "Seat Belt (Rr center position)"),
            // Another element's key constrains position 4 to C or D.
            pattern(1006, 100, "[CD]", 101, "X"),
        ],
        wmi_makes: vec![WmiMakeRow {
            wmi_id: 1,
            make_id: 474,
        }],
        spec_schemas: vec![],
        spec_patterns: vec![],
    }
}

fn run(g: &Globals, rows: WmiRows, vin: &str, year: Option<i32>) -> Decoded {
    let cat = WmiCatalog::compile(g, rows);
    let text = VinText::new(vin).expect("test VIN");
    decode(g, &cat, &text, year, &clock())
}

fn globals() -> Globals {
    Globals::compile(3, globals_rows())
}

#[test]
fn appendix_vin_decodes_clean() {
    let g = globals();
    let d = run(&g, honda_rows(), "1HGCM82633A004352", None);
    assert_eq!(d.error_codes, vec![0]);
    assert_eq!(d.model_year, Some(2003));
    assert_eq!(d.make.as_deref(), Some("HONDA"));
    assert_eq!(d.model.as_deref(), Some("Accord"));
    assert_eq!(d.body_class.as_deref(), Some("Coupe"));
    assert_eq!(d.trim.as_deref(), Some("EX-V6"));
    assert_eq!(d.vehicle_type.as_deref(), Some("PASSENGER CAR"));
    assert_eq!(
        d.manufacturer.as_deref(),
        Some("AMERICAN HONDA MOTOR CO., INC.")
    );
    assert_eq!(&*d.vehicle_descriptor, "1HGCM826*3A");
    assert_eq!(&*d.suggested_vin, "");
    assert_eq!(&*d.possible_values, "");
    assert_eq!(d.additional_error_text, None);
    assert_eq!(
        &*d.error_text,
        "0 - VIN decoded clean. Check Digit (9th position) is correct"
    );
    assert_eq!(d.facts.check_digit_ok, Some(true));
    assert_eq!(d.facts.pass_id, 3);
    assert_eq!(d.facts.positions_explained, vec![4, 5, 6, 7, 8, 11]);
    assert_eq!(d.dataset_version, 3);
    // Engine-model patterns and their conversions.
    assert_eq!(d.engine_cylinders, Some(6));
    assert_eq!(d.displacement_cc.as_deref(), Some("2997"));
    assert_eq!(d.get("Displacement (L)"), Some("2.9970000000000000"));
    assert_eq!(d.get("Displacement (CI)"), Some("182.8881610519126550"));
    assert_eq!(d.doors, Some(2));
    // The make comes from the model.
    let make = d.values.iter().find(|v| v.element_id == 26).expect("make");
    assert_eq!(make.provenance.source, SourceKind::MakeFromModel);
    assert_eq!(make.provenance.priority, 1000);
    // Private and undecoded elements are never printed.
    assert!(
        d.values
            .iter()
            .all(|v| v.element_id != 100 && v.element_id != 101)
    );
    // Order: corrections (no group) first, then General, then the rest.
    let ranks: Vec<i32> = d.values.iter().map(|v| v.element_id).collect();
    assert_eq!(&ranks[..6], &[142, 143, 144, 156, 191, 196]);
    assert_eq!(ranks[6], 26);
}

#[test]
fn wrong_check_digit_and_short_vin() {
    let g = globals();
    let d = run(&g, honda_rows(), "1HGCM82643A004352", None);
    assert_eq!(d.error_codes, vec![1]);
    assert_eq!(d.facts.check_digit_ok, Some(false));
    let d = run(&g, honda_rows(), "1HGCM82633A00", None);
    assert_eq!(d.error_codes, vec![6]);
    assert_eq!(d.facts.check_digit_ok, None);
    assert_eq!(&*d.vehicle_descriptor, "1HGCM826*3A");
    assert_eq!(d.model.as_deref(), Some("Accord"));
}

#[test]
fn invalid_characters_are_stamped() {
    let g = globals();
    // Position 13 must be a digit for a carLT WMI; position 10 'U' is no year.
    let d = run(&g, honda_rows(), "1HGCM82633A0A4352", None);
    assert!(d.error_codes.contains(&400), "{:?}", d.error_codes);
    assert_eq!(&*d.suggested_vin, "1HGCM82633A0!4352");
    assert_eq!(
        d.additional_error_text.as_deref(),
        Some("Invalid character(s): 13:A.")
    );
    let d = run(&g, honda_rows(), "1hgcm82633a0a4i52", None);
    assert_eq!(d.vin, "1HGCM82633A0A4I52");
    assert_eq!(&*d.suggested_vin, "1HGCM82633A0!4!52");
    assert_eq!(
        d.additional_error_text.as_deref(),
        Some("Invalid character(s): 13:A, 15:I.")
    );
}

#[test]
fn no_year_code_raises_11_and_scans_nothing() {
    let g = globals();
    // 'U' at position 10: no model year, pass 3 runs without a year.
    let d = run(&g, honda_rows(), "1HGCM8263UA004352", None);
    assert!(d.error_codes.contains(&11));
    assert!(d.error_codes.contains(&400));
    assert_eq!(d.model_year, None);
    assert!(d.get("Model Year").is_none());
    // Every link takes part without a year.
    assert_eq!(d.model.as_deref(), Some("Accord"));
}

#[test]
fn unknown_wmi_reports_code_7_and_the_pass_year() {
    let g = globals();
    let rows = WmiRows {
        wmi: "1C9".into(),
        ..Default::default()
    };
    let cat = WmiCatalog::compile(&g, rows);
    assert!(!cat.is_registered());
    let d = decode(
        &g,
        &cat,
        &VinText::new("1C98UCGM7HEN47864").expect("vin"),
        None,
        &clock(),
    );
    assert_eq!(d.error_codes, vec![1, 7]);
    assert_eq!(d.model_year, Some(2017));
    assert!(d.get("Model Year").is_none());
    assert!(!d.facts.wmi_known);
    let names: Vec<&str> = d.values.iter().map(|v| &*v.variable).collect();
    assert_eq!(
        names,
        vec![
            "Suggested VIN",
            "Error Code",
            "Possible Values",
            "Additional Error Text",
            "Error Text",
            "Vehicle Descriptor"
        ]
    );
    assert_eq!(&*d.vehicle_descriptor, "1C98UCGM*HEN47");
}

#[test]
fn unpublished_wmi_is_unknown() {
    let g = globals();
    let mut rows = honda_rows();
    rows.wmis[0].public_availability_date = Some(ts("2027-01-01 00:00:00"));
    let d = run(&g, rows.clone(), "1HGCM82633A004352", None);
    assert!(d.error_codes.contains(&7));
    rows.wmis[0].public_availability_date = None;
    let d = run(&g, rows, "1HGCM82633A004352", None);
    assert!(d.error_codes.contains(&7));
}

#[test]
fn code_8_when_no_pattern_matches() {
    let g = globals();
    let d = run(&g, honda_rows(), "1HGZZ82633A004352", None);
    assert!(d.error_codes.contains(&8), "{:?}", d.error_codes);
    assert_eq!(d.error_codes, vec![1, 8]);
    // Vehicle type and manufacturer still come from the WMI; the single make too.
    assert_eq!(d.vehicle_type.as_deref(), Some("PASSENGER CAR"));
    assert_eq!(d.make.as_deref(), Some("HONDA"));
    let make = d.values.iter().find(|v| v.element_id == 26).expect("make");
    assert_eq!(make.provenance.source, SourceKind::MakeFromWmi);
}

#[test]
fn caller_year_out_of_range_gives_0_and_12() {
    let g = globals();
    let d = run(&g, honda_rows(), "1HGCM82633A004352", Some(1979));
    assert_eq!(d.error_codes, vec![0, 12]);
    assert_eq!(d.model_year, Some(2003));
    assert_eq!(d.facts.pass_id, 3);
}

/// A motorcycle WMI (not carLT): position 10 'E' is 2014 or 1984.
fn bike_rows(covering: (i32, Option<i32>)) -> WmiRows {
    WmiRows {
        wmi: "JH2".into(),
        wmis: vec![wmi_row(2, "JH2", 1)],
        links: vec![link(20, 2, 200, covering.0, covering.1)],
        schemas: vec![schema(200)],
        patterns: vec![pattern(2000, 200, "SC", 28, "1862")],
        wmi_makes: vec![],
        spec_schemas: vec![],
        spec_patterns: vec![],
    }
}

#[test]
fn ambiguous_year_without_caller_year() {
    let g = globals();
    // Only 1984 is covered: pass 4 (omy) wins on ElementsWeight and Patterns.
    let d = run(&g, bike_rows((1984, Some(1986))), "JH2SC0000EM000000", None);
    assert_eq!(d.model_year, Some(1984));
    assert_eq!(d.facts.pass_id, 4);
    assert!(!d.facts.model_year_conclusive);
    assert!(
        d.additional_error_text
            .as_deref()
            .is_some_and(|t| t.contains("The Model Year decoded for this VIN may be incorrect")),
        "{:?}",
        d.additional_error_text
    );
    // Defaults of vehicle type 1: lookup 0 → Not Applicable; GVWR 10 resolved.
    assert_eq!(d.get("Curtain Air Bag Locations"), Some("Not Applicable"));
    assert_eq!(
        d.gvwr.as_deref(),
        Some("Class 1: 6,000 lb or less (2,722 kg or less)")
    );
    // A non-lookup default of 0 prints as is.
    assert_eq!(d.get("Doors"), Some("0"));
    let gvwr = d.values.iter().find(|v| v.element_id == 25).expect("gvwr");
    assert_eq!(gvwr.provenance.source, SourceKind::Default);
    assert_eq!(gvwr.provenance.priority, 10);
    // Both passes equal in data: no make (the model has no Make_Model row).
    assert_eq!(d.make, None);
}

#[test]
fn ambiguous_year_with_caller_year() {
    let g = globals();
    // Caller year 2014 = rmy: no pass 2; pass 3 has no code 12, pass 4 has it.
    let d = run(&g, bike_rows((2014, None)), "JH2SC0000EM000000", Some(2014));
    assert_eq!(d.model_year, Some(2014));
    assert_eq!(d.facts.pass_id, 3);
    assert!(!d.error_codes.contains(&12));
    // Caller year 2000 (in range, differs): pass 2 runs with it; no schema
    // covers 2000, so code 8 sends the plan to passes 3 and 4, both with 12.
    let d = run(&g, bike_rows((2014, None)), "JH2SC0000EM000000", Some(2000));
    assert_eq!(d.facts.pass_id, 3);
    assert_eq!(d.model_year, Some(2014));
    assert!(d.error_codes.contains(&12));
    // The caller year's text replaced the model-year source.
    let my = d.values.iter().find(|v| v.element_id == 29).expect("year");
    assert_eq!(my.provenance.keys.as_deref(), Some("2000"));
    // Caller year 2015 covered by the schema: pass 2 wins, conclusive, code 12.
    let d = run(&g, bike_rows((2014, None)), "JH2SC0000EM000000", Some(2015));
    assert_eq!(d.facts.pass_id, 2);
    assert_eq!(d.model_year, Some(2015));
    assert!(d.error_codes.contains(&12));
    assert!(d.facts.model_year_conclusive);
}

#[test]
fn six_character_wmi() {
    let g = globals();
    let rows = WmiRows {
        wmi: "1G9ABC".into(),
        wmis: vec![wmi_row(3, "1G9ABC", 3)],
        links: vec![link(30, 3, 300, 2010, None)],
        schemas: vec![schema(300)],
        patterns: vec![
            pattern(3000, 300, "X", 28, "1861"),
            pattern(3001, 300, "[XY]", 101, "1"),
            pattern(3002, 300, "*", 31, "SOMEWHERE"),
        ],
        wmi_makes: vec![],
        spec_schemas: vec![],
        spec_patterns: vec![],
    };
    let text = VinText::new("1G9XXXXX0BLABC123").expect("vin");
    assert_eq!(text.wmi(), "1G9ABC");
    let cat = WmiCatalog::compile(&g, rows.clone());
    let d = decode(&g, &cat, &text, None, &clock());
    assert_eq!(&*d.vehicle_descriptor, "1G9XXXXX*BLABC");
    assert_eq!(d.model.as_deref(), Some("Accord"));
    // Position 4 outside [XY] is an error with two candidates, no check digit match.
    let d = run(&g, rows, "1G9ZXXXX0BLABC123", None);
    // Neither X nor Y makes the check digit 0: code 4, framed with '!'.
    assert!(d.error_codes.contains(&4), "{:?}", d.error_codes);
    assert_eq!(&*d.possible_values, "(4:XY)");
    assert_eq!(&*d.suggested_vin, "1G9!XXXX0BLABC123");
    assert_eq!(
        d.additional_error_text
            .as_deref()
            .map(|t| t.starts_with("The error position is indicated")),
        Some(true)
    );
}

#[test]
fn correction_scan_codes() {
    let g = globals();
    let mut rows = honda_rows();
    // A key matching every VIN keeps the scan running (no code 8).
    rows.patterns
        .push(pattern(1008, 100, "*", 31, "MARYSVILLE"));
    // Position 4 only allows C or D ([CD] key); 'E' is wrong.
    let d = run(&g, rows.clone(), "1HGEM82633A004352", None);
    // Both C and D are candidates; only C makes the check digit 3 right.
    assert!(d.error_codes.contains(&3), "{:?}", d.error_codes);
    assert_eq!(&*d.suggested_vin, "1HGCM82633A004352");
    assert_eq!(&*d.possible_values, "(4:C)");
    // Position 4 and 5 wrong: code 5 with the framed string.
    let d = run(&g, rows, "1HGEZ82633A004352", None);
    assert!(d.error_codes.contains(&5), "{:?}", d.error_codes);
    assert_eq!(&*d.suggested_vin, "1HG!!82633A004352");
    assert_eq!(&*d.possible_values, "(4:CD)(5:M)");
    assert_eq!(
        d.additional_error_text
            .as_deref()
            .map(|t| t.starts_with("The error positions are indicated")),
        Some(true)
    );
}

#[test]
fn single_candidate_gives_code_2() {
    let g = globals();
    let mut rows = honda_rows();
    rows.patterns.push(pattern(1007, 100, "*M", 101, "Y"));
    rows.patterns
        .push(pattern(1008, 100, "*", 31, "MARYSVILLE"));
    let d = run(&g, rows, "1HGCN82633A004352", None);
    assert!(d.error_codes.contains(&2), "{:?}", d.error_codes);
    assert_eq!(&*d.suggested_vin, "1HGCM82633A004352");
    assert_eq!(&*d.possible_values, "(5:M)");
}

#[test]
fn unused_positions_raise_14() {
    let g = globals();
    let mut rows = honda_rows();
    // Only '*' at position 8 for the trim key: drop the specific keys of 8.
    rows.patterns
        .retain(|p| p.id != 1002 && p.id != 1003 && p.id != 1005);
    rows.patterns.push(pattern(1010, 100, "CM82*|*A", 38, "EX"));
    let d = run(&g, rows, "1HGCM82633A004352", None);
    // Only 14 left: code 0 is raised beside it.
    assert_eq!(d.error_codes, vec![0, 14]);
    assert_eq!(d.facts.positions_unexplained, vec![8]);
    assert_eq!(
        d.additional_error_text.as_deref(),
        Some("Unused position(s): 8.")
    );
}

#[test]
fn fewer_fixed_characters_win_and_engine_choice_differs() {
    let g = globals();
    let mut rows = honda_rows();
    // Two engine models at the same priority/time: the printed one is the less
    // specific key (3.7), the one whose patterns are added is the last created (3.3).
    rows.patterns.retain(|p| p.id != 1002);
    rows.patterns.push(pattern(1020, 100, "CM8**", 18, "J30A4"));
    rows.patterns.push(pattern(1021, 100, "CM826", 18, "K24"));
    let d = run(&g, rows, "1HGCM82633A004352", None);
    assert_eq!(d.engine_model.as_deref(), Some("J30A4"));
    assert_eq!(d.engine_cylinders, Some(4));
}

#[test]
fn duplicate_covering_links_repeat_items() {
    let g = globals();
    let mut rows = honda_rows();
    rows.links.push(link(11, 1, 100, 2000, Some(2005)));
    let d = run(&g, rows, "1HGCM82633A004352", None);
    match d.attributes.get("Other Engine Info") {
        Some(Attribute::Many(v)) => assert_eq!(v.len(), 2),
        other => panic!("expected two values, got {other:?}"),
    }
    // The trim (not repeatable) stays single; its winner is the later YearFrom.
    let trim = d.values.iter().find(|v| v.element_id == 38).expect("trim");
    assert_eq!(trim.provenance.priority, 2003);
    let json = serde_json::to_value(&d).expect("json");
    assert!(json["attributes"]["Other Engine Info"].is_array());
    assert_eq!(json["attributes"]["Model"], "Accord");
}

#[test]
fn formula_pattern_takes_digits_from_the_vin() {
    let g = globals();
    let mut rows = honda_rows();
    rows.patterns
        .push(pattern(1030, 100, "*****|**##", 34, "0"));
    let d = run(&g, rows, "1HGCM82633A004352", None);
    assert_eq!(d.series.as_deref(), Some("00"));
    let s = d
        .values
        .iter()
        .find(|v| v.element_id == 34)
        .expect("series");
    assert_eq!(s.provenance.source, SourceKind::Formula);
    assert_eq!(&*s.provenance.source_text, "Formula Pattern");
    assert_eq!(s.provenance.keys.as_deref(), Some("*****|**##"));
    assert_eq!(s.provenance.attribute_id.as_deref(), Some("0"));
}

#[test]
fn lookup_miss_is_null_and_glider_is_code_9() {
    let g = globals();
    let mut rows = honda_rows();
    rows.patterns.retain(|p| p.id != 1001);
    rows.patterns.push(pattern(1001, 100, "CM82", 5, "64"));
    rows.patterns.push(pattern(1040, 100, "CM", 55, "05"));
    let d = run(&g, rows, "1HGCM82633A004352", None);
    assert_eq!(d.error_codes, vec![0, 9]);
    assert_eq!(d.body_class.as_deref(), Some("Glider"));
    assert_eq!(
        d.attributes.get("Curtain Air Bag Locations"),
        Some(&Attribute::One(None))
    );
}

#[test]
fn vehicle_spec_values_fill_missing_elements() {
    let g = globals();
    let mut rows = honda_rows();
    let spec = |id, is_key, element, attribute: &str, updated: Option<&str>| SpecPatternRow {
        id,
        vspec_schema_pattern_id: 500,
        spec_schema_id: 50,
        is_key,
        element_id: element,
        attribute_id: attribute.into(),
        created_on: Some(ts("2020-01-01 00:00:00")),
        updated_on: updated.map(ts),
    };
    rows.spec_schemas = vec![SpecSchemaRow {
        id: 50,
        make_id: 474,
        vehicle_type_id: Some(2),
        tobeqced: None,
        model_ids: vec![1861],
        years: vec![2003, 2004],
    }];
    rows.spec_patterns = vec![
        spec(1, true, 38, "ex-v6", None),
        spec(2, false, 34, "Base", None),
        spec(3, false, 34, "Newer", Some("2021-01-01 00:00:00")),
        spec(4, false, 28, "1862", None),
        spec(5, false, 129, "Spec note", None),
    ];
    let d = run(&g, rows.clone(), "1HGCM82633A004352", None);
    assert_eq!(d.series.as_deref(), Some("Newer"));
    assert_eq!(d.model.as_deref(), Some("Accord"));
    match d.attributes.get("Other Engine Info") {
        Some(Attribute::Many(v)) => assert!(v.contains(&Some("Spec note".into()))),
        other => panic!("expected a list, got {other:?}"),
    }
    let s = d
        .values
        .iter()
        .find(|v| v.element_id == 34)
        .expect("series");
    assert_eq!(s.provenance.source, SourceKind::VehicleSpec);
    assert_eq!(s.provenance.pattern_id, Some(500));
    assert_eq!(s.provenance.vin_schema_id, Some(50));
    // A key that matches no item drops the spec group.
    rows.spec_patterns[0].attribute_id = "LX".into();
    let d = run(&g, rows, "1HGCM82633A004352", None);
    assert_eq!(d.series, None);
}

#[test]
fn qc_schema_formula_items_are_dropped_alone() {
    let g = globals();
    let mut rows = honda_rows();
    rows.schemas.push(VinSchemaRow {
        id: 101,
        name: "unreviewed".into(),
        tobeqced: Some(true),
    });
    rows.links.push(link(12, 1, 101, 2003, Some(2003)));
    rows.patterns
        .push(pattern(1050, 101, "*****|**##", 34, "0"));
    rows.patterns.push(pattern(1051, 101, "CM", 14, "4"));
    let d = run(&g, rows, "1HGCM82633A004352", None);
    // Regular patterns of a QC schema never match; its formula item is swept.
    assert_eq!(d.doors, Some(2));
    assert_eq!(d.series, None);
    assert_eq!(d.model.as_deref(), Some("Accord"));
}

#[test]
fn over_long_input_is_rejected_before_the_engine() {
    assert!(VinText::new("1HGCM82633A0043521").is_err());
    assert!(VinText::new("  1HGCM82633A004352  ").is_ok());
}

#[test]
fn decoded_round_trips_through_json() {
    let g = globals();
    let d = run(&g, honda_rows(), "1HGCM82633A004352", None);
    let json = serde_json::to_string(&d).expect("json");
    let back: Decoded = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, d);
}

#[test]
fn allowed_characters_per_year_match_the_patterns() {
    let g = globals();
    let mut rows = honda_rows();
    rows.links.push(link(13, 1, 102, 2040, None));
    rows.schemas.push(schema(102));
    rows.patterns.push(pattern(1060, 102, "Z", 101, "Z"));
    let cat = WmiCatalog::compile(&g, rows);
    for year in 1975..2050 {
        let sets = cat.valid_chars(Some(year));
        assert_eq!(sets, cat.compute_valid_chars(Some(year)), "{year}");
        assert_eq!(
            sets.at_position(4).contains('C'),
            (2003..=2007).contains(&year)
        );
        assert_eq!(sets.at_position(4).contains('Z'), year >= 2040);
    }
    assert!(cat.valid_chars(None).at_position(4).is_empty());
}

#[test]
fn non_ascii_and_tabs_are_invalid_characters() {
    let g = globals();
    let d = run(&g, honda_rows(), "1HGCM82633A00435é", None);
    assert_eq!(d.error_codes, vec![1, 400]);
    assert_eq!(&*d.suggested_vin, "1HGCM82633A00435!");
    assert_eq!(
        d.additional_error_text.as_deref(),
        Some("Invalid character(s): 17:é.")
    );
    // Only spaces are trimmed: a trailing tab is kept and counted.
    let d = run(&g, honda_rows(), " 1HGCM82633A0043\t ", None);
    assert_eq!(d.vin, "1HGCM82633A0043\t");
    assert!(d.error_codes.contains(&6) && d.error_codes.contains(&400));
    assert_eq!(&*d.suggested_vin, "1HGCM82633A0043!");
}

#[test]
fn clock_year_agrees_with_the_printed_timestamp() {
    // Around every new year from 1600 to 2400, and mid-year: the arithmetic
    // year equals the year printed by the timestamp's own formatting.
    let micros_per_day = 86_400_000_000i64;
    for year in 1600..=2400 {
        let start = ts(&format!("{year:04}-01-01 00:00:00")).0;
        for t in [
            start - 1,
            start,
            start + micros_per_day * 59,
            start + micros_per_day * 60 - 1,
            start + micros_per_day * 180 + 12_345,
        ] {
            let t = Timestamp(t);
            let printed: i32 = t.to_string()[..4].parse().expect("four-digit year");
            assert_eq!(Clock::at(t).this_year, printed, "{t}");
        }
    }
    assert_eq!(Clock::at(ts("1970-01-01 00:00:00")).this_year, 1970);
    assert_eq!(Clock::at(ts("2024-02-29 23:59:59.999999")).this_year, 2024);
}

#[test]
fn number_texts_are_decimal() {
    for v in [0, 7, 10, 99, 1980, 2026, -1, -45, i32::MAX, i32::MIN] {
        assert_eq!(&*pass::int_text(v), v.to_string(), "{v}");
    }
    // The remembered texts: numbers that share a slot each get their own
    // text, asked for twice, in any order.
    let numbers: Vec<i32> = (0..2000).chain([-5, i32::MAX, i32::MIN]).collect();
    for round in 0..2 {
        for &v in &numbers {
            assert_eq!(&*pass::id_text(v), v.to_string(), "{v} (round {round})");
        }
        for &v in numbers.iter().rev() {
            assert_eq!(&*pass::id_text(v), v.to_string(), "{v} (round {round})");
        }
    }
    let mut s = String::new();
    for n in [0usize, 9, 10, 400, 12_345] {
        s.clear();
        scan::push_number(&mut s, n);
        assert_eq!(s, n.to_string());
    }
}

#[test]
fn element_sets_hold_small_and_large_ids() {
    let mut set = item::ElementSet::default();
    for e in [0, 63, 64, 255, 256, 1000, -3] {
        assert!(set.insert(e), "{e} is new");
        assert!(!set.insert(e), "{e} is known");
    }
    assert!(set.insert(1));
}

#[test]
fn output_order_matches_a_plain_sort() {
    use item::{Item, Src};
    // Elements printed and not (100 is private, 101 undecoded), in a mixed
    // creation order, some repeated; the expected order is the plain sort by
    // group rank, element id and creation.
    let elements = [28, 5, 129, 100, 26, 129, 143, 13, 101, 28, 39, 196, 5, 27];
    let make = |seqs: &[u32]| -> Vec<Item> {
        elements
            .iter()
            .zip(seqs)
            .map(|(&e, &seq)| {
                let mut it = Item::new(e, Src::Pattern, 0);
                it.seq = seq;
                it
            })
            .collect()
    };
    let expected = |g: &Globals, items: &[Item]| -> Vec<(i32, u32)> {
        let mut v: Vec<(i32, u32)> = items
            .iter()
            .filter(|i| g.element(i.element).is_some_and(|e| e.printed))
            .map(|i| (i.element, i.seq))
            .collect();
        v.sort_by_key(|&(element, seq)| {
            let e = g.element(element).expect("printed element");
            (e.group_rank, e.id, seq)
        });
        v
    };
    let order = |g: &Globals, items: &[Item]| -> Vec<(i32, u32)> {
        output::output_rows(g, items)
            .iter()
            .map(|(i, e)| {
                assert_eq!(i.element, e.id);
                (i.element, i.seq)
            })
            .collect()
    };
    let g = globals();
    let ascending: Vec<u32> = (1..=elements.len() as u32).collect();
    let items = make(&ascending);
    let rows = order(&g, &items);
    assert_eq!(rows, expected(&g, &items));
    assert!(!rows.iter().any(|(element, _)| [100, 101].contains(element)));
    // Creation order not ascending: the sequence numbers still decide.
    let shuffled: Vec<u32> = ascending.iter().rev().copied().collect();
    let items = make(&shuffled);
    assert_eq!(order(&g, &items), expected(&g, &items));
    // Other globals of the same version order by their own group ranks.
    let mut changed = globals_rows();
    for e in &mut changed.elements {
        if e.id == 129 {
            e.group_name = Some("General".into());
        }
    }
    let g2 = Globals::compile(3, changed);
    let items = make(&ascending);
    assert_eq!(order(&g2, &items), expected(&g2, &items));
    assert_ne!(expected(&g2, &items), expected(&g, &items));
}

#[test]
fn many_elements_order_output_as_few_do() {
    // Past the ranks ordered by counting the output is sorted instead: the
    // decodes must not differ.
    let g = globals();
    let mut rows = globals_rows();
    for n in 0..300 {
        rows.elements.push(element(
            1000 + n,
            &format!("Padding {n:03}"),
            "Engine",
            "string",
            None,
        ));
    }
    let padded = Globals::compile(3, rows);
    assert!(padded.rank_count() > 256 && g.rank_count() <= 256);
    for (vin, year) in [
        ("1HGCM82633A004352", None),
        ("1HGCM82633A004352", Some(2004)),
        ("1HGCM8263", None),
    ] {
        let few = run(&g, honda_rows(), vin, year);
        let many = run(&padded, honda_rows(), vin, year);
        assert!(!few.attributes.is_empty());
        assert_eq!(many, few, "{vin} {year:?}");
    }
}

#[test]
fn typed_numbers_read_alike_with_shared_names() {
    // Elements named like the number elements (with no values here) send the
    // typed numbers through the attribute map; they must read the same.
    let g = globals();
    let mut rows = globals_rows();
    for (id, name) in [
        (1501, "Engine Number of Cylinders"),
        (1502, "Displacement (L)"),
        (1503, "Doors"),
    ] {
        rows.elements
            .push(element(id, name, "Engine", "string", None));
    }
    let shared = Globals::compile(3, rows);
    for id in [9, 13, 14] {
        assert!(shared.element(id).is_some_and(|e| e.name_shared));
        assert!(g.element(id).is_some_and(|e| !e.name_shared));
    }
    let few = run(&g, honda_rows(), "1HGCM82633A004352", None);
    let many = run(&shared, honda_rows(), "1HGCM82633A004352", None);
    assert_eq!(few.engine_cylinders, Some(6));
    assert_eq!(few.doors, Some(2));
    assert!(few.displacement_l.is_some_and(|l| (l - 2.997).abs() < 1e-9));
    assert_eq!(many.engine_cylinders, few.engine_cylinders);
    assert_eq!(many.displacement_l, few.displacement_l);
    assert_eq!(many.doors, few.doors);
}
