//! Parity with parasail 1.3.4 (libparasail 2.6): every pair of the committed fixture
//! (written by scripts/make_alignment_fixtures.py from real UniProt proteomes and edge
//! cases) must give the same score, the same traceback lines and the same five
//! statistics for NW and SW.

use flate2::read::GzDecoder;
use protea_features::align::{Aligner, AlignmentFeatures, Mode};
use std::io::{BufRead, BufReader};

struct Expected {
    score: i32,
    lines: (String, String, String),
    stats: [f64; 4],
}

struct Case {
    id: String,
    query: String,
    reference: String,
    nw: Expected,
    sw: Expected,
}

fn load() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/alignment_parasail.tsv.gz"
    );
    let file = std::fs::File::open(path).expect("fixture present");
    let mut cases = Vec::new();
    for line in BufReader::new(GzDecoder::new(file)).lines() {
        let line = line.unwrap();
        if line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 19, "fixture row has 19 fields");
        let expected = |o: usize| Expected {
            score: f[o].parse().unwrap(),
            lines: (f[o + 1].into(), f[o + 2].into(), f[o + 3].into()),
            stats: [
                f[o + 4].parse().unwrap(),
                f[o + 5].parse().unwrap(),
                f[o + 6].parse().unwrap(),
                f[o + 7].parse().unwrap(),
            ],
        };
        cases.push(Case {
            id: f[0].into(),
            query: f[1].into(),
            reference: f[2].into(),
            nw: expected(3),
            sw: expected(11),
        });
    }
    cases
}

#[test]
fn every_fixture_pair_equals_parasail() {
    let cases = load();
    assert!(cases.len() >= 200, "fixture has {} pairs", cases.len());
    let aligner = Aligner::default();
    let mut failures = Vec::new();
    for case in &cases {
        for (mode, want) in [(Mode::Global, &case.nw), (Mode::Local, &case.sw)] {
            let got = aligner
                .align(case.query.as_bytes(), case.reference.as_bytes(), mode)
                .unwrap()
                .unwrap();
            let stats = got.stats(aligner.matrix());
            let lines = got.lines(aligner.matrix());
            let same_stats = [
                stats.identity,
                stats.similarity,
                stats.gaps_pct,
                stats.length,
            ] == want.stats;
            if got.score != want.score || lines != want.lines || !same_stats {
                failures.push(format!(
                    "{} {mode:?}: score {} vs {}, lines equal {}, stats {:?} vs {:?}",
                    case.id,
                    got.score,
                    want.score,
                    lines == want.lines,
                    [
                        stats.identity,
                        stats.similarity,
                        stats.gaps_pct,
                        stats.length
                    ],
                    want.stats
                ));
            }
        }
        // The pipeline's entry point (NW and SW in one sweep) gives the same numbers.
        let f = AlignmentFeatures::compute(&case.query, &case.reference);
        let got = [
            f.identity_nw,
            f.similarity_nw,
            f.gaps_pct_nw,
            f.alignment_length_nw,
            f.identity_sw,
            f.similarity_sw,
            f.gaps_pct_sw,
            f.alignment_length_sw,
        ];
        let want = [&case.nw.stats[..], &case.sw.stats[..]].concat();
        if got != want.iter().map(|&v| Some(v)).collect::<Vec<_>>()[..]
            || f.alignment_score_nw != Some(f64::from(case.nw.score))
            || f.alignment_score_sw != Some(f64::from(case.sw.score))
        {
            failures.push(format!("{} AlignmentFeatures: {f:?}", case.id));
        }
        assert_eq!(f.length_query, Some(case.query.len() as i32));
        assert_eq!(f.length_ref, Some(case.reference.len() as i32));
    }
    assert!(
        failures.is_empty(),
        "{} of {} alignments differ from parasail:\n{}",
        failures.len(),
        2 * cases.len(),
        failures.join("\n")
    );
}

#[test]
fn empty_sequences_give_no_features() {
    for (q, r) in [("", "MKV"), ("MKV", ""), ("", "")] {
        assert_eq!(
            AlignmentFeatures::compute(q, r),
            AlignmentFeatures::default()
        );
        assert!(
            Aligner::default()
                .align(q.as_bytes(), r.as_bytes(), Mode::Global)
                .unwrap()
                .is_none()
        );
    }
}
