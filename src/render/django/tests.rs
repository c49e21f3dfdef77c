//! Unit tests, construct by construct, named after the SPEC feature (T2) they cover. What
//! Django itself renders is checked by the differential test (`tests/app/django_diff.rs`);
//! these cover the translation, Django 1.8 behaviour newer Django changed, ActionKit's
//! tags and filters, and errors.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use serde_json::json;

use super::*;

fn render_set(files: &[(&str, &str)], ctx: &serde_json::Value) -> String {
    let files: HashMap<String, String> = files.iter().map(|(n, s)| ((*n).to_owned(), (*s).to_owned())).collect();
    let env = environment(move |name| files.get(name).cloned());
    env.get_template("main.html").unwrap().render(minijinja::Value::from_serialize(ctx)).unwrap()
}

fn render(src: &str, ctx: &serde_json::Value) -> String {
    render_set(&[("main.html", src)], ctx)
}

fn err(src: &str) -> TranslateError {
    translate(src).unwrap_err()
}

#[test]
fn t2_variables_translate_with_django_lookups() {
    assert_eq!(translate("{{ a.b.0 }}").unwrap(), "{{ (a.b|dj_call(\"0\")) }}");
    assert_eq!(translate("{{ d.items }}").unwrap(), "{{ (d|dj_call(\"items\")) }}");
    assert_eq!(translate("{{ x|default:\"y\" }}").unwrap(), "{{ x|dj_default(\"y\") }}");
    assert_eq!(translate("{{ block.super }}").unwrap(), "{{ super() }}");
    assert_eq!(translate("{{ loop }}").unwrap(), "{{ _dj_var(\"loop\") }}");
}

#[test]
fn t2_forloop_counter_translates() {
    let out = translate("{% for x in xs %}{{ forloop.counter }}{{ forloop.last }}{% endfor %}").unwrap();
    assert_eq!(out, "{% for x in (xs)|_dj_iter(false) %}{{ loop.index }}{{ loop.last }}{% endfor %}");
}

#[test]
fn t2_all_and_count_work_on_lists() {
    let ctx = json!({"xs": [1, 2, 3], "u": {"action_set": [{"id": 7}], "status": "ok"}});
    assert_eq!(render("{{ xs.count }}|{% for x in xs.all %}{{ x }}{% endfor %}", &ctx), "3|123");
    assert_eq!(render("{% for a in u.action_set.all %}{{ a.id }}{% endfor %}{{ u.get_status_display }}", &ctx), "7ok");
}

#[test]
fn t2_default_fires_on_any_falsy_value() {
    let ctx = json!({"e": "", "z": 0, "l": [], "n": null});
    assert_eq!(
        render("{{ e|default:'a' }}{{ z|default:'b' }}{{ l|default:'c' }}{{ n|default:'d' }}{{ m|default:'e' }}", &ctx),
        "abcde"
    );
}

#[test]
fn t2_bare_equals_and_ifequal_are_django_18() {
    let ctx = json!({"a": "x", "b": "x", "c": "y"});
    assert_eq!(render("{% if a = b %}eq{% endif %}", &ctx), "eq");
    assert_eq!(render("{% ifequal a b %}same{% else %}diff{% endifequal %}", &ctx), "same");
    assert_eq!(render("{% ifnotequal a c %}diff{% endifnotequal %}", &ctx), "diff");
}

#[test]
fn t2_filters_keep_django_18_output() {
    let ctx = json!({"t": "a\nb\n\nc", "long": "Hello wonderful world", "xs": [1, 2]});
    assert_eq!(render("{{ t|linebreaks }}", &ctx), "<p>a<br />b</p>\n\n<p>c</p>");
    assert_eq!(render("{{ t|linebreaksbr }}", &ctx), "a<br />b<br /><br />c");
    assert_eq!(render("{{ long|truncatechars:9 }}", &ctx), "Hello ...");
    assert_eq!(render("{{ long|truncatewords:2 }}", &ctx), "Hello wonderful ...");
    assert_eq!(render("{{ xs|length_is:2 }}", &ctx), "True");
}

