//! The index file format: a fixed header, then the backend's payload.
//!
//! Header (little-endian): magic `PROTEAIX`, format version (u32), kind (u8: 1 IVF-Flat,
//! 2 HNSW), metric (u8: 0 cosine, 1 l2), 2 reserved bytes, dim, reference rows, reference
//! fingerprint, two build parameters, payload length and payload digest (all u64). Loading
//! checks the magic, version, payload length and digest (truncated or damaged files), and the
//! dimension, row count and fingerprint against the references given (a stale index).

use std::io::{Read, Write};

use crate::error::{Result, SearchError};
use crate::types::{Metric, ReferenceMatrix};

const MAGIC: &[u8; 8] = b"PROTEAIX";
const VERSION: u32 = 1;

/// A fast 64-bit digest over words (a multiply-rotate mix; not cryptographic, it guards
/// against stale or damaged files, not against forgery).
pub(crate) struct Digest(u64);

impl Digest {
    pub(crate) fn new() -> Self {
        Digest(0x9E37_79B9_7F4A_7C15)
    }

    #[inline]
    pub(crate) fn update_u64(&mut self, w: u64) {
        self.0 = (self.0 ^ w)
            .wrapping_mul(0xBF58_476D_1CE4_E5B9)
            .rotate_left(29)
            .wrapping_add(0x94D0_49BB_1331_11EB);
    }

    pub(crate) fn update_bytes(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.update_u64(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        self.update_u64(u64::from_le_bytes(last));
        self.update_u64(bytes.len() as u64);
    }

    pub(crate) fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    IvfFlat = 1,
    Hnsw = 2,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::IvfFlat => "IVF-Flat",
            Kind::Hnsw => "HNSW",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) kind: Kind,
    pub(crate) metric: Metric,
    pub(crate) dim: u64,
    pub(crate) rows: u64,
    pub(crate) fingerprint: u64,
    pub(crate) param_a: u64,
    pub(crate) param_b: u64,
}

fn bad(message: String) -> SearchError {
    SearchError::Index(message)
}

pub(crate) fn write(w: &mut impl Write, h: &Header, payload: &[u8]) -> Result<()> {
    let mut digest = Digest::new();
    digest.update_bytes(payload);
    let mut head = Vec::with_capacity(80);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&VERSION.to_le_bytes());
    head.push(h.kind as u8);
    head.push(match h.metric {
        Metric::Cosine => 0,
        Metric::L2 => 1,
    });
    head.extend_from_slice(&[0, 0]);
    for v in [
        h.dim,
        h.rows,
        h.fingerprint,
        h.param_a,
        h.param_b,
        payload.len() as u64,
        digest.finish(),
    ] {
        head.extend_from_slice(&v.to_le_bytes());
    }
    w.write_all(&head)?;
    w.write_all(payload)?;
    w.flush()?;
    Ok(())
}

/// Reads a header and its payload, checking them against `refs`.
pub(crate) fn read(r: &mut impl Read, refs: &ReferenceMatrix) -> Result<(Header, Vec<u8>)> {
    let mut head = [0u8; 72];
    r.read_exact(&mut head).map_err(|e| {
        bad(format!(
            "index header unreadable ({e}): not an index file or truncated"
        ))
    })?;
    if &head[..8] != MAGIC {
        return Err(bad("not a PROTEA index file (bad magic)".into()));
    }
    let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(bad(format!(
            "index format version {version} is not the supported version {VERSION}"
        )));
    }
    let kind = match head[12] {
        1 => Kind::IvfFlat,
        2 => Kind::Hnsw,
        k => return Err(bad(format!("unknown index kind {k}"))),
    };
    let metric = match head[13] {
        0 => Metric::Cosine,
        1 => Metric::L2,
        m => return Err(bad(format!("unknown metric code {m}"))),
    };
    let word = |i: usize| u64::from_le_bytes(head[16 + 8 * i..24 + 8 * i].try_into().expect("8"));
    let h = Header {
        kind,
        metric,
        dim: word(0),
        rows: word(1),
        fingerprint: word(2),
        param_a: word(3),
        param_b: word(4),
    };
    let (len, want_digest) = (word(5), word(6));
    let mut payload = Vec::new();
    r.take(len).read_to_end(&mut payload)?;
    if payload.len() as u64 != len {
        return Err(bad(format!(
            "{} index truncated: payload holds {} of {len} bytes",
            kind.name(),
            payload.len()
        )));
    }
    let mut digest = Digest::new();
    digest.update_bytes(&payload);
    if digest.finish() != want_digest {
        return Err(bad(format!(
            "{} index payload is damaged (digest mismatch)",
            kind.name()
        )));
    }
    if h.dim != refs.dim() as u64 || h.rows != refs.rows() as u64 {
        return Err(bad(format!(
            "{} index was built over {} rows of dimension {}, the references have {} rows of dimension {}",
            kind.name(),
            h.rows,
            h.dim,
            refs.rows(),
            refs.dim()
        )));
    }
    if h.fingerprint != refs.fingerprint() {
        return Err(bad(format!(
            "{} index is stale: it was built over other reference vectors (fingerprint {:016x}, references {:016x})",
            kind.name(),
            h.fingerprint,
            refs.fingerprint()
        )));
    }
    Ok((h, payload))
}

/// Little-endian cursor over a payload, with errors that say what was being read.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, at: 0 }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| bad(format!("index payload ends inside {what}")))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8"),
        ))
    }

    pub(crate) fn f32s(&mut self, n: usize, what: &str) -> Result<Vec<f32>> {
        let b = self.take(
            n.checked_mul(4)
                .ok_or_else(|| bad(format!("{what}: size overflow")))?,
            what,
        )?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4")))
            .collect())
    }

    pub(crate) fn u32s(&mut self, n: usize, what: &str) -> Result<Vec<u32>> {
        let b = self.take(
            n.checked_mul(4)
                .ok_or_else(|| bad(format!("{what}: size overflow")))?,
            what,
        )?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
            .collect())
    }

    pub(crate) fn finish(&self) -> Result<()> {
        if self.at != self.bytes.len() {
            return Err(bad("index payload has trailing bytes".into()));
        }
        Ok(())
    }
}
