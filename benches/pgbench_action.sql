-- pgbench custom script: the statements Placard sends PostgreSQL for one action POST that
-- creates a person (page "stay-informed", a fresh email, first_name), in order, as
-- PostgreSQL logged them (`ALTER DATABASE ... SET log_statement = 'all'`, 2026-11-24, the
-- commit benches/run.sh was written against): the pool's connection check, then one
-- transaction. The reference for "action POST, PostgreSQL" in benches/run.sh:
--   pgbench -n -M extended -f benches/pgbench_action.sql -c 64 -j 2 -T 20 <database after `placard serve --demo`>
-- What it leaves out: HTTP, JSON, validation, the email's HMAC (a stand-in hash is
-- computed in SQL) and the application's pool.
\set n random(1, 1000000000000)
SELECT 1;
BEGIN;
SELECT "core_page"."id", "core_page"."name", "core_page"."title", "core_page"."type", "core_page"."lang", "core_page"."list_id", "core_page"."templateset_id", "core_page"."payment_account_id", "core_page"."status", "core_page"."required_fields", "core_page"."goal", "core_page"."unsubscribe_all", "core_page"."allow_taf", "core_page"."introduction_text", "core_page"."statement_leadin", "core_page"."statement_text", "core_page"."about_text", "core_page"."thank_you_text", "core_page"."survey_question_text", "core_page"."ground_rules", "core_page"."created_at", "core_page"."updated_at" FROM "core_page" WHERE ("core_page"."name" = 'stay-informed') LIMIT 1 \gset p_
SELECT "core_user"."id", "core_user"."email", "core_user"."prefix", "core_user"."first_name", "core_user"."middle_name", "core_user"."last_name", "core_user"."suffix", "core_user"."address1", "core_user"."address2", "core_user"."city", "core_user"."state", "core_user"."zip", "core_user"."plus4", "core_user"."postal", "core_user"."region", "core_user"."country", "core_user"."lang", "core_user"."source", "core_user"."subscription_status", "core_user"."created_at", "core_user"."updated_at" FROM "core_user" WHERE ("core_user"."email" = 'pgbench-' || :client_id || '-' || :n || '@example.org') LIMIT 1;
SELECT "core_privacysettings"."enabled", "core_privacysettings"."countries", "core_privacysettings"."require_on_actions", "core_privacysettings"."require_notes_user_admin", "core_privacysettings"."require_notes_import", "core_privacysettings"."require_on_user_api" FROM "core_privacysettings" ORDER BY "core_privacysettings"."id" ASC LIMIT 1;
SELECT COUNT(*) FROM "core_forgotten" WHERE (("core_forgotten"."kind" = 'email') AND ("core_forgotten"."hash" = repeat(md5('pgbench-' || :client_id || '-' || :n), 2)));
INSERT INTO "core_user" ("email", "prefix", "first_name", "middle_name", "last_name", "suffix", "address1", "address2", "city", "state", "zip", "plus4", "postal", "region", "country", "lang", "source", "subscription_status", "created_at", "updated_at") VALUES ('pgbench-' || :client_id || '-' || :n || '@example.org', '', 'Bench', '', '', '', '', '', '', '', '', '', '', '', '', 'en', 'restful_api', 'never', now(), now());
SELECT "core_user"."id", "core_user"."email", "core_user"."prefix", "core_user"."first_name", "core_user"."middle_name", "core_user"."last_name", "core_user"."suffix", "core_user"."address1", "core_user"."address2", "core_user"."city", "core_user"."state", "core_user"."zip", "core_user"."plus4", "core_user"."postal", "core_user"."region", "core_user"."country", "core_user"."lang", "core_user"."source", "core_user"."subscription_status", "core_user"."created_at", "core_user"."updated_at" FROM "core_user" WHERE ("core_user"."email" = 'pgbench-' || :client_id || '-' || :n || '@example.org') LIMIT 1 \gset u_
INSERT INTO "core_action" ("user_id", "page_id", "source", "status", "created_user", "referring_user_id", "referring_mailing_id", "mailing_id", "created_at", "updated_at") VALUES (:u_id, :p_id, 'restful_api', 'complete', true, NULL, NULL, NULL, now(), now()) RETURNING "core_action"."id" \gset a_
SELECT COUNT(*) FROM "core_subscription" WHERE (("core_subscription"."user_id" = :u_id) AND ("core_subscription"."list_id" = :p_list_id));
INSERT INTO "core_subscription" ("user_id", "list_id", "created_at") VALUES (:u_id, :p_list_id, now());
INSERT INTO "core_subscriptionhistory" ("user_id", "list_id", "change", "cause", "action_id", "created_at") VALUES (:u_id, :p_list_id, 'subscribe', 'action', :a_id, now());
UPDATE "core_user" SET "subscription_status" = 'subscribed' WHERE ("core_user"."id" = :u_id);
UPDATE "core_action" SET "subscribed_user" = true WHERE ("core_action"."id" = :a_id);
SELECT "core_pagefollowup"."id", "core_pagefollowup"."page_id", "core_pagefollowup"."redirect_url", "core_pagefollowup"."send_email", "core_pagefollowup"."email_subject", "core_pagefollowup"."email_body", "core_pagefollowup"."send_taf", "core_pagefollowup"."taf_subject", "core_pagefollowup"."taf_body", "core_pagefollowup"."send_receipt" FROM "core_pagefollowup" WHERE ("core_pagefollowup"."page_id" = :p_id) LIMIT 1;
COMMIT;
