-- ASV scans (PCI DSS 11.3.2): the quarterly external scans by an Approved
-- Scanning Vendor, recorded by a person from the vendor's report. Kept
-- apart from Portcullis's own scans, which do not meet 11.3.2.
CREATE TABLE asv_scans (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    passed  INTEGER NOT NULL CHECK (passed IN (0, 1)),
    vendor  TEXT NOT NULL,
    actor   TEXT NOT NULL,
    notes   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX asv_scans_by_time ON asv_scans (at);
