//! Splitting a full `name` into prefix / first / middle / last / suffix (SPEC A5), the way
//! ActionKit does for forms that ask for one name field. Handles honorifics, generational
//! and professional suffixes, "Last, First" order and surname particles (van, de, …).
//! Written here rather than taken from a crate: the rules are few and the name crates
//! carry large tables this needs none of.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    pub prefix: String,
    pub first: String,
    pub middle: String,
    pub last: String,
    pub suffix: String,
}

const PREFIXES: [&str; 12] = ["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "hon", "fr"];
const SUFFIXES: [&str; 13] = ["jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "esq", "dds", "mba", "cpa", "rn"];
const PARTICLES: [&str; 14] =
    ["van", "von", "de", "da", "del", "della", "di", "du", "le", "la", "st", "bin", "al", "ter"];

fn bare(token: &str) -> String {
    token.trim_matches(|c: char| c == '.' || c == ',').to_lowercase()
}

pub fn split(full: &str) -> NameParts {
    let mut parts = NameParts::default();
    let full = full.split_whitespace().collect::<Vec<_>>().join(" ");
    // "Public, John Q." — but not "John Public, Jr.".
    let (before, after) = match full.split_once(',') {
        Some((b, a)) if !a.trim().is_empty() && !SUFFIXES.contains(&bare(a.trim()).as_str()) => {
            (a.trim().to_owned(), Some(b.trim().to_owned()))
        }
        _ => (full.clone(), None),
    };
    let mut tokens: Vec<&str> = before.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.len() > 1 && PREFIXES.contains(&bare(tokens[0]).as_str()) {
        tokens.remove(0).clone_into(&mut parts.prefix);
    }
    let mut suffixes = vec![];
    while tokens.len() > 1 && tokens.last().is_some_and(|t| SUFFIXES.contains(&bare(t).as_str())) {
        suffixes.insert(0, tokens.pop().unwrap_or_default().trim_end_matches(',').to_owned());
    }
    if let Some(last) = after {
        parts.last = last;
    } else if tokens.len() > 1 {
        let mut start = tokens.len() - 1;
        while start > 1 && PARTICLES.contains(&bare(tokens[start - 1]).as_str()) {
            start -= 1;
        }
        tokens.split_off(start).join(" ").trim_end_matches(',').clone_into(&mut parts.last);
    }
    for t in &mut tokens {
        *t = t.trim_end_matches(',');
    }
    if let Some((first, middle)) = tokens.split_first() {
        (*first).clone_into(&mut parts.first);
        parts.middle = middle.join(" ");
    }
    parts.suffix = suffixes.join(" ");
    parts
}

#[cfg(test)]
mod tests {
    use super::{split, NameParts};

    fn p(prefix: &str, first: &str, middle: &str, last: &str, suffix: &str) -> NameParts {
        NameParts {
            prefix: prefix.into(),
            first: first.into(),
            middle: middle.into(),
            last: last.into(),
            suffix: suffix.into(),
        }
    }

    #[test]
    fn a5_names_split_into_their_parts() {
        assert_eq!(split("Jane Doe"), p("", "Jane", "", "Doe", ""));
        assert_eq!(split("  Jane   Doe "), p("", "Jane", "", "Doe", ""));
        assert_eq!(split("Cher"), p("", "Cher", "", "", ""));
        assert_eq!(split("Dr. Jane Q. Public Jr."), p("Dr.", "Jane", "Q.", "Public", "Jr."));
        assert_eq!(split("John Ronald Reuel Tolkien"), p("", "John", "Ronald Reuel", "Tolkien", ""));
        assert_eq!(split("Ludwig van Beethoven"), p("", "Ludwig", "", "van Beethoven", ""));
        assert_eq!(split("Public, John Q."), p("", "John", "Q.", "Public", ""));
        assert_eq!(split("John Public, Jr."), p("", "John", "", "Public", "Jr."));
        assert_eq!(split("Martin Luther King Jr. PhD"), p("", "Martin", "Luther", "King", "Jr. PhD"));
        assert_eq!(split("Mr"), p("", "Mr", "", "", ""), "a lone honorific is a name");
        assert_eq!(split(""), p("", "", "", "", ""));
    }
}