#[test]
fn t2_string_literals_are_safe_like_django() {
    assert_eq!(render("{{ m|default:\"<b>x</b>\" }}", &json!({})), "<b>x</b>");
    assert_eq!(render("{{ \"it's\" }}", &json!({})), "it's");
}

#[test]
fn t2_multiline_tags_are_text() {
    let src = "a {% if x\n%}b{{ y\n}} {# c\n#}";
    assert_eq!(render(src, &json!({"x": true, "y": 1})), src);
}

#[test]
fn t2_client_templates_pass_through() {
    let src = "<script type=\"text/ak-template\">[% if (a) { %]{x}[%= b %][% } %]</script>";
    assert_eq!(render(src, &json!({})), src);
}

#[test]
fn t2_translation_keeps_line_numbers() {
    let src = "a\n{% if x %}\nb {{ y|upper }}\n{% comment %}\none\ntwo\n{% endcomment %}\n{% endif %}\nlast {{ z }}\n";
    let out = translate(src).unwrap();
    assert_eq!(out.lines().count(), src.lines().count());
    assert!(out.lines().nth(8).unwrap().contains("{{ z }}"));
}

#[test]
fn t2_unknown_tag_and_filter_name_construct_and_line() {
    let e = err("ok\n\n{% frobnicate %}");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("frobnicate"), "{e}");
    let e = err("{{ a }}\n{{ a|nosuchfilter }}");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("nosuchfilter"), "{e}");
    let e = err("{% for x in xs %}\n{% endif %}");
    assert!(e.message.contains("endif") && e.message.contains("endfor"), "{e}");
    let e = err("line\n{% if a %}never closed");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("Unclosed"), "{e}");
    assert!(err("{{ a|default }}").message.contains("default"));
    assert!(err("{{ a|upper:1 }}").message.contains("upper"));
    assert!(err("{{ _private }}").message.contains("underscores"));
    assert!(err("{% if %}{% endif %}").message.contains("if"));
    assert!(err("{{ }}").message.contains("Empty"));
    assert!(err("{% url 'no_such_route' %}").message.contains("no_such_route"));
    assert!(err("{% block a %}{% endblock b %}").message.contains("endblock"));
    assert!(err("{% filter safe %}x{% endfilter %}").message.contains("autoescape"));
    assert!(err("{% load x %}{% extends 'a.html' %}").message.contains("first tag"));
    assert!(translate("text {# c #}\n{% extends 'a.html' %}").is_ok());
}

#[test]
fn t2_garbage_never_panics() {
    for src in [
        "{% %}",
        "{{ | }}",
        "{{ a| }}",
        "{{ a|b: }}",
        "{% if and %}",
        "{% for %}",
        "{% with %}",
        "{% cycle %}",
        "{% include %}",
        "{{ \"unterminated }}",
        "{% if a == %}x{% endif %}",
        "{% templatetag x %}",
        "{{ a.. }}",
        "{{ 1. }}",
        "{% endfor %}",
        "{% empty %}",
        "{% case 1 %}",
        "{% block %}",
        "{% extends %}",
        "{{ a|slice:'::0' }}",
    ] {
        let _ = translate(src);
    }
    assert_eq!(render("{{ xs|slice:'::0' }}|{{ 5|add:'x' }}|{{ 'a'|floatformat:'x' }}", &json!({"xs": [1]})), "[1]||");
}

#[test]
fn t2_url_table() {
    let ctx = json!({"page": {"name": "save whales"}});
    assert_eq!(
        render("{% url 'act' %} {% url \"sign\" page.name %} {% url 'cms' 'signup' 'x' as u %}[{{ u }}]", &ctx),
        "/act/ /sign/save%20whales/ [/cms/signup/x/]"
    );
}

