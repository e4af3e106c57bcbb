//! ESM-2 encoder on candle, for checkpoints in Hugging Face's `EsmModel`
//! layout (`config.json` + `model.safetensors`, weights optionally under an
//! `esm.` prefix as `EsmForMaskedLM` saves them).
//!
//! The maths, written from the architecture: token embedding → token-dropout
//! rescaling (HF applies it at inference too: × (1 − 0.15·0.8) / (1 − observed
//! mask ratio), with `<mask>` rows zeroed) → padding rows zeroed → N
//! pre-LayerNorm blocks (self-attention with rotary position embeddings on
//! queries and keys, then a GELU(erf) feed-forward, each with a residual) →
//! a final LayerNorm on the last hidden state only. `hidden_states[0]` is the
//! embedding output and `hidden_states[N]` the normalised final output, as HF
//! returns them with `output_hidden_states=True`.

use crate::error::{PlmError, Result};
use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;
use std::path::Path;

/// The fields of an ESM `config.json` that the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Esm2Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    #[serde(default = "default_position_type")]
    pub position_embedding_type: String,
    #[serde(default)]
    pub token_dropout: bool,
    #[serde(default)]
    pub mask_token_id: Option<u32>,
    #[serde(default = "default_pad")]
    pub pad_token_id: u32,
    #[serde(default)]
    pub emb_layer_norm_before: Option<bool>,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    /// Rotary base (written by transformers ≥ 5; 10 000 in every ESM-2).
    #[serde(default = "default_rope_theta")]
    pub rope_theta: f64,
    #[serde(default, rename = "_name_or_path")]
    pub name_or_path: Option<String>,
}

fn default_eps() -> f64 {
    1e-12
}
fn default_max_positions() -> usize {
    1026
}
fn default_position_type() -> String {
    "absolute".into()
}
fn default_rope_theta() -> f64 {
    10000.0
}
fn default_pad() -> u32 {
    1
}
fn default_act() -> String {
    "gelu".into()
}

impl Esm2Config {
    /// Reads and checks `config.json`; rejects what this encoder cannot run.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| PlmError::io(path, e))?;
        let bad = |message: String| PlmError::Config {
            path: path.to_path_buf(),
            message,
        };
        let cfg: Self = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if cfg.position_embedding_type != "rotary" {
            return Err(bad(format!(
                "position_embedding_type {:?} is not supported (only ESM-2's \"rotary\"; ESM-1b's absolute positions are not implemented)",
                cfg.position_embedding_type
            )));
        }
        if cfg.hidden_act != "gelu" {
            return Err(bad(format!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                cfg.hidden_act
            )));
        }
        if cfg.num_attention_heads == 0 || !cfg.hidden_size.is_multiple_of(cfg.num_attention_heads)
        {
            return Err(bad(format!(
                "hidden_size {} is not divisible by num_attention_heads {}",
                cfg.hidden_size, cfg.num_attention_heads
            )));
        }
        if !(cfg.hidden_size / cfg.num_attention_heads).is_multiple_of(2) {
            return Err(bad("rotary embeddings need an even head size".into()));
        }
        Ok(cfg)
    }

    fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }
}

struct Layer {
    attn_ln: LayerNorm,
    /// Query, key and value projections fused into one `3h × h` matrix
    /// (one GEMM instead of three; measured in the README benchmark), with
    /// the 1/√d query scaling folded into the query rows.
    qkv: Linear,
    out: Linear,
    ffn_ln: LayerNorm,
    up: Linear,
    down: Linear,
}

/// A loaded ESM-2 encoder.
pub struct Esm2Model {
    cfg: Esm2Config,
    embed: Embedding,
    emb_ln_before: Option<LayerNorm>,
    layers: Vec<Layer>,
    final_ln: LayerNorm,
    device: Device,
    dtype: DType,
}

fn ln(size: usize, eps: f64, vb: VarBuilder) -> candle_core::Result<LayerNorm> {
    candle_nn::layer_norm(size, eps, vb)
}

impl Esm2Model {
    /// Loads `config.json` and `model.safetensors` from `dir`, in f32.
    pub fn load(dir: &Path, device: &Device) -> Result<Self> {
        Self::load_with_dtype(dir, device, DType::F32)
    }

