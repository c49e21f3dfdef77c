ALTER TABLE core_consentlog ADD CONSTRAINT core_consentlog_entry_hash_key UNIQUE (entry_hash);
CREATE INDEX core_consentlog_record_idx ON core_consentlog (record_id);
