//! `harbor scrub` and `harbor eval-text`: the free-text scrubber on its own, over JSONL notes,
//! and its recall and precision against gold spans. Offsets are Unicode code-point offsets
//! (what Python's `str` slicing uses). Note text never appears in errors or summaries.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::deid::text::{
    code_point_spans, find_byte_spans, find_spans, push_tag, replace_spans, Span,
};
use crate::error::data_err;

/// What replaces a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// `[TYPE]` tags.
    Tag,
    /// A fixed mask that does not reveal the type.
    Redact,
}

pub const REDACT_MASK: &str = "[REDACTED]";

/// The text with every span replaced, and the spans in code-point offsets of the input.
pub fn scrub_text(text: &str, mode: Mode) -> (String, Vec<Span>) {
    let byte_spans = find_byte_spans(text);
    let scrubbed = replace_spans(text, &byte_spans, |kind, out| match mode {
        Mode::Tag => push_tag(kind, out),
        Mode::Redact => out.push_str(REDACT_MASK),
    });
    (scrubbed, code_point_spans(text, &byte_spans))
}

/// Counts of a `harbor scrub` run, for its summary on stderr.
#[derive(Debug, Default, Serialize)]
pub struct ScrubSummary {
    pub notes: u64,
    pub bad_lines: u64,
    pub spans_by_type: BTreeMap<String, u64>,
}

/// Scrubs JSONL notes: each line an object with a string `text`; every other field is passed
/// through, `text` is replaced and `spans` added. A line that is not such an object stops the
/// run naming its line number, or with `skip_bad` is counted and left out.
pub fn scrub_jsonl(
    input: impl BufRead,
    mut output: impl Write,
    mode: Mode,
    skip_bad: bool,
) -> anyhow::Result<ScrubSummary> {
    let mut summary = ScrubSummary::default();
    for (n, line) in input.split(b'\n').enumerate() {
        let line_no = n + 1;
        let bytes = line?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|_| "not valid UTF-8")
            .and_then(|s| {
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s)
                    .map_err(|_| "not a JSON object")
            })
            .and_then(|obj| match obj.get("text") {
                Some(serde_json::Value::String(_)) => Ok(obj),
                _ => Err("no string field \"text\""),
            });
        let mut obj = match parsed {
            Ok(obj) => obj,
            Err(why) if skip_bad => {
                let _ = why;
                summary.bad_lines += 1;
                continue;
            }
            Err(why) => {
                return Err(data_err(format!(
                    "input line {line_no}: {why} (use --skip-bad to count and skip such lines)"
                )))
            }
        };
        let text = obj["text"].as_str().unwrap_or_default().to_string();
        let (scrubbed, spans) = scrub_text(&text, mode);
        for s in &spans {
            *summary.spans_by_type.entry(s.kind.to_string()).or_default() += 1;
        }
        obj.insert("text".into(), serde_json::Value::String(scrubbed));
        obj.insert("spans".into(), serde_json::to_value(&spans)?);
        serde_json::to_writer(&mut output, &obj)?;
        output.write_all(b"\n")?;
        summary.notes += 1;
    }
    output.flush()?;
    Ok(summary)
}

/// A gold or predicted span as read from JSONL.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct LabeledSpan {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
struct GoldNote {
    id: serde_json::Value,
    text: String,
    phi: Vec<LabeledSpan>,
}

