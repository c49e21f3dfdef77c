-- The consent log is only ever appended to and walked whole: its two indexes cost every
-- erase a random page per entry and served no lookup (see the SQLite migration; issue 7).
ALTER TABLE core_consentlog DROP CONSTRAINT core_consentlog_entry_hash_key;
DROP INDEX core_consentlog_record_idx;
