//! Reads the real files of `shared/data` and checks counts against
//! independent counts taken with shell tools (the command is next to each
//! number). Skips, with a message, when the folder is absent.
//! Folder: `$PROTEA_SHARED_DATA`, else `shared/data` beside the repository root.

use protea_core::parse_isoform;
use protea_core::{Aspect, GoId};
use protea_formats::fasta::validate::Validator;
use protea_formats::taxonomy::{TaxonRelation, Taxonomy};
use protea_formats::{
    eco, fasta, gaf, ia, interpro2go, interproscan, io, obo, quickgo_tsv, uniprot_tsv,
};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("PROTEA_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: shared data folder {} not found (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

macro_rules! data_or_skip {
    () => {
        match data_dir() {
            Some(dir) => dir,
            None => return,
        }
    };
}

#[test]
fn go_basic_2026_counts() {
    let dir = data_or_skip!();
    let path = dir.join("go/go-basic.2026-05-19.obo.gz");
    let mut reader =
        obo::Reader::new(io::open(&path).unwrap(), "go-basic.2026-05-19.obo.gz").unwrap();
    assert_eq!(
        reader.header().data_version.as_deref(),
        Some("releases/2026-05-19")
    );
    assert_eq!(reader.header().format_version.as_deref(), Some("1.2"));

    let (mut terms, mut obsolete, mut is_a, mut alt_ids, mut replaced_by, mut consider) =
        (0, 0, 0, 0, 0, 0);
    let mut by_relation: HashMap<String, usize> = HashMap::new();
    let mut by_aspect: HashMap<Option<Aspect>, usize> = HashMap::new();
    for term in reader.terms() {
        let term = term.unwrap();
        terms += 1;
        obsolete += usize::from(term.is_obsolete);
        is_a += term.is_a.len();
        alt_ids += term.alt_ids.len();
        replaced_by += term.replaced_by.len();
        consider += term.consider.len();
        *by_aspect.entry(term.aspect).or_default() += 1;
        assert!(
            term.name.is_some() && term.definition.is_some(),
            "{}",
            term.id
        );
        for rel in &term.relationships {
            *by_relation
                .entry(rel.relation.as_str().to_owned())
                .or_default() += 1;
        }
    }
    // zcat go-basic.2026-05-19.obo.gz | awk '/^\[/{t=($0=="[Term]")} t' > terms.txt, then grep -c:
    assert_eq!(terms, 48_321); // grep -c '^\[Term\]'
    assert_eq!(obsolete, 10_058); // grep -c '^is_obsolete: true'
    assert_eq!(is_a, 57_803); // grep -c '^is_a: ' terms.txt (57,805 in the whole file: 2 in Typedefs)
    assert_eq!(alt_ids, 3_646); // grep -c '^alt_id: '
    assert_eq!(replaced_by, 2_211); // grep -c '^replaced_by: '
    assert_eq!(consider, 3_624); // grep -c '^consider: '
    // grep '^relationship: ' terms.txt | awk '{print $2}' | sort | uniq -c
    let expected: HashMap<String, usize> = [
        ("part_of", 6_272),
        ("regulates", 2_832),
        ("positively_regulates", 2_486),
        ("negatively_regulates", 2_486),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(by_relation, expected);
    // grep '^namespace' terms.txt | sort | uniq -c
    assert_eq!(by_aspect[&Some(Aspect::BiologicalProcess)], 30_874);
    assert_eq!(by_aspect[&Some(Aspect::MolecularFunction)], 12_850);
    assert_eq!(by_aspect[&Some(Aspect::CellularComponent)], 4_597);
}

#[test]
fn go_basic_2021_and_slice() {
    let dir = data_or_skip!();
    let mut reader = obo::Reader::new(
        io::open(dir.join("go/go-basic.2021-12-15.obo.gz")).unwrap(),
        "2021",
    )
    .unwrap();
    assert_eq!(
        reader.header().data_version.as_deref(),
        Some("releases/2021-12-15")
    );
    // zcat go-basic.2021-12-15.obo.gz | grep -c '^\[Term\]'
    assert_eq!(reader.terms().count(), 47_261);

    let slice =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/go-basic.2026-05-19.slice.obo");
    let mut reader = obo::Reader::new(io::open(slice).unwrap(), "slice").unwrap();
    let terms: Vec<obo::Term> = reader.terms().map(Result::unwrap).collect();
    assert_eq!(terms.len(), 138); // grep -c '^\[Term\]' go-basic.2026-05-19.slice.obo
    assert!(
        terms
            .iter()
            .any(|t| t.id == GoId(8150) && t.aspect == Some(Aspect::BiologicalProcess))
    );
}

fn tests_data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// (rows, NOT rows, rows whose column 17 is an isoform, per-aspect counts, version)
fn gaf_summary(
    path: &std::path::Path,
) -> (usize, usize, usize, HashMap<char, usize>, Option<String>) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut reader = gaf::Reader::new(io::open(path).unwrap(), &name).unwrap();
    let (mut rows, mut not, mut isoforms) = (0, 0, 0);
    let mut aspects = HashMap::new();
    while let Some(row) = reader.next_row().unwrap() {
        rows += 1;
        not += usize::from(row.is_not());
        isoforms += usize::from(
            row.isoform_accession()
                .is_some_and(|a| parse_isoform(a).isoform_index.is_some()),
        );
        *aspects.entry(row.aspect.code()).or_default() += 1;
    }
    (
        rows,
        not,
        isoforms,
        aspects,
        reader.version().map(str::to_owned),
    )
}

#[test]
fn gaf_files_in_tests_data() {
    // grep -v '^!' FILE | grep -vc '^$' ; the NOT column: awk -F'\t' '$4 ~ /^NOT/'
    let (rows, not, _, _, version) = gaf_summary(&tests_data("ontobio_mgi.gaf22.gaf"));
    assert_eq!((rows, not, version.as_deref()), (105, 0, Some("2.2")));
    let (rows, _, _, _, version) = gaf_summary(&tests_data("ontobio_zfin_test.gaf22.gaf"));
    assert_eq!((rows, version.as_deref()), (2, Some("2.2")));
    // 170 rows of 15 columns, 197 of 16, 3 of 17: awk -F'\t' '{print NF}' | sort | uniq -c
    let (rows, _, _, _, version) = gaf_summary(&tests_data("ontobio_truncated-pombase.gaf21.gaf"));
    assert_eq!((rows, version.as_deref()), (370, Some("2.1")));
}

#[test]
fn goa_r203_files() {
    let dir = data_or_skip!();
    let goa = dir.join("goa");
    // zcat F | wc -l ; awk -F'\t' '{print $9}' | sort | uniq -c ; awk -F'\t' '$17 ~ /-[0-9]+$/' | wc -l
    let (rows, not, isoforms, aspects, version) =
        gaf_summary(&goa.join("goa_uniprot_all.r203.HTP.noheader.gaf.gz"));
    assert_eq!((rows, not, isoforms, version), (42_172, 0, 24, None));
    assert_eq!(
        (aspects[&'C'], aspects[&'F'], aspects[&'P']),
        (35_842, 4_018, 2_312)
    );
    let (rows, not, isoforms, _, _) =
        gaf_summary(&goa.join("goa_uniprot_all.r203.EXP_NOT.noheader.gaf.gz"));
    assert_eq!((rows, not, isoforms), (4_436, 4_436, 142));
    let (rows, not, _, aspects, _) =
        gaf_summary(&goa.join("goa_rnacentral_all.r203.EXP.noheader.gaf.gz"));
    assert_eq!((rows, not), (12_322, 17));
    assert_eq!(
        (aspects[&'C'], aspects[&'F'], aspects[&'P']),
        (1_350, 2_367, 8_605)
    );
    let (rows, _, _, _, version) = gaf_summary(&goa.join("biopython_goa_yeast.gaf21.gaf"));
    assert_eq!((rows, version.as_deref()), (587, Some("2.1")));
}

#[test]
fn gaf_filter_by_accession_and_go_id() {
    let dir = data_or_skip!();
    let path = dir.join("goa/goa_uniprot_all.r203.HTP.noheader.gaf.gz");
    let mut reader = gaf::Reader::new(io::open(&path).unwrap(), "HTP").unwrap();
    let accessions: HashSet<String> = ["P40078", "Q06568"].into_iter().map(String::from).collect();
    let known: HashSet<GoId> = [GoId(5737), GoId(5634)].into_iter().collect();
    let mut kept = 0;
    while let Some(row) = reader.next_row().unwrap() {
        kept += usize::from(accessions.contains(row.db_object_id) && known.contains(&row.go_id));
    }
    // zcat F | awk -F'\t' '($2=="P40078"||$2=="Q06568") && ($5=="GO:0005737"||$5=="GO:0005634")' | wc -l
    assert_eq!(kept, 2);
}

#[test]
fn uniprot_proteomes() {
    let dir = data_or_skip!();
    let path = dir.join("uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz");
    let mut reader = fasta::Reader::new(io::open(&path).unwrap(), "yeast.fasta.gz");
    let mut validator = Validator::new();
    let (mut records, mut reviewed, mut residues, mut pe1, mut with_gene, mut problems) =
        (0, 0, 0, 0, 0, 0);
    for record in reader.records() {
        let record = record.unwrap();
        records += 1;
        reviewed += usize::from(record.reviewed);
        residues += record.length();
        pe1 += usize::from(record.protein_existence == Some(1));
        with_gene += usize::from(record.gene_name.is_some());
        problems += validator.check(&record).len();
        assert_eq!(record.taxonomy_id.as_deref(), Some("559292"));
    }
    // zcat F | grep -c '^>' ; grep -c '^>sp|' ; grep -v '^>' | tr -d '\n' | wc -c ; grep '^>' | grep -c ' PE=1 '
    assert_eq!(
        (records, reviewed, residues, pe1, with_gene),
        (6_067, 6_066, 2_938_064, 5_322, 6_067)
    );
    assert_eq!(problems, 0);

    let path = dir.join("uniprot/UP000000625_ecoli_K12.2024-08.fasta.gz");
    let mut reader = fasta::Reader::new(io::open(&path).unwrap(), "ecoli.fasta.gz");
    let (mut records, mut residues) = (0, 0);
    for record in reader.records() {
        let record = record.unwrap();
        records += 1;
        residues += record.length();
    }
    assert_eq!((records, residues), (4_401, 1_354_252)); // same commands as above

    // >tr|A0A000|A0A000_STRVD OX=67581 headers: grep -c '^>' ; grep -v '^>' | tr -d '\n' | wc -c
    let path = dir.join("interpro/interproscan6.test.faa.gz");
    let records: Vec<fasta::FastaRecord> = fasta::Reader::new(io::open(&path).unwrap(), "faa")
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), 1_027);
    assert_eq!(records.iter().map(|r| r.length()).sum::<usize>(), 355_407);
    assert!(
        records
            .iter()
            .all(|r| !r.reviewed && r.taxonomy_id.is_some() && r.organism.is_none())
    );
}

