//! Input helpers shared by the readers: opening a path with transparent gzip
//! decompression, and a line reader that reuses one buffer and counts lines.

use crate::error::{Error, Result};
use flate2::bufread::MultiGzDecoder;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Marker wrapped inside the `io::Error`s produced by the gzip decoder, so that
/// [`Error::io`] can report them as [`Error::Gzip`].
#[derive(Debug)]
pub struct GzipError(io::Error);

impl fmt::Display for GzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gzip: {}", self.0)
    }
}

impl std::error::Error for GzipError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A gzip decoder whose errors are tagged with [`GzipError`]. Uses the
/// multi-member decoder because `bgzip` and concatenated files are common.
struct TaggedGzip<R: BufRead>(MultiGzDecoder<R>);

impl<R: BufRead> Read for TaggedGzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|error| io::Error::new(error.kind(), GzipError(error)))
    }
}

/// The boxed reader returned by [`open`] and [`decompress_if_gzip`].
pub type DynBufRead = Box<dyn BufRead + Send>;

/// Wraps `reader` in a gzip decoder when its first bytes are the gzip magic;
/// otherwise returns it unchanged. A truncated or corrupt stream later fails
/// with [`Error::Gzip`] rather than ending early.
pub fn decompress_if_gzip<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<DynBufRead> {
    let head = reader.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        let decoder = TaggedGzip(MultiGzDecoder::new(reader));
        Ok(Box::new(BufReader::with_capacity(256 * 1024, decoder)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Opens a file, gunzipping it when it starts with the gzip magic bytes
/// (whatever its extension).
pub fn open(path: impl AsRef<Path>) -> Result<DynBufRead> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = File::open(path).map_err(|error| Error::io(&name, 0, error))?;
    decompress_if_gzip(BufReader::with_capacity(256 * 1024, file))
        .map_err(|error| Error::io(&name, 0, error))
}

/// Reads lines into one reused buffer, strips `\n` / `\r\n`, checks UTF-8 and
/// counts lines (1-based). Errors name the source and the line.
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    line: u64,
    source_name: String,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(inner: R, source_name: &str) -> Self {
        LineReader {
            inner,
            buf: Vec::with_capacity(1024),
            line: 0,
            source_name: source_name.into(),
        }
    }

    pub(crate) fn source_name(&self) -> &str {
        &self.source_name
    }

    /// The number of the line most recently returned.
    pub(crate) fn line_number(&self) -> u64 {
        self.line
    }

    /// Builds a parse error at the current line.
    pub(crate) fn error(&self, field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::parse(&self.source_name, self.line, field, message)
    }

    /// Reads the next line into the internal buffer; returns `false` at end
    /// of input. The text is then available from [`LineReader::text`].
    pub(crate) fn advance(&mut self) -> Result<bool> {
        self.buf.clear();
        let read = self
            .inner
            .read_until(b'\n', &mut self.buf)
            .map_err(|error| Error::io(&self.source_name, self.line + 1, error))?;
        if read == 0 {
            return Ok(false);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        if std::str::from_utf8(&self.buf).is_err() {
            return Err(self.error("line", "not valid UTF-8"));
        }
        Ok(true)
    }

    /// The current line (checked UTF-8 by [`LineReader::advance`]).
    pub(crate) fn text(&self) -> &str {
        // Checked in `advance`; the unchecked variant would need `unsafe`.
        std::str::from_utf8(&self.buf).unwrap_or_default()
    }

    /// Reads the next line and returns it, or `None` at end of input.
    #[cfg(test)]
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>> {
        if self.advance()? {
            Ok(Some(self.text()))
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn read_all(reader: DynBufRead, name: &str) -> Result<Vec<String>> {
        let mut lines = LineReader::new(reader, name);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line()? {
            out.push(line.to_owned());
        }
        Ok(out)
    }

    #[test]
    fn plain_and_gzip_read_the_same_lines() {
        let text = b"a\r\nb\n\nc";
        let plain = decompress_if_gzip(io::Cursor::new(text.to_vec())).unwrap();
        let zipped = decompress_if_gzip(io::Cursor::new(gzip(text))).unwrap();
        let expected = vec!["a", "b", "", "c"];
        assert_eq!(read_all(plain, "p").unwrap(), expected);
        assert_eq!(read_all(zipped, "z").unwrap(), expected);
    }

    #[test]
    fn truncated_gzip_is_an_error_naming_the_source() {
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let mut zipped = gzip(&text);
        zipped.truncate(zipped.len() / 2);
        let reader = decompress_if_gzip(io::Cursor::new(zipped)).unwrap();
        let err = read_all(reader, "cut.gz").unwrap_err();
        assert!(matches!(err, Error::Gzip { .. }), "{err:?}");
        assert_eq!(err.source_name(), "cut.gz");
        assert!(err.line() > 0);
        assert!(err.to_string().starts_with("cut.gz:"), "{err}");
    }

    #[test]
    fn gzip_missing_its_trailer_is_an_error() {
        let mut zipped = gzip(b"one\ntwo\n");
        zipped.truncate(zipped.len() - 4);
        let reader = decompress_if_gzip(io::Cursor::new(zipped)).unwrap();
        assert!(matches!(read_all(reader, "t.gz"), Err(Error::Gzip { .. })));
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let reader = decompress_if_gzip(io::Cursor::new(b"ok\n\xff\xfe\n".to_vec())).unwrap();
        let err = read_all(reader, "bad.txt").unwrap_err();
        assert_eq!(
            (err.source_name(), err.line(), err.field()),
            ("bad.txt", 2, Some("line"))
        );
    }

    #[test]
    fn open_reports_missing_file() {
        let err = open("/nonexistent/protea/file.obo").err().unwrap();
        assert!(matches!(err, Error::Io { .. }));
        assert_eq!(err.source_name(), "/nonexistent/protea/file.obo");
    }
}
