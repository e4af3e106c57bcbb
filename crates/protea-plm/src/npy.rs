//! Minimal NumPy `.npy` reader and writer for float32 matrices, for
//! exporting embeddings and importing precomputed ones. Writes format 1.0,
//! little-endian `<f4`, C order; reads 1.0–3.0 with `<f4`, `<f8` or `<f2`
//! (converted to f32), 1-D (one row) or 2-D shapes.

use crate::error::{PlmError, Result};
use crate::pool::Matrix;
use std::io::{Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"\x93NUMPY";

/// Writes `m` as a `(rows, cols)` float32 array.
pub fn write_npy(path: &Path, m: &Matrix) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| PlmError::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    write_npy_to(&mut w, m)
        .and_then(|_| w.flush())
        .map_err(|e| PlmError::io(path, e))
}

/// Writes `m` to any writer.
pub fn write_npy_to(w: &mut impl Write, m: &Matrix) -> std::io::Result<()> {
    let mut header = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}, {}), }}",
        m.rows, m.cols
    );
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to 64 bytes.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat(total.next_multiple_of(64) - total));
    header.push('\n');
    w.write_all(MAGIC)?;
    w.write_all(&[1, 0])?;
    w.write_all(&(header.len() as u16).to_le_bytes())?;
    w.write_all(header.as_bytes())?;
    let mut buf = Vec::with_capacity(m.data.len() * 4);
    for v in &m.data {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    w.write_all(&buf)
}

/// Reads a 1-D or 2-D float array as a float32 matrix.
pub fn read_npy(path: &Path) -> Result<Matrix> {
    let bytes = std::fs::read(path).map_err(|e| PlmError::io(path, e))?;
    parse_npy(&bytes).map_err(|message| PlmError::Npy {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses npy bytes.
pub fn parse_npy(bytes: &[u8]) -> Result<Matrix, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not an npy file (bad magic)".into());
    }
    let (hlen, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported npy version {v}")),
    };
    let header = bytes.get(start..start + hlen).ok_or("truncated header")?;
    let header = std::str::from_utf8(header).map_err(|_| "header is not UTF-8")?;
    let field = |key: &str| -> Result<&str, String> {
        let at = header
            .find(&format!("'{key}'"))
            .ok_or(format!("header lacks '{key}'"))?;
        Ok(header[at + key.len() + 2..].trim_start_matches([':', ' ']))
    };
    let descr = field("descr")?;
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else if descr.starts_with("'<f2'") {
        2
    } else {
        return Err(format!(
            "dtype {} is not <f4, <f8 or <f2",
            descr.split(',').next().unwrap_or("")
        ));
    };
    if field("fortran_order")?.starts_with("True") {
        return Err("Fortran-ordered arrays are not supported".into());
    }
    let shape = field("shape")?;
    let inner =
        &shape[shape.find('(').ok_or("bad shape")? + 1..shape.find(')').ok_or("bad shape")?];
    let dims: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("bad shape dimension {s:?}")))
        .collect::<Result<_, _>>()?;
    let (rows, cols) = match dims[..] {
        [n] => (1, n),
        [r, c] => (r, c),
        _ => return Err(format!("shape {dims:?} is not 1-D or 2-D")),
    };
    let body = &bytes[start + hlen..];
    if body.len() < rows * cols * width {
        return Err(format!(
            "data holds {} bytes, shape needs {}",
            body.len(),
            rows * cols * width
        ));
    }
    let data = body[..rows * cols * width]
        .chunks_exact(width)
        .map(|c| match width {
            4 => f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            8 => f64::from_le_bytes(c.try_into().expect("8 bytes")) as f32,
            _ => f16_to_f32(u16::from_le_bytes([c[0], c[1]])),
        })
        .collect();
    Ok(Matrix { rows, cols, data })
}

/// Reads a whole npy file from a reader.
pub fn read_npy_from(r: &mut impl Read) -> Result<Matrix, String> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    parse_npy(&bytes)
}

/// IEEE half → single (the reference caches store float16).
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: value = f · 2⁻²⁴.
            let v = f as f32 * 2f32.powi(-24);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 112) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let m = Matrix {
            rows: 2,
            cols: 3,
            data: vec![1.0, -2.5, 3.0, 0.0, 1e-7, 7.0],
        };
        let mut buf = Vec::new();
        write_npy_to(&mut buf, &m).unwrap();
        assert_eq!((buf.len() - m.data.len() * 4) % 64, 0);
        assert_eq!(parse_npy(&buf).unwrap(), m);
    }

    #[test]
    fn half_floats_convert() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }
}
