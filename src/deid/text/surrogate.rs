//! Surrogates: each PHI span replaced by a realistic value of its type, so text reads naturally
//! ("hiding in plain sight"). Every choice comes from HMAC of the run key, the patient and the
//! original, so one patient's "Smith" is the same surrogate in every note of a run, and the
//! layout is kept ("SMITH, JOHN" becomes "BAKER, PAUL"; "03/04/2021" another m/d/Y date).
//! Dates move by the patient's offset, the same one structured dates get.

use chrono::{Datelike, Duration, NaiveDate};

use super::words;
use super::{MONTHS, WEEKDAYS};
use crate::deid::keyed::Keyed;

/// Words kept as they are inside a replaced address or facility name.
const KEPT_WORDS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "drive",
    "dr",
    "lane",
    "ln",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "terrace",
    "ter",
    "circle",
    "cir",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "square",
    "sq",
    "trail",
    "trl",
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "room",
    "rm",
    "floor",
    "fl",
    "po",
    "box",
    "county",
    "parish",
    "hospital",
    "medical",
    "center",
    "centre",
    "clinic",
    "health",
    "healthcare",
    "care",
    "system",
    "infirmary",
    "nursing",
    "home",
    "facility",
    "rehab",
    "rehabilitation",
    "hospice",
    "cancer",
    "institute",
    "surgery",
    "surgical",
    "assisted",
    "senior",
    "living",
    "group",
    "associates",
    "partners",
    "surgeons",
    "physicians",
    "practice",
    "pediatrics",
    "of",
    "the",
    "for",
    "and",
    "saint",
    "n",
    "s",
    "e",
    "w",
    "north",
    "south",
    "east",
    "west",
    "med",
    "ctr",
    "memorial",
];

/// What a surrogate needs beyond the span: whose note it is and that patient's date offset.
pub struct Surrogates<'a> {
    keyed: &'a Keyed,
    patient: &'a str,
    /// `None`: no offset is known, and dates become `[DATE]` rather than pass unshifted.
    date_offset_days: Option<i32>,
}

impl<'a> Surrogates<'a> {
    pub fn new(keyed: &'a Keyed, patient: &'a str, date_offset_days: Option<i32>) -> Self {
        Self {
            keyed,
            patient,
            date_offset_days,
        }
    }

    fn draw(&self, kind: &str, original: &str) -> u64 {
        let tag = self
            .keyed
            .surrogate_tag(self.patient, kind, &original.to_lowercase());
        u64::from_be_bytes(tag[..8].try_into().unwrap())
    }

    /// Appends the surrogate of `original` (a span of type `kind`) to `out`.
    pub fn push(&self, kind: &str, original: &str, out: &mut String) {
        match kind {
            "NAME" => self.name(original, out),
            "DATE" => match self
                .date_offset_days
                .and_then(|days| shift_date(original, days))
            {
                Some(s) => out.push_str(&s),
                None => super::push_tag(kind, out),
            },
            "AGE" => out.push_str("90"),
            "EMAIL" => {
                let who = words::surname_at(self.draw("EMAIL", original));
                out.push_str(&who.to_lowercase());
                out.push_str(&format!(
                    "{}@example.org",
                    self.draw("EMAIL#", original) % 1000
                ));
            }
            "URL" => out.push_str(&format!(
                "https://example.org/{:08x}",
                self.draw("URL", original) as u32
            )),
            "IP" => {
                let d = self.draw("IP", original);
                out.push_str(&format!("192.0.2.{}", 1 + d % 254));
            }
            "GEO" | "HOSPITAL" => self.words_and_digits(kind, original, out),
            _ => self.characters(kind, original, out),
        }
    }

    /// Each word of a name from a name list (first names for first names), case kept;
    /// initials become initials.
    fn name(&self, original: &str, out: &mut String) {
        // The list depends on the word alone, so "John" and "JOHN" get the same surrogate.
        for_each_word(original, out, |word, out| {
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let draw = self.draw("NAME", word);
            if letters <= 1 {
                out.push(char::from(b'A' + (draw % 26) as u8));
                return;
            }
            let pick_at = if words::is_first_name(word) {
                words::first_name_at
            } else {
                words::surname_at
            };
            let mut pick = pick_at(draw);
            if pick.eq_ignore_ascii_case(word) {
                pick = pick_at(draw.wrapping_add(1));
            }
            push_in_case_of(word, pick, out);
        });
    }

    /// Addresses and facility names: numbers redrawn digit by digit, street and facility words
    /// kept, other words replaced by a city name (GEO) or a surname (street and facility names).
    fn words_and_digits(&self, kind: &str, original: &str, out: &mut String) {
        for_each_word(original, out, |word, out| {
            if word.chars().any(|c| c.is_ascii_digit()) {
                self.characters(kind, word, out);
            } else if KEPT_WORDS.contains(&word.to_lowercase().trim_end_matches('.'))
                || word.len() == 2 && word.chars().all(|c| c.is_ascii_uppercase())
            {
                out.push_str(word);
            } else {
                let draw = self.draw(kind, word);
                let pick = if kind == "GEO" && words::is_city(word) {
                    words::city_at(draw)
                } else {
                    words::surname_at(draw)
                };
                push_in_case_of(word, pick, out);
            }
        });
    }

