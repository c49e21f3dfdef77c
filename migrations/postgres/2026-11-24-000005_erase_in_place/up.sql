-- An erase scrubs privacy records and consent receipts in place (issue 7): the row keeps
-- its text version, page, action and time, and loses the person (`user_id` NULL, every
-- personal column emptied). See the SQLite migration for why; here the column simply
-- drops NOT NULL, the user indexes skip the scrubbed rows and the version index no longer
-- holds the status, which a scrub changes.
ALTER TABLE core_privacyrecord ALTER COLUMN user_id DROP NOT NULL;
DROP INDEX core_privacyrecord_user_idx;
CREATE INDEX core_privacyrecord_user_idx ON core_privacyrecord (user_id, status) WHERE user_id IS NOT NULL;
ALTER TABLE core_consentreceipt ALTER COLUMN user_id DROP NOT NULL;
DROP INDEX core_consentreceipt_user_idx;
CREATE INDEX core_consentreceipt_user_idx ON core_consentreceipt (user_id) WHERE user_id IS NOT NULL;
DROP INDEX core_privacyrecord_version_idx;
CREATE INDEX core_privacyrecord_version_idx ON core_privacyrecord (version_id);
