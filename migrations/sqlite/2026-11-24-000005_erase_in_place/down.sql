-- Back to records and receipts that always name a person: the rows an erase scrubbed in
-- place (no person left) are deleted, as an erase did before.
CREATE TABLE core_privacyrecord_with_person (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES core_user (id),
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
INSERT INTO core_privacyrecord_with_person (id, user_id, action_id, version_id, status, context, note, page_id,
        templateset_id, templateset_revision, lang, country_submitted, user_agent, ip_hmac, created_at, updated_at)
    SELECT id, user_id, action_id, version_id, status, context, note, page_id,
        templateset_id, templateset_revision, lang, country_submitted, user_agent, ip_hmac, created_at, updated_at
    FROM core_privacyrecord WHERE user_id IS NOT NULL;
DELETE FROM sqlite_sequence WHERE name = 'core_privacyrecord_with_person';
INSERT INTO sqlite_sequence (name, seq) SELECT 'core_privacyrecord_with_person', seq FROM sqlite_sequence WHERE name = 'core_privacyrecord';
DROP TABLE core_privacyrecord;
ALTER TABLE core_privacyrecord_with_person RENAME TO core_privacyrecord;
CREATE INDEX core_privacyrecord_user_idx ON core_privacyrecord (user_id, status);
CREATE INDEX core_privacyrecord_action_idx ON core_privacyrecord (action_id);
CREATE INDEX core_privacyrecord_version_idx ON core_privacyrecord (version_id, status);
CREATE INDEX core_privacyrecord_page_idx ON core_privacyrecord (page_id);
CREATE INDEX core_privacyrecord_templateset_idx ON core_privacyrecord (templateset_id);

CREATE TABLE core_consentreceipt_with_person (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    action_id BIGINT REFERENCES core_action (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO core_consentreceipt_with_person (id, receipt_id, user_id, action_id, kind, body, signature, created_at)
    SELECT id, receipt_id, user_id, action_id, kind, body, signature, created_at FROM core_consentreceipt
    WHERE user_id IS NOT NULL;
DELETE FROM sqlite_sequence WHERE name = 'core_consentreceipt_with_person';
INSERT INTO sqlite_sequence (name, seq) SELECT 'core_consentreceipt_with_person', seq FROM sqlite_sequence WHERE name = 'core_consentreceipt';
DROP TABLE core_consentreceipt;
ALTER TABLE core_consentreceipt_with_person RENAME TO core_consentreceipt;
CREATE INDEX core_consentreceipt_user_idx ON core_consentreceipt (user_id);
CREATE INDEX core_consentreceipt_action_idx ON core_consentreceipt (action_id);
