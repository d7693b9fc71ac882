//! The Safe Harbor generalization rules, on plain values.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Three-digit ZIP areas with 20,000 people or fewer (2000 Census, per HHS guidance): these
/// must be written as 000.
pub const RESTRICTED_ZIP3: [&str; 17] = [
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
    "879", "884", "890", "893",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zip3Outcome {
    Kept,
    Restricted,
    /// Fewer than three digits: written as 000, since we cannot tell what area it was.
    Invalid,
}

/// The first three digits of a ZIP code, or `000` for restricted and unreadable ones.
pub fn zip3(zip: &str) -> (String, Zip3Outcome) {
    let digits: String = zip
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ' ')
        .filter(char::is_ascii_digit)
        .take(3)
        .collect();
    if digits.len() < 3 {
        return ("000".to_string(), Zip3Outcome::Invalid);
    }
    if RESTRICTED_ZIP3.contains(&digits.as_str()) {
        ("000".to_string(), Zip3Outcome::Restricted)
    } else {
        (digits, Zip3Outcome::Kept)
    }
}

/// Ages over 89 are aggregated into one category, written as 90.
pub const AGE_CAP: i64 = 90;

pub fn cap_age(age: i64) -> (i64, bool) {
    if age > 89 {
        (AGE_CAP, age != AGE_CAP)
    } else {
        (age, false)
    }
}

pub fn cap_age_f64(age: f64) -> (f64, bool) {
    if age >= 90.0 {
        (AGE_CAP as f64, age != AGE_CAP as f64)
    } else {
        (age, false)
    }
}

/// Whole years from `birth` to `at`.
pub fn age_at(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut years = at.year() - birth.year();
    if (at.month(), at.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// The date every birth date that implies an age over 89 is generalized to: the first of
/// January ninety years before the reference year, so no one over 89 can be told apart.
pub fn generalized_birth_date(reference: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(reference.year() - AGE_CAP as i32, 1, 1).expect("valid year")
}

pub fn implies_age_over_89(birth: NaiveDate, reference: NaiveDate) -> bool {
    age_at(birth, reference) > 89
}

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01: Arrow's Date32 counts from the latter.
const UNIX_EPOCH_DAY: i32 = 719_163;

/// An Arrow Date32 value as a date-time at midnight.
pub fn days_to_datetime(days: i32) -> Option<NaiveDateTime> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAY)?)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// A date as an Arrow Date32 value.
pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - UNIX_EPOCH_DAY
}

/// A date or date-time read from text, with the layout it came in, so a shifted value is
/// written back the way it was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextDate {
    pub value: NaiveDateTime,
    pub layout: &'static str,
}

const DATE_LAYOUTS: &[&str] = &["%Y-%m-%d", "%m/%d/%Y", "%Y%m%d"];
const DATETIME_LAYOUTS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
];

pub fn parse_text_date(s: &str) -> Option<TextDate> {
    let s = s.trim();
    let s = s.strip_suffix('Z').unwrap_or(s);
    for layout in DATE_LAYOUTS {
        if let Ok(d) = NaiveDate::parse_from_str(s, layout) {
            return Some(TextDate {
                value: d.and_hms_opt(0, 0, 0).unwrap(),
                layout,
            });
        }
    }
    for layout in DATETIME_LAYOUTS {
        if let Ok(value) = NaiveDateTime::parse_from_str(s, layout) {
            return Some(TextDate { value, layout });
        }
    }
    None
}

pub fn format_text_date(value: NaiveDateTime, layout: &str) -> String {
    value.format(layout).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn restricted_zips_become_000() {
        for z in RESTRICTED_ZIP3 {
            assert_eq!(
                zip3(&format!("{z}42")),
                ("000".into(), Zip3Outcome::Restricted)
            );
        }
        assert_eq!(zip3("02139-4307"), ("021".into(), Zip3Outcome::Kept));
        assert_eq!(zip3("n/a"), ("000".into(), Zip3Outcome::Invalid));
    }

    #[test]
    fn ages_and_birth_dates() {
        assert_eq!(cap_age(89), (89, false));
        assert_eq!(cap_age(104), (90, true));
        let r = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        // Exactly 90 at the reference date is over 89; one day short of it is not.
        assert!(implies_age_over_89(
            NaiveDate::from_ymd_opt(1936, 1, 1).unwrap(),
            r
        ));
        assert!(!implies_age_over_89(
            NaiveDate::from_ymd_opt(1936, 1, 2).unwrap(),
            r
        ));
        assert_eq!(
            generalized_birth_date(r),
            NaiveDate::from_ymd_opt(1936, 1, 1).unwrap()
        );
    }

    #[test]
    fn text_dates_round_trip_their_layout() {
        for s in [
            "2021-03-04",
            "03/04/2021",
            "2021-03-04 10:11:12",
            "2021-03-04T10:11:12.250",
        ] {
            let d = parse_text_date(s).unwrap();
            assert_eq!(format_text_date(d.value, d.layout), s);
        }
        assert!(parse_text_date("2021-02-30").is_none());
        assert!(parse_text_date("yesterday").is_none());
    }

    proptest! {
        #[test]
        fn zip3_is_a_prefix_or_000(zip in "[0-9]{5}") {
            let (out, outcome) = zip3(&zip);
            let restricted = RESTRICTED_ZIP3.contains(&&zip[..3]);
            prop_assert_eq!(out == "000", restricted || &zip[..3] == "000");
            prop_assert_eq!(outcome == Zip3Outcome::Restricted, restricted);
            if !restricted { prop_assert_eq!(out, &zip[..3]); }
        }
    }
}
