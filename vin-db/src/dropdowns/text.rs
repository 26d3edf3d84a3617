//! Display texts and stable ids of the derived choices (trims, engines,
//! transmissions).
//!
//! Ids are the first 53 bits of a SHA-256 over the kind, the parents and the
//! normalized text, so they survive a refresh of the data unchanged, and a
//! JavaScript `number` holds them exactly (2^53 − 1 is its largest safe
//! integer).

use sha2::{Digest, Sha256};

/// What a derived choice is; part of its id so a trim and an engine with the
/// same text never share an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A trim (from the Trim or Series element).
    Trim,
    /// An engine description.
    Engine,
    /// A transmission description.
    Transmission,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Trim => "trim",
            Kind::Engine => "engine",
            Kind::Transmission => "transmission",
        }
    }
}

/// The form two texts are compared in: trimmed, inner whitespace runs
/// collapsed to one space, upper-cased.
///
/// ```
/// use vin_db::dropdowns::text::normalize;
/// assert_eq!(normalize("  ex-l \t Navi "), "EX-L NAVI");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_uppercase));
    }
    out
}

/// The stable id of a derived choice: the first 53 bits of
/// SHA-256(`kind` 0x1F `make_id` 0x1F `model_id` 0x1F normalized `text`),
/// big-endian, so always in `0..2^53`.
///
/// ```
/// use vin_db::dropdowns::text::{stable_id, Kind};
/// let a = stable_id(Kind::Trim, 474, 1861, "EX-V6");
/// assert_eq!(a, stable_id(Kind::Trim, 474, 1861, " ex-v6 "));
/// assert_ne!(a, stable_id(Kind::Engine, 474, 1861, "EX-V6"));
/// assert!(a >= 0 && a < 1 << 53);
/// ```
pub fn stable_id(kind: Kind, make_id: i64, model_id: i64, text: &str) -> i64 {
    let mut hasher = Sha256::new();
    hasher.update(kind.tag().as_bytes());
    hasher.update([0x1f]);
    hasher.update(make_id.to_string().as_bytes());
    hasher.update([0x1f]);
    hasher.update(model_id.to_string().as_bytes());
    hasher.update([0x1f]);
    hasher.update(normalize(text).as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) >> 11) as i64
}

/// What is known about one engine; every part is optional and only the
/// known ones are printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineParts {
    /// Displacement in litres, as the data writes it (element 13), e.g. `2.4`.
    pub liters: Option<String>,
    /// Displacement in cubic centimetres (element 11), used when litres are unknown.
    pub cc: Option<String>,
    /// Number of cylinders (element 9).
    pub cylinders: Option<String>,
    /// Engine configuration lookup name (element 64), e.g. `V-Shaped`.
    pub configuration: Option<String>,
    /// Primary fuel lookup name (element 24), e.g. `Gasoline`.
    pub fuel: Option<String>,
    /// Turbo lookup name (element 135): `Yes` or `No`.
    pub turbo: Option<String>,
    /// Engine model (element 18), e.g. `J30A4`.
    pub engine_model: Option<String>,
}

/// The short letter of an engine configuration when it reads well before a
/// cylinder count (`V6`, `I4`, `H4`, `W12`).
fn configuration_letter(name: &str) -> Option<&'static str> {
    let n = normalize(name);
    if n.starts_with("V") {
        Some("V")
    } else if n.starts_with("IN-LINE") || n.starts_with("INLINE") || n == "STRAIGHT" {
        Some("I")
    } else if n.starts_with("HORIZONTALLY OPPOSED") || n.starts_with("BOXER") {
        Some("H")
    } else if n.starts_with("W") {
        Some("W")
    } else {
        None
    }
}

/// Formats a displacement in litres with one decimal (`2.4L`); `None` when the
/// text is not a positive number.
fn litres_text(liters: Option<&str>, cc: Option<&str>) -> Option<String> {
    let parse = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let l = match liters.and_then(parse) {
        Some(l) => l,
        None => cc.and_then(parse)? / 1000.0,
    };
    Some(format!("{l:.1}L"))
}

/// Positive whole number of cylinders, as text.
fn cylinders_text(cyl: Option<&str>) -> Option<String> {
    let n: u32 = cyl?.trim().parse().ok()?;
    (n > 0).then(|| n.to_string())
}

