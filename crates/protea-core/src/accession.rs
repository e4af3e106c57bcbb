//! UniProt accession helpers.

/// The parts of a UniProt accession once its isoform suffix is split off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoformParts<'a> {
    /// The canonical accession (the accession itself for canonical entries).
    pub canonical: &'a str,
    /// The numeric isoform suffix, `Some(2)` for `P12345-2`.
    pub isoform_index: Option<u32>,
}

impl IsoformParts<'_> {
    pub fn is_canonical(&self) -> bool {
        self.isoform_index.is_none()
    }
}

/// Splits `P12345-2` into (`P12345`, 2).
///
/// The rule: when the part after the *last* `-` is non-empty and all ASCII
/// digits, the accession is an isoform; otherwise it is canonical.
pub fn parse_isoform(accession: &str) -> IsoformParts<'_> {
    if let Some((left, suffix)) = accession.rsplit_once('-')
        && !left.is_empty()
        && !suffix.is_empty()
        && suffix.bytes().all(|b| b.is_ascii_digit())
        && let Ok(index) = suffix.parse::<u32>()
    {
        return IsoformParts {
            canonical: left,
            isoform_index: Some(index),
        };
    }
    IsoformParts {
        canonical: accession,
        isoform_index: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isoform_suffix_is_split() {
        let parts = parse_isoform("P12345-2");
        assert_eq!(parts.canonical, "P12345");
        assert_eq!(parts.isoform_index, Some(2));
        assert!(!parts.is_canonical());
    }

    #[test]
    fn canonical_and_odd_accessions_stay_whole() {
        for acc in ["P12345", "P12345-", "-3", "A0A-B1", "X-12a"] {
            let parts = parse_isoform(acc);
            assert_eq!(parts.canonical, acc, "{acc}");
            assert_eq!(parts.isoform_index, None, "{acc}");
        }
        // Only the last dash counts.
        let parts = parse_isoform("AB-CD-10");
        assert_eq!((parts.canonical, parts.isoform_index), ("AB-CD", Some(10)));
    }
}