fn read_uniprot_tsv(path: &std::path::Path) -> (Vec<String>, Vec<uniprot_tsv::UniprotTsvRecord>) {
    let mut reader = uniprot_tsv::Reader::new(io::open(path).unwrap(), "tsv").unwrap();
    let rows = reader.records().map(Result::unwrap).collect();
    (reader.headers().to_vec(), rows)
}

#[test]
fn uniprot_tables() {
    let dir = data_or_skip!();
    // awk -F'\t' 'NR>1' F | wc -l ; awk -F'\t' 'NR>1 && $5 != ""' F | wc -l
    let (_, rows) =
        read_uniprot_tsv(&dir.join("uniprot/uniprotkb_human_reviewed.first500.rest.tsv"));
    assert_eq!(rows.len(), 500);
    assert_eq!(
        rows.iter()
            .filter(|r| r.metadata.get("function_cc").is_some_and(|v| !v.is_empty()))
            .count(),
        491
    );
    assert!(
        rows.iter()
            .all(|r| r.metadata.get("keywords").is_none() && r.reviewed.is_none())
    );
    assert_eq!(rows[0].entry, "A0A0C5B5G6");

    // zcat F | awk -F'\t' 'NR>1{print $3}' | sort | uniq -c
    let (_, rows) =
        read_uniprot_tsv(&dir.join("uniprot/uniprot_idmapping_results.sabdab3528.tsv.gz"));
    assert_eq!(rows.len(), 3_528);
    assert_eq!(
        rows.iter()
            .filter(|r| r.is_reviewed() == Some(true))
            .count(),
        2_728
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.is_reviewed() == Some(false))
            .count(),
        800
    );
    assert!(
        rows.iter()
            .all(|r| r.length_value().is_some() && r.entry_name.is_some())
    );

    // Legacy 2019 export: `Entry name`, `Gene names` in another case; 19 columns, 170 rows, Keywords
    // ($11) and Features ($10) non-empty on every row (awk -F'\t' 'NR>1 && $11 != ""' F | wc -l).
    let (headers, rows) =
        read_uniprot_tsv(&dir.join("uniprot/uniprot_legacy_website_2019.yourlist170.tab"));
    assert_eq!(headers.len(), 19);
    assert_eq!(rows.len(), 170);
    let first = &rows[0];
    assert_eq!(
        (first.entry.as_str(), first.entry_name.as_deref()),
        ("P16070", Some("CD44_HUMAN"))
    );
    assert_eq!(
        (first.gene_name(), first.length_value()),
        (Some("CD44"), Some(742))
    );
    assert!(
        rows.iter()
            .all(|r| r.metadata.get("keywords").is_some_and(|k| !k.is_empty()))
    );
    assert!(
        rows.iter()
            .all(|r| r.metadata.get("features").is_some_and(|k| !k.is_empty()))
    );
}