#[test]
fn t2_cycle_named_reference_advances() {
    let src = "{% for x in xs %}{% cycle 'a' 'b' 'c' as c %}{% cycle c %} {% endfor %}";
    assert_eq!(render(src, &json!({"xs": [1, 2]})), "ab ca ");
    assert_eq!(render("{% for x in xs %}{% cycle r1,r2 %}{% endfor %}", &json!({"xs": [1, 2, 3]})), "r1r2r1");
}

#[test]
fn t2_now_formats_the_current_year() {
    let year = chrono::Local::now().format("%Y").to_string();
    assert_eq!(render("{% now \"Y\" %}", &json!({})), year);
}

#[test]
fn t2_date_formats_php_style() {
    let ctx = json!({"d": "2024-03-05T09:07:09", "d2": "2024-03-05", "z": "2024-03-05T09:07:09+02:00"});
    assert_eq!(render("{{ d|date:\"D j M Y, h:i a, z, U\" }}", &ctx), "Tue 5 Mar 2024, 09:07 a.m., 64, 1709629629");
    assert_eq!(render("{{ d2|date:\"jS F\" }} {{ z|date:\"H:i\" }} {{ d|time }}", &ctx), "5th March 09:07 9:07 a.m.");
}

#[test]
fn t2_include_only_and_with() {
    let files = [
        (
            "main.html",
            "{% include \"./p.html\" with a=1 only %}|{% include './p.html' with a=2 %}|{% include 'p.html' %}",
        ),
        ("p.html", "{{ a }}{{ b }}"),
    ];
    assert_eq!(render_set(&files, &json!({"b": "B"})), "1|2B|B");
}

#[test]
fn t2_ak_text_uses_the_lookup_global_else_the_fallback() {
    assert_eq!(
        render("{{ \"Sign\"|ak_text:\"submit\" }}|{% filter ak_text:\"x\" %}<b>Body</b>{% endfilter %}", &json!({})),
        "Sign|<b>Body</b>"
    );
    let mut env = environment(|_| Some("{{ \"Sign\"|ak_text:\"submit\" }} {{ \"Other\"|ak_text:\"nope\" }}".into()));
    env.add_function(
        "__ak_text",
        |key: String, fallback: minijinja::Value| {
            if key == "submit" {
                minijinja::Value::from("Unterschreiben")
            } else {
                fallback
            }
        },
    );
    assert_eq!(env.get_template("main.html").unwrap().render(()).unwrap(), "Unterschreiben Other");
}

#[test]
fn t2_actionkit_filters() {
    let ctx = json!({"xs": ["a", "b", "c"], "d": {"k": "v"}, "n": 1_234_567.5, "i": 1000, "s": "  a \n\n  b  ",
        "html": "<p>&nbsp;</p>", "code": "EUR", "when": "2024-01-30T10:00:00"});
    assert_eq!(
        render("{{ xs|nth:1 }} {{ d|get:'k' }} {{ i|commify }} {{ n|commify }} {{ code|iso_currency_symbol }}", &ctx),
        "b v 1,000 1,234,567.5 €"
    );
    assert_eq!(
        render("{{ html|is_nonblank }} {{ 'x'|is_nonblank }} {{ 'b'|is_in:xs }} {{ xs|contains:'z' }}", &ctx),
        "False True True False"
    );
    assert_eq!(
        render("[{{ s|strip }}] [{{ s|single_line }}] [{{ s|collapse_spaces }}] [{{ s|remove_blank_lines }}]", &ctx),
        "[a \n\n  b] [a b] [ a\nb ] [  a \n  b  ]"
    );
    assert_eq!(
        render("{{ 'a,b'|split:',' |join:'+' }} {{ 'abcdef'|truncateletters:3 }} {{ 'a'|concatenate:'b' }}", &ctx),
        "a+b abc ab"
    );
    assert_eq!(
        render("{{ xs|json }} {{ missing|is_defined }} {{ xs|is_defined }} {{ 'x'|force_list|length }}", &ctx),
        "[&quot;a&quot;,&quot;b&quot;,&quot;c&quot;] False True 1".replace("&quot;", "\"")
    );
    assert_eq!(
        render("{{ when|date_add:'days=3 hours=2'|date:'Y-m-d H' }} {{ '<x>'|escapeall }}", &ctx),
        "2024-02-02 12 &lt;x&gt;"
    );
}

