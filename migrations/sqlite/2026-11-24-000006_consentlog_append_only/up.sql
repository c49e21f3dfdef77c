-- The consent log is only ever appended to and walked whole (`privacy::chain`): nothing
-- looks an entry up by its hash or by its record. Its two indexes cost every erase a
-- random page per entry (a forget of a person with 20 records wrote about 60 index pages
-- of the log for 2 pages of entries; issue 7). The UNIQUE on `entry_hash` guarded nothing
-- the chain does not: a copied or reordered entry breaks the chain either way. SQLite
-- cannot drop a column's UNIQUE in place, so the table is rebuilt, ids and the
-- AUTOINCREMENT high-water mark kept.
CREATE TABLE core_consentlog_append_only (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id BIGINT NOT NULL,
    event TEXT NOT NULL,
    entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO core_consentlog_append_only (id, record_id, event, entry, prev_hash, entry_hash, created_at)
    SELECT id, record_id, event, entry, prev_hash, entry_hash, created_at FROM core_consentlog;
DELETE FROM sqlite_sequence WHERE name = 'core_consentlog_append_only';
INSERT INTO sqlite_sequence (name, seq) SELECT 'core_consentlog_append_only', seq FROM sqlite_sequence WHERE name = 'core_consentlog';
DROP TABLE core_consentlog;
ALTER TABLE core_consentlog_append_only RENAME TO core_consentlog;
