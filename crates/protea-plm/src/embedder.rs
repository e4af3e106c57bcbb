//! The entry point callers use: an [`Embedder`] wraps one loaded backend and
//! turns sequences into [`ChunkEmbedding`]s (or per-residue matrices)
//! following [`EmbedOptions`]. It is synchronous and holds no I/O beyond
//! model loading, so a platform operation can call it from a blocking task
//! and a CLI can call it directly.
//!
//! Sequence handling for ESM-2: the sequence is upper-cased and tokenised
//! one token per character (unknown letters → `<unk>`), so the residue tensor
//! has exactly N rows (see [`crate::tokenizer`] for where this differs from
//! HF on lowercase input). `max_length` counts tokens with `<cls>`/`<eos>`,
//! as the reference's tokenizer call does; unset, it is the model's
//! `max_position_embeddings` (1 026 tokens = 1 024 residues for ESM-2).
//! The T5 family is treated the same way (upper-cased, one piece per
//! residue, see [`crate::t5_tokenizer`]); its relative positions have no
//! model maximum, so it is truncated only when `max_length` is set.
//! ESM-C follows its reference: the upper-cased *string* is cut to
//! `max_length` residues before tokenising (so `max_length` counts residues,
//! not tokens), one token per character, `<cls>`/`<eos>` stripped; unset,
//! nothing is truncated (rotary positions, no model maximum).
//!
//! dtype (ecosystem §5.1, [`dtype_rule`]): f32 on CPU for every backend, as
//! the references run there; on CUDA f16 for ESM-2, ProtT5/ProstT5 and
//! ESM-C, bf16 for Ankh, which is never run in f16 (its LayerNorm overflows
//! to NaN). Outputs are f32 whatever the compute dtype.

use crate::batch::plan_batches;
use crate::error::{PlmError, Result};
use crate::esm2::Esm2Model;
use crate::esmc::EsmcModel;
use crate::kmer::KmerBackend;
use crate::pool::{
    ChunkEmbedding, EmbedOptions, Matrix, pool_sequence, residue_tensor, resolve_layers,
};
use crate::t5::T5Encoder;
use crate::t5_tokenizer::{T5Flavour, T5Tokenizer};
use crate::tokenizer::EsmTokenizer;
use candle_core::{DType, Device};
use std::path::Path;

/// Which model family to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Esm2,
    /// ESM-C (EvolutionaryScale's `esmc_300m` / `esmc_600m`).
    Esmc,
    /// A T5 encoder; `None` picks ProstT5 when the model name contains
    /// "prostt5" (case-insensitive), as the reference does, else ProtT5.
    T5(Option<T5Flavour>),
    Kmer {
        k: usize,
    },
}

impl std::str::FromStr for BackendKind {
    type Err = PlmError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "esm2" | "esm" => Ok(Self::Esm2),
            "esmc" | "esm3c" => Ok(Self::Esmc),
            "t5" => Ok(Self::T5(None)),
            "prott5" => Ok(Self::T5(Some(T5Flavour::ProtT5))),
            "prostt5" => Ok(Self::T5(Some(T5Flavour::ProstT5))),
            "ankh" => Ok(Self::T5(Some(T5Flavour::Ankh))),
            "kmer" => Ok(Self::Kmer { k: 3 }),
            _ => match s.strip_prefix("kmer").and_then(|k| k.parse().ok()) {
                Some(k) => Ok(Self::Kmer { k }),
                None => Err(PlmError::option(
                    "backend",
                    format!(
                        "{s:?} is not available (esm2, esmc, t5, prott5, prostt5, ankh, kmer, kmer1..kmer4)"
                    ),
                )),
            },
        }
    }
}

/// The compute dtype the reference uses for `kind` (ecosystem §5.1): f32
/// on CPU; on CUDA bf16 for Ankh and f16 for the other model backends.
pub fn dtype_rule(kind: BackendKind, cuda: bool) -> DType {
    match kind {
        _ if !cuda => DType::F32,
        BackendKind::Kmer { .. } => DType::F32,
        BackendKind::T5(Some(T5Flavour::Ankh)) => DType::BF16,
        BackendKind::Esm2 | BackendKind::Esmc | BackendKind::T5(_) => DType::F16,
    }
}

/// Default token budget per forward pass (`batch × padded length`).
pub const DEFAULT_BATCH_TOKENS: usize = 4096;

/// Selected layers of one sequence: stripped residue tensors (N rows each)
/// and position-0 vectors, in sorted reverse-index order.
#[derive(Debug, Clone)]
pub struct EncodedLayers {
    pub residues: Vec<Matrix>,
    pub cls: Vec<Vec<f32>>,
}

enum Inner {
    Esm2 { model: Esm2Model, tok: EsmTokenizer },
    Esmc(EsmcModel),
    T5 { model: T5Encoder, tok: T5Tokenizer },
    Kmer(KmerBackend),
}

/// A loaded backend.
pub struct Embedder {
    inner: Inner,
    name: String,
}