#[test]
fn t2_actionkit_tags() {
    let ctx = json!({"client_name": "Org", "client_domain": "act.example.org", "v": "b"});
    let src = "{% client_name %} {% client_domain %} {% client_domain_url '/x' %} {% load_js %}js(){% end %}\
        {% once %}1{% endonce %}{% once %}2{% endonce %} {% switch v %} {% case 'a' %}A{% case 'b' 'c' %}BC{% default %}D{% endswitch %}\
        {% store as s %}<i>{{ v }}</i>{% endstore %}[{{ s }}] {% remember v|upper as r %}{{ r }}\
        {% withevents %}{{ anything|unknownfilter }}{% endwithevents %}{% stripe_js_libs %}{% braintree_js_libs %}{% facebook_app %}\
        {% hide_by_default 'zip' %}{% field_order 'a' 'b' %}{% load_ak_context %}";
    assert_eq!(render(src, &ctx), "Org act.example.org https://act.example.org/x 12 BC[<i>b</i>] B");
}

#[test]
fn t2_record_appends_to_a_load_json_list() {
    let src = "{% with '[]'|load_json as score %}{% for x in xs %}{% if x > 1 %}{% record x in score %}{% endif %}{% endfor %}\
        {{ score|length }}:{{ score|join:',' }}{% endwith %}";
    assert_eq!(render(src, &json!({"xs": [1, 2, 3]})), "2:2,3");
}

#[test]
fn t2_right_now_sets_now() {
    let year = chrono::Local::now().format("%Y").to_string();
    assert_eq!(render("{% right_now %}{{ now|date:'Y' }}", &json!({})), year);
}

#[test]
fn t2_include_tmpl_renders_page_text_with_the_context() {
    let ctx = json!({"form": {"thank_you_text": "<p>Thanks, {{ user.first_name|default:'friend' }}!</p>"}, "user": {"first_name": "A&B"}});
    assert_eq!(render("{% include_tmpl form.thank_you_text %}", &ctx), "<p>Thanks, A&amp;B!</p>");
    assert_eq!(
        render("{% include_tmpl form.thank_you_text escaped %}", &ctx),
        "&lt;p&gt;Thanks, A&amp;amp;B!&lt;/p&gt;"
    );
}

#[test]
fn t2_verbatim_and_templatetag() {
    assert_eq!(
        render("{% verbatim %}{{ a }}{% endverbatim %}{% templatetag openvariable %}", &json!({"a": 1})),
        "{{ a }}{{"
    );
}

#[test]
fn t2_spaceless_and_autoescape() {
    assert_eq!(render("{% spaceless %} <p> <b>x</b> </p> {% endspaceless %}", &json!({})), "<p><b>x</b></p>");
    assert_eq!(render("{% autoescape off %}{{ h }}{% endautoescape %}{{ h }}", &json!({"h": "<i>"})), "<i>&lt;i&gt;");
}

#[test]
fn t2_extends_block_super_three_levels() {
    let files = [
        ("main.html", "{% extends './mid.html' %}{% block b %}3{{ block.super }}{% endblock b %}"),
        ("mid.html", "{% extends './base.html' %}{% block b %}2{{ block.super }}{% endblock %}"),
        ("base.html", "<{% block b %}1{% endblock %}>"),
    ];
    assert_eq!(render_set(&files, &json!({})), "<321>");
}

