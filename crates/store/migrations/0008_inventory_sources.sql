-- Where connections to an approved port may come from: the entry's
-- address blocks in CIDR notation, separated by single spaces, in the
-- order given; '' for anywhere. Firewall rulesets let in only these.
ALTER TABLE inventory_entries ADD COLUMN sources TEXT NOT NULL DEFAULT '';