fn read_quickgo(path: &std::path::Path) -> Vec<quickgo_tsv::QuickGoRecord> {
    let mut reader = quickgo_tsv::Reader::new(io::open(path).unwrap(), "quickgo").unwrap();
    reader.records().map(Result::unwrap).collect()
}

#[test]
fn quickgo_downloads() {
    let rows = read_quickgo(&tests_data("QuickGO-annotations.TP53_P04637.tsv"));
    assert_eq!(rows.len(), 100); // tail -n +2 F | wc -l
    assert!(
        rows.iter()
            .all(|r| r.gene_product_id == "P04637" && r.go_aspect.is_some())
    );
    // The built-in ECO table agrees with QuickGO's own evidence column wherever it knows the ECO id.
    for r in &rows {
        if let Some(code) = eco::builtin_code(r.eco_id.as_deref().unwrap()) {
            assert_eq!(Some(code), r.go_evidence_code.as_deref(), "line {}", r.line);
        }
    }
    let rows = read_quickgo(&tests_data(
        "QuickGO-annotations.unc-1_Q21190.with_extension_column.tsv",
    ));
    assert_eq!(rows.len(), 13);
    // awk -F'\t' 'NR>1 && $13!=""' F | wc -l
    assert_eq!(
        rows.iter()
            .filter(|r| r
                .annotation_extension
                .as_deref()
                .is_some_and(|e| !e.is_empty()))
            .count(),
        1
    );

    let dir = data_or_skip!();
    let rows = read_quickgo(&dir.join("quickgo/QuickGO-annotations.ai-gene-review66.tsv.gz"));
    // zcat F | awk -F'\t' 'NR>1' | wc -l ; NOT: $4 ~ /^NOT/ ; distinct $2: sort -u | wc -l ; $7 by value
    assert_eq!(rows.len(), 1_747);
    assert_eq!(rows.iter().filter(|r| r.is_not()).count(), 4);
    assert_eq!(
        rows.iter()
            .map(|r| r.gene_product_id.as_str())
            .collect::<HashSet<_>>()
            .len(),
        63
    );
    let count = |a: Aspect| rows.iter().filter(|r| r.go_aspect == Some(a)).count();
    assert_eq!(
        (
            count(Aspect::BiologicalProcess),
            count(Aspect::MolecularFunction),
            count(Aspect::CellularComponent)
        ),
        (734, 765, 248)
    );
}