    /// Identifiers: each digit and letter redrawn, punctuation and case kept, so the layout of
    /// a phone number or record number survives. The first digit of an SSN becomes 9 (no
    /// real SSN starts with 9).
    fn characters(&self, kind: &str, original: &str, out: &mut String) {
        let tag = self
            .keyed
            .surrogate_tag(self.patient, kind, &original.to_lowercase());
        let mut first_digit = true;
        for (i, c) in original.chars().enumerate() {
            let r = tag[i % 32].wrapping_add((i / 32) as u8);
            if c.is_ascii_digit() {
                if kind == "SSN" && first_digit {
                    out.push('9');
                } else {
                    out.push(char::from(b'0' + r % 10));
                }
                first_digit = false;
            } else if c.is_ascii_uppercase() {
                out.push(char::from(b'A' + r % 26));
            } else if c.is_ascii_lowercase() {
                out.push(char::from(b'a' + r % 26));
            } else {
                out.push(c);
            }
        }
    }
}

/// Calls `f` for each run of letters, digits and apostrophes, copying what lies between.
fn for_each_word(s: &str, out: &mut String, mut f: impl FnMut(&str, &mut String)) {
    let mut start = None;
    for (i, c) in s.char_indices() {
        let in_word = c.is_alphanumeric() || c == '\'';
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                f(&s[st..i], out);
                out.push(c);
                start = None;
            }
            (false, None) => out.push(c),
            _ => {}
        }
    }
    if let Some(st) = start {
        f(&s[st..], out);
    }
}

/// `pick` (lowercase) written in the case of `like`: ALL CAPS, Capitalised, or lowercase.
fn push_in_case_of(like: &str, pick: &str, out: &mut String) {
    let letters: Vec<char> = like.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.len() > 1 && letters.iter().all(|c| c.is_uppercase());
    let capitalised = letters.first().is_some_and(|c| c.is_uppercase());
    let mut cap_next = true;
    for c in pick.chars() {
        if upper || capitalised && cap_next {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        cap_next = c == ' ' || c == '-';
    }
}

/// A leap year, so "2/29" without a year still parses.
const YEARLESS: i32 = 2000;

fn month_of(word: &str) -> Option<(u32, bool)> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w) && (w.len() >= 3))
        .filter(|&i| w == MONTHS[i] || w.len() <= 4)
        .map(|i| (i as u32 + 1, w == MONTHS[i]))
}

