//! The tag table: each Django/ActionKit tag name → a translator that emits minijinja for
//! it on the same line. Block tags push what they expect to close them; `else`, `elif`,
//! `empty` and `case` check the innermost open tag, as Django's parser does.

// Every handler has the table's signature, even those that cannot fail.
#![allow(clippy::unnecessary_wraps)]

use std::collections::{HashMap, HashSet};

use super::ak_tags::{
    tag_case, tag_client_domain_url, tag_global, tag_include_tmpl, tag_load_js, tag_once, tag_record, tag_remember,
    tag_right_now, tag_store, tag_switch,
};
use super::expr::{condition, filter_chain, filter_expr, smart_split, string_literal, Scope};
use super::runtime::ROUTES;

/// An open block tag waiting for its end tag.
pub(crate) struct Open {
    pub tag: &'static str,
    pub line: usize,
    pub ends: &'static [&'static str],
    /// What the end tag emits.
    pub close: String,
    pub is_loop: bool,
    /// `block`'s name (for `endblock name`) or `switch`'s variable.
    pub name: String,
}

#[derive(Default)]
pub(crate) struct Translator {
    pub out: String,
    pub stack: Vec<Open>,
    pub loop_depth: usize,
    /// The source names `parentloop`, so every loop records itself.
    pub parentloop: bool,
    pub line: usize,
    counter: usize,
    blocks: HashSet<String>,
    named_cycles: HashMap<String, bool>,
    /// A tag or variable came before: `extends` is no longer allowed.
    pub seen_tag: bool,
    /// The id of the last `{% cycle %}` so far (what a bare `{% resetcycle %}` resets).
    last_cycle: Option<String>,
}

type Handler = fn(&mut Translator, &str, &[&str]) -> Result<String, String>;

/// Every tag a template may use; anything else is an "Invalid block tag" error.
const TAGS: &[(&str, Handler)] = &[
    ("if", tag_if),
    ("elif", tag_elif),
    ("else", tag_else),
    ("ifequal", tag_ifequal),
    ("ifnotequal", tag_ifequal),
    ("ifchanged", tag_ifchanged),
    ("for", tag_for),
    ("empty", tag_empty),
    ("with", tag_with),
    ("block", tag_block),
    ("extends", tag_extends),
    ("include", tag_include),
    ("filter", tag_filter),
    ("autoescape", tag_autoescape),
    ("load", nothing),
    ("csrf_token", nothing),
    ("url", tag_url),
    ("cycle", tag_cycle),
    ("resetcycle", tag_resetcycle),
    ("regroup", tag_regroup),
    ("now", tag_now),
    ("firstof", tag_firstof),
    ("spaceless", tag_spaceless),
    ("verbatim", tag_verbatim),
    ("templatetag", tag_templatetag),
    // ActionKit.
    ("client_name", tag_global),
    ("client_domain", tag_global),
    ("client_ssl_domain", tag_global),
    ("client_domain_url", tag_client_domain_url),
    ("load_js", tag_load_js),
    ("load_css", tag_load_js),
    ("load_ak_context", nothing),
    ("load_prefill", nothing),
    ("field_order", nothing),
    ("hide_by_default", nothing),
    ("facebook_app", nothing),
    // Saved reports run SQL in ActionKit's database; Placard has none to run.
    ("report", nothing),
    ("cache_report", nothing),
    ("widthratio", tag_widthratio),
    ("once", tag_once),
    ("switch", tag_switch),
    ("case", tag_case),
    ("default", tag_case),
    ("endcase", tag_case),
    ("remember", tag_remember),
    ("record", tag_record),
    ("right_now", tag_right_now),
    ("store", tag_store),
    ("include_tmpl", tag_include_tmpl),
];

/// Tags whose whole body renders as nothing (features Placard does not have yet).
pub(crate) const SKIPPED_BLOCKS: &[&str] = &["comment", "withevents", "withevent", "withcampaign", "withcampaigns"];

/// Single tags for event, recurring and payment-vendor features: they render nothing.
pub(crate) fn is_vendor_tag(name: &str) -> bool {
    name.ends_with("_js_libs") || name.starts_with("stripe_") || name.starts_with("braintree_")
}

