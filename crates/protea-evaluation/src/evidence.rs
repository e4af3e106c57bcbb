//! Evidence codes: the experimental set that defines CAFA ground truth, the default evidence
//! weights of scoring configs, and the ECO ids that stand for GO evidence codes.

/// The 13 experimental GO evidence codes of the original platform (§5.13): the classic
/// experimental codes, the high-throughput ones, and the curator codes IC and TAS.
pub const EXPERIMENTAL_CODES: [&str; 13] = [
    "EXP", "IDA", "IPI", "IMP", "IGI", "IEP", "HTP", "HDA", "HMP", "HGI", "HEP", "IC", "TAS",
];

/// The ECO ids that QuickGO writes for the experimental codes, in the order of
/// [`EXPERIMENTAL_CODES`]. Sets loaded without an ECO mapping keep raw ECO ids, so both
/// spellings count as experimental.
pub const EXPERIMENTAL_ECO_IDS: [&str; 13] = [
    "ECO:0000269",
    "ECO:0000314",
    "ECO:0000353",
    "ECO:0000315",
    "ECO:0000316",
    "ECO:0000270",
    "ECO:0006056",
    "ECO:0007005",
    "ECO:0007001",
    "ECO:0007003",
    "ECO:0007007",
    "ECO:0000305",
    "ECO:0000304",
];

/// True when an annotation's evidence code makes it experimental. Matching is exact, as in
/// the original (no case folding, no ECO hierarchy).
pub fn is_experimental(code: Option<&str>) -> bool {
    code.is_some_and(|c| EXPERIMENTAL_CODES.contains(&c) || EXPERIMENTAL_ECO_IDS.contains(&c))
}

/// True when a qualifier negates the annotation (substring `NOT`, as in `NOT|enables`).
pub fn is_negated(qualifier: Option<&str>) -> bool {
    qualifier.is_some_and(|q| q.contains("NOT"))
}

/// The 26 GO evidence codes with their default weights (§5.12).
pub const DEFAULT_EVIDENCE_WEIGHTS: [(&str, f64); 26] = [
    ("EXP", 1.0),
    ("IDA", 1.0),
    ("IPI", 1.0),
    ("IMP", 1.0),
    ("IGI", 1.0),
    ("IEP", 1.0),
    ("HTP", 1.0),
    ("HDA", 1.0),
    ("HMP", 1.0),
    ("HGI", 1.0),
    ("HEP", 1.0),
    ("IC", 1.0),
    ("TAS", 1.0),
    ("ISS", 0.7),
    ("ISO", 0.7),
    ("ISA", 0.7),
    ("ISM", 0.7),
    ("IGC", 0.7),
    ("IBA", 0.7),
    ("IBD", 0.7),
    ("IKR", 0.7),
    ("IRD", 0.7),
    ("RCA", 0.7),
    ("NAS", 0.5),
    ("IEA", 0.3),
    ("ND", 0.1),
];

/// Weight of a code absent from every table, and of a missing code.
pub const UNKNOWN_EVIDENCE_WEIGHT: f64 = 0.5;

/// ECO ids of the GO-ECO default mapping for the non-experimental codes, so that raw ECO
/// evidence resolves to a GO code before weighting.
const OTHER_ECO_IDS: [(&str, &str); 13] = [
    ("ECO:0000250", "ISS"),
    ("ECO:0000266", "ISO"),
    ("ECO:0000247", "ISA"),
    ("ECO:0000255", "ISM"),
    ("ECO:0000317", "IGC"),
    ("ECO:0000318", "IBA"),
    ("ECO:0000319", "IBD"),
    ("ECO:0000320", "IKR"),
    ("ECO:0000321", "IRD"),
    ("ECO:0000245", "RCA"),
    ("ECO:0000303", "NAS"),
    ("ECO:0000501", "IEA"),
    ("ECO:0000307", "ND"),
];

/// The GO code for an ECO id of the built-in map, or the code itself.
pub fn go_code(code: &str) -> &str {
    if let Some(i) = EXPERIMENTAL_ECO_IDS.iter().position(|&e| e == code) {
        return EXPERIMENTAL_CODES[i];
    }
    OTHER_ECO_IDS
        .iter()
        .find(|(eco, _)| *eco == code)
        .map_or(code, |(_, go)| go)
}

/// True for one of the 26 known GO codes.
pub fn is_known_code(code: &str) -> bool {
    DEFAULT_EVIDENCE_WEIGHTS.iter().any(|(c, _)| *c == code)
}

/// Default weight of a GO code, if it is one of the 26.
pub fn default_weight(code: &str) -> Option<f64> {
    DEFAULT_EVIDENCE_WEIGHTS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, w)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experimental_codes_and_their_eco_ids() {
        for (code, eco) in EXPERIMENTAL_CODES.iter().zip(EXPERIMENTAL_ECO_IDS) {
            assert!(is_experimental(Some(code)));
            assert!(is_experimental(Some(eco)));
            assert_eq!(go_code(eco), *code);
        }
        for other in ["IEA", "ISS", "ida", "ECO:0000501", ""] {
            assert!(!is_experimental(Some(other)), "{other}");
        }
        assert!(!is_experimental(None));
        assert_eq!(go_code("ECO:0000501"), "IEA");
        assert_eq!(go_code("ECO:9999999"), "ECO:9999999");
    }

    #[test]
    fn negation_is_a_substring_test() {
        assert!(is_negated(Some("NOT|enables")));
        assert!(is_negated(Some("NOT")));
        assert!(!is_negated(Some("enables")));
        assert!(!is_negated(None));
    }
}