#[test]
fn interpro2go_and_pfam2go() {
    let dir = data_or_skip!();
    let path = dir.join("interpro/interpro2go.2025-06-08.gz");
    let mut reader = interpro2go::Reader::new(io::open(&path).unwrap(), "interpro2go");
    let mappings: Vec<interpro2go::Mapping> = reader.mappings().map(Result::unwrap).collect();
    assert_eq!(reader.date(), Some("2025/06/08 17:43:09")); // zcat F | head -1
    // zcat F | grep -vc '^!' ; distinct IPR: cut -d' ' -f1 | sort -u | wc -l ; distinct GO: awk -F' ; ' '{print $2}'
    assert_eq!(mappings.len(), 30_207);
    assert_eq!(
        mappings
            .iter()
            .map(|m| m.accession.as_str())
            .collect::<HashSet<_>>()
            .len(),
        14_758
    );
    assert_eq!(
        mappings
            .iter()
            .map(|m| m.go_id)
            .collect::<HashSet<_>>()
            .len(),
        5_667
    );
    assert!(
        mappings
            .iter()
            .all(|m| m.db == "InterPro" && m.accession.starts_with("IPR"))
    );

    let mut reader = interpro2go::Reader::new(
        io::open(dir.join("interpro/pfam2go.2022-03-16")).unwrap(),
        "pfam2go",
    );
    assert_eq!(
        reader
            .mappings()
            .map(Result::unwrap)
            .filter(|m| m.db == "Pfam")
            .count(),
        10_095
    ); // grep -vc '^!'
    assert_eq!(reader.date(), Some("2022/03/16 10:40:04"));
}

