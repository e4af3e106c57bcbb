//! T5 encoder on candle, with an attention mask, for the T5 protein family
//! (ProtT5, ProstT5, Ankh) in Hugging Face's `T5EncoderModel` /
//! `T5ForConditionalGeneration` layout (decoder weights are ignored).
//!
//! candle-transformers' own T5 encoder takes no mask, which corrupts padded
//! batches; this one adds the usual additive key mask. The maths, written from
//! the architecture: token embedding (unscaled) → N blocks of
//! [RMS-norm → self-attention without 1/√d scaling, plus a learned relative
//! position bias shared by all blocks (bidirectional log buckets) → residual]
//! and [RMS-norm → ReLU or gated-GELU(tanh) feed-forward → residual] → a final
//! RMS-norm on the last hidden state. Hidden states are returned like HF's
//! `output_hidden_states`: index 0 the embeddings, index N the normalised output.

use crate::error::{PlmError, Result};
use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, Linear, VarBuilder};
use serde::Deserialize;
use std::path::Path;

/// The fields of a T5 `config.json` that the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub struct T5Config {
    pub vocab_size: usize,
    pub d_model: usize,
    pub d_kv: usize,
    pub d_ff: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    #[serde(default = "default_buckets")]
    pub relative_attention_num_buckets: usize,
    #[serde(default = "default_max_distance")]
    pub relative_attention_max_distance: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_epsilon: f64,
    #[serde(default = "default_ff")]
    pub feed_forward_proj: String,
    #[serde(default)]
    pub pad_token_id: u32,
    #[serde(default = "default_eos")]
    pub eos_token_id: u32,
    #[serde(default, rename = "_name_or_path")]
    pub name_or_path: Option<String>,
}

fn default_buckets() -> usize {
    32
}
fn default_max_distance() -> usize {
    128
}
fn default_eps() -> f64 {
    1e-6
}
fn default_ff() -> String {
    "relu".into()
}
fn default_eos() -> u32 {
    1
}

impl T5Config {
    /// Reads and checks `config.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| PlmError::io(path, e))?;
        let bad = |message: String| PlmError::Config {
            path: path.to_path_buf(),
            message,
        };
        let cfg: Self = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if !matches!(cfg.feed_forward_proj.as_str(), "relu" | "gated-gelu") {
            return Err(bad(format!(
                "feed_forward_proj {:?} is not supported (relu or gated-gelu)",
                cfg.feed_forward_proj
            )));
        }
        Ok(cfg)
    }
}

/// T5's LayerNorm: scale only, no mean subtraction, no bias.
struct RmsNorm {
    weight: Tensor,
    eps: f64,
}

impl RmsNorm {
    fn new(size: usize, eps: f64, vb: VarBuilder) -> candle_core::Result<Self> {
        Ok(Self {
            weight: vb.get(size, "weight")?,
            eps,
        })
    }

    /// The variance is taken in f32 whatever the model dtype, as HF does.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let x32 = x.to_dtype(DType::F32)?;
        let var = x32.sqr()?.mean_keepdim(candle_core::D::Minus1)?;
        x32.broadcast_div(&(var + self.eps)?.sqrt()?)?
            .to_dtype(x.dtype())?
            .broadcast_mul(&self.weight)
    }
}

enum FeedForward {
    Relu {
        wi: Linear,
        wo: Linear,
    },
    GatedGelu {
        wi0: Linear,
        wi1: Linear,
        wo: Linear,
    },
}

struct Block {
    attn_norm: RmsNorm,
    q: Linear,
    k: Linear,
    v: Linear,
    o: Linear,
    ff_norm: RmsNorm,
    ff: FeedForward,
}

/// A loaded T5 encoder.
pub struct T5Encoder {
    cfg: T5Config,
    embed: Embedding,
    rel_bias: Embedding,
    blocks: Vec<Block>,
    final_norm: RmsNorm,
    device: Device,
    dtype: DType,
}

/// Queries per attention block (see [`crate::esm2`] for why).
const QUERY_BLOCK: usize = 256;

fn lin(i: usize, o: usize, vb: VarBuilder) -> candle_core::Result<Linear> {
    candle_nn::linear_no_bias(i, o, vb)
}

