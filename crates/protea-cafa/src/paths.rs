//! File-based entry point: opens the input files (transparently, no decompression) and walks
//! the prediction folder the way cafaeval does.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::Evaluator;
use crate::annotations::{Annotations, InformationAccretion, TermsOfInterest};
use crate::config::EvalConfig;
use crate::error::{Error, Result};
use crate::ontology::Ontology;
use crate::results::Evaluation;

/// Input files of one evaluation (the positional and file options of `cafaeval`).
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// OBO ontology.
    pub obo: &'a Path,
    /// A prediction file, or a folder whose files (recursively) are the methods.
    pub predictions: &'a Path,
    /// Ground truth (`protein term`).
    pub ground_truth: &'a Path,
    /// IA weights (`term ia`), enabling the weighted columns.
    pub ia: Option<&'a Path>,
    /// PK known terms (`protein term`).
    pub known: Option<&'a Path>,
    /// PK terms of interest (one term per line).
    pub toi: Option<&'a Path>,
}

fn open(path: &Path) -> Result<BufReader<File>> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|e| Error::io(path, e))
}

/// The method files under `path` with their labels: the path relative to the folder with
/// `/` replaced by `_` (a single file is labelled by its file name). Hidden files count.
/// Like `os.walk` (top-down), the files of a folder come before its subfolders, both in
/// directory-listing order, so the row order matches cafaeval's on the same filesystem (that
/// order is not sorted and may differ between filesystems; the best-row files are sorted).
pub fn prediction_files(path: &Path) -> Result<Vec<(String, PathBuf)>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        return Ok(vec![(name, path.to_owned())]);
    }
    let mut out = Vec::new();
    walk(path, "", &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries: Vec<_> = std::fs::read_dir(dir)
        .and_then(|rd| rd.collect::<std::io::Result<Vec<_>>>())
        .map_err(|e| Error::io(dir, e))?;
    let mut subdirs = Vec::new();
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if path.is_dir() {
            subdirs.push((name, path));
        } else {
            out.push((format!("{prefix}{name}"), path));
        }
    }
    for (name, path) in subdirs {
        walk(&path, &format!("{prefix}{name}_"), out)?;
    }
    Ok(())
}

/// Runs a whole evaluation from files, one method at a time (memory holds one method).
pub fn evaluate(config: &EvalConfig, inputs: &Inputs<'_>) -> Result<Evaluation> {
    let source = |p: &Path| p.display().to_string();
    let ontology = Ontology::from_obo(open(inputs.obo)?, &source(inputs.obo))?;
    let truth = Annotations::read(
        open(inputs.ground_truth)?,
        &source(inputs.ground_truth),
        &ontology,
    )?;
    let ia = match inputs.ia {
        Some(p) => Some(InformationAccretion::read(open(p)?, &source(p), &ontology)?),
        None => None,
    };
    let known = match inputs.known {
        Some(p) => Some(Annotations::read(open(p)?, &source(p), &ontology)?),
        None => None,
    };
    let toi = match inputs.toi {
        Some(p) => Some(TermsOfInterest::read(open(p)?, &source(p), &ontology)?),
        None => None,
    };
    let evaluator = Evaluator::new(
        config,
        &ontology,
        &truth,
        ia.as_ref(),
        known.as_ref(),
        toi.as_ref(),
    )?;
    let files = prediction_files(inputs.predictions)?;
    evaluator.evaluate_readers(
        files
            .into_iter()
            .map(|(label, path)| open(&path).map(|r| (label, r))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_relative_paths_with_underscores_and_hidden_files_count() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("team")).unwrap();
        std::fs::write(dir.path().join("team/model1.tsv"), "").unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        let mut labels: Vec<String> = prediction_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        // Top-level files come before subfolders (os.walk is top-down).
        assert_eq!(labels.last().unwrap(), "team_model1.tsv");
        labels.sort();
        assert_eq!(labels, [".hidden", "team_model1.tsv"]);
        let single = prediction_files(&dir.path().join("team/model1.tsv")).unwrap();
        assert_eq!(single[0].0, "model1.tsv");
    }
}
