-- The files imports were made from (an nmap XML, an ASV's Nessus report)
-- and the evidence kept with them (the ASV's own PDF report), unchanged
-- beside the database in imports/, with their SHA-256, so the evidence
-- pack can hand the originals to an assessor.
CREATE TABLE imported_files (
    id           INTEGER PRIMARY KEY,
    scan_id      INTEGER NOT NULL REFERENCES scans (id),
    -- The file's name when it was imported.
    file_name    TEXT NOT NULL CHECK (trim(file_name) <> ''),
    -- Its name under imports/ in the data directory.
    stored_name  TEXT NOT NULL UNIQUE CHECK (stored_name NOT GLOB '*[/\\]*'),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    bytes        INTEGER NOT NULL CHECK (bytes >= 0),
    kept_at      TEXT NOT NULL
) STRICT;

CREATE INDEX imported_files_by_scan ON imported_files (scan_id);
