//! One hand-built case per subtle rule of cafaeval.md, through the public API. The expected
//! numbers are worked out in the comments (and were checked against cafaeval 1.3.0 where
//! the rule is upstream behaviour).

use crate::{
    Annotations, BestMetric, EvalConfig, Evaluation, Evaluator, InformationAccretion, Mode, Norm,
    Ontology, Prop, TermsOfInterest, ThresholdRow,
};

/// R root; A is_a R; B is_a R; C is_a A and part_of B (cafaeval.md §15).
const TOY: &str = "[Term]\nid: R\nnamespace: toy\n\n[Term]\nid: A\nnamespace: toy\nis_a: R ! root\n\n\
                   [Term]\nid: B\nnamespace: toy\nis_a: R\n\n\
                   [Term]\nid: C\nnamespace: toy\nis_a: A\nrelationship: part_of B ! b\n";
const TOY_IA: &str = "R\t0\nA\t1\nB\t2\nC\t0.5\n";
const TOY_GT: &str = "P1\tC\nP2\tB\nP3\tA\n";

struct Run<'a> {
    obo: &'a str,
    gt: &'a str,
    ia: Option<&'a str>,
    known: Option<&'a str>,
    toi: Option<&'a str>,
    config: EvalConfig,
}

impl<'a> Run<'a> {
    fn new(obo: &'a str, gt: &'a str) -> Self {
        Run {
            obo,
            gt,
            ia: None,
            known: None,
            toi: None,
            config: EvalConfig::default(),
        }
    }

    fn eval(&self, methods: &[(&str, &str)]) -> crate::Result<Evaluation> {
        let o = Ontology::from_obo(self.obo.as_bytes(), "obo")?;
        let gt = Annotations::read(self.gt.as_bytes(), "gt", &o)?;
        let ia = self
            .ia
            .map(|t| InformationAccretion::read(t.as_bytes(), "ia", &o))
            .transpose()?;
        let known = self
            .known
            .map(|t| Annotations::read(t.as_bytes(), "known", &o))
            .transpose()?;
        let toi = self
            .toi
            .map(|t| TermsOfInterest::read(t.as_bytes(), "toi", &o))
            .transpose()?;
        let ev = Evaluator::new(
            &self.config,
            &o,
            &gt,
            ia.as_ref(),
            known.as_ref(),
            toi.as_ref(),
        )?;
        ev.evaluate_readers(
            methods
                .iter()
                .map(|(l, t)| Ok((l.to_string(), t.as_bytes()))),
        )
    }
}

