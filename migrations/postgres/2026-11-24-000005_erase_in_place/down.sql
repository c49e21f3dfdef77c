-- Back to records and receipts that always name a person: the rows an erase scrubbed in
-- place (no person left) are deleted, as an erase did before.
DELETE FROM core_privacyrecord WHERE user_id IS NULL;
ALTER TABLE core_privacyrecord ALTER COLUMN user_id SET NOT NULL;
DROP INDEX core_privacyrecord_user_idx;
CREATE INDEX core_privacyrecord_user_idx ON core_privacyrecord (user_id, status);
DELETE FROM core_consentreceipt WHERE user_id IS NULL;
ALTER TABLE core_consentreceipt ALTER COLUMN user_id SET NOT NULL;
DROP INDEX core_consentreceipt_user_idx;
CREATE INDEX core_consentreceipt_user_idx ON core_consentreceipt (user_id);
DROP INDEX core_privacyrecord_version_idx;
CREATE INDEX core_privacyrecord_version_idx ON core_privacyrecord (version_id, status);
