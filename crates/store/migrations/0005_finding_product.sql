-- The product identified behind a finding's port ("OpenSSH", "nginx"), so
-- that findings one update closes can be shown together. Older rows have
-- none.
ALTER TABLE findings ADD COLUMN product TEXT;
