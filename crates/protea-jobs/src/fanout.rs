//! Parent bookkeeping for coordinator fan-out: counting finished and failed
//! children and closing the parent when every child is accounted for.

use crate::context::insert_event;
use protea_core::Level;
use serde_json::json;
use sqlx::Row;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

/// Counts one more finished child. `None` when the parent is no longer
/// running (cancelled or already closed): the child's work is then discarded.
pub(crate) async fn count_done(
    conn: &mut PgConnection,
    parent: Uuid,
) -> Result<Option<()>, sqlx::Error> {
    let row = sqlx::query(
        "update job set progress_current = coalesce(progress_current, 0) + 1 \
         where id = $1 and status = 'RUNNING' \
         returning progress_current, progress_total, children_failed",
    )
    .bind(parent)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            close_if_complete(conn, parent, row.get(0), row.get(1), row.get(2)).await?;
            Ok(Some(()))
        }
    }
}

/// Counts one more child that failed for good and records why on the parent.
pub(crate) async fn count_failed(
    conn: &mut PgConnection,
    parent: Uuid,
    operation: &str,
    error_code: &str,
    message: &str,
) -> Result<(), sqlx::Error> {
    let row = sqlx::query(
        "update job set children_failed = children_failed + 1 \
         where id = $1 and status = 'RUNNING' \
         returning progress_current, progress_total, children_failed",
    )
    .bind(parent)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(()) };
    insert_event(
        conn,
        parent,
        "child.failed",
        Some(message),
        &json!({"operation": operation, "error_code": error_code}),
        Level::Error,
    )
    .await?;
    close_if_complete(conn, parent, row.get(0), row.get(1), row.get(2)).await
}

async fn close_if_complete(
    conn: &mut PgConnection,
    parent: Uuid,
    done: Option<i64>,
    total: Option<i64>,
    failed: i64,
) -> Result<(), sqlx::Error> {
    let done = done.unwrap_or(0);
    let Some(total) = total else { return Ok(()) };
    if done + failed < total {
        return Ok(());
    }
    if failed == 0 {
        let closed = sqlx::query(
            "update job set status = 'SUCCEEDED', finished_at = now(), deferred = false \
             where id = $1 and status = 'RUNNING'",
        )
        .bind(parent)
        .execute(&mut *conn)
        .await?;
        if closed.rows_affected() == 1 {
            insert_event(
                conn,
                parent,
                "job.succeeded",
                None,
                &json!({"via": "last_child", "children_done": done}),
                Level::Info,
            )
            .await?;
        }
    } else {
        let message = format!("{failed} of {total} child tasks failed ({done} succeeded)");
        let closed = sqlx::query(
            "update job set status = 'FAILED', finished_at = now(), deferred = false, \
             error_code = 'ChildrenFailed', error_message = $2 where id = $1 and status = 'RUNNING'",
        )
        .bind(parent)
        .bind(&message)
        .execute(&mut *conn)
        .await?;
        if closed.rows_affected() == 1 {
            insert_event(
                conn,
                parent,
                "job.failed",
                Some(&message),
                &json!({"error_code": "ChildrenFailed", "children_done": done, "children_failed": failed}),
                Level::Error,
            )
            .await?;
        }
    }
    Ok(())
}
