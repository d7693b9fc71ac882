//! De-identification: keyed pseudonyms and date offsets, the Safe Harbor generalization rules,
//! the patterned text scrubber, and the DataFusion UDFs that apply a policy column by column.

pub mod keyed;
pub mod rules;
pub mod stats;
pub mod text;
pub mod udf;

pub use keyed::Keyed;
pub use stats::{ColumnStats, TableStats};
