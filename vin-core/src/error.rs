//! Typed errors of VIN parsing.

use core::fmt;

/// Why a text is not a VIN (strict form) or cannot be held as [`VinText`](crate::VinText).
///
/// Every variant has a stable [`code`](VinError::code); positions are 1-based
/// and count characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VinError {
    /// Nothing left after trimming.
    Empty,
    /// Not 17 characters (for [`VinText`](crate::VinText): more than 17).
    Length {
        /// The number of characters after normalising.
        len: usize,
    },
    /// A character outside `0-9 A-Z` or one of `I O Q`.
    InvalidChar {
        /// The offending character (after upper-casing).
        ch: char,
        /// Its 1-based position, counted in characters.
        position: usize,
    },
}

/// A problem found in a lenient [`VinText`](crate::VinText): the same cases as
/// [`VinError`], reported as data instead of refusing the text.
pub type VinProblem = VinError;

impl VinError {
    /// A stable machine-readable code: `VIN_EMPTY`, `VIN_LENGTH` or `VIN_INVALID_CHAR`.
    ///
    /// ```
    /// assert_eq!(vin_core::Vin::parse("123").unwrap_err().code(), "VIN_LENGTH");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            VinError::Empty => "VIN_EMPTY",
            VinError::Length { .. } => "VIN_LENGTH",
            VinError::InvalidChar { .. } => "VIN_INVALID_CHAR",
        }
    }

    /// The 1-based position the error points at, where one applies.
    pub fn position(&self) -> Option<usize> {
        match self {
            VinError::InvalidChar { position, .. } => Some(*position),
            _ => None,
        }
    }
}

impl fmt::Display for VinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VinError::Empty => f.write_str("the VIN is empty"),
            VinError::Length { len } => {
                write!(f, "a VIN has 17 characters, this one has {len}")
            }
            VinError::InvalidChar { ch, position } => write!(
                f,
                "invalid character {ch:?} at position {position} (allowed: 0-9 and A-Z except I, O, Q)"
            ),
        }
    }
}

impl core::error::Error for VinError {}
