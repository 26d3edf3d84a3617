//! NHTSA data months (`YYYY_MM`) found in file names and timestamps.

/// The month of an NHTSA file name such as `vPICList_lite_2026_08.plain.zip`
/// (any `…_YYYY_MM…` token; the last one wins).
///
/// ```
/// use vin_db::etl::source::month::month_from_name;
/// assert_eq!(month_from_name("/x/vPICList_lite_2026_08.plain.zip").as_deref(), Some("2026_08"));
/// assert_eq!(month_from_name("dump.sql.gz"), None);
/// ```
pub fn month_from_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let mut found = None;
    for i in 0..b.len().saturating_sub(6) {
        let token = &b[i..i + 7];
        let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
        let after_ok = b.get(i + 7).is_none_or(|c| !c.is_ascii_digit());
        if before_ok && after_ok && token[4] == b'_' {
            found = parse_month(&token[..4], &token[5..]).or(found);
        }
    }
    found
}

/// The month of a timestamp text `YYYY-MM-DD…`.
pub fn month_from_timestamp(ts: &str) -> Option<String> {
    let b = ts.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    parse_month(&b[..4], &b[5..7])
}

/// Validates a month string `YYYY_MM`.
pub fn is_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7 && b[4] == b'_' && parse_month(&b[..4], &b[5..]).is_some()
}

fn parse_month(year: &[u8], month: &[u8]) -> Option<String> {
    if !year.iter().chain(month).all(u8::is_ascii_digit) || month.len() != 2 {
        return None;
    }
    let y = std::str::from_utf8(year).ok()?;
    let m = std::str::from_utf8(month).ok()?;
    let mn: u32 = m.parse().ok()?;
    let yn: u32 = y.parse().ok()?;
    ((1..=12).contains(&mn) && (1990..=2999).contains(&yn)).then(|| format!("{y}_{m}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_from_names_and_timestamps() {
        assert_eq!(
            month_from_name("vPICList_lite_2026_02.sql").as_deref(),
            Some("2026_02")
        );
        assert_eq!(
            month_from_name("vpic-small-tables-2026_08.json").as_deref(),
            Some("2026_08")
        );
        assert_eq!(month_from_name("x_2026_13.sql"), None);
        assert_eq!(month_from_name("x_12026_01.sql"), None);
        assert_eq!(
            month_from_timestamp("2026-02-17 18:23:08.860").as_deref(),
            Some("2026_02")
        );
        assert_eq!(month_from_timestamp("2026/02/17"), None);
        assert!(is_month("2026_08"));
        assert!(!is_month("2026-08"));
        assert!(!is_month("2026_8"));
    }
}
