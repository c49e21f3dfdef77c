//! Django's lexer: the source split into text, `{{ variable }}`, `{% block %}` and
//! `{# comment #}` tokens exactly as Django's `tag_re` splits it. A tag never spans a line
//! (Django's `.` does not match a newline), so a tag spread over several lines is text;
//! inside `{% verbatim %}` every tag but the matching `endverbatim` is text too.

/// What a token is; the `&str` of `Var` and `Block` is the trimmed inside of the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    Text,
    Var(&'a str),
    Block(&'a str),
    Comment,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub kind: Kind<'a>,
    /// The token's source text, delimiters included.
    pub raw: &'a str,
    /// 1-based line the token starts on.
    pub line: usize,
}

/// Where the tag starting at `start` (on `{{`, `{%` or `{#`) ends, if it closes on its line.
fn tag_end(source: &str, start: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let close = match bytes.get(start + 1) {
        Some(b'%') => b'%',
        Some(b'{') => b'}',
        Some(b'#') => b'#',
        _ => return None,
    };
    let mut i = start + 2;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'\n' => return None,
            c if c == close && bytes[i + 1] == b'}' => return Some(i + 2),
            _ => i += 1,
        }
    }
    None
}

/// Splits `source` into tokens; concatenating their `raw` gives `source` back.
pub(crate) fn tokenize(source: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut text_start = 0;
    let mut verbatim: Option<String> = None;
    let mut i = 0;
    let bytes = source.as_bytes();
    while i < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let Some(end) = tag_end(source, i) else {
            i += 1;
            continue;
        };
        let raw = &source[i..end];
        if text_start < i {
            let text = &source[text_start..i];
            tokens.push(Token { kind: Kind::Text, raw: text, line });
            line += text.matches('\n').count();
        }
        let inner = raw[2..raw.len() - 2].trim();
        let kind = match (&raw[..2], &verbatim) {
            ("{%", Some(end_tag)) if inner == end_tag => {
                verbatim = None;
                Kind::Block(inner)
            }
            (_, Some(_)) => Kind::Text,
            ("{%", None) => {
                if inner == "verbatim" || inner.starts_with("verbatim ") {
                    verbatim = Some(format!("end{inner}"));
                }
                Kind::Block(inner)
            }
            ("{{", None) => Kind::Var(inner),
            _ => Kind::Comment,
        };
        tokens.push(Token { kind, raw, line });
        text_start = end;
        i = end;
    }
    if text_start < source.len() {
        tokens.push(Token { kind: Kind::Text, raw: &source[text_start..], line });
    }
    tokens
}