#[test]
fn taxdump_subset() {
    // The copy in tests/data has nodes, merged and delnodes (always runs).
    let taxonomy = Taxonomy::load_dir(tests_data("taxdump")).unwrap();
    check_taxonomy(&taxonomy);
    assert_eq!(taxonomy.name(9606), None);

    let dir = data_or_skip!();
    let taxonomy = Taxonomy::load_dir(dir.join("taxonomy/taxdumpy_subset")).unwrap();
    check_taxonomy(&taxonomy);
    assert_eq!(taxonomy.name(9606), Some("Homo sapiens")); // grep -P '^9606\t' names.dmp | grep scientific
    assert_eq!(taxonomy.name(562), Some("Escherichia coli"));
}

fn check_taxonomy(taxonomy: &Taxonomy) {
    assert_eq!(taxonomy.len(), 2_290); // wc -l nodes.dmp
    // Lineages computed by walking column 3 of nodes.dmp with awk from 9606 and 562 up to 1.
    assert_eq!(taxonomy.depth(9606), Some(31));
    assert_eq!(taxonomy.depth(562), Some(9));
    assert_eq!(taxonomy.lca(9606, 562), Some(131_567));
    assert_eq!(
        taxonomy.relation(9606, 562),
        TaxonRelation {
            lca: Some(131_567),
            distance: Some(40),
            common_ancestors: 2
        }
    );
    assert_eq!(taxonomy.rank(9606), Some("species"));
    assert_eq!(taxonomy.rank(2), Some("domain"));
    // Every node has a complete lineage (the subset is closed under ancestors).
    assert!(
        taxonomy
            .taxids()
            .all(|t| taxonomy.lineage(t).is_some_and(|l| l[0] == 1))
    );
    let merged_ok = [(30u32, 29u32), (705, 662), (1761, 85_007)]; // head -3 merged.dmp
    for (old, new) in merged_ok {
        assert_eq!(taxonomy.resolve(old), Some(new));
    }
    assert!(taxonomy.is_deleted(3_451_490)); // head -1 delnodes.dmp
}

#[test]
fn cafa6_information_accretion() {
    let dir = data_or_skip!();
    let path = dir.join("cafa/IA_cafa6.tsv");
    let map = ia::Reader::new(io::open(&path).unwrap(), "IA_cafa6.tsv")
        .read_map()
        .unwrap();
    assert_eq!(map.len(), 40_122); // wc -l
    assert_eq!(map.values().filter(|&&v| v != 0.0).count(), 28_294); // awk '$2!=0' | wc -l
    assert_eq!(map[&GoId(2)], 2.8496657269155685); // head -2
}

#[test]
fn truncated_real_obo_gz_is_an_error_naming_the_file() {
    let dir = data_or_skip!();
    let bytes = std::fs::read(dir.join("go/go-basic.2026-05-19.obo.gz")).unwrap();
    let path =
        std::env::temp_dir().join(format!("protea-formats-cut-{}.obo.gz", std::process::id()));
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let mut reader = obo::Reader::new(io::open(&path).unwrap(), "cut.obo.gz").unwrap();
    let err = reader
        .terms()
        .find_map(Result::err)
        .expect("a truncated file must fail");
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(err, protea_formats::Error::Gzip { .. }), "{err:?}");
    assert_eq!(err.source_name(), "cut.obo.gz");
    assert!(err.line() > 100_000, "{err}");
}

