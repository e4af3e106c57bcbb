-- Loads write every protein_go_annotation row through each of its indexes.
-- Two of them earned nothing:
-- * ix_pga_set_accession (annotation_set_id, protein_accession) is a prefix
--   of the unique key uq_pga_set_protein_term_evidence, which serves the same
--   look-ups;
-- * ix_pga_evidence_code: evidence codes are only ever counted or filtered
--   within one annotation set, where the unique key's prefix leads.
drop index if exists ix_pga_set_accession;
drop index if exists ix_pga_evidence_code;
