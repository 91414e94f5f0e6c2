-- The platform a system runs on, as the merchant stated it (an id such as
-- 'debian' or 'windows-server'): the fixes Portcullis gives are written for
-- it, and it is asked once per system. At most one row per system; it goes
-- with the system.
CREATE TABLE system_platforms (
    system_id  INTEGER PRIMARY KEY REFERENCES systems (id) ON DELETE CASCADE,
    platform   TEXT NOT NULL,
    stated_at  TEXT NOT NULL
);
