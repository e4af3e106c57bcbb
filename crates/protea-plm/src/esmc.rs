//! ESM-C (EvolutionaryScale's ESM3c family: `esmc_300m`, `esmc_600m`) on
//! candle, reading the checkpoints as EvolutionaryScale ships them.
//!
//! On-disk layout: the Hugging Face snapshot of `EvolutionaryScale/esmc-*`
//! holds one PyTorch state dict, `data/weights/esmc_<size>_<date>_v0.pth`,
//! written by `torch.save`; candle reads that pickle/zip directly, so no
//! conversion is needed. A `model.safetensors` with the same tensor names is
//! read as well. The released checkpoints carry no config: the reference
//! hard-codes the sizes per model name (300M: d 960, 15 heads, 30 layers;
//! 600M: d 1152, 18 heads, 36 layers). Here the width and depth come from
//! the weight shapes and the head count from an optional `config.json`
//! (`{"n_heads": …}`, which our test fixture has); without one it is
//! `d_model / 64`, the head size of both released models.
//!
//! The maths, written from the architecture: token embedding (64 rows) → N
//! blocks, each `x += attn(x)/s` then `x += ffn(x)/s` with
//! s = √(N/36); attention = LayerNorm → one bias-free QKV projection →
//! LayerNorm (weight only, over the full width) on queries and keys →
//! rotary embeddings per head → softmax(q·kᵀ/√d_head)·v with padded keys
//! masked → bias-free output projection; feed-forward = LayerNorm →
//! bias-free projection to 2·H → SiLU(first half) × second half → bias-free
//! projection back, with H = 8/3·d rounded up to a multiple of 256 → a final
//! weight-only LayerNorm. The reference's `hidden_states` are the N block
//! outputs *before* the final norm (no embedding-layer entry), so hidden
//! state N−1 (reverse index 0) is the last block's raw output; the final
//! norm feeds only the logits head and [`EsmcModel::final_norm`].

use crate::error::{PlmError, Result};
use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Sizes of an ESM-C model.
#[derive(Debug, Clone)]
pub struct EsmcConfig {
    pub d_model: usize,
    pub n_heads: usize,
    pub n_layers: usize,
    /// Feed-forward width H (per half of the SwiGLU input projection).
    pub ffn_hidden: usize,
    /// `_name_or_path` from `config.json`, else the weight file's stem.
    pub name: String,
}

/// The optional `config.json` next to the weights.
#[derive(Deserialize, Default)]
struct ConfigJson {
    n_heads: Option<usize>,
    d_model: Option<usize>,
    n_layers: Option<usize>,
    #[serde(rename = "_name_or_path")]
    name_or_path: Option<String>,
}

/// LayerNorm eps of every ESM-C norm (torch's default).
const EPS: f64 = 1e-5;
/// Rows of the token embedding (the 33-token vocabulary, padded).
const EMBED_ROWS: usize = 64;

struct Block {
    attn_ln: LayerNorm,
    qkv: Linear,
    q_ln: LayerNorm,
    k_ln: LayerNorm,
    out: Linear,
    ffn_ln: LayerNorm,
    up: Linear,
    down: Linear,
}

/// A loaded ESM-C encoder.
pub struct EsmcModel {
    cfg: EsmcConfig,
    embed: Embedding,
    blocks: Vec<Block>,
    norm: LayerNorm,
    device: Device,
    dtype: DType,
}

