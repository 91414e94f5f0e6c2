-- Scans as they stream, what they observed, and the append-only audit log.
--
-- Times are RFC 3339 UTC text ("2025-01-31T12:00:00.000Z"), which sorts as
-- it reads. Enumerations are spelled as the model's serde names and checked
-- here, so that no writer, ours or a hand-typed sqlite3 session, can store a
-- value the application cannot read back.

CREATE TABLE scans (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    -- Who ran it: the OS user, or the name given with --actor.
    actor            TEXT NOT NULL,
    -- The targets and ports as the user wrote them.
    targets          TEXT NOT NULL,
    ports            TEXT NOT NULL,
    -- The TCP method asked for (auto, syn, connect, none) and, once known,
    -- what ran and why: JSON [{"method": "syn", "why": "..."}].
    requested_method TEXT NOT NULL,
    methods          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(methods)),
    profile          TEXT NOT NULL,
    -- Where the scan ran from: inside the network (PCI DSS 11.3.1) or from
    -- the internet (11.3.2); the model's Exposure names.
    origin           TEXT NOT NULL DEFAULT 'internal' CHECK (origin IN ('internal', 'external')),
    -- What the scan looked for (the model's ScanCoverage as JSON): the
    -- ports probed per protocol, whether identification and posture ran.
    -- Without it, "not seen" cannot be told from "not looked for".
    coverage         TEXT NOT NULL CHECK (json_valid(coverage)),
    status           TEXT NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'finished', 'cancelled', 'interrupted')),
    hosts_up         INTEGER,
    hosts_down       INTEGER,
    open_ports       INTEGER,
    elapsed_seconds  REAL,
    warnings         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings)),
    -- The writing process: its pid (for people) and the name of the lock
    -- file it holds while the scan runs (for Store::open, which marks a
    -- scan interrupted only when nobody holds that lock any more).
    writer_pid       INTEGER,
    writer_lock      TEXT,
    CHECK ((status = 'running') = (finished_at IS NULL))
) STRICT;

CREATE INDEX scans_by_status ON scans (status);
CREATE INDEX scans_by_start ON scans (started_at);
CREATE INDEX scans_by_origin ON scans (origin, status, finished_at);

-- A host as one scan saw it: whether it was up, why, and the counts of
-- every port state (the ports a large scan does not list one by one).
CREATE TABLE scan_hosts (
    scan_id  INTEGER NOT NULL REFERENCES scans (id),
    address  TEXT NOT NULL,
    name     TEXT,
    up       INTEGER NOT NULL CHECK (up IN (0, 1)),
    reason   TEXT NOT NULL,
    counts   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(counts)),
    PRIMARY KEY (scan_id, address)
) STRICT; -- with a rowid: it keeps the order in which the scan met the hosts

-- One port of one host in one scan.
CREATE TABLE port_observations (
    id          INTEGER PRIMARY KEY,
    scan_id     INTEGER NOT NULL REFERENCES scans (id),
    address     TEXT NOT NULL,
    port        INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    protocol    TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
    state       TEXT NOT NULL
                CHECK (state IN ('open', 'closed', 'filtered', 'unfiltered', 'open_filtered')),
    -- The model's Reason as JSON, e.g. {"kind": "syn-ack"}.
    reason      TEXT NOT NULL CHECK (json_valid(reason)),
    rtt_micros  INTEGER,
    -- The IANA name of the port: what usually runs there.
    service     TEXT,
    -- What answered (ServiceIdentity) and how it is configured (Posture),
    -- as JSON, when identification ran.
    identity    TEXT CHECK (identity IS NULL OR json_valid(identity)),
    posture     TEXT CHECK (posture IS NULL OR json_valid(posture)),
    -- The identity's fields people query by, derived so they cannot drift.
    product     TEXT GENERATED ALWAYS AS (identity ->> '$.product') VIRTUAL,
    version     TEXT GENERATED ALWAYS AS (identity ->> '$.version') VIRTUAL,
    evidence    TEXT GENERATED ALWAYS AS (identity ->> '$.evidence') VIRTUAL,
    UNIQUE (scan_id, address, protocol, port)
) STRICT;

-- The audit trail PCI DSS 10.2 asks for: every change to the inventory, a
-- finding's status or a system's scope, written in the transaction that
-- makes the change. Each row's hash is SHA-256 over the previous row's hash
-- and this row's canonical content, so that editing, removing or inserting
-- a row breaks the chain at that row.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT CHECK (before IS NULL OR json_valid(before)),
    after      TEXT CHECK (after IS NULL OR json_valid(after)),
    prev_hash  TEXT NOT NULL UNIQUE,
    hash       TEXT NOT NULL UNIQUE
) STRICT;

CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id);

-- Append-only at the SQL level too: no UPDATE, no DELETE, from any client.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted');
END;
