//! train.parquet / eval.parquet: the exact column order and Arrow types, snappy.
//!
//! Types: `label`, `vote_count`, `k_position` int64 (`k_position` nullable); every other
//! numeric feature float64, null when absent (`NaN` in memory); strings utf8, not null.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{DatasetError, Result};
use crate::frame::{Frame, Row};
use crate::schema::{
    CATEGORICAL_FEATURES, INTEGER_FEATURES, NUMERIC_FEATURES, RESERVED_COLUMNS, all_columns,
    compute_schema_sha,
};

/// The Arrow type of a column of the catalogue.
pub fn column_type(name: &str) -> DataType {
    if name == "label" || INTEGER_FEATURES.contains(&name) {
        DataType::Int64
    } else if RESERVED_COLUMNS.contains(&name) || CATEGORICAL_FEATURES.contains(&name) {
        DataType::Utf8
    } else {
        DataType::Float64
    }
}

/// The Arrow schema of a dataset file.
pub fn arrow_schema() -> Schema {
    Schema::new(
        all_columns()
            .into_iter()
            .map(|name| {
                let nullable = NUMERIC_FEATURES.contains(&name) && name != "vote_count";
                Field::new(name, column_type(name), nullable)
            })
            .collect::<Vec<_>>(),
    )
}

/// Writes a split as parquet (snappy). The frame is validated first, so nothing is
/// written for bad input.
pub fn write_parquet(frame: &Frame, file: &str) -> Result<Vec<u8>> {
    frame.validate(file)?;
    let schema = Arc::new(arrow_schema());
    let strings = |f: &dyn Fn(&Row) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(frame.rows.iter().map(f)))
    };
    let mut columns: Vec<ArrayRef> = vec![
        strings(&|r| &r.protein_accession),
        strings(&|r| &r.go_term_id),
        Arc::new(Int64Array::from_iter_values(
            frame.rows.iter().map(|r| i64::from(r.label)),
        )),
        strings(&|r| &r.category),
        strings(&|r| &r.snapshot_pair),
    ];
    for (j, name) in NUMERIC_FEATURES.iter().enumerate() {
        let values = frame.rows.iter().map(|r| r.numeric[j]);
        let array: ArrayRef = if INTEGER_FEATURES.contains(name) {
            if *name == "vote_count" {
                let mut out = Vec::with_capacity(frame.len());
                for (i, v) in values.enumerate() {
                    if !v.is_finite() || v.fract() != 0.0 {
                        return Err(DatasetError::Value {
                            file: file.into(),
                            row: i,
                            column: (*name).into(),
                            message: format!("{v} is not an integer"),
                        });
                    }
                    out.push(v as i64);
                }
                Arc::new(Int64Array::from(out))
            } else {
                Arc::new(Int64Array::from_iter(
                    values.map(|v| v.is_finite().then_some(v as i64)),
                ))
            }
        } else {
            Arc::new(Float64Array::from_iter(
                values.map(|v| (!v.is_nan()).then_some(v)),
            ))
        };
        columns.push(array);
    }
    for j in 0..CATEGORICAL_FEATURES.len() {
        columns.push(strings(&|r| &r.categorical[j]));
    }
    let batch =
        RecordBatch::try_new(schema.clone(), columns).map_err(|source| DatasetError::Arrow {
            file: file.into(),
            source,
        })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let perr = |source| DatasetError::Parquet {
        file: file.into(),
        source,
    };
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(perr)?;
    writer.write(&batch).map_err(perr)?;
    writer.close().map_err(perr)?;
    Ok(out)
}

