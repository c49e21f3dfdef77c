//! The country normalizer (SPEC P2): every country value on the way in goes through
//! `Country::parse`. Any text: no panic. A parsed country is a fixed point: its canonical
//! name and its alpha-2 code both parse back to it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use placard::privacy::countries::{unknown_names, Country};

fuzz_target!(|raw: &str| {
    if let Some(country) = Country::parse(raw) {
        assert!(!raw.trim().is_empty());
        assert_eq!(Country::parse(country.name()).as_ref(), Some(&country), "name of {raw:?}");
        let code = country.alpha2();
        assert_eq!(code.len(), 2, "alpha-2 of {country}");
        assert_eq!(Country::parse(code).as_ref(), Some(&country), "alpha-2 of {raw:?}");
    }
    // The settings screen's check over many lines at once.
    for name in unknown_names(raw) {
        assert!(Country::parse(&name).is_none());
    }
});
