//! Live tails see every event once, even when commits come out of id order.

use crate::support::*;
use protea_jobs::{EventTail, TailStep};
use protea_testkit::TestDb;
use serde_json::json;

async fn insert_event(conn: &mut sqlx::PgConnection, job: uuid::Uuid, name: &str) {
    sqlx::query("insert into job_event (job_id, event) values ($1, $2)")
        .bind(job)
        .bind(name)
        .execute(conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_event_committed_after_a_later_one_is_still_delivered_once() {
    let db = TestDb::new().await;
    prepare(&db.pool).await;
    let service = service(&db.pool);
    let job = submit(&service, "write_rows", json!({"rows": 1})).await;
    let mut tail = EventTail::new(job, 0);
    let TailStep::Events(first) = tail.poll(&service).await.unwrap() else {
        panic!("job.created expected")
    };
    assert_eq!(
        first.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["job.created"]
    );

    // A slow transaction takes the lower id, a fast one the higher id and commits first.
    let mut slow = db.pool.begin().await.unwrap();
    insert_event(&mut slow, job, "slow").await;
    let mut fast = db.pool.acquire().await.unwrap();
    insert_event(&mut fast, job, "fast").await;
    let TailStep::Events(seen) = tail.poll(&service).await.unwrap() else {
        panic!("fast event expected")
    };
    assert_eq!(
        seen.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["fast"]
    );
    assert!(
        matches!(tail.poll(&service).await.unwrap(), TailStep::Idle),
        "nothing new, nothing repeated"
    );

    slow.commit().await.unwrap();
    let TailStep::Events(late) = tail.poll(&service).await.unwrap() else {
        panic!("slow event expected")
    };
    assert_eq!(
        late.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["slow"]
    );
    assert!(late[0].id < seen[0].id, "the late event has the lower id");

    service.cancel(job).await.unwrap();
    let TailStep::Events(last) = tail.poll(&service).await.unwrap() else {
        panic!("job.cancelled expected")
    };
    assert_eq!(
        last.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["job.cancelled"]
    );
    assert!(matches!(tail.poll(&service).await.unwrap(), TailStep::End));
}
