//! GO identifiers (`GO:0008150`) held as their integer part.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A GO term identifier. Compact (a `u32`), ordered, and printed as `GO:%07d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoId(pub u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid GO id {text:?}: expected GO: followed by 7 digits")]
pub struct GoIdError {
    pub text: String,
}

impl GoId {
    /// Parses exactly `GO:` followed by seven ASCII digits.
    pub fn parse(text: &str) -> Result<GoId, GoIdError> {
        let err = || GoIdError {
            text: text.to_owned(),
        };
        let digits = text.strip_prefix("GO:").ok_or_else(err)?;
        if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        digits.parse().map(GoId).map_err(|_| err())
    }
}

impl FromStr for GoId {
    type Err = GoIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GoId::parse(s)
    }
}

impl fmt::Display for GoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GO:{:07}", self.0)
    }
}

impl Serialize for GoId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        GoId::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let id = GoId::parse("GO:0008150").unwrap();
        assert_eq!(id, GoId(8150));
        assert_eq!(id.to_string(), "GO:0008150");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "GO:123",
            "go:0008150",
            "GO:00081500",
            "GO:000815x",
            "0008150",
            "",
        ] {
            assert!(GoId::parse(bad).is_err(), "{bad}");
        }
    }
}
