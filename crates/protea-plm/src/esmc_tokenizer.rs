//! The ESM-C sequence tokeniser, equal token for token to the `esm`
//! package's `EsmSequenceTokenizer` (a character-level BPE without merges).
//!
//! Its vocabulary is fixed in the package (the checkpoints ship no tokenizer
//! file), so it is fixed here too. The special tokens `<cls>`, `<pad>`,
//! `<eos>`, `<unk>`, `<mask>` and `|` are matched anywhere in the text;
//! every other character is one token, or `<unk>` when it is not in the
//! vocabulary (lowercase letters, spaces, `*` …), so unlike the ESM-2
//! tokenizer a run of unknown letters gives one `<unk>` each. The result is
//! wrapped in `<cls>` … `<eos>`. (The reference's `tokenize_sequence` also
//! turns `_` into `<mask>` before encoding; the embedding path does not
//! expose masking, so `_` stays `<unk>` here as in `encode`.)

/// The vocabulary, in id order.
pub const VOCAB: [&str; 33] = [
    "<cls>", "<pad>", "<eos>", "<unk>", "L", "A", "G", "V", "S", "E", "R", "T", "I", "D", "P", "K",
    "Q", "N", "F", "Y", "M", "H", "W", "C", "X", "B", "U", "Z", "O", ".", "-", "|", "<mask>",
];
pub const CLS: u32 = 0;
pub const PAD: u32 = 1;
pub const EOS: u32 = 2;
pub const UNK: u32 = 3;

/// Tokens matched as a whole wherever they occur, with their ids.
const SPECIALS: [(&str, u32); 6] = [
    ("<mask>", 32),
    ("<cls>", 0),
    ("<pad>", 1),
    ("<eos>", 2),
    ("<unk>", 3),
    ("|", 31),
];

fn char_id(c: char) -> u32 {
    let mut buf = [0u8; 4];
    let s: &str = c.encode_utf8(&mut buf);
    VOCAB[4..31]
        .iter()
        .position(|t| *t == s)
        .map_or(UNK, |i| i as u32 + 4)
}

/// Ids of `text` with `<cls>` … `<eos>`, as `tokenizer.encode(text)` gives them.
pub fn encode(text: &str) -> Vec<u32> {
    let mut ids = Vec::with_capacity(text.len() + 2);
    ids.push(CLS);
    let mut rest = text;
    'outer: while let Some(c) = rest.chars().next() {
        for (tok, id) in SPECIALS {
            if let Some(after) = rest.strip_prefix(tok) {
                ids.push(id);
                rest = after;
                continue 'outer;
            }
        }
        ids.push(char_id(c));
        rest = &rest[c.len_utf8()..];
    }
    ids.push(EOS);
    ids
}

/// One id per character of `residues` (specials are not interpreted),
/// wrapped in `<cls>` … `<eos>`: the embedding pipeline's encoding, N + 2
/// ids for N residues. Equal to [`encode`] on text without special tokens.
pub fn encode_residues(residues: &str) -> Vec<u32> {
    let mut ids = Vec::with_capacity(residues.len() + 2);
    ids.push(CLS);
    ids.extend(residues.chars().map(|c| match c {
        '|' => 31,
        c => char_id(c),
    }));
    ids.push(EOS);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_and_specials() {
        assert_eq!(encode("MKtl"), vec![0, 20, 15, 3, 3, 2]);
        assert_eq!(encode("A<mask>|"), vec![0, 5, 32, 31, 2]);
        assert_eq!(encode_residues("A<"), vec![0, 5, 3, 2]);
        assert_eq!(VOCAB[24], "X");
    }
}
