-- Placard's whole schema (SPEC §1–§10), ActionKit table names where ActionKit has them.
-- Portable SQL: the PostgreSQL copy differs only in its identity columns.
-- Every foreign key is indexed: forget and erase delete by user across all of these.

CREATE TABLE core_setting (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE core_language (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    iso_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    is_rtl BOOLEAN NOT NULL DEFAULT FALSE
);

-- Staff-edited language strings (P3, P4); built-in defaults live in locales/.
CREATE TABLE core_languagestring (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lang TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (lang, name)
);

CREATE TABLE auth_staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);

-- Iterable-style Api-Key credentials; only a hash of the key is kept.
CREATE TABLE core_apikey (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by_id BIGINT REFERENCES auth_staff (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX core_apikey_created_by_idx ON core_apikey (created_by_id);

CREATE TABLE core_list (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE core_user (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    middle_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '',
    address1 TEXT NOT NULL DEFAULT '',
    address2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '',
    plus4 TEXT NOT NULL DEFAULT '',
    postal TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    source TEXT NOT NULL DEFAULT '',
    subscription_status TEXT NOT NULL DEFAULT 'never',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX core_user_created_at_idx ON core_user (created_at);
CREATE INDEX core_user_country_idx ON core_user (country);

CREATE TABLE core_phone (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    type TEXT NOT NULL,
    phone TEXT NOT NULL,
    normalized_phone TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX core_phone_user_idx ON core_phone (user_id);

CREATE TABLE core_alloweduserfield (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    always_show BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE core_userfield (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT NOT NULL REFERENCES core_user (id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (parent_id, name)
);

CREATE TABLE core_subscription (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    list_id BIGINT NOT NULL REFERENCES core_list (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, list_id)
);
CREATE INDEX core_subscription_list_idx ON core_subscription (list_id);

CREATE TABLE core_templateset (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    revision BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Staff overrides of Original's files; every save is kept in core_templaterevision.
CREATE TABLE core_template (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    templateset_id BIGINT NOT NULL REFERENCES core_templateset (id),
    filename TEXT NOT NULL,
    code TEXT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    -- FALSE after "revert to Original": the set shows Original's file, history stays.
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (templateset_id, filename)
);

CREATE TABLE core_templaterevision (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id BIGINT NOT NULL REFERENCES core_template (id),
    revision BIGINT NOT NULL,
    code TEXT NOT NULL,
    staff_id BIGINT REFERENCES auth_staff (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (template_id, revision)
);
CREATE INDEX core_templaterevision_staff_idx ON core_templaterevision (staff_id);

CREATE TABLE core_paymentaccount (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    vendor TEXT NOT NULL DEFAULT 'stub',
    card_code TEXT NOT NULL DEFAULT '007',
    currency TEXT NOT NULL DEFAULT 'USD',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE core_page (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    type TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    list_id BIGINT NOT NULL REFERENCES core_list (id),
    templateset_id BIGINT REFERENCES core_templateset (id),
    payment_account_id BIGINT REFERENCES core_paymentaccount (id),
    status TEXT NOT NULL DEFAULT 'active',
    required_fields TEXT NOT NULL DEFAULT '',
    goal BIGINT,
    unsubscribe_all BOOLEAN NOT NULL DEFAULT TRUE,
    allow_taf BOOLEAN NOT NULL DEFAULT FALSE,
    introduction_text TEXT NOT NULL DEFAULT '',
    statement_leadin TEXT NOT NULL DEFAULT '',
    statement_text TEXT NOT NULL DEFAULT '',
    about_text TEXT NOT NULL DEFAULT '',
    thank_you_text TEXT NOT NULL DEFAULT '',
    survey_question_text TEXT NOT NULL DEFAULT '',
    ground_rules TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX core_page_list_idx ON core_page (list_id);
CREATE INDEX core_page_templateset_idx ON core_page (templateset_id);
CREATE INDEX core_page_payment_account_idx ON core_page (payment_account_id);

CREATE TABLE core_pagefollowup (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id BIGINT NOT NULL UNIQUE REFERENCES core_page (id),
    redirect_url TEXT NOT NULL DEFAULT '',
    send_email BOOLEAN NOT NULL DEFAULT FALSE,
    email_subject TEXT NOT NULL DEFAULT '',
    email_body TEXT NOT NULL DEFAULT '',
    send_taf BOOLEAN NOT NULL DEFAULT FALSE,
    taf_subject TEXT NOT NULL DEFAULT '',
    taf_body TEXT NOT NULL DEFAULT '',
    send_receipt BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE core_allowedpagefield (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE core_pagefield (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT NOT NULL REFERENCES core_page (id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (parent_id, name)
);

-- user_id is NULL once the person is erased (SPEC G2): the action stays as an anonymous count.
CREATE TABLE core_action (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES core_user (id),
    page_id BIGINT NOT NULL REFERENCES core_page (id),
    source TEXT NOT NULL DEFAULT 'website',
    status TEXT NOT NULL DEFAULT 'complete',
    created_user BOOLEAN NOT NULL DEFAULT FALSE,
    subscribed_user BOOLEAN NOT NULL DEFAULT FALSE,
    referring_user_id BIGINT REFERENCES core_user (id),
    referring_mailing_id BIGINT,
    mailing_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Partial where erase sets NULL (G2): anonymized rows leave the index instead of piling up in it.
CREATE INDEX core_action_user_idx ON core_action (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX core_action_page_idx ON core_action (page_id, created_at);
CREATE INDEX core_action_referring_user_idx ON core_action (referring_user_id) WHERE referring_user_id IS NOT NULL;
CREATE INDEX core_action_created_at_idx ON core_action (created_at);

CREATE TABLE core_actionfield (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT NOT NULL REFERENCES core_action (id),
    name TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX core_actionfield_parent_idx ON core_actionfield (parent_id);

-- Every subscribe and unsubscribe with its cause (action, admin, import, bounce, unsub_all …).
CREATE TABLE core_subscriptionhistory (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    list_id BIGINT NOT NULL REFERENCES core_list (id),
    change TEXT NOT NULL,
    cause TEXT NOT NULL,
    action_id BIGINT REFERENCES core_action (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX core_subscriptionhistory_user_idx ON core_subscriptionhistory (user_id);
CREATE INDEX core_subscriptionhistory_list_idx ON core_subscriptionhistory (list_id);
CREATE INDEX core_subscriptionhistory_action_idx ON core_subscriptionhistory (action_id);

CREATE TABLE core_product (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'USD',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE core_candidate (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE core_order (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES core_user (id),
    action_id BIGINT REFERENCES core_action (id),
    payment_account_id BIGINT NOT NULL REFERENCES core_paymentaccount (id),
    total_cents BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'USD',
    status TEXT NOT NULL,
    card_last4 TEXT NOT NULL DEFAULT '',
    shipping_name TEXT NOT NULL DEFAULT '',
    shipping_address1 TEXT NOT NULL DEFAULT '',
    shipping_address2 TEXT NOT NULL DEFAULT '',
    shipping_city TEXT NOT NULL DEFAULT '',
    shipping_state TEXT NOT NULL DEFAULT '',
    shipping_zip TEXT NOT NULL DEFAULT '',
    shipping_country TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX core_order_user_idx ON core_order (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX core_order_action_idx ON core_order (action_id);
CREATE INDEX core_order_payment_account_idx ON core_order (payment_account_id);
CREATE INDEX core_order_created_at_idx ON core_order (created_at);

CREATE TABLE core_orderitem (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES core_order (id),
    product_id BIGINT NOT NULL REFERENCES core_product (id),
    quantity BIGINT NOT NULL,
    total_cents BIGINT NOT NULL
);
CREATE INDEX core_orderitem_order_idx ON core_orderitem (order_id);
CREATE INDEX core_orderitem_product_idx ON core_orderitem (product_id);

CREATE TABLE core_orderdetail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES core_order (id),
    candidate_id BIGINT NOT NULL REFERENCES core_candidate (id),
    amount_cents BIGINT NOT NULL
);
CREATE INDEX core_orderdetail_order_idx ON core_orderdetail (order_id);
CREATE INDEX core_orderdetail_candidate_idx ON core_orderdetail (candidate_id);

CREATE TABLE core_transaction (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES core_order (id),
    payment_account_id BIGINT NOT NULL REFERENCES core_paymentaccount (id),
    type TEXT NOT NULL DEFAULT 'sale',
    status TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    trans_id TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    failure_message TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX core_transaction_order_idx ON core_transaction (order_id);
CREATE INDEX core_transaction_account_idx ON core_transaction (payment_account_id, created_at);

-- P1: one row (id = 1).
CREATE TABLE core_privacysettings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    countries TEXT NOT NULL DEFAULT '',
    require_on_actions BOOLEAN NOT NULL DEFAULT FALSE,
    require_notes_user_admin BOOLEAN NOT NULL DEFAULT FALSE,
    require_notes_import BOOLEAN NOT NULL DEFAULT FALSE,
    require_on_user_api BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL
);

-- P7: content-addressed, immutable text versions.
CREATE TABLE core_privacytext (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    text TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- P12 records with B2 evidence (never the raw IP: ip_hmac is keyed).
CREATE TABLE core_privacyrecord (
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
CREATE INDEX core_privacyrecord_user_idx ON core_privacyrecord (user_id, status);
CREATE INDEX core_privacyrecord_action_idx ON core_privacyrecord (action_id);
CREATE INDEX core_privacyrecord_version_idx ON core_privacyrecord (version_id, status);
CREATE INDEX core_privacyrecord_page_idx ON core_privacyrecord (page_id);
CREATE INDEX core_privacyrecord_templateset_idx ON core_privacyrecord (templateset_id);

-- B1: the hash chain over every change of a record's state (created, withdrawn, erased).
-- Entries hold no personal data, so an erase leaves its tombstone and the chain verifies.
CREATE TABLE core_consentlog (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id BIGINT NOT NULL,
    event TEXT NOT NULL,
    entry TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX core_consentlog_record_idx ON core_consentlog (record_id);

-- B3: signed receipts (consent and withdrawal).
CREATE TABLE core_consentreceipt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES core_user (id),
    action_id BIGINT REFERENCES core_action (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX core_consentreceipt_user_idx ON core_consentreceipt (user_id);
CREATE INDEX core_consentreceipt_action_idx ON core_consentreceipt (action_id);

-- P14: the editable dropdown of import privacy notes.
CREATE TABLE core_privacynotechoice (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- G3/G4: SHA-256 of normalized identifiers; never the identifier itself.
CREATE TABLE core_forgotten (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (kind, hash)
);

-- G6/S3: who did what, through which path; never personal data.
CREATE TABLE core_auditlog (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor TEXT NOT NULL,
    via TEXT NOT NULL,
    verb TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id BIGINT,
    details TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX core_auditlog_created_at_idx ON core_auditlog (created_at);

CREATE TABLE core_blackholedemail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Mail written in the action's transaction, delivered after commit by the worker.
CREATE TABLE core_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES core_user (id),
    action_id BIGINT REFERENCES core_action (id),
    status TEXT NOT NULL DEFAULT 'queued',
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    claimed_by TEXT NOT NULL DEFAULT '',
    claimed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX core_outbox_user_idx ON core_outbox (user_id);
-- Erase deletes the mail to an address (G2); without this it scans the whole outbox.
CREATE INDEX core_outbox_to_email_idx ON core_outbox (to_email);
CREATE INDEX core_outbox_action_idx ON core_outbox (action_id);
CREATE INDEX core_outbox_due_idx ON core_outbox (status, next_attempt_at);

CREATE TABLE core_upload (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    page_id BIGINT NOT NULL REFERENCES core_page (id),
    original_filename TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    privacy_note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new',
    total_rows BIGINT NOT NULL DEFAULT 0,
    processed_rows BIGINT NOT NULL DEFAULT 0,
    ok_rows BIGINT NOT NULL DEFAULT 0,
    error_rows BIGINT NOT NULL DEFAULT 0,
    forgotten_rows BIGINT NOT NULL DEFAULT 0,
    is_completed BOOLEAN NOT NULL DEFAULT FALSE,
    created_by_id BIGINT REFERENCES auth_staff (id),
    claimed_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX core_upload_page_idx ON core_upload (page_id);
CREATE INDEX core_upload_created_by_idx ON core_upload (created_by_id);

CREATE TABLE core_uploaderror (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    upload_id BIGINT NOT NULL REFERENCES core_upload (id),
    row_number BIGINT NOT NULL,
    field TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX core_uploaderror_upload_idx ON core_uploaderror (upload_id, row_number);
