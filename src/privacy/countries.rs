//! Country names (SPEC P2). Privacy settings and actions compare countries by one standard
//! English name, so every country value is normalized on the way in: ISO 3166-1 alpha-2 and
//! alpha-3 codes (any case), the canonical name and the ISO name (any case, spacing, accents
//! or punctuation), and the native and common names of [`ALIASES`] all map to one
//! [`Country`].
//!
//! **Canonical names.** The ISO 3166-1 table (codes and English short names) comes from the
//! `rust_iso3166` crate (Debian iso-codes data). The canonical name is that ISO English short
//! name, except for the countries in [`CANONICAL_OVERRIDES`]: where ISO uses a formal or
//! parenthesized form ("United Kingdom of Great Britain and Northern Ireland", "Czechia",
//! "Netherlands (Kingdom of the)", "Korea (Republic of)" …), Placard uses the short name that
//! ActionKit's country list and its documentation use ("United Kingdom", "Czech Republic",
//! "Netherlands", "South Korea" …). Those are the values the built-in country select submits,
//! that users are stored with and that the "countries requiring privacy records" setting
//! lists; the ISO forms are still accepted as input. Changing a canonical name would strand
//! stored values, so the override table only ever grows.
//!
//! Only the overrides and the alias table are ours; the codes and the rest of the names are
//! the crate's.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use rust_iso3166::CountryCode;

/// A known country, held by its canonical English name (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(String);

impl Country {
    /// The country `raw` names, or `None` when it is blank or not a known country.
    pub fn parse(raw: &str) -> Option<Country> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let code = lookup(raw)?;
        Some(Country(canonical_name(code).to_owned()))
    }

    /// The canonical English name, e.g. "Czech Republic".
    pub fn name(&self) -> &str {
        &self.0
    }

    /// The ISO 3166-1 alpha-2 code, e.g. "CZ".
    pub fn alpha2(&self) -> &'static str {
        tables().by_canonical.get(self.0.as_str()).map_or("", |c| c.alpha2)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Country {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The lines of a countries setting (one country per line, blank lines ignored) that are not
/// known countries, trimmed, in order — for the settings screen's warning (SPEC P2).
pub fn unknown_names(lines: &str) -> Vec<String> {
    lines.lines().map(str::trim).filter(|l| !l.is_empty() && Country::parse(l).is_none()).map(str::to_owned).collect()
}

/// Every canonical name for the country select: United States first, then the rest in
/// alphabetical order (accents folded, so "Åland Islands" sorts under A).
pub fn all_names_us_first() -> Vec<&'static str> {
    tables().us_first.clone()
}

/// ISO English short names that Placard (like ActionKit) replaces by the short common form,
/// by alpha-2 code. Never remove or rename an entry: stored values use these names.
pub const CANONICAL_OVERRIDES: &[(&str, &str)] = &[
    ("BO", "Bolivia"),
    ("BN", "Brunei"),
    ("CD", "Democratic Republic of the Congo"),
    ("CZ", "Czech Republic"),
    ("FK", "Falkland Islands"),
    ("FM", "Micronesia"),
    ("GB", "United Kingdom"),
    ("IR", "Iran"),
    ("KP", "North Korea"),
    ("KR", "South Korea"),
    ("LA", "Laos"),
    ("MD", "Moldova"),
    ("NL", "Netherlands"),
    ("PS", "Palestine"),
    ("RU", "Russia"),
    ("SY", "Syria"),
    ("TR", "Turkey"),
    ("TW", "Taiwan"),
    ("TZ", "Tanzania"),
    ("US", "United States"),
    ("VA", "Vatican City"),
    ("VE", "Venezuela"),
    ("VG", "British Virgin Islands"),
    ("VI", "U.S. Virgin Islands"),
    ("VN", "Vietnam"),
];