fn ordinal(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The date in `text` moved by `days`, in the layout it came in; `None` for what is not a
/// date that can be moved (a time of day, a holiday).
pub fn shift_date(text: &str, days: i32) -> Option<String> {
    let t = text.trim();
    if let Some(i) = WEEKDAYS
        .iter()
        .position(|d| t.to_lowercase().starts_with(d))
    {
        let moved = (i as i64 + i64::from(days)).rem_euclid(7) as usize;
        let mut out = String::new();
        push_in_case_of(t, WEEKDAYS[moved], &mut out);
        return Some(out);
    }
    numeric_date(t, days).or_else(|| named_month_date(t, days))
}

fn numeric_date(t: &str, days: i32) -> Option<String> {
    let sep = t.chars().find(|c| matches!(c, '/' | '-' | '.'));
    let parts: Vec<&str> = match sep {
        Some(s) => t.split(s).collect(),
        None if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) => {
            vec![&t[..4], &t[4..6], &t[6..]]
        }
        None => return None,
    };
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |i: usize| parts[i].parse::<u32>().ok();
    let (y, m, d, layout) = match parts.len() {
        3 if parts[0].len() == 4 => (num(0)? as i32, num(1)?, num(2)?, "ymd"),
        3 => {
            let y = num(2)? as i32;
            let y = if parts[2].len() == 2 {
                if y > 30 {
                    1900 + y
                } else {
                    2000 + y
                }
            } else {
                y
            };
            (y, num(0)?, num(1)?, "mdy")
        }
        2 if parts[1].len() == 4 => (num(1)? as i32, num(0)?, 1, "my"),
        2 => (YEARLESS, num(0)?, num(1)?, "md"),
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(y, m, d)? + Duration::days(i64::from(days));
    // Zero-padded layout when the month or day was written with a leading zero.
    let padded = parts.iter().any(|p| p.len() == 2 && p.starts_with('0'));
    let pad = |_: &str, v: u32| {
        if padded {
            format!("{v:02}")
        } else {
            v.to_string()
        }
    };
    let sep = sep.map(String::from).unwrap_or_default();
    Some(match layout {
        "ymd" => format!(
            "{:04}{sep}{}{sep}{}",
            date.year(),
            pad(parts[1], date.month()),
            pad(parts[2], date.day())
        ),
        "mdy" => {
            let year = if parts[2].len() == 2 {
                format!("{:02}", date.year() % 100)
            } else {
                date.year().to_string()
            };
            format!(
                "{}{sep}{}{sep}{year}",
                pad(parts[0], date.month()),
                pad(parts[1], date.day())
            )
        }
        // A month and year move by whole months' worth of the offset.
        "my" => format!("{}{sep}{}", pad(parts[0], date.month()), date.year()),
        _ => format!(
            "{}{sep}{}",
            pad(parts[0], date.month()),
            pad(parts[1], date.day())
        ),
    })
}

/// "March 3, 2021", "3 Mar 2021", "Mar. 3rd", "March 2021".
fn named_month_date(t: &str, days: i32) -> Option<String> {
    let tokens: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("of"))
        .collect();
    let month_pos = tokens.iter().position(|w| month_of(w).is_some())?;
    let (month, full) = month_of(tokens[month_pos])?;
    let mut day = None;
    let mut year = None;
    for (i, w) in tokens.iter().enumerate() {
        if i == month_pos {
            continue;
        }
        let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
        let v: u32 = digits.parse().ok()?;
        if digits.len() == 4 || w.starts_with('\'') {
            year = Some(v as i32);
        } else if w.starts_with('\'') {
            year = Some(2000 + v as i32);
        } else {
            day = Some(v);
        }
    }
    let had_day = day.is_some();
    let date = NaiveDate::from_ymd_opt(year.unwrap_or(YEARLESS), month, day.unwrap_or(1))?
        + Duration::days(i64::from(days));
    let name = MONTHS[date.month0() as usize];
    let name = if full {
        name.to_string()
    } else {
        name[..3].to_string()
    };
    let mut month_text = String::new();
    push_in_case_of(tokens[month_pos], &name, &mut month_text);
    if tokens[month_pos].ends_with('.') {
        month_text.push('.');
    }
    let day_first = month_pos > 0 && had_day;
    let ord = tokens.iter().any(|w| {
        w.len() > 2
            && w.ends_with(|c: char| c.is_ascii_alphabetic())
            && w.starts_with(|c: char| c.is_ascii_digit())
    });
    let day_text = if ord {
        format!("{}{}", date.day(), ordinal(date.day()))
    } else {
        date.day().to_string()
    };
    let mut out = match (had_day, day_first) {
        (true, true) => format!("{day_text} {month_text}"),
        (true, false) => format!("{month_text} {day_text}"),
        (false, _) => month_text,
    };
    if year.is_some() {
        if had_day && !day_first && t.contains(',') {
            out.push(',');
        }
        out.push(' ');
        out.push_str(&date.year().to_string());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_by_the_offset_in_their_own_layout() {
        assert_eq!(shift_date("03/04/2021", 10).as_deref(), Some("03/14/2021"));
        assert_eq!(shift_date("3/4/21", -4).as_deref(), Some("2/28/21"));
        assert_eq!(shift_date("2021-03-04", 1).as_deref(), Some("2021-03-05"));
        assert_eq!(shift_date("12/30", 3).as_deref(), Some("1/2"));
        assert_eq!(
            shift_date("March 3, 2021", 30).as_deref(),
            Some("April 2, 2021")
        );
        assert_eq!(shift_date("3 Mar 2021", 1).as_deref(), Some("4 Mar 2021"));
        assert_eq!(shift_date("Jan 9th", 1).as_deref(), Some("Jan 10th"));
        assert_eq!(shift_date("Monday", 2).as_deref(), Some("Wednesday"));
        assert_eq!(shift_date("14:30", 5), None);
    }

    #[test]
    fn surrogates_keep_layout_and_are_consistent_per_patient() {
        let keyed = Keyed::new(b"0123456789abcdef0123").unwrap();
        let s = Surrogates::new(&keyed, "p1", Some(12));
        let render = |kind: &str, v: &str| {
            let mut out = String::new();
            s.push(kind, v, &mut out);
            out
        };
        let name = render("NAME", "SMITH, JOHN");
        assert_ne!(name, "SMITH, JOHN");
        assert!(name.contains(", ") && name == name.to_uppercase(), "{name}");
        assert_eq!(render("NAME", "SMITH, JOHN"), name);
        let phone = render("PHONE", "(617) 555-0134");
        assert_eq!(phone.len(), 14);
        assert!(
            phone.starts_with('(') && phone.as_bytes()[9] == b'-',
            "{phone}"
        );
        assert!(render("SSN", "078-05-1120").starts_with('9'));
        let other = Surrogates::new(&keyed, "p2", Some(12));
        let mut o = String::new();
        other.push("NAME", "SMITH, JOHN", &mut o);
        assert_ne!(o, name, "another patient's Smith gets another surrogate");
        assert_eq!(render("DATE", "03/04/2021"), "03/16/2021");
    }
}
