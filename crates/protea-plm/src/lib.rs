//! Protein language-model embeddings, pure: no database, HTTP or async.
//!
//! - [`tokenizer`]: the ESM tokeniser, id for id equal to Hugging Face's.
//! - [`esm2`]: the ESM-2 encoder on candle (HF `EsmModel` layout), every
//!   hidden state.
//! - [`esmc`], [`esmc_tokenizer`]: ESM-C (EvolutionaryScale's ESM3c
//!   family) from its released `.pth` state dict, every hidden state.
//! - [`t5`], [`t5_tokenizer`]: the T5 encoder family (ProtT5, ProstT5,
//!   Ankh) with an attention mask, and their residue tokenisation.
//! - [`pool`]: layer selection (reverse indices, 0 = last) and aggregation,
//!   pooling (mean, max, cls, mean_max), normalisation, chunk spans — the
//!   reference `embed_chunks` pipeline.
//! - [`batch`]: length-aware batching to a token budget.
//! - [`kmer`]: a weight-free k-mer composition baseline.
//! - [`embedder`]: [`Embedder`], which ties these together for callers
//!   (the `protea embed` CLI now, the compute_embeddings operations later).
//! - [`npy`]: float32 `.npy` import/export; [`import`]: precomputed
//!   vectors (npy + accession TSV).
//!
//! Residue-tensor convention: every backend strips its special tokens, so a
//! sequence of N residues yields exactly N rows and chunk indices are
//! positions in the amino-acid sequence.

mod attention;
pub mod batch;
pub mod embedder;
pub mod error;
pub mod esm2;
pub mod esmc;
pub mod esmc_tokenizer;
mod gelu;
pub mod import;
pub mod kmer;
pub mod npy;
pub mod pool;
mod rotary;
mod spiece;
pub mod t5;
pub mod t5_tokenizer;
pub mod tokenizer;

pub use candle_core::DType;
pub use candle_core::Device;
pub use embedder::{BackendKind, DEFAULT_BATCH_TOKENS, Embedder, EncodedLayers, dtype_rule};
pub use error::{PlmError, Result};
pub use pool::{ChunkEmbedding, EmbedOptions, LayerAgg, Matrix, Pooling};
pub use t5_tokenizer::T5Flavour;
