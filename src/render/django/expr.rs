//! Django expressions → minijinja expressions: `smart_split` for tag arguments, filter
//! expressions (`x.y.0|f:"arg"|g`), Django's variable lookup (`.0` → `[0]`, calls without
//! parentheses through `dj_call`, `forloop` → `loop`, `block.super` → `super()`), literals
//! (Django's string literals are safe strings) and `{% if %}` conditions parsed with
//! Django's operator precedence into explicitly parenthesised minijinja.

use super::filters::Arity;
use super::filters::FILTERS;

/// What an expression needs to know about where it stands.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scope {
    /// How many `for` loops enclose the expression.
    pub loop_depth: usize,
}

/// Names of `.x` lookups that Django resolves by calling a method when the value has no
/// key or attribute of that name; `dj_call` emulates them on plain data.
const CALLS: &[&str] = &[
    "all",
    "count",
    "items",
    "keys",
    "values",
    "upper",
    "lower",
    "strip",
    "title",
    "capitalize",
    "split",
    "exists",
    "first",
    "last",
    "lstrip",
    "rstrip",
    "isdigit",
    "get",
];

/// Root names that minijinja would read as something else.
const RESERVED: &[&str] = &[
    "loop", "self", "super", "caller", "varargs", "kwargs", "and", "or", "not", "in", "is", "if", "else", "true",
    "false", "none",
];

/// Django's `smart_split`: whitespace-separated bits, quoted strings kept whole.
pub(crate) fn smart_split(s: &str) -> Vec<&str> {
    let mut bits = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut quote: Option<char> = None;
        let mut end = s.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) if c == '\\' => {
                    chars.next();
                }
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c.is_whitespace() => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        bits.push(&s[start..end]);
    }
    bits
}

/// A minijinja string literal for `text`; safe when it holds characters HTML escapes,
/// because Django marks string literals in templates safe.
pub(crate) fn string_literal(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    if text.contains(['&', '<', '>', '"', '\'']) {
        format!("({json}|safe)")
    } else {
        json
    }
}

/// Reads a quoted string at the start of `s` (Django's `strdq`/`strsq`): (value, length).
fn read_quoted(s: &str) -> Option<(String, usize)> {
    let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut value = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let (_, next) = chars.next()?;
            // Django's unescape_string_literal only unescapes the quote and the backslash.
            if next != quote && next != '\\' {
                value.push('\\');
            }
            value.push(next);
        } else if c == quote {
            return Some((value, i + 1));
        } else {
            value.push(c);
        }
    }
    None
}

/// Reads a constant (`"x"`, `'x'`, `_("x")`) at the start of `s`.
fn read_constant(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix("_(") {
        let (value, len) = read_quoted(rest)?;
        return rest[len..].starts_with(')').then_some((value, len + 3));
    }
    read_quoted(s)
}

/// Length of a Django variable or number at the start of `s` (`[\w.]+` or `[-+.]?\d[\d.e]*`).
fn read_var(s: &str) -> usize {
    let word =
        s.char_indices().find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.')).map_or(s.len(), |(i, _)| i);
    if word > 0 {
        return word;
    }
    let b = s.as_bytes();
    let sign = usize::from(matches!(b.first(), Some(b'-' | b'+' | b'.')));
    if !b.get(sign).is_some_and(u8::is_ascii_digit) {
        return 0;
    }
    sign + b[sign..].iter().take_while(|c| c.is_ascii_digit() || **c == b'.' || **c == b'e').count()
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A number literal as Django reads one (`1`, `-2`, `1.5`, `1e3`), in minijinja syntax.
fn number(var: &str) -> Option<String> {
    let float = var.contains('.') || var.contains(['e', 'E']);
    if float {
        if var.ends_with('.') {
            return None;
        }
        let f: f64 = var.parse().ok()?;
        f.is_finite().then(|| if f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.1}") } else { format!("{f:?}") })
    } else {
        let i: i64 = var.parse().ok()?;
        Some(i.to_string())
    }
}

/// A Django variable (`a.b.0`, `forloop.counter`, `True`, `1.5`) as a minijinja expression.
pub(crate) fn variable(var: &str, scope: Scope) -> Result<String, String> {
    match var {
        "True" => return Ok("true".into()),
        "False" => return Ok("false".into()),
        "None" => return Ok("none".into()),
        "block.super" => return Ok("super()".into()),
        _ => {}
    }
    if var.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') {
        if let Some(n) = number(var) {
            return Ok(n);
        }
    }
    if var.starts_with('_') || var.contains("._") {
        return Err(format!("Variables and attributes may not begin with underscores: '{var}'"));
    }
    let mut parts = var.split('.');
    let root = parts.next().unwrap_or_default();
    if root.is_empty() || var.ends_with('.') || var.contains("..") {
        return Err(format!("Could not parse the variable '{var}'"));
    }
    let mut out;
    let mut in_loop = false;
    if root == "forloop" {
        out = "loop".to_owned();
        in_loop = true;
    } else if is_ident(root) && !RESERVED.contains(&root) {
        out = root.to_owned();
    } else {
        out = format!("_dj_var({})", string_literal(root));
    }
    let mut depth = scope.loop_depth;
    for part in parts {
        if in_loop {
            let renamed = match part {
                "counter" => Some("index"),
                "counter0" => Some("index0"),
                "revcounter" => Some("revindex"),
                "revcounter0" => Some("revindex0"),
                "first" => Some("first"),
                "last" => Some("last"),
                "length" => Some("length"),
                _ => None,
            };
            if let Some(r) = renamed {
                out = format!("{out}.{r}");
                in_loop = false;
                continue;
            }
            if part == "parentloop" {
                depth = depth.saturating_sub(1);
                out = format!("_dj_loop{depth}");
                continue;
            }
            in_loop = false;
        }
        if part.bytes().all(|b| b.is_ascii_digit())
            || CALLS.contains(&part)
            || part.ends_with("_set")
            || (part.starts_with("get_") && part.ends_with("_display"))
            || !is_ident(part)
        {
            out = format!("({out}|dj_call({}))", string_literal(part));
        } else {
            out = format!("{out}.{part}");
        }
    }
    Ok(out)
}