    /// Loads the model with its weights (and so its forward pass) in `dtype`.
    pub fn load_with_dtype(dir: &Path, device: &Device, dtype: DType) -> Result<Self> {
        let cfg = Esm2Config::from_file(&dir.join("config.json"))?;
        let weights = dir.join("model.safetensors");
        if !weights.is_file() {
            return Err(PlmError::io(
                &weights,
                std::io::Error::new(std::io::ErrorKind::NotFound, "model.safetensors not found"),
            ));
        }
        let wrap = |source| PlmError::Weights {
            path: weights.clone(),
            source,
        };
        let tensors = candle_core::safetensors::load(&weights, device).map_err(wrap)?;
        // EsmForMaskedLM checkpoints (the facebook/esm2_* ones) nest the encoder under `esm.`.
        let prefixed = tensors.keys().any(|k| k.starts_with("esm.embeddings."));
        let vb = VarBuilder::from_tensors(tensors, dtype, device);
        let vb = if prefixed { vb.pp("esm") } else { vb };
        Self::build(cfg, vb, device).map_err(wrap)
    }

    fn build(cfg: Esm2Config, vb: VarBuilder, device: &Device) -> candle_core::Result<Self> {
        let (h, eps) = (cfg.hidden_size, cfg.layer_norm_eps);
        let embed = candle_nn::embedding(cfg.vocab_size, h, vb.pp("embeddings.word_embeddings"))?;
        let emb_ln_before = match cfg.emb_layer_norm_before {
            Some(true) => Some(ln(h, eps, vb.pp("embeddings.layer_norm"))?),
            _ => None,
        };
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers);
        for i in 0..cfg.num_hidden_layers {
            let l = vb.pp(format!("encoder.layer.{i}"));
            let a = l.pp("attention");
            layers.push(Layer {
                attn_ln: ln(h, eps, a.pp("LayerNorm"))?,
                qkv: fused_qkv(h, cfg.head_dim(), &a)?,
                out: candle_nn::linear(h, h, a.pp("output.dense"))?,
                ffn_ln: ln(h, eps, l.pp("LayerNorm"))?,
                up: candle_nn::linear(h, cfg.intermediate_size, l.pp("intermediate.dense"))?,
                down: candle_nn::linear(cfg.intermediate_size, h, l.pp("output.dense"))?,
            });
        }
        let final_ln = ln(h, eps, vb.pp("encoder.emb_layer_norm_after"))?;
        Ok(Self {
            cfg,
            embed,
            emb_ln_before,
            layers,
            final_ln,
            device: device.clone(),
            dtype: vb.dtype(),
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &Esm2Config {
        &self.cfg
    }

    /// Number of hidden states a forward pass returns (layers + embeddings).
    pub fn num_hidden_states(&self) -> usize {
        self.cfg.num_hidden_layers + 1
    }

    /// Runs the encoder on a padded batch. `ids` is `B × L` token ids and
    /// `lengths[b]` the number of real (unpadded) tokens of row b. Returns the
    /// hidden states `0..=depth` (each `B × L × D`), where `depth ≤ layers`
    /// lets a caller stop early when it needs no deeper layer.
    pub fn forward(&self, ids: &[Vec<u32>], depth: usize) -> Result<Vec<Tensor>> {
        let b = ids.len();
        let (flat, mask, l) = crate::batch::pad_rows(ids, self.cfg.pad_token_id, 1f32, 0f32);
        let ids_t = Tensor::from_vec(flat, (b, l), &self.device)?;
        let mask_t = Tensor::from_vec(mask, (b, l), &self.device)?.to_dtype(self.dtype)?;

        let mut x = self.embed.forward(&ids_t)?;
        if self.cfg.token_dropout {
            x = self.token_dropout_scale(&x, ids)?;
        }
        if let Some(norm) = &self.emb_ln_before {
            x = norm.forward(&x)?;
        }
        x = x.broadcast_mul(&mask_t.unsqueeze(2)?)?;

        // Additive key mask: padded keys get a large negative score.
        // Padded keys are masked inside the fused softmax (crate::attention).
        let lengths: Vec<usize> = ids.iter().map(Vec::len).collect();
        let (cos, sin) = self.rotary(l)?;
        let depth = depth.min(self.layers.len());
        let mut states = Vec::with_capacity(depth + 1);
        for layer in &self.layers[..depth] {
            let next = self.block(layer, &x, &lengths, &cos, &sin)?;
            states.push(x);
            x = next;
        }
        if depth == self.layers.len() {
            x = self.final_ln.forward(&x)?;
        }
        states.push(x);
        Ok(states)
    }

    /// HF's inference-time token-dropout correction, per sequence.
    fn token_dropout_scale(&self, x: &Tensor, ids: &[Vec<u32>]) -> Result<Tensor> {
        const MASK_RATIO_TRAIN: f64 = 0.15 * 0.8;
        let (b, l, _) = x.dims3()?;
        let mask_id = self.cfg.mask_token_id;
        let mut keep = Vec::with_capacity(b * l);
        let mut scale = Vec::with_capacity(b);
        for row in ids {
            let masked = row.iter().filter(|&&t| Some(t) == mask_id).count();
            keep.extend((0..l).map(|i| match row.get(i) {
                Some(&t) if Some(t) == mask_id => 0f32,
                _ => 1f32,
            }));
            let observed = masked as f64 / row.len().max(1) as f64;
            scale.push(((1.0 - MASK_RATIO_TRAIN) / (1.0 - observed)) as f32);
        }
        let keep = Tensor::from_vec(keep, (b, l, 1), &self.device)?.to_dtype(self.dtype)?;
        let scale = Tensor::from_vec(scale, (b, 1, 1), &self.device)?.to_dtype(self.dtype)?;
        Ok(x.broadcast_mul(&keep)?.broadcast_mul(&scale)?)
    }

    fn rotary(&self, l: usize) -> Result<(Tensor, Tensor)> {
        Ok(crate::rotary::tables(
            l,
            self.cfg.head_dim(),
            self.cfg.rope_theta,
            self.dtype,
            &self.device,
        )?)
    }

    fn block(
        &self,
        layer: &Layer,
        x: &Tensor,
        lengths: &[usize],
        cos: &Tensor,
        sin: &Tensor,
    ) -> Result<Tensor> {
        let (b, l, h) = x.dims3()?;
        let heads = self.cfg.num_attention_heads;
        let d = self.cfg.head_dim();
        let normed = layer.attn_ln.forward(x)?;
        // (b, l, 3h) → (3, b, heads, l, d) in one copy.
        let qkv = layer
            .qkv
            .forward(&normed)?
            .reshape((b, l, 3, heads, d))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let q = crate::rotary::apply(&qkv.get(0)?, cos, sin)?;
        let k = crate::rotary::apply(&qkv.get(1)?, cos, sin)?;
        let v = qkv.get(2)?;
        let ctx = crate::attention::attend(&q, &k, &v, lengths)?;
        let ctx = ctx.transpose(1, 2)?.reshape((b, l, h))?;
        let x = (layer.out.forward(&ctx)? + x)?;
        // Fresh tensor from the projection: safe to overwrite in place.
        let ff = crate::gelu::gelu_erf(layer.up.forward(&layer.ffn_ln.forward(&x)?)?)?;
        Ok((layer.down.forward(&ff)? + x)?)
    }
}

/// The fused QKV projection of one attention block (see `Layer::qkv`).
fn fused_qkv(h: usize, head_dim: usize, a: &VarBuilder) -> candle_core::Result<Linear> {
    let scale = (head_dim as f64).powf(-0.5);
    let part = |name: &str| -> candle_core::Result<(Tensor, Tensor)> {
        let p = a.pp(name);
        Ok((p.get((h, h), "weight")?, p.get(h, "bias")?))
    };
    let (qw, qb) = part("self.query")?;
    let (kw, kb) = part("self.key")?;
    let (vw, vb) = part("self.value")?;
    let w = Tensor::cat(&[&(qw * scale)?, &kw, &vw], 0)?;
    let b = Tensor::cat(&[&(qb * scale)?, &kb, &vb], 0)?;
    Ok(Linear::new(w, Some(b)))
}
