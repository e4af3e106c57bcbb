//! Rotary position embeddings in the rotate-half (GPT-NeoX) form that both
//! ESM-2 and ESM-C use: the head is split in two halves and position t
//! rotates pair (x_i, x_{i+d/2}) by t·θ^(−2i/d). Frequencies and angles are
//! computed in f32 as the references do, then cast to the model dtype.

use candle_core::{D, DType, Device, Tensor};

/// cos and sin tables (`L × head_dim`, frequencies repeated twice).
pub(crate) fn tables(
    l: usize,
    head_dim: usize,
    theta: f64,
    dtype: DType,
    device: &Device,
) -> candle_core::Result<(Tensor, Tensor)> {
    let d = head_dim;
    let inv: Vec<f32> = (0..d / 2)
        .map(|i| 1.0 / (theta as f32).powf((2 * i) as f32 / d as f32))
        .collect();
    let mut cos = Vec::with_capacity(l * d);
    let mut sin = Vec::with_capacity(l * d);
    for t in 0..l {
        for _half in 0..2 {
            for f in &inv {
                let a = t as f32 * f;
                cos.push(a.cos());
                sin.push(a.sin());
            }
        }
    }
    Ok((
        Tensor::from_vec(cos, (l, d), device)?.to_dtype(dtype)?,
        Tensor::from_vec(sin, (l, d), device)?.to_dtype(dtype)?,
    ))
}

/// x·cos + [−x₂, x₁]·sin over the last axis (`… × L × head_dim`).
pub(crate) fn apply(x: &Tensor, cos: &Tensor, sin: &Tensor) -> candle_core::Result<Tensor> {
    let d = x.dim(D::Minus1)?;
    let x1 = x.narrow(D::Minus1, 0, d / 2)?;
    let x2 = x.narrow(D::Minus1, d / 2, d / 2)?;
    let rotated = Tensor::cat(&[&x2.neg()?, &x1], D::Minus1)?;
    x.broadcast_mul(cos)? + rotated.broadcast_mul(sin)?
}
