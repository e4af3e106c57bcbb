pub mod align;
mod error;
pub use align::{AlignParams, Aligner, AlignmentFeatures, AlignmentStats};
pub use error::{FeatureError, Result};