#[derive(Debug, Deserialize)]
struct PredNote {
    id: serde_json::Value,
    spans: Vec<LabeledSpan>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Score {
    pub found: u64,
    pub total: u64,
}

impl Score {
    pub fn ratio(&self) -> Option<f64> {
        (self.total > 0).then(|| self.found as f64 / self.total as f64)
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Evaluation {
    pub notes: u64,
    /// Gold spans overlapped by some predicted span, by gold type and overall.
    pub span_recall: BTreeMap<String, Score>,
    /// Predicted spans that overlap some gold span, by predicted type and overall.
    pub span_precision: BTreeMap<String, Score>,
    /// Alphanumeric tokens inside gold spans that are inside predicted spans, and the converse.
    pub token_recall: Score,
    pub token_precision: Score,
    /// Scrubber throughput when it made the predictions (MB of text per second).
    pub megabytes_per_second: Option<f64>,
}

pub const ALL: &str = "ALL";

fn overlaps(a: &LabeledSpan, b: &LabeledSpan) -> bool {
    a.start < b.end && b.start < a.end
}

/// Code-point ranges of alphanumeric tokens.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut i = 0;
    for c in text.chars() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push((s, i));
    }
    out
}

/// One object per non-blank line; an unreadable line is an error naming `what` and its line
/// number, with any quoted text withheld.
fn read_jsonl<T: serde::de::DeserializeOwned>(
    input: impl BufRead,
    what: &str,
) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(&line).map_err(|e| {
            data_err(format!(
                "{what} line {}: {}",
                n + 1,
                crate::error::sanitize(&e.to_string())
            ))
        })?);
    }
    Ok(out)
}

/// Scores predictions against gold notes. Without `pred`, the scrubber predicts and its
/// throughput is measured.
pub fn evaluate(gold: impl BufRead, pred: Option<impl BufRead>) -> anyhow::Result<Evaluation> {
    let notes: Vec<GoldNote> = read_jsonl(gold, "gold")?;
    let mut eval = Evaluation::default();
    let predictions: Vec<Vec<LabeledSpan>> = match pred {
        Some(pred) => {
            let mut by_id: BTreeMap<String, Vec<LabeledSpan>> =
                read_jsonl::<PredNote>(pred, "prediction")?
                    .into_iter()
                    .map(|p| (p.id.to_string(), p.spans))
                    .collect();
            notes
                .iter()
                .map(|g| by_id.remove(&g.id.to_string()).unwrap_or_default())
                .collect()
        }
        None => {
            let start = Instant::now();
            let bytes: usize = notes.iter().map(|n| n.text.len()).sum();
            let spans: Vec<Vec<LabeledSpan>> = notes
                .iter()
                .map(|n| {
                    find_spans(&n.text)
                        .into_iter()
                        .map(|s| LabeledSpan {
                            start: s.start,
                            end: s.end,
                            kind: s.kind.to_string(),
                        })
                        .collect()
                })
                .collect();
            let secs = start.elapsed().as_secs_f64();
            eval.megabytes_per_second = (secs > 0.0).then(|| bytes as f64 / 1e6 / secs);
            spans
        }
    };
    for (note, pred) in notes.iter().zip(&predictions) {
        eval.notes += 1;
        for g in &note.phi {
            let hit = pred.iter().any(|p| overlaps(g, p));
            for key in [g.kind.as_str(), ALL] {
                let s = eval.span_recall.entry(key.to_string()).or_default();
                s.total += 1;
                s.found += u64::from(hit);
            }
        }
        for p in pred {
            let hit = note.phi.iter().any(|g| overlaps(g, p));
            for key in [p.kind.as_str(), ALL] {
                let s = eval.span_precision.entry(key.to_string()).or_default();
                s.total += 1;
                s.found += u64::from(hit);
            }
        }
        let inside = |spans: &[LabeledSpan], t: (usize, usize)| {
            spans.iter().any(|s| s.start < t.1 && t.0 < s.end)
        };
        for t in tokens(&note.text) {
            let (in_gold, in_pred) = (inside(&note.phi, t), inside(pred, t));
            eval.token_recall.total += u64::from(in_gold);
            eval.token_recall.found += u64::from(in_gold && in_pred);
            eval.token_precision.total += u64::from(in_pred);
            eval.token_precision.found += u64::from(in_gold && in_pred);
        }
    }
    Ok(eval)
}

