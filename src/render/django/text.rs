//! Django's text algorithms the filters need, ported from `django.utils.text`/`html` of
//! Django 1.8: `urlquote`, `linebreaks`, `title`, `strip_tags`, `urlize`, `slugify`,
//! `floatformat` (decimal half-up rounding), the truncators, `escapejs`, `stringformat`.

use std::fmt::Write as _;

use minijinja::value::{Value, ValueKind};

use super::value::{as_f64, as_int, escape, py_str, safe};

/// Python's `urllib.parse.quote(s, safe)`.
pub(crate) fn urlquote(s: &str, safe_chars: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || safe_chars.as_bytes().contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(crate) fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Paragraphs on blank lines, `<br />` on single newlines (the text is already escaped).
pub(crate) fn linebreaks(s: &str) -> String {
    let s = normalize_newlines(s);
    let mut paras = vec![];
    let mut current = String::new();
    let mut newlines = 0;
    for c in s.chars() {
        if c == '\n' {
            newlines += 1;
            continue;
        }
        if newlines >= 2 {
            paras.push(std::mem::take(&mut current));
        } else if newlines == 1 {
            current.push('\n');
        }
        newlines = 0;
        current.push(c);
    }
    if newlines >= 2 {
        paras.push(std::mem::take(&mut current));
    } else if newlines == 1 {
        current.push('\n');
    }
    paras.push(current);
    paras.iter().map(|p| format!("<p>{}</p>", p.replace('\n', "<br />"))).collect::<Vec<_>>().join("\n\n")
}

/// Python's `str.title()` plus Django's two fix-ups (`don't`, `1st`).
pub(crate) fn title(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    let mut prev_cased = false;
    for c in s.chars() {
        let cased = c.is_lowercase() || c.is_uppercase();
        if cased {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
        } else {
            out.push(c);
        }
        prev_cased = cased;
    }
    for i in 1..out.len() {
        let after_apostrophe = i >= 2 && out[i - 1] == '\'' && out[i - 2].is_ascii_lowercase();
        if out[i].is_ascii_uppercase() && (after_apostrophe || out[i - 1].is_ascii_digit()) {
            out[i] = out[i].to_ascii_lowercase();
        }
    }
    out.into_iter().collect()
}

/// Removes everything that looks like an HTML tag, comment or declaration.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let is_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        if let (true, Some(end)) = (is_tag, after.find('>')) {
            rest = &after[end + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

const TRAIL: &[char] = &['.', ',', ':', ';', '"', '\'', '!', ')', ']', '>'];
const LEAD: &[char] = &['(', '[', '<', '"', '\''];

/// Links `http(s)://…`, `www.…` and e-mail addresses, escaping the rest when `autoescape`.
pub(crate) fn urlize(s: &str, autoescape: bool) -> String {
    let esc = |x: &str| if autoescape { escape(x) } else { x.to_owned() };
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let trimmed_lead = w.trim_start_matches(LEAD);
        let lead = &w[..w.len() - trimmed_lead.len()];
        let middle = trimmed_lead.trim_end_matches(TRAIL);
        let trail = &trimmed_lead[middle.len()..];
        let lower = middle.to_ascii_lowercase();
        let href = if lower.starts_with("http://") || lower.starts_with("https://") {
            Some(middle.to_owned())
        } else if lower.starts_with("www.") && middle.len() > 4 {
            Some(format!("http://{middle}"))
        } else if middle.contains('@') && !middle.contains(':') && is_email(middle) {
            Some(format!("mailto:{middle}"))
        } else {
            None
        };
        match href {
            Some(h) => {
                let nofollow = if h.starts_with("mailto:") { "" } else { " rel=\"nofollow\"" };
                let _ =
                    write!(out, "{}<a href=\"{}\"{nofollow}>{}</a>{}", esc(lead), escape(&h), esc(middle), esc(trail));
            }
            None => out.push_str(&esc(&w)),
        }
    };
    for c in s.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn is_email(s: &str) -> bool {
    let Some((user, domain)) = s.rsplit_once('@') else { return false };
    !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
}

/// Latin letters with diacritics folded to ASCII (NFKD then dropping the marks).
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à'..='å' => "a",
        'À'..='Å' => "A",
        'ç' => "c",
        'Ç' => "C",
        'è'..='ë' => "e",
        'È'..='Ë' => "E",
        'ì'..='ï' => "i",
        'Ì'..='Ï' => "I",
        'ñ' => "n",
        'Ñ' => "N",
        'ò'..='ö' => "o",
        'Ò'..='Ö' => "O",
        'ù'..='ü' => "u",
        'Ù'..='Ü' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        _ => return None,
    })
}

/// Django 1.8's `slugify`.
pub(crate) fn slugify(s: &str) -> String {
    let mut ascii = String::new();
    for c in s.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else if let Some(f) = fold(c) {
            ascii.push_str(f);
        }
    }
    let kept: String =
        ascii.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || c.is_whitespace()).collect();
    let kept = kept.trim().to_lowercase();
    let mut out = String::new();
    let mut in_sep = false;
    for c in kept.chars() {
        if c == '-' || c.is_whitespace() {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.push(c);
            in_sep = false;
        }
    }
    out
}

/// A decimal string (`-12.5`, `1e+16`) as (negative, integer digits, fraction digits).
fn decimal_parts(s: &str) -> Option<(bool, String, String)> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().ok().filter(|e| e.abs() <= 400)?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let point = i64::try_from(int.len()).ok()? + exp;
    let (int, frac) = if point <= 0 {
        ("0".to_owned(), format!("{}{digits}", "0".repeat(usize::try_from(-point).ok()?)))
    } else {
        let p = usize::try_from(point).ok()?;
        if p >= digits.len() {
            (format!("{digits}{}", "0".repeat(p - digits.len())), String::new())
        } else {
            (digits[..p].to_owned(), digits[p..].to_owned())
        }
    };
    let int = int.trim_start_matches('0');
    Some((neg, if int.is_empty() { "0".into() } else { int.into() }, frac))
}

