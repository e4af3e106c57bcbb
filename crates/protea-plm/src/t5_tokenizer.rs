//! Tokenisation for the T5 protein family (ProtT5, ProstT5, Ankh), following
//! the reference inputs (ecosystem §5.2): U, Z, O, B become X; ProtT5 and
//! ProstT5 space-join the residues (ProstT5 with a `<AA2fold>` prefix), Ankh
//! passes the characters as pre-split words; `</s>` ends every sequence.
//!
//! Either way SentencePiece's Metaspace step turns each residue into one
//! word, so each residue is one piece: `▁A` where the vocabulary has it,
//! else the bare letter, else `<unk>` (HF does the same for a one-character
//! word). We therefore need only the piece → id table, read from the
//! `tokenizer.json` that `save_pretrained` writes (Unigram `model.vocab`
//! plus `added_tokens`). Checked id for id against `T5TokenizerFast` on the
//! fixture vocabulary; the real ProtT5/Ankh vocabularies were not available.

use crate::error::{PlmError, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// Which T5-family model: decides the input form and the stripped tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T5Flavour {
    /// Strips `</s>`.
    ProtT5,
    /// Adds and strips a leading `<AA2fold>`, strips `</s>`.
    ProstT5,
    /// Strips `</s>`; never gets `<AA2fold>`.
    Ankh,
}

impl T5Flavour {
    /// Rows to skip before the first residue.
    pub fn residue_start(self) -> usize {
        usize::from(self == Self::ProstT5)
    }
}

#[derive(Deserialize)]
struct TokenizerJson {
    model: ModelJson,
    #[serde(default)]
    added_tokens: Vec<AddedToken>,
}

#[derive(Deserialize)]
struct ModelJson {
    #[serde(rename = "type")]
    kind: String,
    vocab: Vec<(String, f64)>,
}

#[derive(Deserialize)]
struct AddedToken {
    id: u32,
    content: String,
}

/// Residue → id table of a T5-family tokenizer.
#[derive(Debug, Clone)]
pub struct T5Tokenizer {
    ids: HashMap<String, u32>,
    flavour: T5Flavour,
    eos: u32,
    unk: u32,
    aa2fold: Option<u32>,
}

impl T5Tokenizer {
    /// Reads `tokenizer.json` from a model directory.
    pub fn from_dir(dir: &Path, flavour: T5Flavour) -> Result<Self> {
        let path = dir.join("tokenizer.json");
        let text = std::fs::read_to_string(&path).map_err(|e| PlmError::io(&path, e))?;
        let bad = |message: String| PlmError::Vocab {
            path: path.clone(),
            message,
        };
        let json: TokenizerJson = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if json.model.kind != "Unigram" {
            return Err(bad(format!(
                "model type {:?} is not the SentencePiece Unigram of the T5 family",
                json.model.kind
            )));
        }
        let mut ids: HashMap<String, u32> = json
            .model
            .vocab
            .into_iter()
            .enumerate()
            .map(|(i, (piece, _))| (piece, i as u32))
            .collect();
        for t in json.added_tokens {
            ids.insert(t.content, t.id);
        }
        let need = |name: &str| {
            ids.get(name)
                .copied()
                .ok_or_else(|| bad(format!("required token {name} is missing")))
        };
        let (eos, unk) = (need("</s>")?, need("<unk>")?);
        let aa2fold = match flavour {
            T5Flavour::ProstT5 => Some(need("<AA2fold>")?),
            _ => None,
        };
        Ok(Self {
            ids,
            flavour,
            eos,
            unk,
            aa2fold,
        })
    }

    /// The flavour this tokenizer was built for.
    pub fn flavour(&self) -> T5Flavour {
        self.flavour
    }

    /// Ids as the reference tokenizer call gives them (prefix, one per
    /// residue, `</s>`), truncated to `max_length` tokens in all.
    pub fn encode(&self, residues: &str, max_length: Option<usize>) -> Vec<u32> {
        let mut out = Vec::with_capacity(residues.len() + 2);
        out.extend(self.aa2fold);
        let budget = max_length
            .map(|m| m.saturating_sub(out.len() + 1))
            .unwrap_or(usize::MAX);
        let mut buf = String::with_capacity(8);
        for c in residues.chars().filter(|c| !c.is_whitespace()).take(budget) {
            let c = if matches!(c, 'U' | 'Z' | 'O' | 'B') {
                'X'
            } else {
                c
            };
            buf.clear();
            buf.push('\u{2581}');
            buf.push(c);
            let id = self
                .ids
                .get(&buf)
                .or_else(|| self.ids.get(&buf['\u{2581}'.len_utf8()..]))
                .copied()
                .unwrap_or(self.unk);
            out.push(id);
        }
        out.push(self.eos);
        out
    }
}