impl Evaluation {
    pub fn to_table(&self) -> String {
        let pct = |s: Option<&Score>| {
            s.and_then(Score::ratio)
                .map_or("-".to_string(), |r| format!("{:.3}", r))
        };
        let mut types: Vec<&String> = self
            .span_recall
            .keys()
            .chain(self.span_precision.keys())
            .filter(|k| k.as_str() != ALL)
            .collect();
        types.sort();
        types.dedup();
        let mut out = format!(
            "{:<18} {:>8} {:>10} {:>8}\n",
            "type", "recall", "precision", "gold"
        );
        for t in types.iter().map(|s| s.as_str()).chain([ALL]) {
            out.push_str(&format!(
                "{:<18} {:>8} {:>10} {:>8}\n",
                t,
                pct(self.span_recall.get(t)),
                pct(self.span_precision.get(t)),
                self.span_recall.get(t).map_or(0, |s| s.total)
            ));
        }
        out.push_str(&format!(
            "tokens             {:>8} {:>10}\nnotes: {}",
            pct(Some(&self.token_recall)),
            pct(Some(&self.token_precision)),
            self.notes
        ));
        if let Some(mbs) = self.megabytes_per_second {
            out.push_str(&format!("; throughput {mbs:.1} MB/s (one core)"));
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbed_jsonl_passes_fields_through_and_counts_code_points() {
        let input =
            "{\"id\": 1, \"text\": \"né le 2021-03-04, tél 617-555-0134\", \"ward\": \"5B\"}\n";
        let mut out = Vec::new();
        let summary = scrub_jsonl(input.as_bytes(), &mut out, Mode::Tag, false).unwrap();
        assert_eq!(summary.notes, 1);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["ward"], "5B");
        assert_eq!(v["text"], "né le [DATE], tél [PHONE]");
        assert_eq!(v["spans"][0]["start"], 6);
        assert_eq!(v["spans"][0]["end"], 16);
        assert_eq!(v["spans"][1]["type"], "PHONE");
    }

    #[test]
    fn bad_lines_name_the_line_or_are_counted() {
        let input = "{\"text\": \"ok\"}\n{not json SECRET\n";
        let err = scrub_jsonl(input.as_bytes(), Vec::new(), Mode::Redact, false).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("input line 2"), "{msg}");
        assert!(!msg.contains("SECRET"));
        let s = scrub_jsonl(input.as_bytes(), Vec::new(), Mode::Redact, true).unwrap();
        assert_eq!((s.notes, s.bad_lines), (1, 1));
    }

    #[test]
    fn evaluation_counts_overlaps_by_span_and_token() {
        let gold = r#"{"id": "a", "text": "Call 617-555-0134 re Mr Quill", "phi": [{"start": 5, "end": 17, "type": "PHONE"}, {"start": 24, "end": 29, "type": "NAME"}]}"#;
        let e = evaluate(gold.as_bytes(), None::<&[u8]>).unwrap();
        assert_eq!(e.span_recall["PHONE"], Score { found: 1, total: 1 });
        assert_eq!(e.span_recall["NAME"], Score { found: 0, total: 1 });
        assert_eq!(e.span_recall[ALL], Score { found: 1, total: 2 });
        assert_eq!(e.span_precision[ALL], Score { found: 1, total: 1 });
        // Tokens: 617, 555, 0134 found; Quill missed.
        assert_eq!(e.token_recall, Score { found: 3, total: 4 });
        assert_eq!(e.token_precision, Score { found: 3, total: 3 });

        let pred = r#"{"id": "a", "spans": [{"start": 24, "end": 29, "type": "NAME"}, {"start": 0, "end": 4, "type": "NAME"}]}"#;
        let e = evaluate(gold.as_bytes(), Some(pred.as_bytes())).unwrap();
        assert_eq!(e.span_recall[ALL], Score { found: 1, total: 2 });
        assert_eq!(e.span_precision["NAME"], Score { found: 1, total: 2 });
        assert!(e.megabytes_per_second.is_none());
    }
}
