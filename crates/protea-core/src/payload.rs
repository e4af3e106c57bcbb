//! Strict payload validation.
//!
//! Payloads arrive as JSON objects. Every operation declares a serde struct
//! with `#[serde(deny_unknown_fields)]`; serde's typed deserialisation already
//! refuses coercions (`"yes"` is not a bool, `"5"` is not an integer, `5.5` is
//! not an integer). Ranges and cross-field rules are checked afterwards by
//! [`Validate`]. Every error names the offending field.

use serde::de::DeserializeOwned;
use std::fmt;

/// A payload that failed validation: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PayloadError {
    /// Dotted path of the field (`page_size`, `rerankers.nk.bpo`), or `payload`
    /// when the problem concerns the whole object.
    pub field: String,
    pub message: String,
}

impl PayloadError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> PayloadError {
        PayloadError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid payload field `{}`: {}",
            self.field, self.message
        )
    }
}

/// Range and cross-field checks run after deserialisation.
pub trait Validate {
    fn validate(&self) -> Result<(), PayloadError> {
        Ok(())
    }
}

/// Decodes and validates a payload. `null` counts as an empty object, so
/// operations without required fields accept a missing payload.
pub fn decode_payload<T: DeserializeOwned + Validate>(
    value: &serde_json::Value,
) -> Result<T, PayloadError> {
    let empty = serde_json::Value::Object(Default::default());
    let value = if value.is_null() { &empty } else { value };
    if !value.is_object() {
        return Err(PayloadError::new("payload", "must be a JSON object"));
    }
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        // serde reports unknown and missing fields at the parent path; pull
        // the field name out of the message so the error names it.
        let field = match field_named_in(&inner) {
            Some(name) if path == "." => name.to_owned(),
            Some(name) if !path.ends_with(name) => format!("{path}.{name}"),
            _ if path == "." => "payload".to_owned(),
            _ => path,
        };
        PayloadError::new(field, inner)
    })?;
    parsed.validate()?;
    Ok(parsed)
}

fn field_named_in(message: &str) -> Option<&str> {
    for prefix in ["unknown field `", "missing field `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            return rest.split('`').next();
        }
    }
    None
}

/// Range check helper: `value` must lie in `[min, max]`.
pub fn check_range<T: PartialOrd + fmt::Display + Copy>(
    field: &str,
    value: T,
    min: T,
    max: T,
) -> Result<(), PayloadError> {
    if value < min || value > max {
        return Err(PayloadError::new(
            field,
            format!("{value} is out of range [{min}, {max}]"),
        ));
    }
    Ok(())
}

/// Positive-number check (`> 0`), the rule for sizes, limits and timeouts.
pub fn check_positive<T: PartialOrd + fmt::Display + Default + Copy>(
    field: &str,
    value: T,
) -> Result<(), PayloadError> {
    if value <= T::default() {
        return Err(PayloadError::new(
            field,
            format!("must be greater than 0, got {value}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: String,
        #[serde(default = "default_size")]
        page_size: u32,
        #[serde(default)]
        compressed: bool,
        #[serde(default)]
        ratio: Option<f64>,
    }

    fn default_size() -> u32 {
        500
    }

    impl Validate for Sample {
        fn validate(&self) -> Result<(), PayloadError> {
            check_positive("page_size", self.page_size)?;
            if let Some(ratio) = self.ratio {
                check_range("ratio", ratio, 0.0, 2.0)?;
            }
            Ok(())
        }
    }

    fn err(value: serde_json::Value) -> PayloadError {
        decode_payload::<Sample>(&value).unwrap_err()
    }

    #[test]
    fn defaults_fill_in() {
        let sample: Sample = decode_payload(&json!({"name": "x"})).unwrap();
        assert_eq!((sample.page_size, sample.compressed), (500, false));
        assert_eq!(sample.name, "x");
    }

    #[test]
    fn unknown_field_is_named() {
        let e = err(json!({"name": "x", "colour": 1}));
        assert_eq!(e.field, "colour");
        assert!(e.message.contains("unknown field"), "{e}");
    }

    #[test]
    fn missing_field_is_named() {
        assert_eq!(err(json!({})).field, "name");
    }

    #[test]
    fn no_coercion() {
        assert_eq!(
            err(json!({"name": "x", "compressed": "yes"})).field,
            "compressed"
        );
        assert_eq!(
            err(json!({"name": "x", "page_size": "5"})).field,
            "page_size"
        );
        assert_eq!(
            err(json!({"name": "x", "page_size": 5.5})).field,
            "page_size"
        );
        assert_eq!(err(json!({"name": 3})).field, "name");
    }

    #[test]
    fn ranges_are_checked() {
        let e = err(json!({"name": "x", "page_size": 0}));
        assert_eq!(e.field, "page_size");
        let e = err(json!({"name": "x", "ratio": 2.5}));
        assert_eq!(e.field, "ratio");
        assert!(e.to_string().contains("out of range"));
    }

    #[test]
    fn payload_must_be_an_object() {
        assert_eq!(err(json!([1, 2])).field, "payload");
    }
}
