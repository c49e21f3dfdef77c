-- The staff revision (SPEC O4): one number that every change to what public pages show
-- moves, in the same transaction as the change, by the triggers below. Each server reads it
-- about once a second and, when it moved, reloads what it keeps in memory (page cache,
-- language strings, privacy settings, templatesets). Triggers, not calls in the code, so
-- no write path (admin, REST, CLI, SQL by hand) can forget it.
CREATE TABLE core_staffrevision (
    id INTEGER PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO core_staffrevision (id, revision) VALUES (1, 1);

CREATE TRIGGER core_page_insert_staffrevision AFTER INSERT ON core_page
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_page_update_staffrevision AFTER UPDATE ON core_page
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_page_delete_staffrevision AFTER DELETE ON core_page
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_pagefield_insert_staffrevision AFTER INSERT ON core_pagefield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_pagefield_update_staffrevision AFTER UPDATE ON core_pagefield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_pagefield_delete_staffrevision AFTER DELETE ON core_pagefield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_pagefollowup_insert_staffrevision AFTER INSERT ON core_pagefollowup
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_pagefollowup_update_staffrevision AFTER UPDATE ON core_pagefollowup
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_pagefollowup_delete_staffrevision AFTER DELETE ON core_pagefollowup
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_allowedpagefield_insert_staffrevision AFTER INSERT ON core_allowedpagefield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_allowedpagefield_update_staffrevision AFTER UPDATE ON core_allowedpagefield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_allowedpagefield_delete_staffrevision AFTER DELETE ON core_allowedpagefield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_alloweduserfield_insert_staffrevision AFTER INSERT ON core_alloweduserfield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_alloweduserfield_update_staffrevision AFTER UPDATE ON core_alloweduserfield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_alloweduserfield_delete_staffrevision AFTER DELETE ON core_alloweduserfield
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_list_insert_staffrevision AFTER INSERT ON core_list
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_list_update_staffrevision AFTER UPDATE ON core_list
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_list_delete_staffrevision AFTER DELETE ON core_list
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_language_insert_staffrevision AFTER INSERT ON core_language
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_language_update_staffrevision AFTER UPDATE ON core_language
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_language_delete_staffrevision AFTER DELETE ON core_language
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_languagestring_insert_staffrevision AFTER INSERT ON core_languagestring
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_languagestring_update_staffrevision AFTER UPDATE ON core_languagestring
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_languagestring_delete_staffrevision AFTER DELETE ON core_languagestring
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_templateset_insert_staffrevision AFTER INSERT ON core_templateset
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_templateset_update_staffrevision AFTER UPDATE ON core_templateset
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_templateset_delete_staffrevision AFTER DELETE ON core_templateset
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_template_insert_staffrevision AFTER INSERT ON core_template
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_template_update_staffrevision AFTER UPDATE ON core_template
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_template_delete_staffrevision AFTER DELETE ON core_template
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_privacysettings_insert_staffrevision AFTER INSERT ON core_privacysettings
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_privacysettings_update_staffrevision AFTER UPDATE ON core_privacysettings
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_privacysettings_delete_staffrevision AFTER DELETE ON core_privacysettings
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_paymentaccount_insert_staffrevision AFTER INSERT ON core_paymentaccount
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_paymentaccount_update_staffrevision AFTER UPDATE ON core_paymentaccount
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
CREATE TRIGGER core_paymentaccount_delete_staffrevision AFTER DELETE ON core_paymentaccount
BEGIN UPDATE core_staffrevision SET revision = revision + 1 WHERE id = 1; END;
