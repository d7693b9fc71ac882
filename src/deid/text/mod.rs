//! The patterned part of the free-text PHI scrubber: identifiers with a shape (SSN, phone,
//! e-mail, URL, IP address, dates, labelled record numbers). Every pattern is a `regex`
//! pattern, so scanning is linear in the text whatever it holds.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// A PHI span in code-point offsets (what Python's `str` slicing uses).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

struct Pattern {
    kind: &'static str,
    regex: Regex,
    /// Capture group holding the identifier (0: the whole match); a label such as `MRN:`
    /// stays in the text.
    group: usize,
}

const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

fn pattern_sources() -> Vec<(&'static str, String, usize)> {
    vec![
        ("EMAIL", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b".into(), 0),
        ("URL", r#"(?i)\b(?:https?://|ftp://|www\.)[^\s<>"']+[^\s<>"'.,;:)]"#.into(), 0),
        ("IP", r"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b".into(), 0),
        ("SSN", r"\b\d{3}-\d{2}-\d{4}\b".into(), 0),
        ("SSN", r"(?i)\b(?:ssn|social security(?: number| no\.?)?)\s*[:#]?\s*(\d{9}|\d{3} \d{2} \d{4})\b".into(), 1),
        ("PHONE", r"(?:\+1[-. ]?)?(?:\(\d{3}\)\s?|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b(?:\s*(?:x|ext\.?)\s*\d{1,5})?".into(), 0),
        ("MRN", r"(?i)\b(?:mrn|medical record(?: number| no\.?)?|record\s*#)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{3,})\b".into(), 1),
        ("AGE", r"(?i)\b((?:9\d|1[0-2]\d)(?:\.\d+)?)\s*(?:yo\b|y/o|y\.o\.|-?years?[- ]old\b|yrs? old\b)".into(), 1),
        ("DATE", r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\b".into(), 0),
        ("DATE", r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b".into(), 0),
        ("DATE", format!(r"(?i)\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"), 0),
        ("DATE", format!(r"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+\d{{4}}\b"), 0),
        ("DATE", format!(r"(?i)\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"), 0),
    ]
}

struct Compiled {
    set: RegexSet,
    patterns: Vec<Pattern>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let sources = pattern_sources();
    let set = RegexSet::new(sources.iter().map(|(_, s, _)| s)).expect("patterns compile");
    let patterns = sources
        .into_iter()
        .map(|(kind, s, group)| Pattern {
            kind,
            regex: Regex::new(&s).expect("pattern compiles"),
            group,
        })
        .collect();
    Compiled { set, patterns }
});

/// Finds PHI spans in byte offsets, non-overlapping, in text order. Where two patterns
/// overlap the longer span wins (a date-time over the date inside it).
pub fn find_byte_spans(text: &str) -> Vec<ByteSpan> {
    let compiled = &*COMPILED;
    let mut found: Vec<(usize, usize, &'static str)> = Vec::new();
    for i in compiled.set.matches(text).iter() {
        let p = &compiled.patterns[i];
        if p.group == 0 {
            found.extend(
                p.regex
                    .find_iter(text)
                    .map(|m| (m.start(), m.end(), p.kind)),
            );
        } else {
            found.extend(
                p.regex
                    .captures_iter(text)
                    .filter_map(|c| c.get(p.group))
                    .map(|m| (m.start(), m.end(), p.kind)),
            );
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut merged: Vec<(usize, usize, &'static str)> = Vec::with_capacity(found.len());
    for span in found {
        match merged.last_mut() {
            Some(last) if span.0 < last.1 => {
                if span.1 > last.1 {
                    last.1 = span.1;
                }
            }
            _ => merged.push(span),
        }
    }
    merged
}

/// A PHI span in byte offsets, as [`find_byte_spans`] returns it.
pub type ByteSpan = (usize, usize, &'static str);

/// The text with each span replaced by what `replacement` gives for its type.
pub fn replace_spans(
    text: &str,
    spans: &[ByteSpan],
    mut replacement: impl FnMut(&'static str, &mut String),
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for &(start, end, kind) in spans {
        out.push_str(&text[pos..start]);
        replacement(kind, &mut out);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Writes `[TYPE]`.
pub fn push_tag(kind: &str, out: &mut String) {
    out.push('[');
    out.push_str(kind);
    out.push(']');
}

/// Replaces each span with `[TYPE]` and counts what it replaced by type.
pub fn scrub_tagged(text: &str, counts: &mut BTreeMap<&'static str, u64>) -> Option<String> {
    let spans = find_byte_spans(text);
    if spans.is_empty() {
        return None;
    }
    Some(replace_spans(text, &spans, |kind, out| {
        *counts.entry(kind).or_default() += 1;
        push_tag(kind, out);
    }))
}

/// Spans with code-point offsets, for machine-readable output.
pub fn find_spans(text: &str) -> Vec<Span> {
    code_point_spans(text, &find_byte_spans(text))
}

/// Byte spans of `text` converted to code-point offsets.
pub fn code_point_spans(text: &str, byte_spans: &[ByteSpan]) -> Vec<Span> {
    let mut out = Vec::with_capacity(byte_spans.len());
    let mut chars_before = 0;
    let mut byte_pos = 0;
    for &(start, end, kind) in byte_spans {
        chars_before += text[byte_pos..start].chars().count();
        let len = text[start..end].chars().count();
        out.push(Span {
            start: chars_before,
            end: chars_before + len,
            kind,
        });
        chars_before += len;
        byte_pos = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(s: &str) -> String {
        scrub_tagged(s, &mut BTreeMap::new()).unwrap_or_else(|| s.to_string())
    }

    #[test]
    fn patterned_identifiers_are_tagged() {
        let cases = [
            ("SSN 123-45-6789 on file", "SSN [SSN] on file"),
            ("ssn: 123456789.", "ssn: [SSN]."),
            (
                "call (617) 555-0134 or 617.555.0199",
                "call [PHONE] or [PHONE]",
            ),
            ("mail jo.doe@example.org now", "mail [EMAIL] now"),
            ("see https://portal.example.com/p?id=7.", "see [URL]."),
            ("from 10.20.30.40 today", "from [IP] today"),
            (
                "seen 2021-03-04 and 3/4/21 and March 4, 2021",
                "seen [DATE] and [DATE] and [DATE]",
            ),
            ("admitted 2021-03-04 10:22 for CP", "admitted [DATE] for CP"),
            ("MRN: 00123456 noted", "MRN: [MRN] noted"),
            (
                "a 93 yo woman, her 45 year old son",
                "a [AGE] yo woman, her 45 year old son",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(tagged(input), want, "input: {input}");
        }
    }

    #[test]
    fn clinical_text_without_identifiers_is_untouched() {
        let s = "Pt with CAD, PMH of HTN; metoprolol 25 mg BID; BP 120/80; K 4.1; A1c 7.2%";
        assert_eq!(scrub_tagged(s, &mut BTreeMap::new()), None);
    }

    #[test]
    fn spans_use_code_point_offsets() {
        let s = "né le 2021-03-04";
        let spans = find_spans(s);
        assert_eq!(spans.len(), 1);
        let chars: Vec<char> = s.chars().collect();
        let got: String = chars[spans[0].start..spans[0].end].iter().collect();
        assert_eq!(got, "2021-03-04");
    }
}
