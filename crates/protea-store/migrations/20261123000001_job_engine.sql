-- Job engine: jobs, their event timeline, the PostgreSQL queue transport,
-- dead letters and live workers.

create type job_status as enum ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED');

create table job (
    id                uuid primary key,
    operation         text not null,
    queue_name        text not null,
    status            job_status not null default 'QUEUED',
    payload           jsonb not null default '{}'::jsonb,
    meta              jsonb not null default '{}'::jsonb,
    -- The operation's result dict (the original only kept it in events).
    result            jsonb,
    created_at        timestamptz not null default now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    progress_current  bigint,
    progress_total    bigint,
    -- Fan-out bookkeeping: children that failed for good (dead-lettered or
    -- failed outright). A parent closes when done + failed = total.
    children_failed   bigint not null default 0,
    -- True while a coordinator waits on its children (deferred completion).
    deferred          boolean not null default false,
    parent_job_id     uuid references job (id) on delete set null,
    error_code        text,
    error_message     text,
    check (progress_current is null or progress_current >= 0),
    check (children_failed >= 0)
);
create index ix_job_parent_job_id on job (parent_job_id);
create index ix_job_operation_created_at on job (operation, created_at);
create index ix_job_status_created_at on job (status, created_at);
create index ix_job_created_at on job (created_at);

create table job_event (
    id       bigserial primary key,
    job_id   uuid not null references job (id) on delete cascade,
    ts       timestamptz not null default clock_timestamp(),
    level    text not null default 'info' check (level in ('info', 'warning', 'error')),
    event    text not null,
    message  text,
    fields   jsonb not null default '{}'::jsonb
);
create index ix_job_event_job_id_id on job_event (job_id, id);
create index ix_job_event_event_ts on job_event (event, ts);

-- Every event is announced so live streams (SSE, `job events --follow`)
-- wake up at once. The payload is "<job id>:<event id>".
create function notify_job_event() returns trigger language plpgsql as $$
begin
    perform pg_notify('protea_job_event', new.job_id::text || ':' || new.id::text);
    return null;
end $$;
create trigger job_event_notify after insert on job_event
    for each row execute function notify_job_event();

-- The queue. A message is either a job message ({"job_id"}) or an ephemeral
-- child message ({"operation", "job_id" (the parent), "payload"}). A message is
-- deleted (acknowledged) in the same transaction that commits its work.
create table queue_message (
    id            bigserial primary key,
    queue_name    text not null,
    kind          text not null check (kind in ('job', 'child')),
    -- The job for a job message, the parent job for a child message.
    job_id        uuid not null references job (id) on delete cascade,
    body          jsonb not null,
    attempts      integer not null default 0,
    max_attempts  integer not null default 5 check (max_attempts > 0),
    run_at        timestamptz not null default now(),
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    created_at    timestamptz not null default now()
);
-- The dequeue scans ready, unlocked messages of one queue in order.
create index ix_queue_message_ready on queue_message (queue_name, run_at, id) where locked_until is null;
create index ix_queue_message_lease on queue_message (locked_until) where locked_until is not null;
create index ix_queue_message_job_id on queue_message (job_id);

create function notify_queue_message() returns trigger language plpgsql as $$
begin
    perform pg_notify('protea_queue', new.queue_name);
    return null;
end $$;
create trigger queue_message_notify after insert or update of run_at, locked_until on queue_message
    for each row when (new.locked_until is null) execute function notify_queue_message();

-- Messages that kept failing. They keep everything needed to re-queue them.
create table dead_letter (
    id                   bigserial primary key,
    queue_name           text not null,
    kind                 text not null,
    job_id               uuid references job (id) on delete cascade,
    body                 jsonb not null,
    attempts             integer not null,
    error                text not null,
    original_message_id  bigint not null,
    created_at           timestamptz not null default now(),
    dead_at              timestamptz not null default now(),
    requeued_at          timestamptz
);
create index ix_dead_letter_job_id on dead_letter (job_id);
create index ix_dead_letter_dead_at on dead_letter (dead_at);

-- Live worker processes, refreshed by their heartbeat.
create table worker (
    id          text primary key,
    hostname    text not null,
    pid         integer not null,
    queues      text[] not null,
    started_at  timestamptz not null default now(),
    last_seen   timestamptz not null default now()
);