fn nothing(_: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    Ok(String::new())
}

pub(crate) fn valid_name(name: &str) -> Result<&str, String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !["loop", "self", "super", "true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is"]
            .contains(&name);
    if ok {
        Ok(name)
    } else {
        Err(format!("'{name}' cannot be used as a variable name here"))
    }
}

impl Translator {
    pub(crate) fn scope(&self) -> Scope {
        Scope { loop_depth: self.loop_depth }
    }

    pub(crate) fn expr(&self, bit: &str) -> Result<String, String> {
        filter_expr(bit, self.scope())
    }

    pub(crate) fn next_id(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn push(&mut self, tag: &'static str, ends: &'static [&'static str], close: impl Into<String>) {
        self.stack.push(Open { tag, line: self.line, ends, close: close.into(), is_loop: false, name: String::new() });
    }

    /// Translates one `{% … %}` tag (its trimmed inside).
    pub(crate) fn tag(&mut self, inner: &str) -> Result<String, String> {
        let bits = smart_split(inner);
        let Some(&name) = bits.first() else { return Err("Empty block tag".into()) };
        if let Some((_, handler)) = TAGS.iter().find(|(n, _)| *n == name) {
            return handler(self, name, &bits[1..]);
        }
        if let Some(top) = self.stack.last() {
            if top.ends.contains(&name) {
                return self.end(name, &bits[1..]);
            }
        }
        if is_vendor_tag(name) {
            return Ok(String::new());
        }
        match self.stack.last() {
            Some(top) => Err(format!("Invalid block tag: '{name}', expected '{}'", top.ends.join("' or '"))),
            None => Err(format!("Invalid block tag: '{name}'. Did you forget to register or load this tag?")),
        }
    }

    fn end(&mut self, name: &str, args: &[&str]) -> Result<String, String> {
        let Some(open) = self.stack.pop() else { return Err(format!("Unexpected end tag '{name}'")) };
        if open.tag == "block" {
            if let Some(given) = args.first() {
                if *given != open.name {
                    return Err(format!(
                        "Invalid block tag: 'endblock {given}', expected 'endblock' or 'endblock {}'",
                        open.name
                    ));
                }
            }
        }
        if open.is_loop {
            self.loop_depth -= 1;
        }
        Ok(open.close)
    }
}

fn tag_if(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let cond = condition(args, t.scope())?;
    t.push("if", &["endif"], "{% endif %}");
    Ok(format!("{{% if {cond} %}}"))
}

fn tag_elif(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    if t.stack.last().map(|o| o.tag) != Some("if") {
        return Err("Invalid block tag: 'elif' outside an 'if'".into());
    }
    Ok(format!("{{% elif {} %}}", condition(args, t.scope())?))
}

fn tag_else(t: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    if let Some(open) = t.stack.last_mut().filter(|o| o.tag == "ifchanged") {
        // The content form compares what its body rendered: close the capture first.
        let test = std::mem::replace(&mut open.close, "{% endif %}".into());
        return Ok(test.strip_suffix("{% endif %}").map_or(test.clone(), |t| format!("{t}{{% else %}}")));
    }
    match t.stack.last().map(|o| o.tag) {
        Some("if" | "ifequal" | "switch") => Ok("{% else %}".into()),
        _ => Err("Invalid block tag: 'else' outside an 'if'".into()),
    }
}

fn tag_ifequal(t: &mut Translator, name: &str, args: &[&str]) -> Result<String, String> {
    let [a, b] = args else { return Err(format!("{name} takes two arguments")) };
    let cmp = format!("_dj_cmp({}, \"==\", {})", t.expr(a)?, t.expr(b)?);
    let (ends, cond): (&'static [&'static str], _) =
        if name == "ifequal" { (&["endifequal"], cmp) } else { (&["endifnotequal"], format!("not {cmp}")) };
    t.push("ifequal", ends, "{% endif %}");
    Ok(format!("{{% if {cond} %}}"))
}

/// `{% ifchanged [values] %}`: renders when the values (or, without values, its own
/// output) differ from the previous iteration of the enclosing loop.
fn tag_ifchanged(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let id = t.next_id();
    if args.is_empty() {
        let var = format!("_dj_changed{id}");
        let close =
            format!("{{% endset %}}{{% if _dj_changed(\"{id}\", loop.first, {var}) %}}{{{{ {var} }}}}{{% endif %}}");
        t.push("ifchanged", &["endifchanged"], close);
        return Ok(format!("{{% set {var} %}}"));
    }
    let values = args.iter().map(|a| t.expr(a)).collect::<Result<Vec<_>, _>>()?.join(", ");
    t.push("ifchanged", &["endifchanged"], "{% endif %}");
    Ok(format!("{{% if _dj_changed(\"{id}\", loop.first, [{values}]) %}}"))
}

fn tag_for(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let reversed = args.last() == Some(&"reversed");
    let args = if reversed { &args[..args.len() - 1] } else { args };
    let [vars @ .., "in", seq] = args else {
        return Err(format!("'for' statements should use the format 'for x in y': for {}", args.join(" ")));
    };
    let joined = vars.join(" ");
    let names: Vec<&str> = joined.split(',').map(str::trim).collect();
    if names.iter().any(|n| n.is_empty() || n.contains(' ')) {
        return Err(format!("'for' tag received an invalid argument: for {}", args.join(" ")));
    }
    let names = names.into_iter().map(valid_name).collect::<Result<Vec<_>, _>>()?;
    let seq = t.expr(seq)?;
    t.loop_depth += 1;
    t.stack.push(Open {
        tag: "for",
        line: t.line,
        ends: &["endfor"],
        close: "{% endfor %}".into(),
        is_loop: true,
        name: String::new(),
    });
    let record = if t.parentloop { format!("{{% set _dj_loop{} = loop %}}", t.loop_depth) } else { String::new() };
    // A filter, not a function: filters are found by name alone, without first searching
    // every frame's variables for one called `_dj_iter`.
    Ok(format!("{{% for {} in ({seq})|_dj_iter({reversed}) %}}{record}", names.join(", ")))
}

fn tag_empty(t: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    if t.stack.last().map(|o| o.tag) != Some("for") {
        return Err("Invalid block tag: 'empty' outside a 'for'".into());
    }
    Ok("{% else %}".into())
}

/// `a=b c=d` (or `b as a`) as minijinja's `a=B, c=D`.
fn assignments(t: &Translator, tag: &str, args: &[&str]) -> Result<String, String> {
    Ok(assignment_pairs(t, tag, args)?.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))
}

