//! The plain-text part of a mail, made from its rendered HTML so that the two never drift
//! apart (and a staff templateset that changes the HTML changes the text too): block
//! elements become line breaks, links keep their address, entities are decoded, `<head>`,
//! `<style>` and `<script>` are dropped.

/// Elements that end a line.
const BREAKS: &[&str] = &["br", "tr"];
/// Elements that stand apart by a blank line.
const BLOCKS: &[&str] =
    &["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr", "li"];
/// Elements whose content is not text.
const HIDDEN: &[&str] = &["head", "style", "script", "title"];

pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    let mut link: Option<String> = None;
    let mut link_text_start = 0;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        let Some(gt) = tag_end(rest) else {
            push_text(&mut out, rest);
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name = tag_name(tag);
        if !closing && HIDDEN.contains(&name.as_str()) {
            rest = skip_until_closing(rest, &name);
            continue;
        }
        match name.as_str() {
            "a" if !closing => {
                link = attribute(tag, "href");
                link_text_start = out.len();
            }
            "a" => {
                if let Some(href) = link.take() {
                    let text = out.get(link_text_start..).unwrap_or_default().trim();
                    if !href.is_empty() && text != href && !href.starts_with('#') {
                        out.push_str(" (");
                        out.push_str(&href);
                        out.push(')');
                    }
                }
            }
            "li" if !closing => {
                new_block(&mut out);
                out.push_str("- ");
            }
            n if BREAKS.contains(&n) => new_line(&mut out),
            n if BLOCKS.contains(&n) => new_block(&mut out),
            _ => {}
        }
    }
    push_text(&mut out, rest);
    tidy(&out)
}

/// The `>` that ends the tag at the start of `s`, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

fn skip_until_closing<'a>(rest: &'a str, name: &str) -> &'a str {
    let lower = rest.to_ascii_lowercase();
    let closing = format!("</{name}");
    match lower.find(&closing) {
        Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
        None => "",
    }
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = lower[..at].ends_with(|c: char| c.is_ascii_whitespace());
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        let decoded = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or_default(),
        };
        return Some(decode_entities(decoded));
    }
    None
}

/// Text between tags: whitespace runs become one space, entities decoded.
fn push_text(out: &mut String, text: &str) {
    let decoded = decode_entities(text);
    for c in decoded.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
        } else if c == '\u{a0}' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

fn new_line(out: &mut String) {
    trim_trailing_spaces(out);
    out.push('\n');
}

fn new_block(out: &mut String) {
    trim_trailing_spaces(out);
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
}

fn trim_trailing_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// Lines trimmed, at most one blank line in a row, none at either end.
fn tidy(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| Some((entity(&rest[1..semi])?, semi)));
        if let Some((c, semi)) = decoded {
            out.push(c);
            rest = &rest[semi + 1..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "euro" => '€',
        "copy" => '©',
        "laquo" => '«',
        "raquo" => '»',
        "bdquo" => '„',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn p16_text_part_keeps_paragraphs_links_and_decoded_text() {
        let html = "<!DOCTYPE html><html><head><title>Org</title><style>p{}</style></head><body>\
            <div><p style=\"x\">Hallo Ann,</p><div><p>Danke &amp; <b>bis bald</b>&nbsp;!</p>\
            <ul><li>eins</li><li>zwei</li></ul></div>\
            <p><a href=\"https://example.org/u?a=1&amp;b=2\" style=\"color:#555\">Abmelden</a></p>\
            <p><a href=\"https://example.org/\">https://example.org/</a></p>\
            &lt;script&gt; line<br>next</div></body></html>";
        assert_eq!(
            html_to_text(html),
            "Hallo Ann,\n\nDanke & bis bald !\n\n- eins\n\n- zwei\n\nAbmelden (https://example.org/u?a=1&b=2)\n\n\
             https://example.org/\n\n<script> line\nnext\n"
        );
    }

    #[test]
    fn p16_text_part_survives_broken_markup() {
        assert_eq!(html_to_text("a < b & c"), "a < b & c\n");
        assert_eq!(html_to_text("x <b"), "x <b\n");
        assert_eq!(html_to_text("<p title='a>b'>t</p>"), "t\n");
        assert_eq!(html_to_text("&#233;&#xe9;&bogus;"), "éé&bogus;\n");
    }
}