/// Finds the weight file: `path` itself, or in a model directory
/// `data/weights/*.pth` (the released layout), `*.pth`, or `model.safetensors`.
pub fn find_weights(path: &Path) -> Result<PathBuf> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let pth_in = |dir: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pth"))
            .collect();
        v.sort();
        v
    };
    for dir in [path.join("data").join("weights"), path.to_path_buf()] {
        let found = pth_in(&dir);
        match found.len() {
            0 => {}
            1 => return Ok(found.into_iter().next().expect("one")),
            _ => {
                return Err(PlmError::Config {
                    path: dir,
                    message: format!(
                        "{} .pth files; pass the one to load as the model path",
                        found.len()
                    ),
                });
            }
        }
    }
    let st = path.join("model.safetensors");
    if st.is_file() {
        return Ok(st);
    }
    Err(PlmError::io(
        path,
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no ESM-C weights (data/weights/*.pth, *.pth or model.safetensors)",
        ),
    ))
}

fn read_tensors(path: &Path) -> candle_core::Result<HashMap<String, Tensor>> {
    if path.extension().is_some_and(|e| e == "safetensors") {
        candle_core::safetensors::load(path, &Device::Cpu)
    } else {
        Ok(candle_core::pickle::read_all(path)?.into_iter().collect())
    }
}

impl EsmcModel {
    /// Loads an ESM-C model (see [`find_weights`]) in f32.
    pub fn load(path: &Path, device: &Device) -> Result<Self> {
        Self::load_with_dtype(path, device, DType::F32)
    }

    /// Loads an ESM-C model with its weights and forward pass in `dtype`.
    pub fn load_with_dtype(path: &Path, device: &Device, dtype: DType) -> Result<Self> {
        let weights = find_weights(path)?;
        let wrap = |source| PlmError::Weights {
            path: weights.clone(),
            source,
        };
        let tensors = read_tensors(&weights).map_err(wrap)?;
        let cfg = Self::config_for(path, &weights, &tensors)?;
        let vb = VarBuilder::from_tensors(tensors, dtype, device);
        Self::build(cfg, vb, device).map_err(wrap)
    }

    fn config_for(
        path: &Path,
        weights: &Path,
        tensors: &HashMap<String, Tensor>,
    ) -> Result<EsmcConfig> {
        let bad = |message: String| PlmError::Config {
            path: weights.to_path_buf(),
            message,
        };
        // config.json in the model directory, or up to the snapshot root of
        // a `<root>/data/weights/x.pth` given directly.
        let mut candidates = vec![path.join("config.json")];
        candidates.extend(
            weights
                .ancestors()
                .skip(1)
                .take(3)
                .map(|d| d.join("config.json")),
        );
        let mut json = ConfigJson::default();
        if let Some(file) = candidates.iter().find(|p| p.is_file()) {
            let text = std::fs::read_to_string(file).map_err(|e| PlmError::io(file, e))?;
            json = serde_json::from_str(&text).map_err(|e| PlmError::Config {
                path: file.clone(),
                message: e.to_string(),
            })?;
        }
        let embed = tensors
            .get("embed.weight")
            .ok_or_else(|| bad("no `embed.weight`: not an ESM-C state dict".into()))?;
        let d_model = embed.dim(1).map_err(|e| bad(e.to_string()))?;
        let n_layers = (0..)
            .take_while(|i| {
                tensors.contains_key(&format!("transformer.blocks.{i}.attn.out_proj.weight"))
            })
            .count();
        let up = tensors
            .get("transformer.blocks.0.ffn.1.weight")
            .ok_or_else(|| bad("no `transformer.blocks.0.ffn.1.weight`".into()))?;
        let ffn_hidden = up.dim(0).map_err(|e| bad(e.to_string()))? / 2;
        for (field, given, found) in [
            ("d_model", json.d_model, d_model),
            ("n_layers", json.n_layers, n_layers),
        ] {
            if let Some(g) = given.filter(|&g| g != found) {
                return Err(bad(format!(
                    "config.json says {field} {g} but the weights have {found}"
                )));
            }
        }
        let n_heads = json.n_heads.unwrap_or(d_model / 64);
        if n_heads == 0
            || !d_model.is_multiple_of(n_heads)
            || !(d_model / n_heads).is_multiple_of(2)
        {
            return Err(bad(format!(
                "d_model {d_model} cannot be split into {n_heads} heads of even size"
            )));
        }
        let name = json.name_or_path.unwrap_or_else(|| {
            weights
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        Ok(EsmcConfig {
            d_model,
            n_heads,
            n_layers,
            ffn_hidden,
            name,
        })
    }

    fn build(cfg: EsmcConfig, vb: VarBuilder, device: &Device) -> candle_core::Result<Self> {
        let d = cfg.d_model;
        let h = cfg.ffn_hidden;
        let embed = candle_nn::embedding(EMBED_ROWS, d, vb.pp("embed"))?;
        let mut blocks = Vec::with_capacity(cfg.n_layers);
        for i in 0..cfg.n_layers {
            let b = vb.pp(format!("transformer.blocks.{i}"));
            let a = b.pp("attn");
            blocks.push(Block {
                attn_ln: candle_nn::layer_norm(d, EPS, a.pp("layernorm_qkv.0"))?,
                qkv: candle_nn::linear_no_bias(d, 3 * d, a.pp("layernorm_qkv.1"))?,
                q_ln: candle_nn::layer_norm_no_bias(d, EPS, a.pp("q_ln"))?,
                k_ln: candle_nn::layer_norm_no_bias(d, EPS, a.pp("k_ln"))?,
                out: candle_nn::linear_no_bias(d, d, a.pp("out_proj"))?,
                ffn_ln: candle_nn::layer_norm(d, EPS, b.pp("ffn.0"))?,
                up: candle_nn::linear_no_bias(d, 2 * h, b.pp("ffn.1"))?,
                down: candle_nn::linear_no_bias(h, d, b.pp("ffn.3"))?,
            });
        }
        let norm = candle_nn::layer_norm_no_bias(d, EPS, vb.pp("transformer.norm"))?;
        Ok(Self {
            cfg,
            embed,
            blocks,
            norm,
            device: device.clone(),
            dtype: vb.dtype(),
        })
    }

    /// The model's sizes and name.
    pub fn config(&self) -> &EsmcConfig {
        &self.cfg
    }

    /// The dtype the weights and the forward pass use.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Hidden states a forward pass yields: one per block.
    pub fn num_hidden_states(&self) -> usize {
        self.cfg.n_layers
    }

    /// Runs the encoder on a batch of token-id rows (padded here with
    /// `<pad>`, which the reference masks the same way) and returns hidden
    /// states `0..=depth`, state i being block i's output (`B × L × D`).
    pub fn forward(&self, ids: &[Vec<u32>], depth: usize) -> Result<Vec<Tensor>> {
        let b = ids.len();
        let (flat, _, l) = crate::batch::pad_rows(ids, crate::esmc_tokenizer::PAD, 1.0, 0.0);
        let ids_t = Tensor::from_vec(flat, (b, l), &self.device)?;
        let lengths: Vec<usize> = ids.iter().map(Vec::len).collect();
        let (cos, sin) = crate::rotary::tables(
            l,
            self.cfg.d_model / self.cfg.n_heads,
            10_000.0,
            self.dtype,
            &self.device,
        )?;
        let mut x = self.embed.forward(&ids_t)?;
        let n = depth.saturating_add(1).min(self.blocks.len());
        let mut states = Vec::with_capacity(n);
        for block in &self.blocks[..n] {
            x = self.block(block, &x, &lengths, &cos, &sin)?;
            states.push(x.clone());
        }
        Ok(states)
    }

    /// The final LayerNorm applied to the last block's output (the
    /// reference's `embeddings`), for a forward pass run to full depth.
    pub fn final_norm(&self, last: &Tensor) -> Result<Tensor> {
        Ok(self.norm.forward(last)?)
    }

    fn block(
        &self,
        blk: &Block,
        x: &Tensor,
        lengths: &[usize],
        cos: &Tensor,
        sin: &Tensor,
    ) -> Result<Tensor> {
        let (b, l, d) = x.dims3()?;
        let heads = self.cfg.n_heads;
        let hd = d / heads;
        let scale = ((self.cfg.n_layers as f64) / 36.0).sqrt();
        let qkv = blk.qkv.forward(&blk.attn_ln.forward(x)?)?;
        let q = blk.q_ln.forward(&qkv.narrow(2, 0, d)?)?;
        let k = blk.k_ln.forward(&qkv.narrow(2, d, d)?)?;
        let v = qkv.narrow(2, 2 * d, d)?;
        let split = |t: Tensor| -> candle_core::Result<Tensor> {
            t.reshape((b, l, heads, hd))?.transpose(1, 2)?.contiguous()
        };
        let q = (crate::rotary::apply(&split(q)?, cos, sin)? * (hd as f64).powf(-0.5))?;
        let k = crate::rotary::apply(&split(k)?, cos, sin)?;
        let v = split(v)?;
        let ctx = crate::attention::attend(&q, &k, &v, lengths)?;
        let ctx = ctx.transpose(1, 2)?.reshape((b, l, d))?;
        let x = (x + (blk.out.forward(&ctx)? / scale)?)?;
        let up = blk.up.forward(&blk.ffn_ln.forward(&x)?)?;
        let h = self.cfg.ffn_hidden;
        let gated = (candle_nn::ops::silu(&up.narrow(2, 0, h)?)? * up.narrow(2, h, h)?)?;
        Ok((&x + (blk.down.forward(&gated)? / scale)?)?)
    }
}
