//! ActionKit's tags: `client_name` and friends (globals), `load_js`/`load_css` … `{% end %}`,
//! `once`, `switch`/`case` (the djangosnippets tag ActionKit sets load), `remember`,
//! `record`, `right_now`, `store` and `include_tmpl`. Entries of the tag table in `tags.rs`.

// Every handler has the table's signature, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use super::tags::{valid_name, Translator};

pub(super) fn tag_global(_: &mut Translator, name: &str, _: &[&str]) -> Result<String, String> {
    Ok(format!("{{{{ {name} }}}}"))
}

pub(super) fn tag_client_domain_url(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let path = match args.first() {
        Some(p) => t.expr(p)?,
        None => "none".into(),
    };
    Ok(format!("{{{{ _dj_client_domain_url({path}) }}}}"))
}

/// `{% load_js %}`/`{% load_css %}` … `{% end %}`: the URLs listed in the body become
/// `<script src>` and `<link rel="stylesheet">` tags (what ActionKit emits, uncombined).
pub(super) fn tag_load_js(t: &mut Translator, name: &str, _: &[&str]) -> Result<String, String> {
    let js = name == "load_js";
    t.push(if js { "load_js" } else { "load_css" }, &["end"], "{% endfilter %}");
    Ok(if js { "{% filter ak_load_js %}" } else { "{% filter ak_load_css %}" }.into())
}

pub(super) fn tag_once(t: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    let id = t.next_id();
    t.push("once", &["endonce"], "{% endif %}");
    Ok(format!("{{% if _dj_once(\"{}:{id}\") %}}", t.line))
}

pub(super) fn tag_switch(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let [value] = args else { return Err("'switch' takes one argument".into()) };
    let id = t.next_id();
    let var = format!("_dj_switch{id}");
    let value = t.expr(value)?;
    t.push("switch", &["endswitch"], "{% endif %}{% endwith %}");
    if let Some(open) = t.stack.last_mut() {
        open.name.clone_from(&var);
    }
    Ok(format!("{{% with {var} = {value} %}}{{% if false %}}"))
}

pub(super) fn tag_case(t: &mut Translator, name: &str, args: &[&str]) -> Result<String, String> {
    let Some(var) = t.stack.last().filter(|o| o.tag == "switch").map(|o| o.name.clone()) else {
        return Err(format!("Invalid block tag: '{name}' outside a 'switch'"));
    };
    match name {
        "default" => Ok("{% else %}".into()),
        "endcase" => Ok("{% elif false %}".into()),
        _ => {
            if args.is_empty() {
                return Err("'case' takes at least one value".into());
            }
            let tests = args
                .iter()
                .map(|a| Ok(format!("_dj_cmp({var}, \"==\", {})", t.expr(a)?)))
                .collect::<Result<Vec<_>, String>>()?;
            Ok(format!("{{% elif {} %}}", tests.join(" or ")))
        }
    }
}

pub(super) fn tag_remember(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let [value, "as", name] = args else { return Err("'remember' expects: remember value as name".into()) };
    Ok(format!("{{% set {} = {} %}}", valid_name(name)?, t.expr(value)?))
}

pub(super) fn tag_record(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let args = if args.first() == Some(&"reportresult") { &args[1..] } else { args };
    let [item, "in", list] = args else { return Err("'record' expects: record value in list".into()) };
    Ok(format!("{{{{ _dj_record({}, {}) }}}}", t.expr(list)?, t.expr(item)?))
}

pub(super) fn tag_right_now(_: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    Ok("{% set now = _dj_right_now() %}".into())
}

pub(super) fn tag_store(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let ["as", name] = args else { return Err("'store' expects: store as name".into()) };
    let name = valid_name(name)?;
    t.push("store", &["endstore"], "{% endset %}");
    Ok(format!("{{% set {name} %}}"))
}

pub(super) fn tag_include_tmpl(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let (value, escaped) = match args {
        [v] | [v, "unescaped"] => (v, false),
        [v, "escaped"] => (v, true),
        _ => return Err("'include_tmpl' expects: include_tmpl value [escaped|unescaped]".into()),
    };
    Ok(format!("{{{{ _dj_include_tmpl({}, {escaped}) }}}}", t.expr(value)?))
}
