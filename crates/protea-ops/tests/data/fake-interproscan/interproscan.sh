#!/usr/bin/env bash
# Fake InterProScan for the tests (not a real scanner). It answers
# `--version` and `-i IN.fasta -f tsv -o OUT.tsv [extra...]` by replaying the
# REAL InterProScan 6 output shared/data/interpro/interproscan6.test.faa.tsv.gz
# (ebi-pf-team/interproscan6 tests/data/output/test.faa.tsv, Apache-2.0):
# every row whose column 2 (sequence MD5) is the MD5 of an input sequence is
# written with column 1 replaced by that sequence's FASTA id, as InterProScan
# does. Knobs (environment): FAKE_IPS_VERSION (default 5.77-108.0),
# FAKE_IPS_GARBAGE=1 appends a malformed line after the real rows.
set -euo pipefail
if [[ "${1:-}" == "--version" || "${1:-}" == "-version" ]]; then
    echo "InterProScan version ${FAKE_IPS_VERSION:-5.77-108.0}"
    exit 0
fi
in="" out="" fmt=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -i) in="$2"; shift 2 ;;
        -o) out="$2"; shift 2 ;;
        -f) fmt="$2"; shift 2 ;;
        *) shift ;;
    esac
done
if [[ -z "$in" || -z "$out" || "$fmt" != "tsv" ]]; then
    echo "usage: $0 -i IN.fasta -f tsv -o OUT.tsv" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
data="${PROTEA_SHARED_DATA:-$here/../../../../../../shared/data}"
tsv="$data/interpro/interproscan6.test.faa.tsv.gz"
[[ -f "$tsv" ]] || { echo "fake interproscan: $tsv not found" >&2; exit 4; }
# id<TAB>MD5 of each input record (upper case, as InterProScan 6 writes it).
pairs="$(mktemp)"
trap 'rm -f "$pairs"' EXIT
awk '/^>/ { if (id != "") print id "\t" seq; id = substr($1, 2); seq = ""; next }
     { seq = seq $0 } END { if (id != "") print id "\t" seq }' "$in" |
while IFS=$'\t' read -r id seq; do
    printf '%s\t%s\n' "$id" "$(printf '%s' "$seq" | md5sum | cut -d' ' -f1 | tr 'a-f' 'A-F')"
done > "$pairs"
zcat "$tsv" | awk -F'\t' -v OFS='\t' 'NR == FNR { id[$2] = $1; next }
    (toupper($2) in id) { $1 = id[toupper($2)]; print }' "$pairs" - > "$out"
if [[ "${FAKE_IPS_GARBAGE:-}" == "1" ]]; then
    printf 'this line is not InterProScan TSV\n' >> "$out"
fi
echo "fake interproscan: $(wc -l < "$out") matches" >&2
