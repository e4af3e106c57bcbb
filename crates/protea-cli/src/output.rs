//! Human-readable rendering of jobs and events.

use protea_jobs::{EventView, JobView};

pub(crate) fn job_line(job: &JobView) -> String {
    format!(
        "{}  {:<9}  {:<28}  {}  {}",
        job.id,
        job.status.as_str(),
        job.operation,
        job.created_at.format("%Y-%m-%d %H:%M:%S"),
        progress(job)
    )
}

pub(crate) fn progress(job: &JobView) -> String {
    match (job.progress_current, job.progress_total) {
        (Some(current), Some(total)) if job.children_failed > 0 => {
            format!("{current}/{total} ({} failed)", job.children_failed)
        }
        (Some(current), Some(total)) => format!("{current}/{total}"),
        (Some(current), None) => current.to_string(),
        _ => String::new(),
    }
}

pub(crate) fn job_details(job: &JobView) -> String {
    let mut lines = vec![
        format!("id          {}", job.id),
        format!("operation   {}", job.operation),
        format!("queue       {}", job.queue_name),
        format!("status      {}", job.status),
        format!("created     {}", job.created_at.to_rfc3339()),
    ];
    if let Some(t) = job.started_at {
        lines.push(format!("started     {}", t.to_rfc3339()));
    }
    if let Some(t) = job.finished_at {
        lines.push(format!("finished    {}", t.to_rfc3339()));
    }
    let progress = progress(job);
    if !progress.is_empty() {
        lines.push(format!("progress    {progress}"));
    }
    if let Some(code) = &job.error_code {
        lines.push(format!(
            "error       {code}: {}",
            job.error_message.as_deref().unwrap_or("")
        ));
    }
    if let Some(payload) = &job.payload {
        lines.push(format!("payload     {payload}"));
    }
    if let Some(result) = &job.result {
        lines.push(format!("result      {result}"));
    }
    lines.join("\n")
}

pub(crate) fn event_line(event: &EventView) -> String {
    let mut line = format!(
        "{}  {:<7}  {}",
        event.ts.format("%H:%M:%S%.3f"),
        event.level.as_str(),
        event.event
    );
    if let Some(message) = &event.message {
        line.push_str("  ");
        line.push_str(message);
    }
    if event.fields.as_object().is_some_and(|f| !f.is_empty()) {
        line.push_str("  ");
        line.push_str(&event.fields.to_string());
    }
    line
}
