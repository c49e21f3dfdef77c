-- Back to the consent log with a UNIQUE `entry_hash` and an index on `record_id`.
CREATE TABLE core_consentlog_indexed (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id BIGINT NOT NULL,
    event TEXT NOT NULL,
    entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO core_consentlog_indexed (id, record_id, event, entry, prev_hash, entry_hash, created_at)
    SELECT id, record_id, event, entry, prev_hash, entry_hash, created_at FROM core_consentlog;
DELETE FROM sqlite_sequence WHERE name = 'core_consentlog_indexed';
INSERT INTO sqlite_sequence (name, seq) SELECT 'core_consentlog_indexed', seq FROM sqlite_sequence WHERE name = 'core_consentlog';
DROP TABLE core_consentlog;
ALTER TABLE core_consentlog_indexed RENAME TO core_consentlog;
CREATE INDEX core_consentlog_record_idx ON core_consentlog (record_id);