fn assignment_pairs(t: &Translator, tag: &str, args: &[&str]) -> Result<Vec<(String, String)>, String> {
    if let [value, "as", name] = args {
        return Ok(vec![(valid_name(name)?.to_owned(), t.expr(value)?)]);
    }
    let mut out = vec![];
    for arg in args {
        let Some((name, value)) =
            arg.split_once('=').filter(|(n, _)| n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        else {
            return Err(format!("'{tag}' expected name=value arguments, got '{arg}'"));
        };
        out.push((valid_name(name)?.to_owned(), t.expr(value)?));
    }
    if out.is_empty() {
        return Err(format!("'{tag}' expected at least one variable assignment"));
    }
    Ok(out)
}

fn tag_with(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let assigned = assignments(t, "with", args)?;
    t.push("with", &["endwith"], "{% endwith %}");
    Ok(format!("{{% with {assigned} %}}"))
}

fn tag_block(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let [name] = args else { return Err("'block' tag takes only one argument".into()) };
    let name = valid_name(name)?;
    if !t.blocks.insert(name.to_owned()) {
        return Err(format!("'block' tag with name '{name}' appears more than once"));
    }
    t.push("block", &["endblock"], "{% endblock %}");
    if let Some(open) = t.stack.last_mut() {
        name.clone_into(&mut open.name);
    }
    Ok(format!("{{% block {name} %}}"))
}

fn tag_extends(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let [parent] = args else { return Err("'extends' takes one argument".into()) };
    if t.seen_tag {
        return Err("{% extends %} must be the first tag in the template.".into());
    }
    Ok(format!("{{% extends {} %}}", t.expr(parent)?))
}

fn tag_include(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let Some((name, options)) = args.split_first() else {
        return Err("'include' tag takes at least one argument".into());
    };
    let name = t.expr(name)?;
    let (only, options) = match options.iter().position(|o| *o == "only") {
        Some(i) => (true, [&options[..i], &options[i + 1..]].concat()),
        None => (false, options.to_vec()),
    };
    let with = match options.split_first() {
        None => None,
        Some((&"with", kv)) => Some(assignment_pairs(t, "include", kv)?),
        Some((other, _)) => return Err(format!("Unknown argument for 'include' tag: '{other}'")),
    };
    Ok(match (only, with) {
        (false, None) => format!("{{% include {name} %}}"),
        (false, Some(w)) => {
            let w: Vec<String> = w.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{{% with {} %}}{{% include {name} %}}{{% endwith %}}", w.join(", "))
        }
        (true, w) => {
            let map: Vec<String> = w.unwrap_or_default().iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
            format!("{{{{ _dj_include_only({name}, {{{}}}) }}}}", map.join(", "))
        }
    })
}

fn tag_filter(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let chain = args.join(" ");
    for name in chain.split('|').map(|f| f.split(':').next().unwrap_or_default().trim()) {
        if name == "escape" || name == "safe" {
            return Err(format!("\"filter {name}\" is not permitted.  Use the \"autoescape\" tag instead."));
        }
    }
    let chain = filter_chain(&chain, t.scope())?;
    t.push("filter", &["endfilter"], "{% endfilter %}");
    // Django inserts a filter block's result as it is, never escaping it again.
    Ok(format!("{{% filter {chain}|dj_safe %}}"))
}

fn tag_autoescape(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let on = match args {
        ["on"] => "true",
        ["off"] => "false",
        _ => return Err("'autoescape' argument should be 'on' or 'off'".into()),
    };
    t.push("autoescape", &["endautoescape"], "{% endautoescape %}");
    Ok(format!("{{% autoescape {on} %}}"))
}

/// `… as name` at the end of a tag: (the other arguments, the name).
fn split_as<'a, 'b>(args: &'b [&'a str]) -> Result<(&'b [&'a str], Option<&'a str>), String> {
    match args {
        [rest @ .., "as", name] => Ok((rest, Some(valid_name(name)?))),
        _ => Ok((args, None)),
    }
}

