-- An erase scrubs privacy records and consent receipts in place (issue 7). The row stays
-- with its text version, page, action and time, and loses the person: `user_id` becomes
-- NULL and every personal column is emptied. Deleting the rows rewrote a page of the table
-- and of each of the records' five indexes for every record (about 100 of the ~390 pages a
-- forget of a person with 20 records wrote); scrubbing rewrites only the table's pages, as
-- none of the indexed columns but `user_id` and `status` changes: the user indexes skip
-- NULLs, and the version index no longer holds the status (a filter on the version reads
-- a few rows more; a scrub no longer moves an entry of it).
-- SQLite cannot drop NOT NULL in place, so both tables are rebuilt; their AUTOINCREMENT
-- high-water marks are carried over, so an erased record's id is never handed out again.
CREATE TABLE core_privacyrecord_scrubbable (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES core_user (id),
    action_id BIGINT REFERENCES core_action (id),
    version_id BIGINT NOT NULL REFERENCES core_privacytext (id),
    status TEXT NOT NULL DEFAULT 'active',
    context TEXT NOT NULL DEFAULT 'action',
    note TEXT NOT NULL DEFAULT '',
    page_id BIGINT REFERENCES core_page (id),
    templateset_id BIGINT REFERENCES core_templateset (id),
    templateset_revision BIGINT,
    lang TEXT NOT NULL DEFAULT '',
    country_submitted TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    ip_hmac TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO core_privacyrecord_scrubbable (id, user_id, action_id, version_id, status, context, note, page_id,
        templateset_id, templateset_revision, lang, country_submitted, user_agent, ip_hmac, created_at, updated_at)
    SELECT id, user_id, action_id, version_id, status, context, note, page_id,
        templateset_id, templateset_revision, lang, country_submitted, user_agent, ip_hmac, created_at, updated_at
    FROM core_privacyrecord;
DELETE FROM sqlite_sequence WHERE name = 'core_privacyrecord_scrubbable';
INSERT INTO sqlite_sequence (name, seq) SELECT 'core_privacyrecord_scrubbable', seq FROM sqlite_sequence WHERE name = 'core_privacyrecord';
DROP TABLE core_privacyrecord;
ALTER TABLE core_privacyrecord_scrubbable RENAME TO core_privacyrecord;
CREATE INDEX core_privacyrecord_user_idx ON core_privacyrecord (user_id, status) WHERE user_id IS NOT NULL;
CREATE INDEX core_privacyrecord_action_idx ON core_privacyrecord (action_id);
CREATE INDEX core_privacyrecord_version_idx ON core_privacyrecord (version_id);
CREATE INDEX core_privacyrecord_page_idx ON core_privacyrecord (page_id);
CREATE INDEX core_privacyrecord_templateset_idx ON core_privacyrecord (templateset_id);

CREATE TABLE core_consentreceipt_scrubbable (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id TEXT NOT NULL UNIQUE,
    user_id BIGINT REFERENCES core_user (id),
    action_id BIGINT REFERENCES core_action (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO core_consentreceipt_scrubbable (id, receipt_id, user_id, action_id, kind, body, signature, created_at)
    SELECT id, receipt_id, user_id, action_id, kind, body, signature, created_at FROM core_consentreceipt;
DELETE FROM sqlite_sequence WHERE name = 'core_consentreceipt_scrubbable';
INSERT INTO sqlite_sequence (name, seq) SELECT 'core_consentreceipt_scrubbable', seq FROM sqlite_sequence WHERE name = 'core_consentreceipt';
DROP TABLE core_consentreceipt;
ALTER TABLE core_consentreceipt_scrubbable RENAME TO core_consentreceipt;
CREATE INDEX core_consentreceipt_user_idx ON core_consentreceipt (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX core_consentreceipt_action_idx ON core_consentreceipt (action_id);
