-- The evidence of a segmentation test Portcullis ran itself (PCI DSS
-- 11.4.5, the guided test): the network the merchant named, where the
-- computer stood on it, the scan that tested it, and what answered. The
-- test's outcome stays in segmentation_tests, so the rules judge a guided
-- test exactly as one a person recorded.
CREATE TABLE segmentation_runs (
    test_id            INTEGER PRIMARY KEY REFERENCES segmentation_tests (id),
    scan_id            INTEGER NOT NULL UNIQUE REFERENCES scans (id),
    network            TEXT NOT NULL CHECK (trim(network) <> '' AND length(network) <= 100),
    interface          TEXT NOT NULL CHECK (length(interface) <= 64),
    address            TEXT NOT NULL,
    -- NULL: no default gateway, or the system would not say.
    gateway            TEXT,
    -- Answers past the listed ones (a host answering on every port).
    answers_not_listed INTEGER NOT NULL DEFAULT 0 CHECK (answers_not_listed >= 0)
) STRICT;

-- What answered from the network that should be cut off: each row a way
-- across the segmentation.
CREATE TABLE segmentation_answers (
    test_id  INTEGER NOT NULL REFERENCES segmentation_runs (test_id),
    address  TEXT NOT NULL,
    protocol TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
    port     INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    -- The service IANA registered for the port.
    service  TEXT,
    PRIMARY KEY (test_id, address, protocol, port)
) STRICT, WITHOUT ROWID;