/// Native, common, historical and translated (de, fr, es: Placard's built-in languages)
/// names, by alpha-2 code. Matching folds case, accents, punctuation and a leading "the", so
/// "Cesko" and "ÉIRE" match too; the canonical name, the ISO name and the codes need no entry.
pub const ALIASES: &[(&str, &str)] = &[
    // United States
    ("US", "USA"),
    ("US", "U.S."),
    ("US", "U.S.A."),
    ("US", "America"),
    ("US", "United States of America"),
    ("US", "Vereinigte Staaten"),
    ("US", "Vereinigte Staaten von Amerika"),
    ("US", "États-Unis"),
    ("US", "États-Unis d'Amérique"),
    ("US", "Estados Unidos"),
    ("US", "Estados Unidos de América"),
    ("US", "EEUU"),
    ("US", "EE. UU."),
    // United Kingdom
    ("GB", "UK"),
    ("GB", "U.K."),
    ("GB", "Great Britain"),
    ("GB", "Britain"),
    ("GB", "England"),
    ("GB", "Scotland"),
    ("GB", "Wales"),
    ("GB", "Cymru"),
    ("GB", "Alba"),
    ("GB", "Northern Ireland"),
    ("GB", "Großbritannien"),
    ("GB", "Vereinigtes Königreich"),
    ("GB", "Royaume-Uni"),
    ("GB", "Grande-Bretagne"),
    ("GB", "Angleterre"),
    ("GB", "Écosse"),
    ("GB", "Reino Unido"),
    ("GB", "Gran Bretaña"),
    ("GB", "Inglaterra"),
    ("GB", "Escocia"),
    // Austria
    ("AT", "Österreich"),
    ("AT", "Autriche"),
    // Belgium
    ("BE", "België"),
    ("BE", "Belgique"),
    ("BE", "Belgien"),
    ("BE", "Bélgica"),
    // Bulgaria
    ("BG", "България"),
    ("BG", "Bulgariya"),
    ("BG", "Balgariya"),
    ("BG", "Bulgarien"),
    ("BG", "Bulgarie"),
    // Croatia
    ("HR", "Hrvatska"),
    ("HR", "Kroatien"),
    ("HR", "Croatie"),
    ("HR", "Croacia"),
    // Cyprus
    ("CY", "Κύπρος"),
    ("CY", "Kýpros"),
    ("CY", "Kıbrıs"),
    ("CY", "Zypern"),
    ("CY", "Chypre"),
    ("CY", "Chipre"),
    // Czech Republic
    ("CZ", "Česko"),
    ("CZ", "Česká republika"),
    ("CZ", "Tschechien"),
    ("CZ", "Tschechische Republik"),
    ("CZ", "Tchéquie"),
    ("CZ", "République tchèque"),
    ("CZ", "Chequia"),
    ("CZ", "República Checa"),
    // Denmark
    ("DK", "Danmark"),
    ("DK", "Dänemark"),
    ("DK", "Danemark"),
    ("DK", "Dinamarca"),
    // Estonia
    ("EE", "Eesti"),
    ("EE", "Estland"),
    ("EE", "Estonie"),
    // Finland
    ("FI", "Suomi"),
    ("FI", "Finnland"),
    ("FI", "Finlande"),
    ("FI", "Finlandia"),
    // France
    ("FR", "Frankreich"),
    ("FR", "Francia"),
    // Germany
    ("DE", "Deutschland"),
    ("DE", "Bundesrepublik Deutschland"),
    ("DE", "Allemagne"),
    ("DE", "Alemania"),
    // Greece
    ("GR", "Ελλάδα"),
    ("GR", "Ελλάς"),
    ("GR", "Elláda"),
    ("GR", "Hellas"),
    ("GR", "Hellenic Republic"),
    ("GR", "EL"),
    ("GR", "Griechenland"),
    ("GR", "Grèce"),
    ("GR", "Grecia"),
    // Hungary
    ("HU", "Magyarország"),
    ("HU", "Ungarn"),
    ("HU", "Hongrie"),
    ("HU", "Hungría"),
    // Ireland
    ("IE", "Éire"),
    ("IE", "Republic of Ireland"),
    ("IE", "Irland"),
    ("IE", "Irlande"),
    ("IE", "Irlanda"),
    // Italy
    ("IT", "Italia"),
    ("IT", "Italien"),
    ("IT", "Italie"),
    // Latvia
    ("LV", "Latvija"),
    ("LV", "Lettland"),
    ("LV", "Lettonie"),
    ("LV", "Letonia"),
    // Lithuania
    ("LT", "Lietuva"),
    ("LT", "Litauen"),
    ("LT", "Lituanie"),
    ("LT", "Lituania"),
    // Luxembourg
    ("LU", "Lëtzebuerg"),
    ("LU", "Luxemburg"),
    ("LU", "Luxemburgo"),
    // Malta: the same in Maltese.
    // Netherlands
    ("NL", "Nederland"),
    ("NL", "Holland"),
    ("NL", "Niederlande"),
    ("NL", "Pays-Bas"),
    ("NL", "Países Bajos"),
    ("NL", "Holanda"),
    // Poland
    ("PL", "Polska"),
    ("PL", "Polen"),
    ("PL", "Pologne"),
    ("PL", "Polonia"),
    // Portugal: the same in Portuguese.
    // Romania
    ("RO", "România"),
    ("RO", "Rumänien"),
    ("RO", "Roumanie"),
    ("RO", "Rumania"),
    // Slovakia
    ("SK", "Slovensko"),
    ("SK", "Slovenská republika"),
    ("SK", "Slowakei"),
    ("SK", "Slovaquie"),
    ("SK", "Eslovaquia"),
    // Slovenia
    ("SI", "Slovenija"),
    ("SI", "Slowenien"),
    ("SI", "Slovénie"),
    ("SI", "Eslovenia"),
    // Spain
    ("ES", "España"),
    ("ES", "Spanien"),
    ("ES", "Espagne"),
    // Sweden
    ("SE", "Sverige"),
    ("SE", "Schweden"),
    ("SE", "Suède"),
    ("SE", "Suecia"),
    // Other European countries often listed with the EU
    ("CH", "Schweiz"),
    ("CH", "Suisse"),
    ("CH", "Svizzera"),
    ("CH", "Svizra"),
    ("CH", "Suiza"),
    ("CH", "Confoederatio Helvetica"),
    ("NO", "Norge"),
    ("NO", "Noreg"),
    ("NO", "Norwegen"),
    ("NO", "Norvège"),
    ("NO", "Noruega"),
    ("IS", "Ísland"),
    ("IS", "Island"),
    ("LI", "Lichtenstein"),
    // Common names for the ISO forms
    ("BO", "Bolivia (Plurinational State of)"),
    ("CD", "DR Congo"),
    ("CD", "DRC"),
    ("CD", "Congo-Kinshasa"),
    ("CD", "Congo, Democratic Republic of the"),
    ("CD", "Zaire"),
    ("CG", "Republic of the Congo"),
    ("CG", "Congo-Brazzaville"),
    ("CI", "Ivory Coast"),
    ("CV", "Cape Verde"),
    ("KP", "DPRK"),
    ("KP", "Korea, Democratic People's Republic of"),
    ("KR", "Korea"),
    ("KR", "Republic of Korea"),
    ("KR", "Korea, Republic of"),
    ("MK", "Macedonia"),
    ("MM", "Burma"),
    ("MO", "Macau"),
    ("PS", "Palestinian Territories"),
    ("RU", "Russian Federation"),
    ("SZ", "Swaziland"),
    ("TL", "East Timor"),
    ("TR", "Türkiye"),
    ("TW", "Republic of China"),
    ("AE", "UAE"),
    ("VA", "Holy See"),
    ("VA", "Vatican"),
    ("VN", "Viet Nam"),
];

