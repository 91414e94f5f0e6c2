-- Problems another scanner reported, from an imported Nessus, Greenbone or
-- CSV report: kept as the report words them (the model's ReportedItem as
-- JSON), in file order, so that judging the scan again reads the same
-- items. Which finding each becomes is the rules' decision, made anew at
-- each judgement.
CREATE TABLE reported_items (
    scan_id  INTEGER NOT NULL REFERENCES scans (id),
    seq      INTEGER NOT NULL CHECK (seq >= 0),
    item     TEXT NOT NULL CHECK (json_valid(item)),
    PRIMARY KEY (scan_id, seq)
) STRICT, WITHOUT ROWID;