fn emit(value: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{{% set {n} = {value} %}}"),
        None => format!("{{{{ {value} }}}}"),
    }
}

fn tag_url(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let (args, name) = split_as(args)?;
    let Some((view, rest)) = args.split_first() else {
        return Err("'url' takes at least one argument, the route name".into());
    };
    if let Some(literal) = view.strip_prefix(['"', '\'']).map(|v| v.trim_end_matches(['"', '\''])) {
        if !ROUTES.iter().any(|(n, _)| *n == literal) {
            let known: Vec<&str> = ROUTES.iter().map(|(n, _)| *n).collect();
            return Err(format!("url: no route named '{literal}' (known: {})", known.join(", ")));
        }
    }
    let mut call = vec![t.expr(view)?];
    for arg in rest {
        match arg.split_once('=').filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_')) {
            Some((k, v)) => call.push(format!("{k}={}", t.expr(v)?)),
            None => call.push(t.expr(arg)?),
        }
    }
    Ok(emit(&format!("_dj_url({})", call.join(", ")), name))
}

fn tag_cycle(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    // Django 1.8 still reads the old `{% cycle a,b,c %}` as three literal strings.
    let quoted: Vec<String>;
    let mut owned: Vec<&str>;
    let args = match args.split_first() {
        Some((first, rest)) if first.contains(',') && !first.starts_with(['"', '\'']) => {
            quoted = first.split(',').map(|v| format!("\"{v}\"")).collect();
            owned = quoted.iter().map(String::as_str).collect();
            owned.extend_from_slice(rest);
            &owned[..]
        }
        _ => args,
    };
    match args {
        [] => Err("'cycle' tag requires at least two arguments".into()),
        [name] => {
            let Some(&silent) = t.named_cycles.get(*name) else {
                return Err(format!("No named cycles in template. '{name}' is not defined"));
            };
            let set = format!("{{% set {name} = _dj_cycle_next({}) %}}", string_literal(name));
            Ok(if silent { set } else { format!("{set}{{{{ {name} }}}}") })
        }
        _ => {
            let (values, name, silent) = match args {
                [values @ .., "as", name, "silent"] => (values, Some(*name), true),
                [values @ .., "as", name] if !values.is_empty() => (values, Some(*name), false),
                _ => (args, None, false),
            };
            let values = values.iter().map(|v| t.expr(v)).collect::<Result<Vec<_>, _>>()?.join(", ");
            if let Some(name) = name {
                let name = valid_name(name)?;
                t.named_cycles.insert(name.to_owned(), silent);
                t.last_cycle = Some(name.to_owned());
                let set = format!("{{% set {name} = _dj_cycle({}, {values}) %}}", string_literal(name));
                Ok(if silent { set } else { format!("{set}{{{{ {name} }}}}") })
            } else {
                let id = format!("#{}", t.next_id());
                t.last_cycle = Some(id.clone());
                Ok(format!("{{{{ _dj_cycle(\"{id}\", {values}) }}}}"))
            }
        }
    }
}

