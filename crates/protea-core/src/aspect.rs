//! The three GO aspects (namespaces).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A GO aspect. Stored in the database as its one-letter code (`P`, `F`, `C`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Aspect {
    #[serde(rename = "P")]
    BiologicalProcess,
    #[serde(rename = "F")]
    MolecularFunction,
    #[serde(rename = "C")]
    CellularComponent,
}

impl Aspect {
    pub const ALL: [Aspect; 3] = [
        Aspect::BiologicalProcess,
        Aspect::MolecularFunction,
        Aspect::CellularComponent,
    ];

    /// One-letter code used in GAF column 9 and in the database.
    pub fn code(self) -> char {
        match self {
            Aspect::BiologicalProcess => 'P',
            Aspect::MolecularFunction => 'F',
            Aspect::CellularComponent => 'C',
        }
    }

    /// CAFA short name: `BPO`, `MFO`, `CCO`.
    pub fn cafa_name(self) -> &'static str {
        match self {
            Aspect::BiologicalProcess => "BPO",
            Aspect::MolecularFunction => "MFO",
            Aspect::CellularComponent => "CCO",
        }
    }

    /// OBO namespace name.
    pub fn namespace(self) -> &'static str {
        match self {
            Aspect::BiologicalProcess => "biological_process",
            Aspect::MolecularFunction => "molecular_function",
            Aspect::CellularComponent => "cellular_component",
        }
    }

    pub fn from_code(code: &str) -> Option<Aspect> {
        match code {
            "P" | "p" => Some(Aspect::BiologicalProcess),
            "F" | "f" => Some(Aspect::MolecularFunction),
            "C" | "c" => Some(Aspect::CellularComponent),
            _ => None,
        }
    }

    pub fn from_namespace(namespace: &str) -> Option<Aspect> {
        match namespace {
            "biological_process" => Some(Aspect::BiologicalProcess),
            "molecular_function" => Some(Aspect::MolecularFunction),
            "cellular_component" => Some(Aspect::CellularComponent),
            _ => None,
        }
    }

    /// Accepts the CAFA names in any case (`bpo`, `MFO`) as used in payloads.
    pub fn from_cafa_name(name: &str) -> Option<Aspect> {
        match name.to_ascii_uppercase().as_str() {
            "BPO" => Some(Aspect::BiologicalProcess),
            "MFO" => Some(Aspect::MolecularFunction),
            "CCO" => Some(Aspect::CellularComponent),
            _ => None,
        }
    }
}

impl fmt::Display for Aspect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cafa_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for aspect in Aspect::ALL {
            assert_eq!(Aspect::from_code(&aspect.code().to_string()), Some(aspect));
            assert_eq!(Aspect::from_namespace(aspect.namespace()), Some(aspect));
            assert_eq!(
                Aspect::from_cafa_name(&aspect.cafa_name().to_lowercase()),
                Some(aspect)
            );
        }
        assert_eq!(Aspect::from_namespace("external"), None);
    }
}
