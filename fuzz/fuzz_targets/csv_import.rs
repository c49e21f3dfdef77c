//! The CSV upload reader (SPEC P14, G4): `csvfile::check` on any bytes (other encodings,
//! broken quoting, ragged rows), with a forgotten person so the blanking rewrite runs too.
//! No panic; a checked file reopens as the importer reads it, with the same header and
//! exactly `total_rows` rows numbered from 2, in chunks and after a skip.

#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use placard::imports::csvfile::{check, Rows, FORGOTTEN_MARK};

fn forgotten() -> &'static HashSet<String> {
    static FORGOTTEN: OnceLock<HashSet<String>> = OnceLock::new();
    FORGOTTEN.get_or_init(|| [placard::gdpr::forget_hash("gone@example.org")].into_iter().collect())
}

fuzz_target!(|raw: &[u8]| {
    let Ok(checked) = check(raw.to_vec(), forgotten()) else { return };
    assert!(checked.total_rows > 0);
    assert!((0..=checked.total_rows).contains(&checked.forgotten_rows));
    assert!(checked.header.iter().any(|c| c == "email"));
    let email_at = checked.header.iter().position(|c| c == "email").unwrap_or_default();

    let mut rows = Rows::open(checked.content.clone()).expect("a checked file reopens");
    assert_eq!(rows.header, checked.header);
    let mut seen = 0_i64;
    let mut marked = 0_i64;
    loop {
        let chunk = rows.chunk(3).expect("a checked file reads");
        if chunk.is_empty() {
            break;
        }
        for row in chunk {
            assert_eq!(row.number, seen + 2);
            seen += 1;
            let email = row.cells.get(email_at).unwrap_or_default();
            if email == FORGOTTEN_MARK {
                marked += 1;
            }
            assert!(!email.trim().eq_ignore_ascii_case("gone@example.org"), "a forgotten row was stored");
        }
    }
    assert_eq!(seen, checked.total_rows);
    assert!(marked >= checked.forgotten_rows);

    // Resuming after a restart: the rest of the rows, numbered where they left off.
    let half = checked.total_rows / 2;
    let mut resumed = Rows::open(checked.content).expect("a checked file reopens");
    resumed.skip(half).expect("a checked file skips");
    assert_eq!(resumed.position(), half);
    let rest = resumed.chunk(usize::try_from(checked.total_rows).unwrap_or(0) + 1).expect("a checked file reads");
    assert_eq!(i64::try_from(rest.len()).unwrap_or(i64::MAX), checked.total_rows - half);
    assert!(rest.first().is_none_or(|r| r.number == half + 2));
});
