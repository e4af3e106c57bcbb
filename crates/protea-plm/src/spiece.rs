//! The piece list of a SentencePiece `spiece.model` (a serialised
//! `ModelProto`), read by hand: it needs only protobuf's wire format, which
//! is smaller to walk than a protobuf dependency is to carry. `pieces`
//! (field 1, repeated message) each hold `piece` (field 1, string); a
//! piece's id is its position. Other fields are skipped.

/// One decoded field: its number and, for length-delimited ones, the bytes.
enum Field<'a> {
    Bytes(u32, &'a [u8]),
    Other,
}

struct Wire<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Wire<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or("truncated varint in spiece.model")?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("overlong varint in spiece.model".into())
    }

    fn skip(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or("truncated field in spiece.model")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn next(&mut self) -> Result<Option<Field<'a>>, String> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let (num, wt) = ((key >> 3) as u32, key & 7);
        Ok(Some(match wt {
            0 => {
                self.varint()?;
                Field::Other
            }
            1 => {
                self.skip(8)?;
                Field::Other
            }
            2 => {
                let n = self.varint()? as usize;
                Field::Bytes(num, self.skip(n)?)
            }
            5 => {
                self.skip(4)?;
                Field::Other
            }
            _ => return Err(format!("unsupported wire type {wt} in spiece.model")),
        }))
    }
}

/// The pieces of a `ModelProto`, in id order.
pub(crate) fn read_pieces(model: &[u8]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut top = Wire { buf: model, pos: 0 };
    while let Some(f) = top.next()? {
        let Field::Bytes(1, msg) = f else { continue };
        let mut inner = Wire { buf: msg, pos: 0 };
        let mut piece = None;
        while let Some(g) = inner.next()? {
            if let Field::Bytes(1, s) = g {
                piece = Some(
                    std::str::from_utf8(s)
                        .map_err(|_| format!("piece {} is not UTF-8", out.len()))?
                        .to_owned(),
                );
            }
        }
        out.push(piece.ok_or_else(|| format!("piece {} has no text", out.len()))?);
    }
    if out.is_empty() {
        return Err("no pieces: not a SentencePiece model".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_pieces_and_rejects_garbage() {
        // pieces { piece: "<pad>" score: 0 type: CONTROL } pieces { piece: "▁A" }
        let mut m = vec![0x0a, 0x0e, 0x0a, 0x05];
        m.extend(b"<pad>");
        m.extend([0x15, 0, 0, 0, 0, 0x18, 0x03]);
        m.extend([0x0a, 0x06, 0x0a, 0x04]);
        m.extend("▁A".as_bytes());
        assert_eq!(super::read_pieces(&m).unwrap(), vec!["<pad>", "▁A"]);
        assert!(super::read_pieces(&[0x0a, 0x20, 0x01]).is_err());
        assert!(super::read_pieces(&[]).is_err());
    }
}