#[test]
fn t2_python_slicing_and_add() {
    let ctx = json!({"xs": [0, 1, 2, 3, 4, 5], "s": "abcdef"});
    assert_eq!(
        render("{{ xs|slice:'1:-1:2'|join:'' }} {{ s|slice:'::-2' }} {{ s|slice:'-2' }} {{ xs|slice:'10:' }}", &ctx),
        "13 fdb abcd []"
    );
    assert_eq!(render("{{ 1.9|add:1 }} {{ '1'|add:'2' }} {{ 'a'|add:'b' }} {{ xs|add:xs|length }}", &ctx), "2 3 ab 12");
}

#[test]
fn t2_load_js_and_load_css_list_urls() {
    let src = "{% load_css %}\n  /media/a.css?1=2\n\n  https://x.org/b.css\n{% end %}|{% load_js %}\n  //cdn/jquery.min.js\n  /resources/actionkit.js\n{% end %}";
    assert_eq!(
        render(src, &json!({})),
        "<link rel=\"stylesheet\" href=\"/media/a.css?1=2\" />\n<link rel=\"stylesheet\" href=\"https://x.org/b.css\" />|\
         <script src=\"//cdn/jquery.min.js\"></script>\n<script src=\"/resources/actionkit.js\"></script>"
    );
}

#[test]
fn t2_tag_links_and_report() {
    let src = "{% filter referring_akid:akid|tag_links:\"source=taf\" %}See https://a.org/x and http://b.org/?q=1.{% endfilter %}\
        {% store as s %}{% report \"some_report\" with 1 as refresh page.id as page_id %}{% endstore %}[{{ s }}]";
    assert_eq!(
        render(src, &json!({"akid": "1.2"})),
        "See https://a.org/x?source=taf and http://b.org/?q=1.&source=taf[]"
    );
}

#[test]
fn t2_shipped_and_corpus_templates_translate_line_for_line() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [root.join("templatesets/original"), root.join("tests/django/corpus")];
    for entry in dirs.iter().flat_map(|d| std::fs::read_dir(d).unwrap()) {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let out = translate(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(out.lines().count(), source.lines().count(), "{}", path.display());
    }
}

#[test]
fn t2_hostile_values_and_self_inclusion_fail_cleanly() {
    let ctx = json!({"e": "1e999999999", "min": i64::MIN, "n": "get_display"});
    assert_eq!(
        render("[{{ e|floatformat:2 }}][{{ min|divisibleby:-1 }}][{{ 'x'|center:999999999|length }}]", &ctx),
        "[][False][10000]"
    );
    assert_eq!(render("[{{ ctx.get_display }}][{{ xs|columns:99999999999|length }}]", &json!({"xs": [1, 2]})), "[][2]");
    let env = environment(|_| Some("{% include 'main.html' with a=1 only %}".into()));
    assert!(env.get_template("main.html").unwrap().render(()).is_err());
    let env = environment(|_| Some("{% include_tmpl t %}".into()));
    let ctx = minijinja::context! { t => "{% include_tmpl t %}" };
    assert!(env.get_template("main.html").unwrap().render(ctx).is_err());
}

#[test]
fn t2_real_templateset_idioms_render() {
    let ctx = json!({
        "filename": "petition.html", "page": {"type": "Petition", "lang": {"iso_code": "de"}, "id": 7},
        "context": {"required": ["email", "zip"]}, "user_fields": [{"field_name": "email", "label_text": "E-Mail"},
            {"field_name": "country", "label_text": "Land"}, {"field_name": "zip", "label_text": "PLZ"}],
        "akid": ".1.abc", "page_followup": {"taf_body": "Read http://x.org/p"}
    });
    let src = "{% load actionkit_tags switchcase %}<body class=\"ak-pagetype-{{ filename|split:'.'|nth:0 }} \
        ak-lang-{{page.lang.iso_code|default:\"unknown\"}}\">{% field_order name email zip %}{% hide_by_default zip %}\
        {% for field in user_fields %}<i{% if field.field_name|is_in:context.required %} class=\"req\"{% endif %}>\
        {% switch field.field_name %}{% case 'country' %}[select]{% else %}{{ field.label_text }}{% endswitch %}</i>{% endfor %}\
        {% if not page.type == 'Unsubscribe' %}!{% endif %}\
        {% store as kind %}{% report \"custom_field_from_page_or_campaign\" with 1 as refresh page.id as page_id \"t\" as field_name %}{% endstore %}\
        {% if kind == \"youmove\" %}YM{% else %}WM{% endif %}\
        <a href=\"mailto:?body={% filter referring_akid:akid|tag_links:\"source=mailto\"|urlencode %}{% include_tmpl page_followup.taf_body unescaped %}{% endfilter %}\">";
    assert_eq!(
        render(src, &ctx),
        "<body class=\"ak-pagetype-petition ak-lang-de\"><i class=\"req\">E-Mail</i><i>[select]</i><i class=\"req\">PLZ</i>!WM\
         <a href=\"mailto:?body=Read%20http%3A//x.org/p%3Fsource%3Dmailto\">"
    );
}