fn read_interproscan(path: &std::path::Path, name: &str) -> Vec<interproscan::Match> {
    interproscan::Reader::new(io::open(path).unwrap(), name)
        .matches()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn interproscan6_test_output() {
    let dir = data_or_skip!();
    let path = dir.join("interpro/interproscan6.test.faa.tsv.gz");
    let rows = read_interproscan(&path, "test.faa.tsv");
    // F="zcat interproscan6.test.faa.tsv.gz"
    assert_eq!(rows.len(), 10_745); // $F | wc -l
    let proteins: HashSet<&str> = rows.iter().map(|m| m.protein_id.as_str()).collect();
    assert_eq!(proteins.len(), 1_027); // $F | cut -f1 | sort -u | wc -l
    let with_ipr: Vec<_> = rows
        .iter()
        .filter(|m| m.interpro_accession.is_some())
        .collect();
    assert_eq!(with_ipr.len(), 6_433); // $F | awk -F'\t' '$12!="-"' | wc -l
    let pairs: HashSet<(&str, &str)> = with_ipr
        .iter()
        .map(|m| {
            (
                m.protein_id.as_str(),
                m.interpro_accession.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 4_004); // $F | awk -F'\t' '$12!="-"{print $1"\t"$12}' | sort -u | wc -l
    let go: usize = rows.iter().map(|m| m.go_terms.len()).sum();
    assert_eq!(go, 7_782); // $F | awk -F'\t' '$14!="-"{n+=split($14,a,"|")}END{print n}'
    assert!(rows.iter().all(|m| m.pathways.is_empty())); // column 15 is `-` everywhere
    // awk -F'\t' '$9=="-"' → 815 rows, '$9=="null"' → 3,385 rows (InterProScan 6's "no score")
    assert_eq!(
        rows.iter().filter(|m| m.score.is_none()).count(),
        815 + 3_385
    );
    let span: u64 = rows.iter().map(|m| u64::from(m.end - m.start + 1)).sum();
    assert_eq!(span, 2_004_692); // awk '{s+=$8-$7+1}END{print s}'
    let pfam = rows.iter().filter(|m| m.analysis == "Pfam").count();
    assert_eq!(pfam, 1_471); // $F | cut -f4 | sort | uniq -c

    // A second, independent method on the raw text: split lines by hand.
    let mut text = String::new();
    std::io::Read::read_to_string(&mut io::open(&path).unwrap(), &mut text).unwrap();
    let raw: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(raw.len(), rows.len());
    assert_eq!(raw.iter().filter(|c| c[11] != "-").count(), with_ipr.len());
    for (cells, m) in raw.iter().zip(&rows) {
        assert_eq!(cells[4], m.signature_accession);
        assert_eq!(cells[6].parse::<u32>().unwrap(), m.start);
    }
}

#[test]
fn interproscan6_integration_output() {
    let dir = data_or_skip!();
    let path = dir.join("interpro/interproscan6.integration_expected_output.tsv");
    let rows = read_interproscan(&path, "expected_output.tsv");
    // The last line has no newline, so `wc -l` says 180:
    assert_eq!(rows.len(), 181); // awk -F'\t' '{print NF}' F | sort | uniq -c → 181 × 15
    let proteins: HashSet<&str> = rows.iter().map(|m| m.protein_id.as_str()).collect();
    assert_eq!(proteins.len(), 12); // cut -f1 F | sort -u | wc -l
    let with_ipr = rows
        .iter()
        .filter(|m| m.interpro_accession.is_some())
        .count();
    assert_eq!(with_ipr, 109); // awk -F'\t' '$12!="-"' F | wc -l
    let go: usize = rows.iter().map(|m| m.go_terms.len()).sum();
    assert_eq!(go, 100); // awk -F'\t' '$14!="-"{n+=split($14,a,"|")}END{print n}' F
    let pathways: usize = rows.iter().map(|m| m.pathways.len()).sum();
    assert_eq!(pathways, 6_584); // awk -F'\t' '$15!="-"{n+=split($15,a,"|")}END{print n}' F
    // Second method: count `|`-separated pathway items on the raw lines.
    let text = std::fs::read_to_string(&path).unwrap();
    let raw: usize = text
        .lines()
        .filter_map(|l| l.split('\t').nth(14))
        .filter(|c| *c != "-")
        .map(|c| c.matches('|').count() + 1)
        .sum();
    assert_eq!(raw, pathways);
    assert!(
        rows.iter()
            .all(|m| m.md5.as_ref().is_some_and(|h| h.len() == 32))
    );
}
