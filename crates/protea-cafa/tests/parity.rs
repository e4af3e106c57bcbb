//! Parity with the real cafaeval: every metric at every threshold against the reference
//! tables that `scripts/make_reference.py` produced with cafaeval 1.3.0, byte equality of the
//! written files, and the partial-knowledge fork's published summary numbers.
//!
//! Inputs under `shared:` come from the shared data folder (`PROTEA_SHARED_DATA`, default
//! `<repo>/../shared/data`); when it is absent the tests print why and skip.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use protea_cafa::{
    BestMetric, EvalConfig, Evaluation, Inputs, Metrics, Mode, Norm, Prop, evaluate, write_outputs,
};

const TOLERANCE: f64 = 1e-9;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data folder {} not found (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

struct Case {
    fields: BTreeMap<String, String>,
}

impl Case {
    fn load(name: &str) -> Case {
        let text = std::fs::read_to_string(data_dir().join("cases.tsv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        for line in lines {
            let vals: Vec<&str> = line.split('\t').collect();
            if vals[0] == name {
                let fields = header
                    .iter()
                    .zip(vals)
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                return Case { fields };
            }
        }
        panic!("case {name} not in cases.tsv");
    }

    fn get(&self, key: &str) -> Option<&str> {
        Some(self.fields[key].as_str()).filter(|v| *v != "-")
    }

    fn config(&self) -> EvalConfig {
        EvalConfig {
            norm: match self.get("norm").unwrap() {
                "cafa" => Norm::Cafa,
                "pred" => Norm::Pred,
                "gt" => Norm::Gt,
                other => panic!("norm {other}"),
            },
            prop: match self.get("prop").unwrap() {
                "max" => Prop::Max,
                "fill" => Prop::Fill,
                other => panic!("prop {other}"),
            },
            th_step: self.get("th_step").unwrap().parse().unwrap(),
            max_terms: self.get("max_terms").map(|v| v.parse().unwrap()),
            no_orphans: self.get("no_orphans") == Some("1"),
            threads: 2,
            mode: if self.get("mode") == Some("pk") {
                Mode::PartialKnowledge
            } else {
                Mode::Upstream
            },
        }
    }
}

/// Resolves `shared:`/`local:` paths, decompressing `.gz` files into `tmp`.
fn resolve(spec: &str, shared: &Path, tmp: &Path) -> PathBuf {
    let (kind, rel) = spec.split_once(':').unwrap();
    let path = match kind {
        "shared" => shared.join(rel),
        "local" => data_dir().join(rel),
        other => panic!("path kind {other}"),
    };
    if let Some(stem) = rel.strip_suffix(".gz") {
        let out = tmp.join(Path::new(stem).file_name().unwrap());
        if !out.exists() {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
                .read_to_end(&mut text)
                .unwrap();
            std::fs::write(&out, text).unwrap();
        }
        return out;
    }
    path
}

fn run(case: &Case, config: &EvalConfig, shared: &Path, tmp: &Path) -> Evaluation {
    let p = |key: &str| case.get(key).map(|v| resolve(v, shared, tmp));
    let (obo, pred, gt) = (p("obo").unwrap(), p("pred").unwrap(), p("gt").unwrap());
    let (ia, known, toi) = (p("ia"), p("known"), p("toi"));
    let inputs = Inputs {
        obo: &obo,
        predictions: &pred,
        ground_truth: &gt,
        ia: ia.as_deref(),
        known: known.as_deref(),
        toi: toi.as_deref(),
    };
    evaluate(config, &inputs).unwrap()
}

/// Compares with `<case>/reference_all.tsv` and returns the max abs difference per column.
fn compare_all(name: &str, eval: &Evaluation) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(data_dir().join(name).join("reference_all.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let ours: Vec<(String, String, f64, Vec<f64>)> = eval
        .curves
        .iter()
        .flat_map(|c| {
            c.rows.iter().map(|r| {
                let cols: Vec<f64> = std::iter::once(&r.plain)
                    .chain(r.weighted.as_ref())
                    .flat_map(Metrics::columns)
                    .collect();
                (c.method.clone(), c.namespace.clone(), r.tau, cols)
            })
        })
        .collect();
    // Method order follows the directory listing (as os.walk does), which can differ between
    // filesystems: compare in (method, namespace) order; tau order within a curve is fixed.
    let mut reference: Vec<&str> = lines.collect();
    reference.sort_by_key(|l| {
        let mut it = l.split('\t');
        (it.next().unwrap().to_owned(), it.next().unwrap().to_owned())
    });
    let mut ours = ours;
    ours.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(ours.len(), reference.len(), "{name}: row count");
    let mut max_diff: BTreeMap<String, f64> = BTreeMap::new();
    for ((method, ns, tau, cols), line) in ours.iter().zip(&reference) {
        let v: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            (method.as_str(), ns.as_str()),
            (v[0], v[1]),
            "{name}: row key"
        );
        assert_eq!(
            *tau,
            v[2].parse::<f64>().unwrap(),
            "{name}: tau of {method} {ns}"
        );
        assert_eq!(cols.len(), v.len() - 3, "{name}: column count");
        for (i, (ours, theirs)) in cols.iter().zip(&v[3..]).enumerate() {
            let theirs: f64 = theirs.parse().unwrap();
            let diff = if ours.is_nan() && theirs.is_nan() {
                0.0
            } else {
                (ours - theirs).abs()
            };
            assert!(
                diff <= TOLERANCE,
                "{name}: {method} {ns} tau {tau} {}: ours {ours} cafaeval {theirs}",
                header[i + 3]
            );
            let slot = max_diff.entry(header[i + 3].to_string()).or_insert(0.0);
            *slot = slot.max(diff);
        }
    }
    max_diff
}

/// Our written files must equal cafaeval's byte for byte.
fn compare_files(name: &str, eval: &Evaluation, tmp: &Path, rounding_flips: &mut usize) {
    let out = tmp.join(format!("out_{name}"));
    write_outputs(eval, &out).unwrap();
    let reference = data_dir().join(name).join("cafaeval");
    let mut names: Vec<_> = std::fs::read_dir(&reference)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut ours: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    ours.sort();
    assert_eq!(names, ours, "{name}: output file names");
    for file in names {
        let a = std::fs::read_to_string(out.join(&file)).unwrap();
        let b = std::fs::read_to_string(reference.join(&file)).unwrap();
        // Same lines; evaluation_all's method order follows the directory listing.
        let sorted = |t: &str| {
            let mut l: Vec<String> = t.lines().map(str::to_owned).collect();
            l[1..].sort_by(|x, y| {
                let key = |s: &str| s.split('\t').take(2).collect::<Vec<_>>().join("\t");
                key(x).cmp(&key(y))
            });
            l.join("\n")
        };
        let (a, b) = (sorted(&a), sorted(&b));
        for (i, (la, lb)) in a.lines().zip(b.lines()).enumerate() {
            let (ca, cb): (Vec<&str>, Vec<&str>) =
                (la.split('\t').collect(), lb.split('\t').collect());
            assert_eq!(ca.len(), cb.len(), "{name}/{file:?}: line {}", i + 1);
            for (x, y) in ca.iter().zip(&cb) {
                if x == y {
                    continue;
                }
                // Sums in a different order can differ in the last bit, which flips the
                // rounding of a value sitting on a decimal boundary: allow one unit in the
                // last written place, never more.
                let (Ok(fx), Ok(fy)) = (x.parse::<f64>(), y.parse::<f64>()) else {
                    panic!("{name}/{file:?}: line {}: {x} vs {y}", i + 1);
                };
                let places = x.len() - x.find('.').unwrap() - 1;
                let unit = 10f64.powi(-(places as i32));
                assert!(
                    (fx - fy).abs() <= unit * 1.000001,
                    "{name}/{file:?}: line {}: {x} vs {y}",
                    i + 1
                );
                *rounding_flips += 1;
            }
        }
        assert_eq!(
            a.lines().count(),
            b.lines().count(),
            "{name}/{file:?}: line count"
        );
    }
}

fn check_upstream(name: &str) {
    let Some(shared) = shared_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let case = Case::load(name);
    let eval = run(&case, &case.config(), &shared, tmp.path());
    let diffs = compare_all(name, &eval);
    eprintln!("{name}: max abs difference per column: {diffs:?}");
    let mut flips = 0;
    compare_files(name, &eval, tmp.path(), &mut flips);
    eprintln!("{name}: written cells that differ by one unit in the last place: {flips}");
    // The thread count never changes a bit.
    let mut one = case.config();
    one.threads = 1;
    assert_eq!(eval, run(&case, &one, &shared, tmp.path()));
}

#[test]
fn idpo_default() {
    check_upstream("idpo_default");
}

#[test]
fn idpo_fill_no_orphans_pred() {
    check_upstream("idpo_fill_no_orphans_pred");
}

#[test]
fn idpo_gt_max_terms_2_step_005() {
    check_upstream("idpo_gt_max_terms_2_step_005");
}

#[test]
fn idpo_ia() {
    check_upstream("idpo_ia");
}

#[test]
fn idpo_ia_no_orphans_step_0005() {
    check_upstream("idpo_ia_no_orphans_step_0005");
}

#[test]
fn pk_partial_upstream() {
    check_upstream("pk_partial_upstream");
}

#[test]
fn pk_limited_upstream() {
    check_upstream("pk_limited_upstream");
}

#[test]
fn goa_227_228_ia() {
    check_upstream("goa_227_228_ia");
}

#[test]
fn goa_227_228_ia_fill_no_orphans_gt_step_005() {
    check_upstream("goa_227_228_ia_fill_no_orphans_gt_step_005");
}

/// The PK fork's summary numbers (best f, f_micro and s rows) from the reference JSON.
fn check_pk(name: &str) {
    let Some(shared) = shared_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let case = Case::load(name);
    let eval = run(&case, &case.config(), &shared, tmp.path());
    let text = std::fs::read_to_string(data_dir().join("pk_summary.tsv")).unwrap();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let v: Vec<&str> = line.split('\t').collect();
        if v[0] != name {
            continue;
        }
        let (file, ns, key, expected) = (v[1], v[2], v[3], v[4].parse::<f64>().unwrap());
        let pick = |metric| {
            eval.best(metric)
                .into_iter()
                .find(|b| b.curve.method == file && b.curve.namespace == ns)
                .unwrap_or_else(|| panic!("{name}: no {file} {ns}"))
        };
        let (f, fm, s) = (
            pick(BestMetric::F),
            pick(BestMetric::FMicro),
            pick(BestMetric::S),
        );
        let ours = match key {
            "fmax" => f.row.plain.f,
            "precision" => f.row.plain.pr,
            "recall" => f.row.plain.rc,
            "tau" => f.row.tau,
            "coverage" => f.row.plain.cov,
            "n_predicted" => f.row.plain.n,
            "n_gt_proteins" => f.row.plain.ne as f64,
            "cov_max" => f.cov_max,
            "micro_fmax" => fm.row.plain.f_micro,
            "micro_tau" => fm.row.tau,
            "smin_s" => s.row.plain.s,
            "smin_ru" => s.row.plain.ru,
            "smin_mi" => s.row.plain.mi,
            "smin_tau" => s.row.tau,
            other => panic!("key {other}"),
        };
        assert!(
            (ours - expected).abs() <= TOLERANCE,
            "{name}: {file} {ns} {key}: ours {ours} reference {expected}"
        );
        checked += 1;
    }
    assert!(checked > 0, "{name}: nothing checked");
}

#[test]
fn pk_fork_idpo_without_known() {
    check_pk("idpo.pk");
    check_pk("idpo.pkfix");
}

#[test]
fn pk_fork_partial_known_toi() {
    check_pk("pk_go_sample_partial_known_toi.pk");
    check_pk("pk_go_sample_partial_known_toi.pkfix");
}

#[test]
fn pk_fork_limited() {
    check_pk("pk_go_sample_limited.pk");
    check_pk("pk_go_sample_limited.pkfix");
}

/// Our headers equal those of the real cafaeval output kept in the shared data (a run on a
/// submission we do not have, so only the format can be compared).
#[test]
fn headers_match_the_shared_cafaeval_output() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("cafa/goa_holdout_226_228");
    let first_line = |name: &str| {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        text.lines().next().unwrap().to_owned()
    };
    let row = protea_cafa::ThresholdRow {
        tau: 0.1,
        plain: Metrics::default(),
        weighted: Some(Metrics::default()),
    };
    let eval = Evaluation {
        th_step: 0.1,
        weighted: true,
        curves: vec![protea_cafa::Curve {
            method: "submission.tsv".into(),
            namespace: "biological_process".into(),
            rows: vec![row],
        }],
    };
    let mut all = Vec::new();
    protea_cafa::write_all(&eval, &mut all).unwrap();
    let all = String::from_utf8(all).unwrap();
    assert_eq!(
        all.lines().next().unwrap(),
        first_line("cafaeval_result.227_228.evaluation_all.tsv")
    );
    // th_step 0.1 → two decimals, as in that file.
    assert!(
        all.lines()
            .nth(1)
            .unwrap()
            .starts_with("submission.tsv\tbiological_process\t0.10\t0.00\t")
    );
    let mut best = Vec::new();
    protea_cafa::write_best(&eval, BestMetric::F, &mut best).unwrap();
    let best = String::from_utf8(best).unwrap();
    assert_eq!(
        best.lines().next().unwrap(),
        first_line("cafaeval_result.227_228.evaluation_best_f.tsv")
    );
}