struct Tables {
    /// Folded key → country, for canonical names, ISO names and aliases.
    by_key: HashMap<String, &'static CountryCode>,
    /// Canonical name → country.
    by_canonical: HashMap<&'static str, &'static CountryCode>,
    us_first: Vec<&'static str>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let by_alpha2: HashMap<&'static str, &'static CountryCode> =
            rust_iso3166::ALL.iter().map(|c| (c.alpha2, c)).collect();
        let mut by_key = HashMap::new();
        let mut by_canonical = HashMap::new();
        for code in rust_iso3166::ALL {
            by_canonical.insert(canonical_name(code), code);
            by_key.insert(key(canonical_name(code)), code);
        }
        // ISO names second, aliases last: neither may take a key a canonical name holds.
        for code in rust_iso3166::ALL {
            by_key.entry(key(code.name)).or_insert(code);
        }
        for (alpha2, alias) in ALIASES {
            if let Some(code) = by_alpha2.get(alpha2) {
                by_key.entry(key(alias)).or_insert(code);
            }
        }
        let mut rest: Vec<&'static str> =
            rust_iso3166::ALL.iter().filter(|c| c.alpha2 != "US").map(canonical_name).collect();
        rest.sort_by_cached_key(|name| (key(name), *name));
        let mut us_first = Vec::with_capacity(rest.len() + 1);
        us_first.push(canonical_name(&rust_iso3166::US));
        us_first.extend(rest);
        Tables { by_key, by_canonical, us_first }
    })
}

fn canonical_name(code: &CountryCode) -> &'static str {
    CANONICAL_OVERRIDES.iter().find(|(a2, _)| *a2 == code.alpha2).map_or(code.name, |(_, name)| name)
}

fn lookup(raw: &str) -> Option<&'static CountryCode> {
    let tables = tables();
    if let Some(code) = tables.by_key.get(&key(raw)) {
        return Some(code);
    }
    let upper = raw.to_ascii_uppercase();
    let code = match upper.len() {
        2 => rust_iso3166::from_alpha2(&upper),
        3 => rust_iso3166::from_alpha3(&upper),
        _ => None,
    }?;
    // Back to the table's own 'static entry.
    tables.by_canonical.get(canonical_name(&code)).copied()
}

