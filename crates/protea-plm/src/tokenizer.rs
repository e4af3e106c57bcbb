//! The ESM tokeniser, equal token for token to Hugging Face's `EsmTokenizer`.
//!
//! HF's slow tokeniser registers every vocabulary entry as a "no split"
//! token, so its trie cuts the text at each known token (single letters and
//! `<cls>`-style specials alike, longest match first). Whatever lies between
//! two matches is split on whitespace and each piece becomes one token, or
//! `<unk>` if it is not in the vocabulary. The consequence the fixtures pin
//! down: a *run* of unknown characters (`"tl"` in `"MKtlV"`) becomes a single
//! `<unk>`, so HF can yield fewer residue rows than letters. [`EsmTokenizer::encode`]
//! reproduces that exactly; the embedding pipeline instead uses
//! [`EsmTokenizer::encode_residues`] on an upper-cased sequence, one token
//! per character, so the residue tensor always has exactly N rows (the
//! platform's residue-tensor convention).

use crate::error::{PlmError, Result};
use std::collections::HashMap;
use std::path::Path;

/// Token ids of an ESM vocabulary, read from `vocab.txt` (one token a line,
/// the id is the line number).
#[derive(Debug, Clone)]
pub struct EsmTokenizer {
    tokens: Vec<String>,
    ids: HashMap<String, u32>,
    /// Multi-character tokens, longest first, for the trie emulation.
    multi: Vec<(String, u32)>,
    cls: u32,
    eos: u32,
    pad: u32,
    unk: u32,
    mask: Option<u32>,
}

impl EsmTokenizer {
    /// Reads `vocab.txt` from a model directory (or the file itself).
    pub fn from_path(path: &Path) -> Result<Self> {
        let file = if path.is_dir() {
            path.join("vocab.txt")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| PlmError::io(&file, e))?;
        Self::from_vocab(text.lines().map(str::trim).filter(|t| !t.is_empty())).map_err(|message| {
            PlmError::Vocab {
                path: file.clone(),
                message,
            }
        })
    }

    /// Builds a tokenizer from the tokens in id order.
    pub fn from_vocab<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let tokens: Vec<String> = tokens.into_iter().map(str::to_owned).collect();
        let ids: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let need = |name: &str| {
            ids.get(name)
                .copied()
                .ok_or_else(|| format!("required token {name} is missing"))
        };
        let (cls, eos, pad, unk) = (
            need("<cls>")?,
            need("<eos>")?,
            need("<pad>")?,
            need("<unk>")?,
        );
        let mask = ids.get("<mask>").copied();
        let mut multi: Vec<(String, u32)> = ids
            .iter()
            .filter(|(t, _)| t.chars().count() > 1)
            .map(|(t, &i)| (t.clone(), i))
            .collect();
        multi.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(Self {
            tokens,
            ids,
            multi,
            cls,
            eos,
            pad,
            unk,
            mask,
        })
    }

    /// Number of tokens in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The `<pad>` id (used to fill padded batches).
    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// The `<mask>` id, if the vocabulary has one.
    pub fn mask_id(&self) -> Option<u32> {
        self.mask
    }

    /// The token string for an id.
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }

    /// HF-exact ids for `text` with `<cls>` … `<eos>` (`add_special_tokens=True`).
    /// `max_length` truncates like HF's `truncation=True`: the body is cut so
    /// the result, specials included, has at most `max_length` ids.
    pub fn encode(&self, text: &str, max_length: Option<usize>) -> Vec<u32> {
        let mut body = Vec::with_capacity(text.len());
        let mut pending = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some((tok, id)) = self.match_at(rest) {
                self.flush(&mut pending, &mut body);
                body.push(id);
                rest = &rest[tok..];
            } else {
                pending.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        self.flush(&mut pending, &mut body);
        self.wrap(body, max_length)
    }

    /// One id per character of `residues` (unknown characters → `<unk>`),
    /// wrapped in `<cls>` … `<eos>` and truncated like [`Self::encode`].
    /// Equal to `encode` whenever every character is in the vocabulary.
    pub fn encode_residues(&self, residues: &str, max_length: Option<usize>) -> Vec<u32> {
        let mut buf = [0u8; 4];
        let body = residues
            .chars()
            .map(|c| {
                self.ids
                    .get(c.encode_utf8(&mut buf) as &str)
                    .copied()
                    .unwrap_or(self.unk)
            })
            .collect();
        self.wrap(body, max_length)
    }

    /// The longest multi-character token at the start of `text`, else a
    /// single-character vocabulary token. Returns (byte length, id).
    fn match_at(&self, text: &str) -> Option<(usize, u32)> {
        for (tok, id) in &self.multi {
            if text.starts_with(tok.as_str()) {
                return Some((tok.len(), *id));
            }
        }
        let c = text.chars().next()?;
        let mut buf = [0u8; 4];
        let s: &str = c.encode_utf8(&mut buf);
        self.ids.get(s).map(|&id| (s.len(), id))
    }

    fn flush(&self, pending: &mut String, out: &mut Vec<u32>) {
        for piece in pending.split_whitespace() {
            out.push(self.ids.get(piece).copied().unwrap_or(self.unk));
        }
        pending.clear();
    }

    fn wrap(&self, mut body: Vec<u32>, max_length: Option<usize>) -> Vec<u32> {
        if let Some(max) = max_length {
            body.truncate(max.saturating_sub(2));
        }
        let mut ids = Vec::with_capacity(body.len() + 2);
        ids.push(self.cls);
        ids.extend(body);
        ids.push(self.eos);
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok() -> EsmTokenizer {
        let vocab = "<cls> <pad> <eos> <unk> L A G V S E R T I D P K Q N F Y M H W C X B U Z O . - <null_1> <mask>";
        EsmTokenizer::from_vocab(vocab.split(' ')).unwrap()
    }

    #[test]
    fn wraps_and_truncates() {
        let t = tok();
        assert_eq!(t.encode("MK", None), vec![0, 20, 15, 2]);
        assert_eq!(t.encode("MKLA", Some(4)), vec![0, 20, 15, 2]);
        assert_eq!(t.encode_residues("MKLA", Some(5)), vec![0, 20, 15, 4, 2]);
    }

    #[test]
    fn unknown_runs_collapse_like_hf() {
        let t = tok();
        assert_eq!(t.encode("MktV", None), vec![0, 20, 3, 7, 2]);
        assert_eq!(t.encode_residues("MktV", None), vec![0, 20, 3, 3, 7, 2]);
        assert_eq!(t.encode("M<mask>K", None), vec![0, 20, 32, 15, 2]);
    }
}