impl Embedder {
    /// Loads `kind` from a local model directory (ignored by `kmer`) in the
    /// dtype [`dtype_rule`] gives for `device`.
    pub fn load(kind: BackendKind, model_dir: Option<&Path>, device: &Device) -> Result<Self> {
        Self::load_with_dtype(kind, model_dir, device, None)
    }

    /// Like [`Self::load`] with an explicit compute dtype (`None`: the rule).
    /// Ankh in f16 is refused, as the reference never runs it so.
    pub fn load_with_dtype(
        kind: BackendKind,
        model_dir: Option<&Path>,
        device: &Device,
        dtype: Option<DType>,
    ) -> Result<Self> {
        let dtype = dtype.unwrap_or_else(|| dtype_rule(kind, device.is_cuda()));
        if !matches!(dtype, DType::F32 | DType::F16 | DType::BF16) {
            return Err(PlmError::option(
                "dtype",
                format!("{dtype:?} is not a model dtype (f32, f16, bf16)"),
            ));
        }
        match kind {
            BackendKind::Kmer { k } => Ok(Self {
                inner: Inner::Kmer(KmerBackend::new(k)?),
                name: format!("kmer{k}"),
            }),
            BackendKind::Esm2 => {
                let dir = model_dir.ok_or_else(|| {
                    PlmError::option("model", "the esm2 backend needs a model directory")
                })?;
                let model = Esm2Model::load_with_dtype(dir, device, dtype)?;
                let tok = EsmTokenizer::from_path(dir)?;
                let name = model
                    .config()
                    .name_or_path
                    .clone()
                    .unwrap_or_else(|| dir.display().to_string());
                Ok(Self {
                    inner: Inner::Esm2 { model, tok },
                    name,
                })
            }
            BackendKind::Esmc => {
                let dir = model_dir.ok_or_else(|| {
                    PlmError::option(
                        "model",
                        "the esmc backend needs a model directory or .pth file",
                    )
                })?;
                let model = EsmcModel::load_with_dtype(dir, device, dtype)?;
                let name = model.config().name.clone();
                Ok(Self {
                    inner: Inner::Esmc(model),
                    name,
                })
            }
            BackendKind::T5(flavour) => {
                let dir = model_dir.ok_or_else(|| {
                    PlmError::option("model", "T5-family backends need a model directory")
                })?;
                let model = T5Encoder::load_with_dtype(dir, device, dtype)?;
                let name = model
                    .config()
                    .name_or_path
                    .clone()
                    .unwrap_or_else(|| dir.display().to_string());
                let flavour = flavour.unwrap_or(if name.to_lowercase().contains("prostt5") {
                    T5Flavour::ProstT5
                } else {
                    T5Flavour::ProtT5
                });
                if flavour == T5Flavour::Ankh && dtype == DType::F16 {
                    return Err(PlmError::option(
                        "dtype",
                        "Ankh is never run in f16 (its LayerNorm overflows to NaN); use bf16 or f32",
                    ));
                }
                let tok = T5Tokenizer::from_dir(dir, flavour)?;
                Ok(Self {
                    inner: Inner::T5 { model, tok },
                    name,
                })
            }
        }
    }

    /// The model's name (config `_name_or_path`, else its directory).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Hidden states a forward pass yields (1 for kmer).
    pub fn num_hidden_states(&self) -> usize {
        match &self.inner {
            Inner::Esm2 { model, .. } => model.num_hidden_states(),
            Inner::Esmc(model) => model.num_hidden_states(),
            Inner::T5 { model, .. } => model.num_hidden_states(),
            Inner::Kmer(_) => 1,
        }
    }