fn tag_resetcycle(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let id = match args {
        [] => t.last_cycle.clone().ok_or("No cycles in template.")?,
        [name] if t.named_cycles.contains_key(*name) => (*name).to_owned(),
        [name] => return Err(format!("Named cycle '{name}' does not exist.")),
        _ => return Err("resetcycle takes at most one argument".into()),
    };
    Ok(format!("{{{{ _dj_cycle_reset({}) }}}}", string_literal(&id)))
}

fn tag_regroup(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let [list, "by", key, "as", name] = args else {
        return Err("regroup expects: regroup list by key as name".into());
    };
    if !key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
        return Err(format!("regroup: only a lookup path can be the key, not '{key}'"));
    }
    Ok(format!("{{% set {} = _dj_regroup({}, {}) %}}", valid_name(name)?, t.expr(list)?, string_literal(key)))
}

fn tag_now(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let (args, name) = split_as(args)?;
    let [fmt] = args else { return Err("'now' statement takes one argument".into()) };
    Ok(emit(&format!("_dj_now({})", t.expr(fmt)?), name))
}

fn tag_widthratio(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let (args, name) = split_as(args)?;
    let [value, max, width] = args else { return Err("widthratio takes at least three arguments".into()) };
    Ok(emit(&format!("_dj_widthratio({}, {}, {})", t.expr(value)?, t.expr(max)?, t.expr(width)?), name))
}

fn tag_firstof(t: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let (args, name) = split_as(args)?;
    if args.is_empty() {
        return Err("'firstof' statement requires at least one argument".into());
    }
    let values = args.iter().map(|a| t.expr(a)).collect::<Result<Vec<_>, _>>()?;
    Ok(emit(&format!("_dj_firstof({})", values.join(", ")), name))
}

fn tag_spaceless(t: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    t.push("spaceless", &["endspaceless"], "{% endfilter %}");
    Ok("{% filter dj_spaceless %}".into())
}

fn tag_verbatim(t: &mut Translator, _: &str, _: &[&str]) -> Result<String, String> {
    t.push("verbatim", &["endverbatim"], "");
    Ok(String::new())
}

fn tag_templatetag(_: &mut Translator, _: &str, args: &[&str]) -> Result<String, String> {
    let text = match args {
        ["openblock"] => "{%",
        ["closeblock"] => "%}",
        ["openvariable"] => "{{",
        ["closevariable"] => "}}",
        ["openbrace"] => "{",
        ["closebrace"] => "}",
        ["opencomment"] => "{#",
        ["closecomment"] => "#}",
        _ => return Err(format!("Invalid templatetag argument: '{}'", args.join(" "))),
    };
    Ok(format!("{{{{ {} }}}}", string_literal(text)))
}