/// The matching key: lowercase, accents and apostrophes/dots dropped, other punctuation as
/// spaces, "&" as "and", "st" as "saint", single spaces, and no leading "the".
fn key(raw: &str) -> String {
    let mut folded = String::with_capacity(raw.len());
    for c in raw.chars().flat_map(char::to_lowercase) {
        match c {
            '\u{300}'..='\u{36f}' | '.' | '\'' | '\u{2019}' | '`' | '\u{b4}' => {}
            '&' => folded.push_str(" and "),
            c if c.is_alphanumeric() => fold_letter(c, &mut folded),
            _ => folded.push(' '),
        }
    }
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.iter().map(|w| if *w == "st" { "saint" } else { w }).collect::<Vec<_>>().join(" ")
}

/// Pushes `c` (lowercase) with Latin diacritics removed: "č" → "c", "ß" → "ss".
fn fold_letter(c: char, out: &mut String) {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ł' | 'ŀ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' | 'ŝ' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'æ' => return out.push_str("ae"),
        'œ' => return out.push_str("oe"),
        'ß' => return out.push_str("ss"),
        'þ' => return out.push_str("th"),
        other => other,
    };
    out.push(plain);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &str) -> Option<String> {
        Country::parse(raw).map(Country::into_string)
    }

    #[test]
    fn p2_codes_in_any_case() {
        for raw in ["DE", "de", "DEU", "deu", " De "] {
            assert_eq!(name(raw).as_deref(), Some("Germany"), "{raw}");
        }
        assert_eq!(name("GB").as_deref(), Some("United Kingdom"));
        assert_eq!(name("gbr").as_deref(), Some("United Kingdom"));
        assert_eq!(name("CZ").as_deref(), Some("Czech Republic"));
        assert_eq!(name("CZE").as_deref(), Some("Czech Republic"));
        assert_eq!(name("us").as_deref(), Some("United States"));
        assert_eq!(name("NLD").as_deref(), Some("Netherlands"));
    }

    #[test]
    fn p2_canonical_names_in_any_case_and_spacing() {
        assert_eq!(name("germany").as_deref(), Some("Germany"));
        assert_eq!(name("  UNITED   kingdom ").as_deref(), Some("United Kingdom"));
        assert_eq!(name("czech republic").as_deref(), Some("Czech Republic"));
        assert_eq!(name("The Netherlands").as_deref(), Some("Netherlands"));
        assert_eq!(name("St. Lucia").as_deref(), Some("Saint Lucia"));
        assert_eq!(name("Cote d'Ivoire").as_deref(), Some("Côte d'Ivoire"));
    }

    #[test]
    fn p2_iso_formal_names_map_to_the_canonical_short_name() {
        assert_eq!(name("United Kingdom of Great Britain and Northern Ireland").as_deref(), Some("United Kingdom"));
        assert_eq!(name("Czechia").as_deref(), Some("Czech Republic"));
        assert_eq!(name("Netherlands (Kingdom of the)").as_deref(), Some("Netherlands"));
        assert_eq!(name("United States of America").as_deref(), Some("United States"));
        assert_eq!(name("Korea (Republic of)").as_deref(), Some("South Korea"));
        assert_eq!(name("Russian Federation").as_deref(), Some("Russia"));
    }

    #[test]
    fn p2_spec_examples_and_aliases() {
        let cases = [
            ("Deutschland", "Germany"),
            ("UK", "United Kingdom"),
            ("Great Britain", "United Kingdom"),
            ("England", "United Kingdom"),
            ("Scotland", "United Kingdom"),
            ("Wales", "United Kingdom"),
            ("Northern Ireland", "United Kingdom"),
            ("Česko", "Czech Republic"),
            ("Cesko", "Czech Republic"),
            ("USA", "United States"),
            ("U.S.", "United States"),
            ("u.s.a.", "United States"),
            ("America", "United States"),
            ("Holland", "Netherlands"),
            ("España", "Spain"),
            ("Espana", "Spain"),
            ("Österreich", "Austria"),
            ("Schweiz", "Switzerland"),
            ("Suisse", "Switzerland"),
            ("Italia", "Italy"),
            ("Polska", "Poland"),
            ("Nederland", "Netherlands"),
            ("België", "Belgium"),
            ("Belgique", "Belgium"),
            ("Sverige", "Sweden"),
            ("Danmark", "Denmark"),
            ("Suomi", "Finland"),
            ("Éire", "Ireland"),
            ("EIRE", "Ireland"),
            ("Türkiye", "Turkey"),
        ];
        for (raw, want) in cases {
            assert_eq!(name(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn p2_native_names_of_every_eu_member() {
        let cases = [
            ("Österreich", "Austria"),
            ("België", "Belgium"),
            ("България", "Bulgaria"),
            ("Hrvatska", "Croatia"),
            ("Κύπρος", "Cyprus"),
            ("Česká republika", "Czech Republic"),
            ("Danmark", "Denmark"),
            ("Eesti", "Estonia"),
            ("Suomi", "Finland"),
            ("France", "France"),
            ("Deutschland", "Germany"),
            ("Ελλάδα", "Greece"),
            ("Magyarország", "Hungary"),
            ("Éire", "Ireland"),
            ("Italia", "Italy"),
            ("Latvija", "Latvia"),
            ("Lietuva", "Lithuania"),
            ("Lëtzebuerg", "Luxembourg"),
            ("Malta", "Malta"),
            ("Nederland", "Netherlands"),
            ("Polska", "Poland"),
            ("Portugal", "Portugal"),
            ("România", "Romania"),
            ("Slovensko", "Slovakia"),
            ("Slovenija", "Slovenia"),
            ("España", "Spain"),
            ("Sverige", "Sweden"),
        ];
        for (raw, want) in cases {
            assert_eq!(name(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn p2_demo_and_select_names_are_canonical() {
        let others = ["United States", "Canada", "Mexico", "Norway", "Switzerland"];
        for n in crate::demo::EU_AND_UK.iter().chain(others.iter()) {
            assert_eq!(name(n).as_deref(), Some(*n), "{n} must be its own canonical name");
        }
    }

    #[test]
    fn p2_unknown_and_blank_values() {
        for raw in ["", "   ", "Atlantis", "XX", "XXX", "Europe", "EU"] {
            assert_eq!(name(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn p2_unknown_names_lists_the_lines_to_warn_about() {
        let setting = "Germany\n  Deutschland \n\nAtlantis\nCzechia\r\nNarnia  \nUK\n";
        assert_eq!(unknown_names(setting), vec!["Atlantis".to_owned(), "Narnia".to_owned()]);
        assert!(unknown_names(&crate::demo::EU_AND_UK.join("\n")).is_empty());
        assert!(unknown_names("").is_empty());
    }

    #[test]
    fn p2_all_names_us_first_then_alphabetical() {
        let names = all_names_us_first();
        assert_eq!(names[0], "United States");
        assert_eq!(names.len(), rust_iso3166::ALL.len());
        assert_eq!(names.iter().filter(|n| **n == "United States").count(), 1);
        let rest = &names[1..];
        assert!(rest.windows(2).all(|w| key(w[0]) <= key(w[1])), "alphabetical after the first");
        let aland = rest.iter().position(|n| *n == "Åland Islands").unwrap();
        let albania = rest.iter().position(|n| *n == "Albania").unwrap();
        assert!(aland < albania, "accents fold for sorting");
        for n in ["United Kingdom", "Czech Republic", "Germany", "Netherlands"] {
            assert!(names.contains(&n), "{n}");
        }
        assert!(!names.contains(&"Czechia"));
    }

    #[test]
    fn p2_every_canonical_name_round_trips_and_keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in rust_iso3166::ALL {
            let canonical = canonical_name(code);
            assert!(seen.insert(key(canonical)), "two countries share the key of {canonical}");
            let parsed = Country::parse(canonical).unwrap();
            assert_eq!(parsed.name(), canonical);
            assert_eq!(parsed.alpha2(), code.alpha2);
            assert_eq!(Country::parse(code.alpha2).unwrap().name(), canonical);
            assert_eq!(Country::parse(code.alpha3).unwrap().name(), canonical);
            assert_eq!(Country::parse(code.name).unwrap().name(), canonical, "ISO name {}", code.name);
        }
    }

    #[test]
    fn p2_aliases_name_real_countries_and_never_shadow_another() {
        for (alpha2, alias) in ALIASES {
            let code = rust_iso3166::from_alpha2(alpha2).unwrap_or_else(|| panic!("{alpha2} is not ISO"));
            assert_eq!(
                Country::parse(alias).map(|c| c.alpha2()),
                Some(code.alpha2),
                "alias {alias:?} is shadowed by another country"
            );
        }
        for (alpha2, _) in CANONICAL_OVERRIDES {
            assert!(rust_iso3166::from_alpha2(alpha2).is_some(), "{alpha2} is not ISO");
        }
    }
}
