//! `Cents`: an amount of money in minor units, parsed at the edge from what donors and
//! integrators type (`123.45`, `$1,000`, `25`).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cents(pub i64);

/// Largest single amount accepted (ten million in major units).
const MAX: i64 = 1_000_000_000;

impl Cents {
    /// A positive amount with at most two decimals; currency symbols, spaces and
    /// thousands separators are ignored.
    pub fn parse(raw: &str) -> Option<Self> {
        let clean: String =
            raw.trim().trim_start_matches(['$', '€', '£']).chars().filter(|c| *c != ',' && *c != ' ').collect();
        let (whole, frac) = clean.split_once('.').unwrap_or((&clean, ""));
        if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
            return None;
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 12 {
            return None;
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        let cents = whole.checked_mul(100)?.checked_add(frac)?;
        (cents > 0 && cents <= MAX).then_some(Self(cents))
    }
}

impl fmt::Display for Cents {
    /// `123.45`, as ActionKit writes totals in thanks URLs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::Cents;

    #[test]
    fn a9_amounts_parse_to_cents() {
        assert_eq!(Cents::parse("123.45"), Some(Cents(12_345)));
        assert_eq!(Cents::parse("$1,000"), Some(Cents(100_000)));
        assert_eq!(Cents::parse("25"), Some(Cents(2_500)));
        assert_eq!(Cents::parse(".5"), Some(Cents(50)));
        for bad in ["", "0", "-5", "1.234", "abc", "1e3", "12.3.4", "99999999999999"] {
            assert_eq!(Cents::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Cents(12_345).to_string(), "123.45");
        assert_eq!(Cents(500).to_string(), "5.00");
    }
}