/// A constant or variable operand (the head of a filter expression or a filter argument).
fn operand(s: &str, scope: Scope) -> Result<(String, usize), String> {
    if let Some((value, len)) = read_constant(s) {
        return Ok((string_literal(&value), len));
    }
    let len = read_var(s);
    if len == 0 {
        return Err(String::new());
    }
    Ok((variable(&s[..len], scope)?, len))
}

/// A Django filter expression (`x|default:"y"|upper`) as a minijinja expression.
pub(crate) fn filter_expr(src: &str, scope: Scope) -> Result<String, String> {
    let remainder = |rest: &str| format!("Could not parse the remainder: '{rest}' from '{src}'");
    let (head, pos) = operand(src, scope).map_err(|e| if e.is_empty() { remainder(src) } else { e })?;
    apply_filters(head, &src[pos..], scope).map_err(|e| if e.is_empty() { remainder(&src[pos..]) } else { e })
}

/// Applies a chain of `|name:arg` filters (the text after the head) to `base`.
/// An empty error means "could not parse the remainder".
pub(crate) fn apply_filters(mut out: String, chain: &str, scope: Scope) -> Result<String, String> {
    let mut rest = chain;
    while !rest.is_empty() {
        let after_ws = rest.trim_start();
        let Some(after_pipe) = after_ws.strip_prefix('|') else { return Err(String::new()) };
        let after_pipe = after_pipe.trim_start();
        let name_len = after_pipe
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(after_pipe.len(), |(i, _)| i);
        if name_len == 0 {
            return Err(String::new());
        }
        let name = &after_pipe[..name_len];
        rest = &after_pipe[name_len..];
        let mut arg = None;
        if let Some(a) = rest.strip_prefix(':') {
            let (value, len) = operand(a, scope)?;
            arg = Some(value);
            rest = &a[len..];
        }
        out = apply_filter(&out, name, arg.as_deref())?;
    }
    Ok(out)
}

/// One filter from the table applied to `base`.
pub(crate) fn apply_filter(base: &str, name: &str, arg: Option<&str>) -> Result<String, String> {
    let Some(filter) = FILTERS.iter().find(|f| f.django == name) else {
        return Err(format!("Invalid filter: '{name}'"));
    };
    match (filter.arity, arg) {
        (Arity::None, Some(_)) => return Err(format!("{name} requires 1 arguments, 2 provided")),
        (Arity::Required, None) => return Err(format!("{name} requires 2 arguments, 1 provided")),
        _ => {}
    }
    Ok(match arg {
        Some(a) => format!("{base}|{}({a})", filter.minijinja),
        None => format!("{base}|{}", filter.minijinja),
    })
}