    /// Runs the encoder over `seqs` in length-aware batches and returns each
    /// sequence's selected layers (input order). `layers` are sorted reverse
    /// indices from [`resolve_layers`].
    pub fn encode_layers(
        &self,
        seqs: &[&str],
        layers: &[usize],
        max_length: Option<usize>,
        batch_tokens: usize,
    ) -> Result<Vec<EncodedLayers>> {
        // Token ids and the row of the first residue, per sequence. Sequences
        // are upper-cased so that each residue is one token (N rows).
        let (ids, start): (Vec<Vec<u32>>, usize) = match &self.inner {
            Inner::Kmer(k) => {
                return Ok(seqs
                    .iter()
                    .map(|s| {
                        let m = k.residues(s);
                        EncodedLayers {
                            // k-mers have no class token: the first row stands in (zeros if empty).
                            cls: vec![if m.rows > 0 {
                                m.row(0).to_vec()
                            } else {
                                vec![0.0; m.cols]
                            }],
                            residues: vec![m],
                        }
                    })
                    .collect());
            }
            Inner::Esm2 { model, tok } => {
                let max_len = max_length.unwrap_or(model.config().max_position_embeddings);
                let ids = seqs
                    .iter()
                    .map(|s| tok.encode_residues(&s.to_ascii_uppercase(), Some(max_len)))
                    .collect();
                (ids, 1)
            }
            // The reference cuts the string, not the token list.
            Inner::Esmc(_) => {
                let ids = seqs
                    .iter()
                    .map(|s| {
                        let up = s.to_ascii_uppercase();
                        let cut = match max_length {
                            Some(m) => up.char_indices().nth(m).map_or(&up[..], |(i, _)| &up[..i]),
                            None => &up[..],
                        };
                        crate::esmc_tokenizer::encode_residues(cut)
                    })
                    .collect();
                (ids, 1)
            }
            // T5 has relative positions and no model maximum: no default truncation.
            Inner::T5 { tok, .. } => {
                let ids = seqs
                    .iter()
                    .map(|s| tok.encode(&s.to_ascii_uppercase(), max_length))
                    .collect();
                (ids, tok.flavour().residue_start())
            }
        };
        // Everything after the residues is one end token (</s> or <eos>).
        let residues = |len: usize| len - start - 1;
        let n_states = self.num_hidden_states();
        // Only run as deep as the deepest selected layer.
        let deepest = n_states - 1 - layers[0];
        let mut out: Vec<Option<EncodedLayers>> = vec![None; seqs.len()];
        let lengths: Vec<usize> = ids.iter().map(Vec::len).collect();
        for batch in plan_batches(&lengths, batch_tokens) {
            let batch_ids: Vec<Vec<u32>> = batch.iter().map(|&i| ids[i].clone()).collect();

            let states = match &self.inner {
                Inner::Esm2 { model, .. } => model.forward(&batch_ids, deepest)?,
                Inner::Esmc(model) => model.forward(&batch_ids, deepest)?,
                Inner::T5 { model, .. } => model.forward(&batch_ids, deepest)?,
                Inner::Kmer(_) => unreachable!("kmer returned above"),
            };
            let (_, l, d) = states[0].dims3()?;
            let mut per_layer = Vec::with_capacity(layers.len());
            for &rev in layers {
                per_layer.push(
                    states[n_states - 1 - rev]
                        .to_dtype(DType::F32)?
                        .flatten_all()?
                        .to_vec1::<f32>()?,
                );
            }
            for (b, &i) in batch.iter().enumerate() {
                let n = residues(lengths[i]);
                let mut enc = EncodedLayers {
                    residues: Vec::new(),
                    cls: Vec::new(),
                };
                for flat in &per_layer {
                    let seq = &flat[b * l * d..(b + 1) * l * d];
                    enc.cls.push(seq[..d].to_vec());
                    enc.residues.push(Matrix {
                        rows: n,
                        cols: d,
                        data: seq[start * d..(start + n) * d].to_vec(),
                    });
                }
                out[i] = Some(enc);
            }
        }
        Ok(out
            .into_iter()
            .map(|e| e.expect("every sequence is in one batch"))
            .collect())
    }

    /// Pooled vectors for each `(id, sequence)`, in input order.
    pub fn embed(
        &self,
        seqs: &[(&str, &str)],
        opts: &EmbedOptions,
        batch_tokens: usize,
    ) -> Result<Vec<Vec<ChunkEmbedding>>> {
        if let Inner::Kmer(k) = &self.inner {
            check_kmer_layers(opts)?;
            return seqs.iter().map(|(id, s)| k.embed(id, s, opts)).collect();
        }
        let layers = self.layers_for(seqs, opts)?;
        let bodies: Vec<&str> = seqs.iter().map(|(_, s)| *s).collect();
        let encoded = self.encode_layers(&bodies, &layers, opts.max_length, batch_tokens)?;
        seqs.iter()
            .zip(encoded)
            .map(|((id, _), enc)| pool_sequence(id, &enc.residues, &enc.cls, opts))
            .collect()
    }

    /// Per-residue matrices (after layer aggregation and optional row
    /// normalisation), N rows per sequence, in input order.
    pub fn residues(
        &self,
        seqs: &[(&str, &str)],
        opts: &EmbedOptions,
        batch_tokens: usize,
    ) -> Result<Vec<Matrix>> {
        if let Inner::Kmer(k) = &self.inner {
            check_kmer_layers(opts)?;
            return Ok(seqs
                .iter()
                .map(|(_, s)| residue_tensor(&[k.residues(s)], opts))
                .collect());
        }
        let layers = self.layers_for(seqs, opts)?;
        let bodies: Vec<&str> = seqs.iter().map(|(_, s)| *s).collect();
        let encoded = self.encode_layers(&bodies, &layers, opts.max_length, batch_tokens)?;
        Ok(encoded
            .iter()
            .map(|e| residue_tensor(&e.residues, opts))
            .collect())
    }

    fn layers_for(&self, seqs: &[(&str, &str)], opts: &EmbedOptions) -> Result<Vec<usize>> {
        let first = seqs.first().map_or("", |(_, s)| *s);
        resolve_layers(
            &opts.layer_indices,
            self.num_hidden_states(),
            &self.name,
            first,
        )
    }
}

fn check_kmer_layers(opts: &EmbedOptions) -> Result<()> {
    if opts.layer_indices.iter().any(|&i| i != 0 && i != -1) {
        return Err(PlmError::option(
            "layer_indices",
            "the kmer backend has a single layer (0)",
        ));
    }
    Ok(())
}
