-- The staff revision (SPEC O4): one number that every change to what public pages show
-- moves, in the same transaction as the change, by the triggers below. Each server reads it
-- about once a second and, when it moved, reloads what it keeps in memory (page cache,
-- language strings, privacy settings, templatesets). Triggers, not calls in the code, so
-- no write path (admin, REST, CLI, SQL by hand) can forget it. Written by hand: the
-- SQLite migration's triggers have no generated PostgreSQL form.
CREATE TABLE core_staffrevision (
    id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO core_staffrevision (id, revision) VALUES (1, 1);

CREATE FUNCTION core_staffrevision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER core_page_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_page
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_pagefield_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_pagefield
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_pagefollowup_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_pagefollowup
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_allowedpagefield_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_allowedpagefield
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_alloweduserfield_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_alloweduserfield
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_list_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_list
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_language_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_language
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_languagestring_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_languagestring
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_templateset_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_templateset
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_template_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_template
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_privacysettings_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_privacysettings
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
CREATE TRIGGER core_paymentaccount_staffrevision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON core_paymentaccount
    FOR EACH STATEMENT EXECUTE FUNCTION core_staffrevision_bump();
