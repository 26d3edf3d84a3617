//! `Vin` as a JSON string (feature `serde`).
#![cfg(feature = "serde")]

use vin_core::Vin;

#[test]
fn vin_round_trips_as_a_string() {
    let vin = Vin::parse("1HGCM82633A004352").unwrap();
    let json = serde_json::to_string(&vin).unwrap();
    assert_eq!(json, "\"1HGCM82633A004352\"");
    assert_eq!(serde_json::from_str::<Vin>(&json).unwrap(), vin);
    // Deserialising validates like `Vin::parse`, normalisation included.
    assert_eq!(
        serde_json::from_str::<Vin>("\" 1hgcm82633a004352\"").unwrap(),
        vin
    );
    let err = serde_json::from_str::<Vin>("\"1HGCM82633A00435\"").unwrap_err();
    assert!(err.to_string().contains("17 characters"), "{err}");
}