#[test]
fn t2_ifchanged_regroup_widthratio_dictsort() {
    let ctx = json!({"ps": [{"g": "a", "n": 2}, {"g": "a", "n": 1}, {"g": "b", "n": 3}]});
    let src = "{% for p in ps %}{% ifchanged p.g %}[{{ p.g }}]{% endifchanged %}{% endfor %}|\
        {% regroup ps by g as gs %}{% for g in gs %}{{ g.grouper }}{{ g.list|length }}{% endfor %}|\
        {% widthratio 175 200 100 %}|{% for p in ps|dictsort:'n' %}{{ p.n }}{% endfor %}";
    assert_eq!(render(src, &ctx), "[a][b]|a2b1|88|123");
}

#[test]
fn t2_include_tmpl_resolves_includes_in_the_current_set() {
    let files: HashMap<&str, &str> =
        [("set/main.html", "{% include_tmpl text %}"), ("set/part.html", "part {{ who }}")].into_iter().collect();
    let env = environment(move |name| files.get(name).map(|s| (*s).to_owned()));
    let ctx = minijinja::context! { text => "{% include './part.html' %}!", who => "<A>" };
    assert_eq!(env.get_template("set/main.html").unwrap().render(ctx).unwrap(), "part &lt;A&gt;!");
}

#[test]
fn t2_lookups_on_none_render_empty() {
    let ctx = json!({"n": null, "u": {"n": null}});
    assert_eq!(
        render(
            "[{{ n.x }}][{{ n.0 }}][{{ u.n.x.y }}][{% for a in n.items %}x{% endfor %}][{{ n.x|default:'d' }}]",
            &ctx
        ),
        "[][][][][d]"
    );
}

#[test]
fn t2_unsupported_feature_tags_warn() {
    let src =
        "{% comment %}x{% endcomment %}\n{% withevents %}{% endwithevents %}\n{% stripe_js_libs %}{% report 'r' %}";
    let lines: Vec<usize> = warnings(src).into_iter().map(|(line, _)| line).collect();
    assert_eq!(lines, vec![2, 3, 3]);
}

#[test]
fn t2_comparing_with_a_string_literal_is_pythons_equality_without_a_call() {
    assert_eq!(translate("{% if r == \"zip\" %}{% endif %}").unwrap(), "{% if (r == \"zip\") %}{% endif %}");
    assert_eq!(translate("{% if 'zip' != r %}{% endif %}").unwrap(), "{% if (\"zip\" != r) %}{% endif %}");
    let src = "{% if v == \"1\" %}eq{% endif %}{% if v != \"1\" %}ne{% endif %}";
    let cases = [(json!({"v": "1"}), "eq"), (json!({"v": 1}), "ne"), (json!({"v": null}), "ne"), (json!({}), "ne")];
    for (ctx, want) in cases {
        assert_eq!(render(src, &ctx), want, "{ctx}");
    }
    // A literal with characters HTML escapes is a safe string: still compared as a string.
    assert_eq!(render("{% if v == \"<b>\" %}eq{% endif %}", &json!({"v": "<b>"})), "eq");
}