/// Rounds half up to `places` decimals; the digits as a string with a point.
fn round_half_up(neg: bool, int: &str, frac: &str, places: usize) -> String {
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes().chain(std::iter::repeat(b'0')).take(places)).collect();
    if frac.as_bytes().get(places).is_some_and(|d| *d >= b'5') {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - places;
    let mut out = String::from_utf8_lossy(&digits[..split]).into_owned();
    if places > 0 {
        out.push('.');
        out.push_str(&String::from_utf8_lossy(&digits[split..]));
    }
    let zero = digits.iter().all(|d| *d == b'0');
    if neg && !zero {
        out.insert(0, '-');
    }
    out
}

/// Django's `floatformat`.
pub(crate) fn floatformat(v: &Value, arg: Option<&Value>) -> Value {
    let input = py_str(v);
    let parsed = decimal_parts(&input).or_else(|| as_f64(v).and_then(|f| decimal_parts(&super::value::float_str(f))));
    let Some((neg, int, frac)) = parsed else { return Value::from("") };
    let p = match arg {
        None => -1,
        Some(a) => match as_int(a) {
            Some(p) => p,
            None => return Value::from(input),
        },
    };
    let integral = frac.bytes().all(|b| b == b'0');
    let places = usize::try_from(p.unsigned_abs()).unwrap_or(0).min(super::filters::MAX_WIDTH);
    if integral && p < 0 {
        return safe(round_half_up(neg, &int, "", 0));
    }
    safe(round_half_up(neg, &int, &frac, places))
}

/// Django 1.8's `Truncator.chars` with its `...`.
pub(crate) fn truncate_chars(s: &str, n: i64) -> String {
    let n = usize::try_from(n).unwrap_or(0);
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let keep: String = s.chars().take(n.saturating_sub(3)).collect();
    format!("{keep}...")
}

/// Django 1.8's `Truncator.words` with ` ...`.
pub(crate) fn truncate_words(s: &str, n: i64) -> String {
    let n = usize::try_from(n).unwrap_or(0);
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() > n {
        let joined = words[..n].join(" ");
        if joined.ends_with(" ...") {
            joined
        } else {
            format!("{joined} ...")
        }
    } else {
        words.join(" ")
    }
}

/// Django's `escapejs`.
pub(crate) fn escapejs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '\'' | '"' | '>' | '<' | '&' | '=' | '-' | ';' | '`' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c if u32::from(c) < 32 => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Python's `"%<spec>" % value` for the common conversions (`s d i f e x X o` with flags,
/// width and precision); an impossible conversion gives `''` as Django's filter does.
#[allow(clippy::many_single_char_names)]
pub(crate) fn stringformat(v: &Value, spec: &str) -> String {
    let conv = spec.chars().last().unwrap_or('s');
    let body = &spec[..spec.len() - conv.len_utf8()];
    let flags: String = body.chars().take_while(|c| "-+ 0#".contains(*c)).collect();
    let rest = &body[flags.len()..];
    let (width, precision) = match rest.split_once('.') {
        Some((w, p)) => (w, Some(p)),
        None => (rest, None),
    };
    let max = super::filters::MAX_WIDTH;
    let width: usize = if width.is_empty() { 0 } else { width.parse::<usize>().unwrap_or(0).min(max) };
    let precision: Option<usize> = precision.map(|p| p.parse::<usize>().unwrap_or(0).min(max));
    let sign = |neg: bool| {
        if neg {
            "-"
        } else if flags.contains('+') {
            "+"
        } else if flags.contains(' ') {
            " "
        } else {
            ""
        }
    };
    let (prefix, digits) = match conv {
        's' | 'r' => {
            let s = py_str(v);
            let s: String = match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            (String::new(), s)
        }
        'd' | 'i' | 'x' | 'X' | 'o' => {
            let Some(n) = (match v.kind() {
                ValueKind::Number | ValueKind::Bool => as_int(v),
                _ => None,
            }) else {
                return String::new();
            };
            let abs = n.unsigned_abs();
            let d = match conv {
                'x' => format!("{abs:x}"),
                'X' => format!("{abs:X}"),
                'o' => format!("{abs:o}"),
                _ => abs.to_string(),
            };
            (sign(n < 0).to_owned(), d)
        }
        'f' | 'F' | 'e' | 'E' => {
            let Some(x) = (match v.kind() {
                ValueKind::Number | ValueKind::Bool => as_f64(v),
                _ => None,
            }) else {
                return String::new();
            };
            let p = precision.unwrap_or(6);
            let d = match conv {
                'e' | 'E' => {
                    let s = format!("{:.p$e}", x.abs());
                    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    let s = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
                    if conv == 'E' {
                        s.to_uppercase()
                    } else {
                        s
                    }
                }
                _ => format!("{:.p$}", x.abs()),
            };
            (sign(x < 0.0).to_owned(), d)
        }
        _ => return String::new(),
    };
    let len = prefix.chars().count() + digits.chars().count();
    if len >= width {
        return format!("{prefix}{digits}");
    }
    let fill = width - len;
    if flags.contains('-') {
        format!("{prefix}{digits}{}", " ".repeat(fill))
    } else if flags.contains('0') && conv != 's' {
        format!("{prefix}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{prefix}{digits}", " ".repeat(fill))
    }
}