/// Reads a split. Every catalogue column must be present (extra columns are ignored);
/// the present features must match the catalogue (`compute_schema_sha`), else the error
/// names the missing columns.
pub fn read_parquet(bytes: Bytes, file: &str) -> Result<Frame> {
    let perr = |source| DatasetError::Parquet {
        file: file.into(),
        source,
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(perr)?;
    let schema = builder.schema().clone();
    let present: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let missing: Vec<&str> = all_columns()
        .into_iter()
        .filter(|c| !present.contains(c))
        .collect();
    if !missing.is_empty() {
        return Err(DatasetError::Column {
            file: file.into(),
            column: missing.join(", "),
            message: format!(
                "missing (schema sha of the file's columns {} differs from the catalogue's {})",
                compute_schema_sha(&present),
                compute_schema_sha(&all_columns())
            ),
        });
    }
    let reader = builder.build().map_err(perr)?;
    let mut frame = Frame::default();
    for batch in reader {
        let batch = batch.map_err(|source| DatasetError::Arrow {
            file: file.into(),
            source,
        })?;
        append_batch(&mut frame, &batch, file)?;
    }
    frame.validate(file)?;
    Ok(frame)
}

fn col_err(file: &str, column: &str, message: impl Into<String>) -> DatasetError {
    DatasetError::Column {
        file: file.into(),
        column: column.into(),
        message: message.into(),
    }
}

fn string_column(batch: &RecordBatch, name: &str, file: &str) -> Result<Vec<String>> {
    let array = batch.column_by_name(name).expect("presence checked");
    let strings = array
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| {
            col_err(
                file,
                name,
                format!("expected utf8, found {}", array.data_type()),
            )
        })?;
    Ok((0..strings.len())
        .map(|i| {
            if strings.is_null(i) {
                String::new()
            } else {
                strings.value(i).to_owned()
            }
        })
        .collect())
}

/// A numeric column as f64, nulls as NaN; integer and float columns are both accepted.
fn numeric_column(batch: &RecordBatch, name: &str, file: &str) -> Result<Vec<f64>> {
    let array = batch.column_by_name(name).expect("presence checked");
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<Float64Array>() {
        return Ok((0..a.len())
            .map(|i| if a.is_null(i) { f64::NAN } else { a.value(i) })
            .collect());
    }
    if let Some(a) = any.downcast_ref::<Int64Array>() {
        return Ok((0..a.len())
            .map(|i| {
                if a.is_null(i) {
                    f64::NAN
                } else {
                    a.value(i) as f64
                }
            })
            .collect());
    }
    if let Some(a) = any.downcast_ref::<arrow_array::Float32Array>() {
        return Ok((0..a.len())
            .map(|i| {
                if a.is_null(i) {
                    f64::NAN
                } else {
                    f64::from(a.value(i))
                }
            })
            .collect());
    }
    if array.data_type() == &DataType::Null {
        return Ok(vec![f64::NAN; array.len()]);
    }
    Err(col_err(
        file,
        name,
        format!("expected a number, found {}", array.data_type()),
    ))
}

fn append_batch(frame: &mut Frame, batch: &RecordBatch, file: &str) -> Result<()> {
    let acc = string_column(batch, "protein_accession", file)?;
    let go = string_column(batch, "go_term_id", file)?;
    let cat = string_column(batch, "category", file)?;
    let pair = string_column(batch, "snapshot_pair", file)?;
    let label = numeric_column(batch, "label", file)?;
    let numeric: Vec<Vec<f64>> = NUMERIC_FEATURES
        .iter()
        .map(|c| numeric_column(batch, c, file))
        .collect::<Result<_>>()?;
    let categorical: Vec<Vec<String>> = CATEGORICAL_FEATURES
        .iter()
        .map(|c| string_column(batch, c, file))
        .collect::<Result<_>>()?;
    let base = frame.rows.len();
    for i in 0..batch.num_rows() {
        let l = label[i];
        if l != 0.0 && l != 1.0 {
            return Err(DatasetError::Value {
                file: file.into(),
                row: base + i,
                column: "label".into(),
                message: format!("{l} is not 0 or 1"),
            });
        }
        frame.rows.push(Row {
            protein_accession: acc[i].clone(),
            go_term_id: go[i].clone(),
            label: l == 1.0,
            category: cat[i].clone(),
            snapshot_pair: pair[i].clone(),
            numeric: numeric.iter().map(|c| c[i]).collect(),
            categorical: categorical.iter().map(|c| c[i].clone()).collect(),
        });
    }
    Ok(())
}
