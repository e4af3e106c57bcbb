//! Tokenisation for the T5 protein family (ProtT5, ProstT5, Ankh), following
//! the reference inputs (ecosystem §5.2): U, Z, O, B become X; ProtT5 and
//! ProstT5 space-join the residues (ProstT5 with a `<AA2fold>` prefix), Ankh
//! passes the characters as pre-split words; `</s>` ends every sequence.
//!
//! Either way SentencePiece's Metaspace step turns each residue into one
//! word, so each residue is one piece: `▁A` where the vocabulary has it,
//! else the bare letter, else `<unk>` (HF does the same for a one-character
//! word). We therefore need only the piece → id table, read from what the
//! checkpoint ships: `tokenizer.json` (Unigram `model.vocab` plus
//! `added_tokens`, as Ankh and `save_pretrained` write it), else the
//! SentencePiece `spiece.model` of ProtT5/ProstT5 (see [`crate::spiece`]),
//! with `<extra_id_*>` and additional special tokens numbered after it the
//! way `T5Tokenizer` does. Checked id for id against transformers'
//! `T5TokenizerFast` (tokenizer.json) and `T5Tokenizer` (spiece.model) on
//! fixture vocabularies in the ProtT5 layout; the real ProtT5/Ankh files
//! were not available here.

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
    /// Reads `tokenizer.json` from a model directory, else `spiece.model`
    /// (with `tokenizer_config.json` / `added_tokens.json` when present).
    pub fn from_dir(dir: &Path, flavour: T5Flavour) -> Result<Self> {
        let json_path = dir.join("tokenizer.json");
        let (ids, path) = if json_path.is_file() || !dir.join("spiece.model").is_file() {
            (Self::ids_from_json(&json_path)?, json_path)
        } else {
            let path = dir.join("spiece.model");
            (Self::ids_from_spiece(dir, &path)?, path)
        };
        let bad = |message: String| PlmError::Vocab {
            path: path.clone(),
            message,
        };
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

    fn ids_from_json(path: &Path) -> Result<HashMap<String, u32>> {
        let text = std::fs::read_to_string(path).map_err(|e| PlmError::io(path, e))?;
        let bad = |message: String| PlmError::Vocab {
            path: path.to_path_buf(),
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
        Ok(ids)
    }

    /// Piece ids from `spiece.model`, then what `T5Tokenizer` adds after
    /// them: `extra_ids` (default 100) `<extra_id_N>` tokens, numbered
    /// downwards, then additional special tokens without an explicit id.
    fn ids_from_spiece(dir: &Path, path: &Path) -> Result<HashMap<String, u32>> {
        let bytes = std::fs::read(path).map_err(|e| PlmError::io(path, e))?;
        let pieces = crate::spiece::read_pieces(&bytes).map_err(|message| PlmError::Vocab {
            path: path.to_path_buf(),
            message,
        })?;
        let mut ids: HashMap<String, u32> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, p)| (p, i as u32))
            .collect();
        let read_json = |name: &str| -> Result<Option<serde_json::Value>> {
            let p = dir.join(name);
            if !p.is_file() {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&p).map_err(|e| PlmError::io(&p, e))?;
            serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| PlmError::Vocab {
                    path: p.clone(),
                    message: e.to_string(),
                })
        };
        let config = read_json("tokenizer_config.json")?.unwrap_or_default();
        let extra = config["extra_ids"].as_u64().unwrap_or(100) as u32;
        let mut next = ids.len() as u32;
        for i in (0..extra).rev() {
            ids.entry(format!("<extra_id_{i}>")).or_insert(next);
            next += 1;
        }
        // Explicit ids: added_tokens.json and added_tokens_decoder.
        if let Some(added) = read_json("added_tokens.json")?
            && let Some(map) = added.as_object()
        {
            for (tok, id) in map {
                if let Some(id) = id.as_u64() {
                    ids.insert(tok.clone(), id as u32);
                }
            }
        }
        if let Some(map) = config["added_tokens_decoder"].as_object() {
            for (id, t) in map {
                if let (Ok(id), Some(c)) = (id.parse::<u32>(), t["content"].as_str()) {
                    ids.insert(c.to_owned(), id);
                }
            }
        }
        next = next.max(ids.values().max().map_or(0, |m| m + 1));
        for key in ["additional_special_tokens", "extra_special_tokens"] {
            for t in config[key].as_array().into_iter().flatten() {
                if let Some(t) = t.as_str().or_else(|| t["content"].as_str())
                    && !ids.contains_key(t)
                {
                    ids.insert(t.to_owned(), next);
                    next += 1;
                }
            }
        }
        Ok(ids)
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
