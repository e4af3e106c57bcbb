//! UniProt REST search with cursor pagination (spec §5.1): `GET
//! {base}/uniprotkb/search?format=fasta|tsv&query=…&size=…` (+
//! `includeIsoform=true`, `compressed=true`, `fields=…`); the next page is
//! the same URL plus `&cursor=<c>`, `c` taken from the `Link` header's
//! `rel="next"` entry; no such entry ends the iteration. `X-Total-Results`
//! on the first page gives the progress total. Compressed bodies are
//! gunzipped here. A local base (`file://` or a path) is read as one page:
//! the file is taken to be the query's result.

use crate::client::HttpClient;
use crate::error::SourceError;
use crate::location::Location;
use crate::retry::RetryObserver;
use std::io::Read;

/// `format=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Fasta,
    Tsv,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Fasta => "fasta",
            Format::Tsv => "tsv",
        }
    }
}

/// One search.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub base_url: String,
    pub format: Format,
    pub query: String,
    pub page_size: u32,
    pub include_isoforms: bool,
    pub compressed: bool,
    pub fields: Option<String>,
}

/// One page, decompressed.
#[derive(Debug)]
pub struct Page {
    pub body: Vec<u8>,
    /// `X-Total-Results`, when sent.
    pub total_results: Option<u64>,
    /// The URL fetched (for error messages).
    pub url: String,
}

/// Walks the pages of a search.
pub struct Pager<'a> {
    client: &'a HttpClient,
    first: Option<Location>,
    next: Option<reqwest::Url>,
    base: Option<reqwest::Url>,
    done: bool,
}

impl<'a> Pager<'a> {
    pub fn new(client: &'a HttpClient, query: &SearchQuery) -> Result<Pager<'a>, SourceError> {
        let location = Location::parse(&query.base_url)?;
        match location {
            Location::Local(_) => Ok(Pager {
                client,
                first: Some(location),
                next: None,
                base: None,
                done: false,
            }),
            Location::Http(base) => {
                let url = search_url(&base, query)?;
                Ok(Pager {
                    client,
                    first: None,
                    next: Some(url.clone()),
                    base: Some(url),
                    done: false,
                })
            }
        }
    }

    /// The next page, or `None` after the last.
    pub async fn next_page(
        &mut self,
        observer: &dyn RetryObserver,
    ) -> Result<Option<Page>, SourceError> {
        if self.done {
            return Ok(None);
        }
        if let Some(Location::Local(path)) = self.first.take() {
            self.done = true;
            let raw = tokio::fs::read(&path)
                .await
                .map_err(SourceError::io(&path))?;
            let body = gunzip_if_needed(raw).map_err(SourceError::io(&path))?;
            return Ok(Some(Page {
                body,
                total_results: None,
                url: path.display().to_string(),
            }));
        }
        let Some(url) = self.next.take() else {
            self.done = true;
            return Ok(None);
        };
        let fetched = self.client.get(&url, None, observer).await?;
        let total_results = fetched
            .header("x-total-results")
            .and_then(|v| v.trim().parse().ok());
        let cursor = fetched.header("link").and_then(next_cursor);
        match (cursor, &self.base) {
            (Some(cursor), Some(base)) => {
                let mut next = base.clone();
                next.query_pairs_mut().append_pair("cursor", &cursor);
                self.next = Some(next);
            }
            _ => self.done = true,
        }
        let body = gunzip_if_needed(fetched.body.to_vec()).map_err(|e| SourceError::Network {
            url: url.to_string(),
            attempts: 1,
            message: format!("corrupt gzip body: {e}"),
        })?;
        Ok(Some(Page {
            body,
            total_results,
            url: url.to_string(),
        }))
    }
}

/// The first page's URL.
pub fn search_url(base: &reqwest::Url, query: &SearchQuery) -> Result<reqwest::Url, SourceError> {
    let mut text = base.as_str().trim_end_matches('/').to_owned();
    if !text.ends_with("/uniprotkb/search") {
        text.push_str("/uniprotkb/search");
    }
    let mut url = reqwest::Url::parse(&text).map_err(|e| SourceError::BadUrl {
        url: text.clone(),
        message: e.to_string(),
    })?;
    {
        let mut pairs = url.query_pairs_mut();
        pairs
            .append_pair("format", query.format.as_str())
            .append_pair("query", &query.query)
            .append_pair("size", &query.page_size.to_string());
        if let Some(fields) = &query.fields {
            pairs.append_pair("fields", fields);
        }
        if query.include_isoforms {
            pairs.append_pair("includeIsoform", "true");
        }
        if query.compressed {
            pairs.append_pair("compressed", "true");
        }
    }
    Ok(url)
}

/// The cursor of the `rel="next"` entry of a `Link` header: the text after
/// the last `cursor=` up to `>` (or `&`).
pub fn next_cursor(link: &str) -> Option<String> {
    link.split(',')
        .find(|part| part.contains("rel=\"next\""))
        .and_then(|part| {
            let target = part.split('<').nth(1)?.split('>').next()?;
            let after = &target[target.rfind("cursor=")? + "cursor=".len()..];
            let cursor = after.split('&').next().unwrap_or(after);
            (!cursor.is_empty()).then(|| cursor.to_owned())
        })
}

/// UniProt gzips when asked and some mirrors gzip anyway: decide by magic.
/// protea-formats' decoder fails loudly on a truncated body.
pub fn gunzip_if_needed(raw: Vec<u8>) -> std::io::Result<Vec<u8>> {
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw);
    }
    let mut reader = protea_formats::io::decompress_if_gzip(std::io::Cursor::new(raw))?;
    let mut out = Vec::new();
    reader.read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_cursor() {
        let link = "<https://rest.uniprot.org/uniprotkb/search?format=fasta&query=x&cursor=1mkf2r3&size=500>; rel=\"next\"";
        assert_eq!(next_cursor(link).as_deref(), Some("1mkf2r3"));
        assert_eq!(
            next_cursor("<http://h/s?cursor=abc>; rel=\"next\"").as_deref(),
            Some("abc")
        );
        assert_eq!(next_cursor("<http://h/s?cursor=abc>; rel=\"prev\""), None);
        assert_eq!(next_cursor(""), None);
    }

    #[test]
    fn first_url() {
        let base = reqwest::Url::parse("http://127.0.0.1:1/").unwrap();
        let q = SearchQuery {
            base_url: String::new(),
            format: Format::Fasta,
            query: "reviewed:true AND organism_id:9606".into(),
            page_size: 500,
            include_isoforms: true,
            compressed: false,
            fields: None,
        };
        assert_eq!(
            search_url(&base, &q).unwrap().as_str(),
            "http://127.0.0.1:1/uniprotkb/search?format=fasta&query=reviewed%3Atrue+AND+organism_id%3A9606&size=500&includeIsoform=true"
        );
    }
}