impl EngineParts {
    /// The engine's readable text: `<displacement>L <layout><cylinders> <fuel>
    /// [Turbo] [(<engine model>)]`, each part only when known.
    ///
    /// The layout letter is `V` (V-shaped), `I` (in-line), `H` (horizontally
    /// opposed) or `W`; another configuration prints its full name, and
    /// cylinders without a configuration print as `6-Cyl`. Displacement comes
    /// from litres, else from cubic centimetres, rounded to one decimal.
    /// `None` when nothing at all is known.
    ///
    /// ```
    /// use vin_db::dropdowns::text::EngineParts;
    /// let e = EngineParts {
    ///     liters: Some("3.5".into()),
    ///     cylinders: Some("6".into()),
    ///     configuration: Some("V-Shaped".into()),
    ///     fuel: Some("Gasoline".into()),
    ///     turbo: Some("Yes".into()),
    ///     engine_model: Some("GTDI".into()),
    ///     ..EngineParts::default()
    /// };
    /// assert_eq!(e.text().as_deref(), Some("3.5L V6 Gasoline Turbo (GTDI)"));
    /// ```
    pub fn text(&self) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(l) = litres_text(self.liters.as_deref(), self.cc.as_deref()) {
            parts.push(l);
        }
        let cyl = cylinders_text(self.cylinders.as_deref());
        let cfg = self
            .configuration
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        match (cfg, cyl) {
            (Some(c), Some(n)) => match configuration_letter(c) {
                Some(letter) => parts.push(format!("{letter}{n}")),
                None => {
                    parts.push(c.to_string());
                    parts.push(format!("{n}-Cyl"));
                }
            },
            (Some(c), None) => parts.push(c.to_string()),
            (None, Some(n)) => parts.push(format!("{n}-Cyl")),
            (None, None) => {}
        }
        if let Some(f) = self
            .fuel
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            parts.push(f.to_string());
        }
        if self
            .turbo
            .as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("yes"))
        {
            parts.push("Turbo".to_string());
        }
        if let Some(m) = self
            .engine_model
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            parts.push(format!("({m})"));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The readable text of a transmission: the style (lookup name of element
/// 37) and the number of speeds (element 63) as `N-Speed`, e.g.
/// `Automatic 6-Speed`; `None` when neither is known.
///
/// ```
/// use vin_db::dropdowns::text::transmission_text;
/// assert_eq!(transmission_text(Some("Automatic"), Some("6")).as_deref(), Some("Automatic 6-Speed"));
/// assert_eq!(transmission_text(None, Some("5")).as_deref(), Some("5-Speed"));
/// assert_eq!(transmission_text(None, None), None);
/// ```
pub fn transmission_text(style: Option<&str>, speeds: Option<&str>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(s) = style.map(str::trim).filter(|s| !s.is_empty()) {
        parts.push(s.to_string());
    }
    if let Some(n) = speeds.map(str::trim).filter(|s| !s.is_empty()) {
        match n.parse::<u32>() {
            Ok(v) if v > 0 => parts.push(format!("{v}-Speed")),
            // Not a plain count (e.g. a range): keep the data's text.
            _ => parts.push(format!("{n} Speed")),
        }
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_collapses_and_uppercases() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("   "), "");
        assert_eq!(normalize("Sport\u{a0} Line"), "SPORT LINE");
        assert_eq!(normalize("lx"), normalize(" LX\n"));
    }

    #[test]
    fn ids_depend_on_parents_and_fit_53_bits() {
        let base = stable_id(Kind::Trim, 1, 2, "LX");
        assert_ne!(base, stable_id(Kind::Trim, 1, 3, "LX"));
        assert_ne!(base, stable_id(Kind::Trim, 12, 3, "LX"));
        // The separator keeps (1, 23) and (12, 3) apart.
        assert_ne!(
            stable_id(Kind::Trim, 1, 23, "LX"),
            stable_id(Kind::Trim, 12, 3, "LX")
        );
        for i in 0..2000 {
            let id = stable_id(Kind::Engine, i, i * 7, &format!("{i}.0L"));
            assert!((0..1i64 << 53).contains(&id));
        }
    }

    #[test]
    fn engine_layouts() {
        let e = |cfg: &str, cyl: &str| EngineParts {
            configuration: Some(cfg.into()),
            cylinders: Some(cyl.into()),
            ..EngineParts::default()
        };
        assert_eq!(e("In-Line", "4").text().as_deref(), Some("I4"));
        assert_eq!(e("V-Shaped", "8").text().as_deref(), Some("V8"));
        assert_eq!(
            e("Horizontally opposed (boxer)", "4").text().as_deref(),
            Some("H4")
        );
        assert_eq!(e("W Shaped", "12").text().as_deref(), Some("W12"));
        assert_eq!(e("Rotary", "2").text().as_deref(), Some("Rotary 2-Cyl"));
        assert_eq!(e("In-Line", "x").text().as_deref(), Some("In-Line"));
    }

    #[test]
    fn engine_displacement_and_flags() {
        let mut e = EngineParts {
            cc: Some("2359.0".into()),
            cylinders: Some("4".into()),
            fuel: Some("Gasoline".into()),
            turbo: Some("No".into()),
            ..EngineParts::default()
        };
        assert_eq!(e.text().as_deref(), Some("2.4L 4-Cyl Gasoline"));
        e.liters = Some("2.0".into());
        assert_eq!(e.text().as_deref(), Some("2.0L 4-Cyl Gasoline"));
        e.liters = Some("n/a".into());
        e.cc = None;
        assert_eq!(e.text().as_deref(), Some("4-Cyl Gasoline"));
        assert_eq!(EngineParts::default().text(), None);
        let electric = EngineParts {
            fuel: Some("Electric".into()),
            ..EngineParts::default()
        };
        assert_eq!(electric.text().as_deref(), Some("Electric"));
    }

    #[test]
    fn transmission_odd_speeds() {
        assert_eq!(
            transmission_text(Some("Manual/Standard"), Some("6-7")).as_deref(),
            Some("Manual/Standard 6-7 Speed")
        );
        assert_eq!(transmission_text(Some(" "), Some("")), None);
    }
}