/// The row at the threshold nearest to `tau` in the first curve.
fn at(e: &Evaluation, tau: f64) -> ThresholdRow {
    *e.curves[0]
        .rows
        .iter()
        .find(|r| (r.tau - tau).abs() < 1e-9)
        .unwrap_or_else(|| panic!("no row at {tau}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn worked_example() {
    // P1: C .8, B .3 → max-propagated C=A=B=R=.8. P2: A .5 → A=R=.5. X9 ignored.
    let mut run = Run::new(TOY, TOY_GT);
    run.ia = Some(TOY_IA);
    let e = run
        .eval(&[("m", "P1 C 0.8\nP1 B 0.3\nP2 A 0.5\nX9 A 0.9\n")])
        .unwrap();
    let r = at(&e, 0.3).plain;
    // tau <= .5: n=2, ne=3; pr=(4/4 + 1/2)/2=.75, rc=(1 + .5 + 0)/3=.5, f=.6, cov=2/3;
    // tp=(4+1)/3, fp=(0+1)/3, fn=(0+1+2)/3=1, s=sqrt(1+1/9); micro 5/6 and 5/8.
    assert_eq!((r.n, r.ne), (2.0, 3));
    assert!(close(r.pr, 0.75) && close(r.rc, 0.5) && close(r.f, 0.6) && close(r.cov, 2.0 / 3.0));
    assert!(close(r.tp, 5.0 / 3.0) && close(r.fp, 1.0 / 3.0) && close(r.fn_, 1.0));
    assert!(close(r.s, (1.0f64 + 1.0 / 9.0).sqrt()));
    assert!(close(r.pr_micro, 5.0 / 6.0) && close(r.rc_micro, 5.0 / 8.0));
    // Weighted (R has IA 0): P1 P={A,B,C} all true, P2 P={A} false. pr_w=(1+0)/2,
    // rc_w=(3.5/3.5 + 0/2 + 0/1)/3, f_w=.4, ru_w=(0+2+1)/3=1, mi_w=1/3.
    let w = at(&e, 0.3).weighted.unwrap();
    assert!(close(w.pr, 0.5) && close(w.rc, 1.0 / 3.0) && close(w.f, 0.4));
    assert!(close(w.ru, 1.0) && close(w.mi, 1.0 / 3.0));
    // .51 <= tau <= .8: only P1 covered: pr=1, rc=1/3, f=.5; weighted f_w=.5, s_w=1.
    let r = at(&e, 0.8);
    assert!(close(r.plain.pr, 1.0) && close(r.plain.rc, 1.0 / 3.0) && close(r.plain.f, 0.5));
    assert!(close(r.weighted.unwrap().f, 0.5) && close(r.weighted.unwrap().s, 1.0));
    // tau > .8: cov = 0 → dropped: 80 rows remain.
    assert_eq!(e.curves[0].rows.len(), 80);
    // Fmax .6 ties on .01–.50: the first (lowest tau) wins. Weighted Fmax .5 at .51.
    let best = e.best(BestMetric::F);
    assert!(close(best[0].row.plain.f, 0.6) && close(best[0].row.tau, 0.01));
    assert!(close(best[0].cov_max, 2.0 / 3.0));
    let best_w = e.best(BestMetric::FW);
    assert!(close(best_w[0].row.tau, 0.51) && close(best_w[0].row.weighted.unwrap().f_micro, 0.7));
    // S-min (unweighted) 1.05409 at .01; weighted S-min 1.0 at .51.
    assert!(close(e.best(BestMetric::S)[0].row.tau, 0.01));
    assert!(close(e.best(BestMetric::SW)[0].row.tau, 0.51));
}

#[test]
fn written_row_matches_cafaeval_formatting() {
    // The first line cafaeval 1.3.0 writes for the worked example (observed).
    let mut run = Run::new(TOY, TOY_GT);
    run.ia = Some(TOY_IA);
    let e = run
        .eval(&[("m", "P1 C 0.8\nP1 B 0.3\nP2 A 0.5\n")])
        .unwrap();
    let mut out = Vec::new();
    crate::write_all(&e, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("filename\tns\ttau\tn\ttp\tfp\tfn\tpr\trc\tcov")
    );
    assert_eq!(
        lines.next().unwrap(),
        "m\ttoy\t0.010\t2.000\t1.667\t0.333\t1.000\t0.750\t0.500\t0.667\t0.333\t1.000\t0.600\t\
         1.054\t0.833\t0.625\t0.714\t2.000\t1.167\t0.333\t1.000\t0.500\t0.333\t0.667\t0.333\t\
         1.000\t0.400\t1.054\t0.778\t0.538\t0.636"
    );
}

#[test]
fn score_on_a_grid_value_is_not_predicted_at_that_threshold() {
    // Grid value 6 is 0.060000000000000005 > 0.06, so 0.06 is predicted at .01–.05 only (5
    // rows survive the cov == 0 filter); grid value 7 is 0.06999999999999999 <= 0.07 (7 rows).
    let run = Run::new(TOY, "P1 A\n");
    assert_eq!(
        run.eval(&[("m", "P1 A 0.06\n")]).unwrap().curves[0]
            .rows
            .len(),
        5
    );
    assert_eq!(
        run.eval(&[("m", "P1 A 0.07\n")]).unwrap().curves[0]
            .rows
            .len(),
        7
    );
}

#[test]
fn score_above_one_always_predicted_zero_and_negative_never() {
    // A=1.5 (and R through propagation) at all 99 thresholds; B=0 and C=-2 never, so
    // precision is 1 everywhere.
    let e = Run::new(TOY, "P1 A\n")
        .eval(&[("m", "P1 A 1.5\nP1 B 0\nP1 C -2\n")])
        .unwrap();
    assert_eq!(e.curves[0].rows.len(), 99);
    assert!(e.curves[0].rows.iter().all(|r| r.plain.pr == 1.0));
}

#[test]
fn all_zero_scores_in_a_namespace_abort() {
    // cafaeval raises IndexError here.
    let err = Run::new(TOY, "P1 A\n")
        .eval(&[("m", "P1 A 0\nP1 B -1\n")])
        .unwrap_err();
    assert!(matches!(err, crate::Error::AllScoresZero { .. }));
}

#[test]
fn namespace_without_accepted_predictions_has_no_rows() {
    let obo = "id: R\nnamespace: a\nid: S\nnamespace: b\n";
    let e = Run::new(obo, "P1 R\nP2 S\n")
        .eval(&[("m", "P1 R 0.5\nP2 R 0.5\n")])
        .unwrap();
    assert_eq!(e.curves.len(), 1);
    assert_eq!(e.curves[0].namespace, "a");
}

#[test]
fn prop_fill_keeps_an_explicit_parent_score() {
    // R <- A <- C; truth C (so {C, A, R}); scores C .9, A .3. At tau .5, max gives
    // A = R = .9: rc 1. Fill keeps A = .3 and R takes its child A's .3: P = {C}, rc 1/3.
    let obo = "id: R\nnamespace: n\nid: A\nnamespace: n\nis_a: R\nid: C\nnamespace: n\nis_a: A\n";
    let mut run = Run::new(obo, "P1 C\n");
    let pred = [("m", "P1 C 0.9\nP1 A 0.3\n")];
    assert!(close(at(&run.eval(&pred).unwrap(), 0.5).plain.rc, 1.0));
    run.config.prop = Prop::Fill;
    let r = at(&run.eval(&pred).unwrap(), 0.5).plain;
    assert!(close(r.rc, 1.0 / 3.0) && close(r.pr, 1.0));
}

#[test]
fn no_orphans_drops_roots_but_keeps_root_only_proteins_in_ne() {
    // Truth P1 C ({C,A,B,R}), P2 R. Predictions P1 C .8, P2 R .9. With no_orphans the toi
    // is {A,B,C}: P2 has nothing predicted in the toi (not covered) and recall 0 but still
    // counts in ne: n=1, ne=2, cov .5, pr 1, rc .5, tp 3/2. Without: n=2, rc 1, tp 5/2.
    let mut run = Run::new(TOY, "P1\tC\nP2\tR\n");
    let pred = [("m", "P1 C 0.8\nP2 R 0.9\n")];
    let r = at(&run.eval(&pred).unwrap(), 0.01).plain;
    assert!(r.n == 2.0 && close(r.rc, 1.0) && close(r.tp, 2.5));
    run.config.no_orphans = true;
    let r = at(&run.eval(&pred).unwrap(), 0.01).plain;
    assert!(r.n == 1.0 && r.ne == 2 && close(r.cov, 0.5) && close(r.pr, 1.0));
    assert!(close(r.rc, 0.5) && close(r.tp, 1.5));
}

#[test]
fn weighted_toi_ignores_no_orphans_and_excludes_ia_zero_terms() {
    // IA R 1, A 0, B 2, C .5 with no_orphans: toi_ia = {R, B, C}. Truth P1 C, P2 A; scores
    // P1 C .8, P2 B .6. P1: G_w = 1+2+.5 = P_w → pr 1, rc 1. P2: G ∩ toi_ia = {R} (1),
    // P = {B, R}: tp_w 1, fp_w 2 → pr 1/3, rc 1. pr_w = (1 + 1/3)/2 = 2/3, rc_w = 1,
    // mi_w = 2/2 = 1, f_w = .8 (cafaeval: same).
    let mut run = Run::new(TOY, "P1\tC\nP2\tA\n");
    run.ia = Some("R\t1\nA\t0\nB\t2\nC\t0.5\n");
    run.config.no_orphans = true;
    let w = at(&run.eval(&[("m", "P1 C 0.8\nP2 B 0.6\n")]).unwrap(), 0.5)
        .weighted
        .unwrap();
    assert!(close(w.pr, 2.0 / 3.0) && close(w.rc, 1.0) && close(w.mi, 1.0) && close(w.f, 0.8));
}

#[test]
fn weighted_precision_uses_n_w_and_upstream_ne_w_counts_ia_zero_truth() {
    // IA R 0. Truth P1 C, P2 R; scores P1 C .8, P2 R .9. P2 predicts only IA-0 terms: n = 2
    // but n_w = 1, so pr_w = 1/1; upstream ne_w = 2 (P2 counts with weighted recall 0):
    // rc_w = .5, cov_w = .5, ru_w = 0.
    let mut run = Run::new(TOY, "P1\tC\nP2\tR\n");
    run.ia = Some(TOY_IA);
    let r = at(&run.eval(&[("m", "P1 C 0.8\nP2 R 0.9\n")]).unwrap(), 0.5);
    let w = r.weighted.unwrap();
    assert_eq!((r.plain.n, w.n, w.ne), (2.0, 1.0, 2));
    assert!(close(w.pr, 1.0) && close(w.rc, 0.5) && close(w.cov, 0.5) && w.ru == 0.0);
}

#[test]
fn norm_pred_and_gt_change_denominators_but_not_micro() {
    // Worked example at tau .3: sums PR 1.5, RC 1.5, TP 5, FP 1, FN 3; n 2, ne 3.
    let mut run = Run::new(TOY, TOY_GT);
    let pred = [("m", "P1 C 0.8\nP1 B 0.3\nP2 A 0.5\n")];
    run.config.norm = Norm::Pred; // everything over n = 2
    let r = at(&run.eval(&pred).unwrap(), 0.3).plain;
    assert!(close(r.pr, 0.75) && close(r.rc, 0.75) && close(r.tp, 2.5) && close(r.fn_, 1.5));
    assert!(close(r.pr_micro, 5.0 / 6.0) && close(r.rc_micro, 0.625));
    run.config.norm = Norm::Gt; // everything over ne = 3
    let r = at(&run.eval(&pred).unwrap(), 0.3).plain;
    assert!(close(r.pr, 0.5) && close(r.rc, 0.5) && close(r.tp, 5.0 / 3.0) && close(r.f, 0.5));
    assert!(close(r.pr_micro, 5.0 / 6.0) && close(r.rc_micro, 0.625));
}

#[test]
fn max_terms_caps_before_propagation() {
    // max_terms 0 stores the first term only (count 0 <= 0), then blocks: P = {B, R}.
    // Truth C → {C, A, B, R}: tp 2, pr 1, rc .5 (cafaeval: same).
    let mut run = Run::new(TOY, "P1 C\n");
    run.config.max_terms = Some(0);
    let r = at(&run.eval(&[("m", "P1 B 0.9\nP1 C 0.8\n")]).unwrap(), 0.41).plain;
    assert!(close(r.pr, 1.0) && close(r.rc, 0.5) && close(r.tp, 2.0));
}

#[test]
fn duplicate_is_a_and_part_of_edges_do_not_cut_propagation() {
    // C is_a X and part_of X; D is_a X; E is_a D. Counting C's two edges to X would let X
    // be processed before D (1.2.1); with deduplicated parents E .9 reaches D and X:
    // P = G = {E, D, X}, tp 3, rc 1 (cafaeval 1.3.0: same).
    let obo = "id: X\nnamespace: n\nid: C\nnamespace: n\nis_a: X\nrelationship: part_of X\n\
               id: D\nnamespace: n\nis_a: X\nid: E\nnamespace: n\nis_a: D\n";
    let r = at(
        &Run::new(obo, "P1 E\n")
            .eval(&[("m", "P1 E 0.9\nP1 C 0.0\n")])
            .unwrap(),
        0.41,
    )
    .plain;
    assert!(close(r.rc, 1.0) && close(r.tp, 3.0));
}

#[test]
fn alt_id_shared_by_two_terms_counts_as_both() {
    // Z is an alt id of A and of B: truth P1 Z = {A, B, R}.
    let obo = "id: R\nnamespace: n\nid: A\nnamespace: n\nis_a: R\nalt_id: Z\n\
               id: B\nnamespace: n\nis_a: R\nalt_id: Z\n";
    let r = at(
        &Run::new(obo, "P1 Z\n")
            .eval(&[("m", "P1 A 0.9\n")])
            .unwrap(),
        0.5,
    )
    .plain;
    // P = {A, R}: tp 2 of 3.
    assert!(close(r.rc, 2.0 / 3.0) && close(r.pr, 1.0));
}

#[test]
fn pk_known_terms_are_excluded_and_cov_can_exceed_one() {
    // Truth P1 C ({C,A,B,R}), P2 A ({A,R}); known P1 B ({B,R}), P2 A ({A,R}).
    // toi_P1 = {A, C}: G 2 terms. toi_P2 = {B, C}: G empty → P2 is in E but not in ne.
    // Scores P1 C .8 → P ∩ toi_P1 = {A, C}: tp 2, pr 1, rc 1. P2 B .6 → {B}: fp 1, pr 0.
    // n = 2, ne = 1: cov 2, pr .5, rc 1, tp 2, fp 1, fn 0.
    let mut run = Run::new(TOY, "P1\tC\nP2\tA\n");
    run.known = Some("P1\tB\nP2\tA\nX\tC\n");
    let r = at(&run.eval(&[("m", "P1 C 0.8\nP2 B 0.6\n")]).unwrap(), 0.5).plain;
    assert_eq!((r.n, r.ne), (2.0, 1));
    assert!(close(r.cov, 2.0) && close(r.pr, 0.5) && close(r.rc, 1.0));
    assert!(close(r.tp, 2.0) && close(r.fp, 1.0) && r.fn_ == 0.0);
}

#[test]
fn pk_known_file_missing_a_namespace_aborts() {
    let obo = "id: R\nnamespace: a\nid: S\nnamespace: b\n";
    let mut run = Run::new(obo, "P1 R\nP2 S\n");
    run.known = Some("P1 R\n");
    let err = run.eval(&[("m", "P1 R 0.5\n")]).unwrap_err();
    assert!(
        matches!(err, crate::Error::KnownMissingNamespace { ref namespace } if namespace == "b")
    );
}

#[test]
fn pk_toi_file_intersects_and_restricts_the_evaluated_proteins() {
    // toi file {C, R} with no_orphans → toi {C}. Truth P1 C, P2 B: only P1 has a true term
    // in the toi, so P2 leaves every count even though it predicts: n 1, ne 1, pr 1, rc 1.
    let mut run = Run::new(TOY, "P1\tC\nP2\tB\n");
    run.toi = Some("C\nR\n");
    run.config.no_orphans = true;
    let r = at(&run.eval(&[("m", "P1 C 0.8\nP2 B 0.9\n")]).unwrap(), 0.5).plain;
    assert_eq!((r.n, r.ne), (1.0, 1));
    assert!(close(r.pr, 1.0) && close(r.rc, 1.0) && close(r.tp, 1.0));
    // A toi with nothing left in a namespace aborts.
    run.toi = Some("R\n");
    let err = run.eval(&[("m", "P1 C 0.8\n")]).unwrap_err();
    assert!(matches!(err, crate::Error::EmptyTermsOfInterest { .. }));
}

#[test]
fn pk_weighted_ne_excludes_proteins_with_ia_zero_truth() {
    // Same as the upstream n_w case, but PK: P2 (truth only R, IA 0) is in E (R is in the
    // toi) yet not in ne_w, so rc_w = 1/1 instead of .5.
    let mut run = Run::new(TOY, "P1\tC\nP2\tR\n");
    run.ia = Some(TOY_IA);
    run.config.mode = Mode::PartialKnowledge;
    let r = at(&run.eval(&[("m", "P1 C 0.8\nP2 R 0.9\n")]).unwrap(), 0.5);
    let w = r.weighted.unwrap();
    assert_eq!((r.plain.ne, w.ne), (2, 1));
    assert!(close(w.rc, 1.0));
}

#[test]
fn thread_count_never_changes_results() {
    let mut run = Run::new(TOY, TOY_GT);
    run.ia = Some(TOY_IA);
    let pred = [("m", "P1 C 0.8\nP1 B 0.3\nP2 A 0.5\n")];
    let one = run.eval(&pred).unwrap();
    run.config.threads = 4;
    assert_eq!(one, run.eval(&pred).unwrap());
}

#[test]
fn micro_ratio_of_zero_over_zero_is_zero() {
    // P1 predicts only R, whose IA is 0: n = 1 but n_w = 0, tp_w = fp_w = 0, so
    // pr_micro_w = 0/0 → 0 (cafaeval writes 0.000), and f_w = 0 at every tau.
    let mut run = Run::new(TOY, "P1 A\n");
    run.ia = Some(TOY_IA);
    let r = at(&run.eval(&[("m", "P1 R 0.9\n")]).unwrap(), 0.01);
    let w = r.weighted.unwrap();
    assert_eq!(
        (r.plain.n, w.n, w.pr_micro, w.f_micro, w.cov),
        (1.0, 0.0, 0.0, 0.0, 0.0)
    );
    assert!(close(w.ru, 1.0) && close(w.s, 1.0));
}

#[test]
fn curve_reports_its_go_aspect() {
    let obo = "id: GO:0008150\nnamespace: biological_process\n";
    let e = Run::new(obo, "P1 GO:0008150\n")
        .eval(&[("m", "P1 GO:0008150 0.5\n")])
        .unwrap();
    assert_eq!(
        e.curves[0].aspect(),
        Some(protea_core::Aspect::BiologicalProcess)
    );
}

#[test]
fn nan_scores_are_never_predicted_and_never_overwrite() {
    // Observed with cafaeval 1.3.0, truth P1 A ({A, R}), first row (tau .01):
    // "A nan, B .5" → P = {B, R}: tp 1, fp 1, pr .5, rc .5;
    // "A .5, A nan, B .5" → A keeps .5: P = {A, B, R}: tp 2, pr 2/3, rc 1;
    // "C nan, B .5" → P = {B, R}: pr .5, rc .5.
    let run = Run::new(TOY, "P1 A\n");
    for (pred, pr, rc) in [
        ("P1 A nan\nP1 B 0.5\n", 0.5, 0.5),
        ("P1 A 0.5\nP1 A nan\nP1 B 0.5\n", 2.0 / 3.0, 1.0),
        ("P1 C nan\nP1 B 0.5\n", 0.5, 0.5),
    ] {
        let e = run.eval(&[("m", pred)]).unwrap();
        let r = e.curves[0].rows[0].plain;
        assert!(close(r.pr, pr) && close(r.rc, rc), "{pred:?}");
        assert_eq!(e.curves[0].rows.len(), 50, "{pred:?}");
    }
}

#[test]
fn nothing_evaluated_gives_no_curves_and_no_files() {
    // Only a non-benchmark protein predicts: cafaeval returns df=None and write_results
    // crashes; we return an empty evaluation and refuse to write it.
    let e = Run::new(TOY, "P1 A\n")
        .eval(&[("m", "X9 A 0.5\n")])
        .unwrap();
    assert!(e.curves.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let err = crate::write_outputs(&e, dir.path()).unwrap_err();
    assert!(matches!(err, crate::Error::NothingEvaluated));
}
