-- The dashboard's "open findings per system, by severity" reads only this
-- index.
CREATE INDEX findings_open_per_system ON findings (status, system_id, severity);

-- When a scan's findings were saved: a finished scan without it was not
-- judged yet (the process died between the scan and its evaluation).
ALTER TABLE scans ADD COLUMN evaluated_at TEXT;
