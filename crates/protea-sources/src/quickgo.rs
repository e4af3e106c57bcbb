//! QuickGO bulk annotation download (spec §5.4): `GET
//! {base}?geneProductType=protein&geneProductId=<comma list>` with `Accept:
//! text/tsv`, one request per batch of gene products; no id list means one
//! unfiltered request. A local base (`file://` or a path) is a downloaded TSV
//! read as the answer to every batch, filtered by the caller.

use crate::error::SourceError;

/// The URL of one batch.
pub fn batch_url(base: &str, gene_product_ids: &[String]) -> Result<reqwest::Url, SourceError> {
    let mut url = reqwest::Url::parse(base).map_err(|e| SourceError::BadUrl {
        url: base.to_owned(),
        message: e.to_string(),
    })?;
    {
        let mut pairs = url.query_pairs_mut();
        pairs.append_pair("geneProductType", "protein");
        if !gene_product_ids.is_empty() {
            pairs.append_pair("geneProductId", &gene_product_ids.join(","));
        }
    }
    Ok(url)
}

/// The `Accept` header QuickGO needs for TSV.
pub const ACCEPT_TSV: &str = "text/tsv";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_of_a_batch() {
        let url = batch_url(
            "http://127.0.0.1:9/QuickGO/services/annotation/downloadSearch",
            &["P04637".into(), "Q21190".into()],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/QuickGO/services/annotation/downloadSearch?geneProductType=protein&geneProductId=P04637%2CQ21190"
        );
    }
}
