-- Monitoring (PCI DSS 11.3.1 between the quarterly scans): the schedules
-- the person set, each run of them, the alerts the runs raised, the
-- notifications that told the person, and the reminders of what PCI DSS
-- dates. Each change and each due date is kept once (UNIQUE), so that
-- nothing is ever announced twice, whichever process found it.

CREATE TABLE monitor_schedules (
    id          INTEGER PRIMARY KEY,
    -- NULL: every system in scope.
    system_id   INTEGER REFERENCES systems (id) ON DELETE CASCADE,
    cadence     TEXT NOT NULL CHECK (cadence IN ('hourly', 'daily', 'weekly')),
    -- Hours on the computer's clock in which a check may start;
    -- window_from = window_to: any hour.
    window_from INTEGER NOT NULL CHECK (window_from BETWEEN 0 AND 23),
    window_to   INTEGER NOT NULL CHECK (window_to BETWEEN 0 AND 23),
    -- Probes per second at most.
    rate        INTEGER NOT NULL CHECK (rate BETWEEN 1 AND 100000),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE monitor_runs (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES monitor_schedules (id) ON DELETE CASCADE,
    -- The time the schedule said; one run per slot, ever.
    slot        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    caught_up   INTEGER NOT NULL CHECK (caught_up IN (0, 1)),
    scan_id     INTEGER REFERENCES scans (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'clear', 'drift', 'failed')),
    alerts      INTEGER NOT NULL DEFAULT 0 CHECK (alerts >= 0),
    reason      TEXT NOT NULL DEFAULT '',
    UNIQUE (schedule_id, slot)
) STRICT;

CREATE INDEX monitor_runs_by_schedule ON monitor_runs (schedule_id, slot);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('drift', 'reminder')),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    count       INTEGER NOT NULL CHECK (count > 0),
    raised_at   TEXT NOT NULL,
    shown_at    TEXT
) STRICT;

CREATE INDEX notifications_unshown ON notifications (shown_at) WHERE shown_at IS NULL;

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    -- What changed: 'finding:ID', or a port ('198.18.0.10 tcp/22') whose
    -- service, version or settings changed without a finding of its own.
    subject         TEXT NOT NULL CHECK (trim(subject) <> ''),
    -- The finding, when the change is one.
    finding_id      INTEGER REFERENCES findings (id),
    reason          TEXT NOT NULL
                    CHECK (reason IN ('new', 'back', 'approval-expired', 'changed')),
    -- The scan that saw the change: a change is one subject, one reason,
    -- one scan.
    scan_id         INTEGER NOT NULL REFERENCES scans (id),
    title           TEXT NOT NULL,
    severity        TEXT NOT NULL,
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    raised_at       TEXT NOT NULL,
    seen_at         TEXT,
    UNIQUE (subject, reason, scan_id)
) STRICT;

CREATE INDEX alerts_by_time ON alerts (raised_at);

CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    -- 'internal-scan', 'external-scan', 'inventory-review',
    -- 'segmentation-test', or 'approval-expiring'.
    subject         TEXT NOT NULL,
    -- The inventory entry, for 'approval-expiring'; 0 otherwise.
    entry_id        INTEGER NOT NULL DEFAULT 0,
    -- The due date it is about; '' when never done (due now).
    due             TEXT NOT NULL,
    sentence        TEXT NOT NULL,
    notification_id INTEGER NOT NULL REFERENCES notifications (id),
    raised_at       TEXT NOT NULL,
    UNIQUE (subject, entry_id, due)
) STRICT;
