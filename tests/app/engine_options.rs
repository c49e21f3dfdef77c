//! Engine options and user fields (SPEC A5, A7): name splitting, phones both ways, lists
//! with and without `opt_in`, `unsub_all`, and bad list ids refused with nothing stored.

use crate::helpers::both_backends;
use diesel::prelude::*;
use placard::db::schema::{core_list, core_phone, core_subscription, core_subscriptionhistory, core_user};
use serde_json::json;

fn second_list(app: &crate::helpers::TestApp) -> i64 {
    app.query(|c| core_list::table.filter(core_list::is_default.eq(false)).select(core_list::id).first(c))
}

both_backends!(a5_a_single_name_is_split_into_its_parts, |app| {
    let (status, _, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "jq@example.org", "name": "Dr. Jane Q. Public Jr."}),
        )
        .await;
    assert_eq!(status, 201);
    let parts = app.query(|c| {
        core_user::table
            .select((
                core_user::prefix,
                core_user::first_name,
                core_user::middle_name,
                core_user::last_name,
                core_user::suffix,
            ))
            .first::<(String, String, String, String, String)>(c)
    });
    assert_eq!(parts, ("Dr.".into(), "Jane".into(), "Q.".into(), "Public".into(), "Jr.".into()));
});

both_backends!(a5_name_satisfies_required_first_and_last_names, |app| {
    let (status, body, _) = app
        .post_json("/rest/v1/action/", json!({"page": "save-the-bees", "email": "n@example.org", "name": "Ann Lee"}))
        .await;
    assert_eq!(status, 201, "{body}");
});

both_backends!(a5_phones_by_type_and_by_typed_fields, |app| {
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "p@example.org", "phone": "+1 (555) 010-0000", "phone_type": "mobile", "work_phone": "555-0101"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut phones = app.query(|c| {
        core_phone::table.select((core_phone::type_, core_phone::normalized_phone)).load::<(String, String)>(c)
    });
    phones.sort();
    assert_eq!(phones, vec![("mobile".into(), "+15550100000".into()), ("work".into(), "5550101".into())]);
    app.post_json(
        "/rest/v1/action/",
        json!({"page": "stay-informed", "email": "p@example.org", "mobile_phone": "555 0199"}),
    )
    .await;
    let count = app.query(|c| core_phone::table.count().get_result::<i64>(c));
    assert_eq!(count, 2, "a new mobile number replaces the old one");
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "q@example.org", "home_phone": "call me"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["home_phone"].is_array(), "{body}");
});

both_backends!(a7_lists_replace_the_page_list_and_opt_in_subscribes_only_to_them, |app| {
    let other = second_list(&app);
    app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "l@example.org", "lists": [other]}))
        .await;
    let lists = app.query(|c| core_subscription::table.select(core_subscription::list_id).load::<i64>(c));
    assert_eq!(lists, vec![other], "lists given: only those");
    let (_, body, _) = app
        .post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "o@example.org", "opt_in": 1}))
        .await;
    assert!(body["action_id"].is_number());
    let subs = app.query(|c| {
        core_subscription::table
            .inner_join(core_user::table)
            .filter(core_user::email.eq("o@example.org"))
            .count()
            .get_result::<i64>(c)
    });
    assert_eq!(subs, 0, "opt_in without lists subscribes to nothing");
});

both_backends!(a7_non_numeric_or_unknown_list_ids_are_refused_and_nothing_stored, |app| {
    for lists in [json!(["abc"]), json!([99999])] {
        let (status, body, _) = app
            .post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "x@example.org", "lists": lists}))
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["errors"]["lists"].is_array(), "{body}");
    }
    assert_eq!(app.counts(), (0, 0, 0));
});

both_backends!(a7_unsub_all_on_any_action_leaves_every_list, |app| {
    let other = second_list(&app);
    app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "u@example.org", "lists": [1, other]}))
        .await;
    assert_eq!(app.counts().2, 2);
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "save-the-bees", "email": "u@example.org", "name": "U Ser", "unsub_all": "1"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.counts().2, 0);
    let causes = app.query(|c| {
        core_subscriptionhistory::table
            .filter(core_subscriptionhistory::change.eq("unsubscribe"))
            .select(core_subscriptionhistory::cause)
            .load::<String>(c)
    });
    assert_eq!(causes, vec!["unsub_all".to_owned(), "unsub_all".to_owned()]);
});
