-- Findings disputed with the ASV (a false positive, a compensating control,
-- the card terminal exception for early TLS). The status column's CHECK
-- predates disputes, and SQLite widens a CHECK only by rebuilding the table
-- and the scan_findings rows that point at it; so a disputed finding is
-- stored as status 'accepted' with its dispute_kind, the justification
-- holding its evidence, the approver who submits it and accepted_until its
-- term. The store's StateColumns alone maps the two.
ALTER TABLE findings ADD COLUMN dispute_kind TEXT
    CHECK (dispute_kind IS NULL
           OR (status = 'accepted'
               AND dispute_kind IN ('false-positive', 'compensating-control',
                                    'poi-terminal-early-tls')));
