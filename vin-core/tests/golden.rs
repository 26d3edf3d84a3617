//! Real VINs from the committed golden decodes: parsing, sections, check digit and model years.

use vin_core::model_year::{VehicleClass, candidates};
use vin_core::{Vin, VinText};

struct Row {
    vin: String,
    codes: Option<Vec<i64>>,
    model_year: Option<i32>,
}

fn rows() -> Vec<Row> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vin-db/tests/data/golden.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("golden decodes are committed");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Row {
                vin: v["vin"].as_str().unwrap().to_owned(),
                codes: v["error_codes"]
                    .as_array()
                    .map(|a| a.iter().map(|c| c.as_i64().unwrap()).collect()),
                model_year: v["model_year"].as_i64().map(|y| y as i32),
            }
        })
        .collect()
}

#[test]
fn check_digit_agrees_with_code_1() {
    let rows = rows();
    let (mut valid, mut invalid) = (0, 0);
    for row in rows.iter().filter(|r| r.codes.is_some()) {
        let codes = row.codes.as_ref().unwrap();
        let vin = Vin::parse(&row.vin).unwrap_or_else(|e| panic!("{}: {e}", row.vin));
        let has_1 = codes.contains(&1);
        assert_eq!(vin.check_digit_valid(), !has_1, "{}", row.vin);
        if has_1 { invalid += 1 } else { valid += 1 }
    }
    // Both kinds are present in the data set.
    assert!(
        valid > 500 && invalid > 20,
        "valid {valid}, invalid {invalid}"
    );
}

#[test]
fn sections_and_text_forms_agree() {
    for row in rows() {
        let vin = Vin::parse(&row.vin).unwrap();
        let s = vin.as_str();
        assert_eq!(s, row.vin.to_ascii_uppercase());
        assert_eq!(vin.vds(), &s[3..8]);
        assert_eq!(vin.check_char(), s.as_bytes()[8]);
        assert_eq!(vin.year_char(), s.as_bytes()[9]);
        assert_eq!(vin.plant_char(), s.as_bytes()[10]);
        assert_eq!(vin.vis(), &s[9..]);
        let text = VinText::from(vin);
        assert_eq!(text, VinText::new(&row.vin).unwrap());
        assert_eq!(text.wmi(), vin.wmi().as_str());
        assert_eq!(text.keys().as_str(), format!("{}|{}", &s[3..8], &s[9..]));
        assert_eq!(vin.keys(), text.keys());
        assert!(text.problems().is_empty());
        assert_eq!(text.to_vin(), Ok(vin));
        if s.as_bytes()[2] == b'9' {
            assert_eq!(vin.wmi().as_str(), format!("{}{}", &s[..3], &s[11..14]));
            assert_eq!(vin.serial(), &s[14..]);
            assert_eq!(text.descriptor(), format!("{}*{}", &s[..8], &s[9..14]));
        } else {
            assert_eq!(vin.wmi().as_str(), &s[..3]);
            assert_eq!(vin.serial(), &s[11..]);
            assert_eq!(text.descriptor(), format!("{}*{}", &s[..8], &s[9..11]));
        }
        assert!(vin.wmi().region().is_some(), "{s}");
    }
}

#[test]
fn decided_model_year_is_a_candidate_of_position_10() {
    let mut checked = 0;
    for row in rows() {
        let Some(year) = row.model_year else { continue };
        let vin = Vin::parse(&row.vin).unwrap();
        let years = candidates(&vin, VehicleClass::Other, 2026);
        assert!(years.contains(year), "{}: {year} not in {years:?}", row.vin);
        checked += 1;
    }
    assert!(checked > 700);
}