impl T5Encoder {
    /// Loads `config.json` and `model.safetensors` from `dir`, in f32.
    pub fn load(dir: &Path, device: &Device) -> Result<Self> {
        Self::load_with_dtype(dir, device, DType::F32)
    }

    /// Loads the encoder with its weights (and forward pass) in `dtype`.
    pub fn load_with_dtype(dir: &Path, device: &Device, dtype: DType) -> Result<Self> {
        let cfg = T5Config::from_file(&dir.join("config.json"))?;
        let weights = dir.join("model.safetensors");
        let wrap = |source| PlmError::Weights {
            path: weights.clone(),
            source,
        };
        let tensors = candle_core::safetensors::load(&weights, device).map_err(wrap)?;
        let vb = VarBuilder::from_tensors(tensors, dtype, device);
        Self::build(cfg, vb, device).map_err(wrap)
    }

    fn build(cfg: T5Config, vb: VarBuilder, device: &Device) -> candle_core::Result<Self> {
        let (d, inner, eps) = (
            cfg.d_model,
            cfg.num_heads * cfg.d_kv,
            cfg.layer_norm_epsilon,
        );
        // The embedding is stored as `shared` (tied) or under the encoder.
        let embed = if vb.contains_tensor("shared.weight") {
            candle_nn::embedding(cfg.vocab_size, d, vb.pp("shared"))?
        } else {
            candle_nn::embedding(cfg.vocab_size, d, vb.pp("encoder.embed_tokens"))?
        };
        let enc = vb.pp("encoder");
        let rel_bias = candle_nn::embedding(
            cfg.relative_attention_num_buckets,
            cfg.num_heads,
            enc.pp("block.0.layer.0.SelfAttention.relative_attention_bias"),
        )?;
        let mut blocks = Vec::with_capacity(cfg.num_layers);
        for i in 0..cfg.num_layers {
            let b = enc.pp(format!("block.{i}.layer"));
            let a = b.pp("0.SelfAttention");
            let f = b.pp("1.DenseReluDense");
            let ff = if cfg.feed_forward_proj == "gated-gelu" {
                FeedForward::GatedGelu {
                    wi0: lin(d, cfg.d_ff, f.pp("wi_0"))?,
                    wi1: lin(d, cfg.d_ff, f.pp("wi_1"))?,
                    wo: lin(cfg.d_ff, d, f.pp("wo"))?,
                }
            } else {
                FeedForward::Relu {
                    wi: lin(d, cfg.d_ff, f.pp("wi"))?,
                    wo: lin(cfg.d_ff, d, f.pp("wo"))?,
                }
            };
            blocks.push(Block {
                attn_norm: RmsNorm::new(d, eps, b.pp("0.layer_norm"))?,
                q: lin(d, inner, a.pp("q"))?,
                k: lin(d, inner, a.pp("k"))?,
                v: lin(d, inner, a.pp("v"))?,
                o: lin(inner, d, a.pp("o"))?,
                ff_norm: RmsNorm::new(d, eps, b.pp("1.layer_norm"))?,
                ff,
            });
        }
        let final_norm = RmsNorm::new(d, eps, enc.pp("final_layer_norm"))?;
        Ok(Self {
            cfg,
            embed,
            rel_bias,
            blocks,
            final_norm,
            device: device.clone(),
            dtype: vb.dtype(),
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &T5Config {
        &self.cfg
    }

    /// Number of hidden states a forward pass returns (blocks + embeddings).
    pub fn num_hidden_states(&self) -> usize {
        self.cfg.num_layers + 1
    }

    /// Relative-position bucket, as HF computes it (bidirectional; the log
    /// branch in f32 and truncated, so bucket edges agree with torch).
    fn bucket(&self, rel: i64) -> u32 {
        let nb = (self.cfg.relative_attention_num_buckets / 2) as i64;
        let mut bucket = if rel > 0 { nb } else { 0 };
        let n = rel.abs();
        let max_exact = nb / 2;
        if n < max_exact {
            bucket += n;
        } else {
            let max_d = self.cfg.relative_attention_max_distance as f64;
            let scale = ((max_d / max_exact as f64).ln()) as f32;
            let large = max_exact
                + ((n as f32 / max_exact as f32).ln() / scale * (nb - max_exact) as f32) as i64;
            bucket += large.min(nb - 1);
        }
        bucket as u32
    }

    /// `1 × H × n × L` position bias for the queries `start..start + n`.
    fn position_bias(&self, start: usize, n: usize, l: usize) -> Result<Tensor> {
        let mut ids = Vec::with_capacity(n * l);
        for q in start as i64..(start + n) as i64 {
            for k in 0..l as i64 {
                ids.push(self.bucket(k - q));
            }
        }
        let ids = Tensor::from_vec(ids, (n, l), &self.device)?;
        // (n, L, H) → (1, H, n, L)
        Ok(self
            .rel_bias
            .forward(&ids)?
            .permute((2, 0, 1))?
            .unsqueeze(0)?
            .contiguous()?)
    }

    /// Runs the encoder on a padded batch of token-id rows (padded with
    /// `pad_token_id`, masked out of attention). Returns hidden states
    /// `0..=depth`, each `B × L × d_model`.
    pub fn forward(&self, ids: &[Vec<u32>], depth: usize) -> Result<Vec<Tensor>> {
        let b = ids.len();
        let (flat, mask, l) = crate::batch::pad_rows(ids, self.cfg.pad_token_id, 0f32, -1e9);
        let ids_t = Tensor::from_vec(flat, (b, l), &self.device)?;
        let key_mask = Tensor::from_vec(mask, (b, 1, 1, l), &self.device)?.to_dtype(self.dtype)?;
        // Position bias plus key mask, per block of queries (HF adds both to
        // every layer's scores). Blocking bounds the L × L tensors: for a
        // 2 000-residue sequence and 32 heads a full bias would take 512 MB.
        let mut bias = Vec::with_capacity(l.div_ceil(QUERY_BLOCK));
        for start in (0..l).step_by(QUERY_BLOCK) {
            let n = QUERY_BLOCK.min(l - start);
            bias.push((
                start,
                n,
                self.position_bias(start, n, l)?.broadcast_add(&key_mask)?,
            ));
        }
        let mut x = self.embed.forward(&ids_t)?;
        let depth = depth.min(self.blocks.len());
        let mut states = Vec::with_capacity(depth + 1);
        for block in &self.blocks[..depth] {
            let next = self.block(block, &x, &bias)?;
            states.push(x);
            x = next;
        }
        if depth == self.blocks.len() {
            x = self.final_norm.forward(&x)?;
        }
        states.push(x);
        Ok(states)
    }

    fn block(&self, blk: &Block, x: &Tensor, bias: &[(usize, usize, Tensor)]) -> Result<Tensor> {
        let (b, l, _) = x.dims3()?;
        let (h, dk) = (self.cfg.num_heads, self.cfg.d_kv);
        let normed = blk.attn_norm.forward(x)?;
        let split = |t: Tensor| -> candle_core::Result<Tensor> {
            t.reshape((b, l, h, dk))?.transpose(1, 2)?.contiguous()
        };
        let q = split(blk.q.forward(&normed)?)?;
        let k = split(blk.k.forward(&normed)?)?;
        let v = split(blk.v.forward(&normed)?)?;
        let kt = k.transpose(2, 3)?.contiguous()?;
        let full = vec![l; b];
        let mut parts = Vec::with_capacity(bias.len());
        for (start, n, b) in bias {
            let qb = if bias.len() == 1 {
                q.clone()
            } else {
                q.narrow(2, *start, *n)?.contiguous()?
            };
            let scores = qb.matmul(&kt)?.broadcast_add(b)?;
            // The key mask is already in the bias; the fused op is just a fast softmax here.
            let weights = crate::attention::masked_softmax(scores, &full)?;
            parts.push(weights.matmul(&v)?);
        }
        let ctx = if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Tensor::cat(&parts, 2)?
        };
        let ctx = ctx.transpose(1, 2)?.reshape((b, l, h * dk))?;
        let x = (blk.o.forward(&ctx)? + x)?;
        let n = blk.ff_norm.forward(&x)?;
        let ff = match &blk.ff {
            FeedForward::Relu { wi, wo } => wo.forward(&wi.forward(&n)?.relu()?)?,
            FeedForward::GatedGelu { wi0, wi1, wo } => {
                wo.forward(&(wi0.forward(&n)?.gelu()? * wi1.forward(&n)?)?)?
            }
        };
        Ok((ff + x)?)
    }
}