/// A `{% filter %}` chain (`f:arg|g`) as a minijinja filter-block chain (`f(arg)|g`).
pub(crate) fn filter_chain(chain: &str, scope: Scope) -> Result<String, String> {
    let applied = apply_filters(String::new(), &format!("|{chain}"), scope).map_err(|e| {
        if e.is_empty() {
            format!("Could not parse the remainder: '{chain}'")
        } else {
            e
        }
    })?;
    Ok(applied.trim_start_matches('|').to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Or,
    And,
    Not,
    In,
    NotIn,
    Is,
    IsNot,
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn from_bits(bit: &str, next: Option<&str>) -> Option<(Op, usize)> {
        Some(match (bit, next) {
            ("not", Some("in")) => (Op::NotIn, 2),
            ("is", Some("not")) => (Op::IsNot, 2),
            ("or", _) => (Op::Or, 1),
            ("and", _) => (Op::And, 1),
            ("not", _) => (Op::Not, 1),
            ("in", _) => (Op::In, 1),
            ("is", _) => (Op::Is, 1),
            ("==" | "=", _) => (Op::Eq, 1),
            ("!=", _) => (Op::Ne, 1),
            (">", _) => (Op::Gt, 1),
            (">=", _) => (Op::Ge, 1),
            ("<", _) => (Op::Lt, 1),
            ("<=", _) => (Op::Le, 1),
            _ => return None,
        })
    }

    fn binding(self) -> u8 {
        match self {
            Op::Or => 6,
            Op::And => 7,
            Op::Not => 8,
            Op::In | Op::NotIn => 9,
            _ => 10,
        }
    }

    fn emit(self, a: &str, b: &str) -> String {
        let cmp = |op: &str| format!("_dj_cmp({a}, \"{op}\", {b})");
        // Against a plain string literal, minijinja's `==` is Python's (equal only to an
        // equal string; `_dj_cmp` would end in the same comparison) and costs no call:
        // Original's user form compares each required field name this way.
        let literal = |operand: &str| operand.starts_with('"') && serde_json::from_str::<String>(operand).is_ok();
        if matches!(self, Op::Eq | Op::Ne) && (literal(a) || literal(b)) {
            return format!("({a} {} {b})", if self == Op::Eq { "==" } else { "!=" });
        }
        match self {
            Op::Or => format!("({a} or {b})"),
            Op::And => format!("({a} and {b})"),
            Op::Not => format!("(not {b})"),
            Op::In => cmp("in"),
            Op::NotIn => cmp("not in"),
            Op::Is => cmp("is"),
            Op::IsNot => cmp("is not"),
            Op::Eq => cmp("=="),
            Op::Ne => cmp("!="),
            Op::Gt => cmp(">"),
            Op::Ge => cmp(">="),
            Op::Lt => cmp("<"),
            Op::Le => cmp("<="),
        }
    }
}

enum Item {
    Operand(String),
    Op(Op, &'static str),
}

/// Django's `{% if %}` condition (smartif's precedence, no parentheses) in minijinja.
pub(crate) fn condition(bits: &[&str], scope: Scope) -> Result<String, String> {
    if bits.len() > 500 {
        return Err("if: the condition is too long".into());
    }
    let mut items = Vec::new();
    let mut i = 0;
    while i < bits.len() {
        if let Some((op, n)) = Op::from_bits(bits[i], bits.get(i + 1).copied()) {
            let name = match op {
                Op::NotIn => "not in",
                Op::IsNot => "is not",
                _ => "op",
            };
            items.push(Item::Op(op, name));
            i += n;
        } else {
            items.push(Item::Operand(filter_expr(bits[i], scope)?));
            i += 1;
        }
    }
    if items.is_empty() {
        return Err("Unexpected end of expression in if tag.".into());
    }
    let mut parser = Pratt { items, pos: 0 };
    let expr = parser.expression(0)?;
    if parser.pos < parser.items.len() {
        return Err(format!("Unused '{}' at end of if expression.", bits.get(parser.pos).copied().unwrap_or_default()));
    }
    Ok(expr)
}

struct Pratt {
    items: Vec<Item>,
    pos: usize,
}

impl Pratt {
    fn next_binding(&self) -> u8 {
        match self.items.get(self.pos) {
            Some(Item::Op(op, _)) => op.binding(),
            _ => 0,
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<String, String> {
        let mut left = match self.items.get(self.pos) {
            None => return Err("Unexpected end of expression in if tag.".into()),
            Some(Item::Operand(s)) => {
                let s = s.clone();
                self.pos += 1;
                s
            }
            Some(Item::Op(Op::Not, _)) => {
                self.pos += 1;
                let operand = self.expression(Op::Not.binding())?;
                Op::Not.emit("", &operand)
            }
            Some(Item::Op(_, name)) => return Err(format!("Not expecting '{name}' in this position in if tag.")),
        };
        while rbp < self.next_binding() {
            let Some(Item::Op(op, _)) = self.items.get(self.pos) else { break };
            let op = *op;
            if op == Op::Not {
                return Err("Not expecting 'not' in this position in if tag.".into());
            }
            self.pos += 1;
            let right = self.expression(op.binding())?;
            left = op.emit(&left, &right);
        }
        if matches!(self.items.get(self.pos), Some(Item::Operand(_))) {
            return Err("Unused operand at end of if expression.".into());
        }
        Ok(left)
    }
}
