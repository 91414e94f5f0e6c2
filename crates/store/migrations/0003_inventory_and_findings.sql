-- The merchant's systems, the approved port inventory (PCI DSS 1.2.5) and
-- the findings tracked across scans. Enumerations are the model's serde
-- names (crates/model/src/compliance.rs).

CREATE TABLE systems (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) <> ''),
    -- JSON array of addresses, CIDR blocks and host names, as typed.
    addresses   TEXT NOT NULL CHECK (json_valid(addresses) AND json_type(addresses) = 'array'),
    role        TEXT NOT NULL CHECK (role IN
                    ('web-server', 'database', 'payment', 'office', 'network-device', 'other')),
    scope       TEXT NOT NULL CHECK (scope IN ('cde', 'connected-to-cde', 'out-of-scope')),
    exposure    TEXT NOT NULL CHECK (exposure IN ('external', 'internal')),
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- Inventory rows may be removed (the removal is in the audit log, with the
-- row as it was); a system with inventory cannot be removed until its
-- entries are.
CREATE TABLE inventory_entries (
    id             INTEGER PRIMARY KEY,
    system_id      INTEGER NOT NULL REFERENCES systems (id) ON DELETE RESTRICT,
    port           INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    protocol       TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
    service        TEXT,
    version        TEXT,
    justification  TEXT NOT NULL CHECK (trim(justification) <> ''),
    approver       TEXT NOT NULL CHECK (trim(approver) <> ''),
    approved_at    TEXT NOT NULL,
    expires_at     TEXT,
    notes          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (system_id, protocol, port)
) STRICT;

CREATE INDEX inventory_by_expiry ON inventory_entries (expires_at);

-- One row per finding key (rule and place): the same problem found again is
-- the same record, so its acceptance or fix carries over. The kind's
-- spelling is checked rather than its list: new rules arrive as rule-book
-- entries, and a CHECK listing them would need a table rebuild each time.
CREATE TABLE findings (
    id                INTEGER PRIMARY KEY,
    key               TEXT NOT NULL UNIQUE,
    kind              TEXT NOT NULL CHECK (kind <> '' AND kind NOT GLOB '*[^a-z0-9-]*'),
    severity          TEXT NOT NULL
                      CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
    title             TEXT NOT NULL,
    explanation       TEXT NOT NULL,
    remedy            TEXT NOT NULL,
    requirements      TEXT NOT NULL CHECK (json_valid(requirements)),
    system_id         INTEGER REFERENCES systems (id) ON DELETE SET NULL,
    address           TEXT,
    port              INTEGER CHECK (port IS NULL OR port BETWEEN 0 AND 65535),
    protocol          TEXT CHECK (protocol IS NULL OR protocol IN ('tcp', 'udp')),
    service           TEXT,
    version           TEXT,
    evidence          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'fixed', 'verified')),
    accepted_until    TEXT,
    justification     TEXT,
    approver          TEXT,
    first_seen_scan   INTEGER NOT NULL REFERENCES scans (id),
    last_seen_scan    INTEGER NOT NULL REFERENCES scans (id),
    fixed_by_scan     INTEGER REFERENCES scans (id),
    verified_by_scan  INTEGER REFERENCES scans (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (status <> 'accepted'
           OR (accepted_until IS NOT NULL AND trim(justification) <> '' AND trim(approver) <> '')),
    CHECK (status <> 'verified' OR verified_by_scan IS NOT NULL)
) STRICT;

CREATE INDEX findings_by_status ON findings (status, severity);
CREATE INDEX findings_by_system ON findings (system_id, status);
CREATE INDEX findings_by_last_scan ON findings (last_seen_scan);

-- Which findings each scan produced: `portcullis findings --scan ID`.
CREATE TABLE scan_findings (
    scan_id     INTEGER NOT NULL REFERENCES scans (id),
    finding_id  INTEGER NOT NULL REFERENCES findings (id),
    PRIMARY KEY (scan_id, finding_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX scan_findings_by_finding ON scan_findings (finding_id);

-- Segmentation tests (PCI DSS 11.4.5): penetration tests proving that
-- out-of-scope networks cannot reach the CDE. Recorded by a person.
CREATE TABLE segmentation_tests (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    passed    INTEGER NOT NULL CHECK (passed IN (0, 1)),
    actor     TEXT NOT NULL,
    notes     TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX segmentation_tests_by_time ON segmentation_tests (at);
