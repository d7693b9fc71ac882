//! `harbor scrub` and `harbor eval-text`: the free-text scrubber on its own, over JSONL notes,
//! and its recall and precision against gold spans. Offsets are Unicode code-point offsets
//! (what Python's `str` slicing uses). Note text never appears in errors or summaries.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::config::DateShiftRange;
use crate::deid::keyed::Keyed;
use crate::deid::text::{
    code_point_spans, find_spans, ByteSpan, Options, Replace, Scrubber, Span, TYPES,
};
use crate::error::data_err;

mod long_line;

/// How `harbor scrub` treats every note of a run.
pub struct ScrubSettings {
    pub replace: Replace,
    pub options: Options,
    /// The run key: surrogates and date offsets derive from it.
    pub keyed: Option<Keyed>,
    pub date_shift: DateShiftRange,
    /// Worker threads (notes are scrubbed in parallel, written in input order).
    pub threads: usize,
}

impl ScrubSettings {
    pub fn new(replace: Replace) -> Self {
        Self {
            replace,
            options: Options::default(),
            keyed: None,
            date_shift: DateShiftRange::default(),
            threads: 1,
        }
    }

    /// The note scrubbed, and its spans in code-point offsets of the input. `patient` keys
    /// surrogates and the date offset.
    pub fn scrub_note(&self, text: &str, patient: &str) -> (String, Vec<Span>) {
        let (out, spans) = self.scrub_bytes(text, patient);
        (out, code_point_spans(text, &spans))
    }

    /// A long note is scrubbed in pieces cut at line breaks, as a plain-text stream is: the
    /// word pass keeps a token table per piece, not one the size of the whole note.
    fn scrub_bytes(&self, text: &str, patient: &str) -> (String, Vec<ByteSpan>) {
        if text.len() <= TEXT_CHUNK {
            return self.scrub_piece(text, patient);
        }
        let pieces = split_chunks(text, true);
        let results = parallel_map(&pieces, self.threads, 1, |p| self.scrub_piece(p, patient));
        let mut out = String::with_capacity(text.len());
        let mut spans = Vec::new();
        let mut base = 0;
        for (piece, (scrubbed, piece_spans)) in pieces.iter().zip(results) {
            out.push_str(&scrubbed);
            spans.extend(
                piece_spans
                    .into_iter()
                    .map(|(s, e, k)| (s + base, e + base, k)),
            );
            base += piece.len();
        }
        (out, spans)
    }

    fn scrub_piece(&self, text: &str, patient: &str) -> (String, Vec<ByteSpan>) {
        let scrubber = Scrubber {
            replace: self.replace,
            options: self.options,
            keyed: self.keyed.as_ref(),
        };
        let offset = match (&self.keyed, self.replace) {
            (Some(k), Replace::Surrogate) => Some(k.date_offset_days(patient, self.date_shift)),
            _ => None,
        };
        let (out, spans) = scrubber.scrub(text, patient, offset);
        (out.unwrap_or_else(|| text.to_string()), spans)
    }
}

/// Counts of a `harbor scrub` run, for its summary on stderr.
#[derive(Debug, Default, Serialize)]
pub struct ScrubSummary {
    pub notes: u64,
    pub bad_lines: u64,
    pub bytes: u64,
    pub spans_by_type: BTreeMap<String, u64>,
}

enum LineOutcome {
    Blank,
    Bad(&'static str),
    Note {
        json: Vec<u8>,
        /// Spans found, by type, in the order of [`TYPES`].
        counts: [u64; TYPES.len()],
        bytes: usize,
    },
}

fn scrub_line(settings: &ScrubSettings, bytes: &[u8], line_no: usize) -> LineOutcome {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return LineOutcome::Blank;
    }
    let Ok(line) = std::str::from_utf8(bytes) else {
        return LineOutcome::Bad("not valid UTF-8");
    };
    let Ok(RawFields(fields)) = serde_json::from_str::<RawFields>(line) else {
        return LineOutcome::Bad("not a JSON object");
    };
    if has_duplicate_keys(fields.iter().map(|(k, _)| k.as_str())) {
        return LineOutcome::Bad(DUPLICATE_KEY);
    }
    let raw_of = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.get());
    let text = match raw_of("text") {
        Some(raw) if raw.starts_with('"') => match serde_json::from_str::<String>(raw) {
            Ok(text) => text,
            Err(_) => return LineOutcome::Bad(BAD_ESCAPE),
        },
        _ => return LineOutcome::Bad(NO_TEXT),
    };
    let patient = patient_key(raw_of, line_no);
    let (scrubbed, spans) = settings.scrub_note(&text, &patient);
    let mut counts = [0u64; TYPES.len()];
    for s in &spans {
        if let Some(i) = TYPES.iter().position(|t| *t == s.kind) {
            counts[i] += 1;
        }
    }
    // Written field by field: a serde_json::Value per span costs ten times the note's size.
    // An input `spans` field gives way to ours, which always comes last.
    let mut json = Vec::with_capacity(scrubbed.len() + spans.len() * 40 + 256);
    json.push(b'{');
    for (i, (key, value)) in fields.iter().filter(|(k, _)| k != "spans").enumerate() {
        if i > 0 {
            json.push(b',');
        }
        write_json(&mut json, key);
        json.push(b':');
        match key.as_str() {
            "text" => write_json_string(&mut json, &scrubbed),
            _ => json.extend_from_slice(value.get().as_bytes()),
        }
    }
    json.extend_from_slice(b",\"spans\":");
    write_spans_json(&mut json, &spans);
    json.extend_from_slice(b"}\n");
    LineOutcome::Note {
        json,
        counts,
        bytes: text.len(),
    }
}

/// A JSONL line's fields in input order, each value's JSON as written: passed-through numbers
/// keep their digits (a 25-digit id is not rounded to a float).
struct RawFields<'a>(Vec<(String, &'a serde_json::value::RawValue)>);

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = RawFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    fields.push(entry);
                }
                Ok(RawFields(fields))
            }
        }
        d.deserialize_map(Fields)
    }
}

const NO_TEXT: &str = "no string field \"text\"";
/// A `\\u` escape of half a surrogate pair, which no character has.
const BAD_ESCAPE: &str = "field \"text\" holds an escape that is no character";

/// JSON parsers disagree on which of two equal keys wins; a line with one is refused rather
/// than read one way here and another way downstream.
const DUPLICATE_KEY: &str = "a field name appears twice";

fn has_duplicate_keys<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// Whom a note belongs to, from its fields' JSON: surrogates and date offsets are consistent
/// per patient. `patient`, else `id`; a note with neither stands alone.
fn patient_key<'a>(raw_of: impl Fn(&str) -> Option<&'a str>, line_no: usize) -> String {
    let value = |raw: &str| serde_json::from_str::<serde_json::Value>(raw).ok();
    match raw_of("patient").or_else(|| raw_of("id")).and_then(value) {
        Some(serde_json::Value::String(s)) => s,
        Some(v) => v.to_string(),
        None => format!("line {line_no}"),
    }
}

fn write_json(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    serde_json::to_writer(out, value).expect("writing JSON to memory cannot fail");
}

/// `spans` as a JSON array, byte for byte as serde_json writes it: written by hand, as most
/// of a line's JSON after its text.
fn write_spans_json(out: &mut Vec<u8>, spans: &[Span]) {
    fn write_number(out: &mut Vec<u8>, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at..]);
    }
    out.push(b'[');
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"start\":");
        write_number(out, span.start);
        out.extend_from_slice(b",\"end\":");
        write_number(out, span.end);
        out.extend_from_slice(b",\"type\":");
        write_json_string(out, span.kind);
        out.push(b'}');
    }
    out.push(b']');
}

/// `text` as a JSON string, byte for byte as serde_json writes it: only the quote, the
/// backslash and control characters are escaped. A note's text is most of each output line;
/// this reads it eight bytes at a time and copies the runs between escapes whole.
fn write_json_string(out: &mut Vec<u8>, text: &str) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether any byte of a word of eight is a control character, a quote or a backslash
    // (the classic tests for a byte below a bound and for a zero byte): exact for the word as
    // a whole, so a word without is copied unread and one with is read byte by byte.
    let may_need_escape = |word: u64| {
        let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        control
            | has_zero(word ^ (ONES * u64::from(b'"')))
            | has_zero(word ^ (ONES * u64::from(b'\\')))
    };
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(chunk) = bytes.get(at..at + 8) {
            let word = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
            if may_need_escape(word) == 0 {
                at += 8;
                continue;
            }
        }
        let end = (at + 8).min(bytes.len());
        for (i, &b) in bytes.iter().enumerate().take(end).skip(at) {
            let escape: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    b"0123456789abcdef"[usize::from(b >> 4)],
                    b"0123456789abcdef"[usize::from(b & 0xf)],
                ],
                _ => continue,
            };
            out.extend_from_slice(&bytes[copied..i]);
            out.extend_from_slice(escape);
            copied = i + 1;
        }
        at = end;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Runs `f` over `items` on up to `threads` scoped threads, results in input order. Threads
/// take `grain` items at a time (a few short notes, or one long chunk), so a run of long notes
/// in one part does not leave the others idle.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    grain: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().div_ceil(grain).max(1));
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(grain, std::sync::atomic::Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            let end = (start + grain).min(items.len());
            done.push((start, items[start..end].iter().map(&f).collect()));
        }
    };
    let mut pieces = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        let pieces = workers
            .into_iter()
            .map(|h| h.join().expect("scrub worker panicked"));
        pieces.flatten().collect::<Vec<_>>()
    });
    pieces.sort_unstable_by_key(|(start, _)| *start);
    pieces.into_iter().flat_map(|(_, part)| part).collect()
}

/// Scrubs JSONL notes: each line an object with a string `text`; every other field is passed
/// through, `text` is replaced and `spans` added. A line that is not such an object stops the
/// run naming its line number, or with `skip_bad` is counted and left out.
pub fn scrub_jsonl(
    input: impl BufRead,
    output: impl Write,
    settings: &ScrubSettings,
    skip_bad: bool,
) -> anyhow::Result<ScrubSummary> {
    scrub_jsonl_streaming_from(input, output, settings, skip_bad, long_line::LONG_LINE)
}

/// [`scrub_jsonl`], with lines of `long_line_at` bytes or more parsed as they are read rather
/// than whole.
fn scrub_jsonl_streaming_from(
    mut input: impl BufRead,
    mut output: impl Write,
    settings: &ScrubSettings,
    skip_bad: bool,
    long_line_at: usize,
) -> anyhow::Result<ScrubSummary> {
    crate::deid::text::words::warm_up();
    let mut summary = ScrubSummary::default();
    let mut line_no = 0;
    std::thread::scope(|scope| {
        let mut workers = Workers::start(scope, settings);
        loop {
            let mut chunk: Chunk = Vec::new();
            let mut chunk_bytes = 0;
            // The first part of a line too long to read whole, and its number.
            let mut long_line = None;
            while chunk.len() < CHUNK_LINES && chunk_bytes < CHUNK_BYTES {
                let mut line = Vec::new();
                if (&mut input)
                    .take(long_line_at as u64)
                    .read_until(b'\n', &mut line)?
                    == 0
                {
                    break;
                }
                line_no += 1;
                if line.len() == long_line_at && line.last() != Some(&b'\n') {
                    long_line = Some((line_no, line));
                    break;
                }
                chunk_bytes += line.len();
                chunk.push((line_no, line));
            }
            let at_end = chunk.is_empty() && long_line.is_none();
            if !chunk.is_empty() {
                workers.send(chunk);
            }
            // Results are written as they come back, in input order; before a long line (scrubbed
            // here, in pieces) and at the end, everything sent is written first.
            let wait = at_end || long_line.is_some();
            while let Some(done) = workers.next_in_order(wait) {
                for (n, outcome) in done {
                    write_outcome(&mut output, &mut summary, skip_bad, n, outcome)?;
                }
            }
            if at_end {
                break;
            }
            if let Some((n, head)) = long_line {
                let scrubbed = long_line::scrub_long_line(
                    head,
                    &mut input,
                    &mut output,
                    settings,
                    n,
                    &mut summary,
                );
                match scrubbed {
                    Ok(()) => {}
                    Err(long_line::Fail::Io(e)) => return Err(e.into()),
                    Err(long_line::Fail::Bad(_)) if skip_bad => summary.bad_lines += 1,
                    Err(long_line::Fail::Bad(why)) => return Err(bad_line(n, why)),
                }
            }
        }
        drop(workers);
        output.flush()?;
        Ok(summary)
    })
}

/// Writes a scrubbed line and counts it; a bad line stops the run unless `skip_bad`.
fn write_outcome(
    output: &mut impl Write,
    summary: &mut ScrubSummary,
    skip_bad: bool,
    line_no: usize,
    outcome: LineOutcome,
) -> anyhow::Result<()> {
    match outcome {
        LineOutcome::Blank => {}
        LineOutcome::Bad(_) if skip_bad => summary.bad_lines += 1,
        LineOutcome::Bad(why) => return Err(bad_line(line_no, why)),
        LineOutcome::Note {
            json,
            counts,
            bytes,
        } => {
            output.write_all(&json)?;
            for (kind, n) in TYPES.iter().zip(counts).filter(|(_, n)| *n > 0) {
                match summary.spans_by_type.get_mut(*kind) {
                    Some(count) => *count += n,
                    None => {
                        summary.spans_by_type.insert(kind.to_string(), n);
                    }
                }
            }
            summary.notes += 1;
            summary.bytes += bytes as u64;
        }
    }
    Ok(())
}

fn bad_line(line_no: usize, why: &str) -> anyhow::Error {
    data_err(format!(
        "input line {line_no}: {why} (use --skip-bad to count and skip such lines)"
    ))
}

/// Lines handed to a worker at a time: enough to keep the hand-over cheap, few enough that the
/// workers finish together.
const CHUNK_LINES: usize = 16;
const CHUNK_BYTES: usize = 1 << 20;

/// Lines with their numbers, as read.
type Chunk = Vec<(usize, Vec<u8>)>;
/// Each line's number and outcome.
type ScrubbedChunk = Vec<(usize, LineOutcome)>;

/// Worker threads that scrub chunks of lines for a whole run while the caller reads ahead and
/// writes. They live as long as the run because the regex engines keep their lazy automata per
/// thread: threads started afresh for each batch built them again and again. With one thread
/// the caller scrubs each chunk itself, so a one-thread run uses one core. Dropping it closes
/// the queue, and each worker ends after its current chunk.
struct Workers<'s> {
    settings: &'s ScrubSettings,
    jobs: Option<std::sync::mpsc::SyncSender<(u64, Chunk)>>,
    done: Option<std::sync::mpsc::Receiver<(u64, std::thread::Result<ScrubbedChunk>)>>,
    sent: u64,
    written: u64,
    /// Chunks that came back before an earlier one.
    waiting: BTreeMap<u64, ScrubbedChunk>,
}

fn scrub_chunk(settings: &ScrubSettings, chunk: &Chunk) -> ScrubbedChunk {
    chunk
        .iter()
        .map(|(n, line)| (*n, scrub_line(settings, line, *n)))
        .collect()
}

impl<'s> Workers<'s> {
    /// Starts the workers in `scope`; dropping the returned value stops them.
    fn start<'scope>(
        scope: &'scope std::thread::Scope<'scope, '_>,
        settings: &'s ScrubSettings,
    ) -> Self
    where
        's: 'scope,
    {
        let mut workers = Workers {
            settings,
            jobs: None,
            done: None,
            sent: 0,
            written: 0,
            waiting: BTreeMap::new(),
        };
        if settings.threads <= 1 {
            return workers;
        }
        let (jobs, job_queue) = std::sync::mpsc::sync_channel::<(u64, Chunk)>(settings.threads * 4);
        let job_queue = std::sync::Arc::new(std::sync::Mutex::new(job_queue));
        let (done_tx, done) = std::sync::mpsc::channel();
        for _ in 0..settings.threads {
            let job_queue = std::sync::Arc::clone(&job_queue);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = job_queue
                    .lock()
                    .map_err(|_| ())
                    .and_then(|queue| queue.recv().map_err(|_| ()));
                let Ok((seq, chunk)) = job else { return };
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    scrub_chunk(settings, &chunk)
                }));
                if done_tx.send((seq, result)).is_err() {
                    return;
                }
            });
        }
        workers.jobs = Some(jobs);
        workers.done = Some(done);
        workers
    }

    fn send(&mut self, chunk: Chunk) {
        let seq = self.sent;
        self.sent += 1;
        match &self.jobs {
            Some(jobs) => jobs
                .send((seq, chunk))
                .expect("scrub workers stop only when the run does"),
            None => {
                let scrubbed = scrub_chunk(self.settings, &chunk);
                self.waiting.insert(seq, scrubbed);
            }
        }
    }

    /// The next chunk in input order: when `wait`, until every chunk sent has been returned;
    /// otherwise only those already back.
    fn next_in_order(&mut self, wait: bool) -> Option<ScrubbedChunk> {
        loop {
            if let Some(chunk) = self.waiting.remove(&self.written) {
                self.written += 1;
                return Some(chunk);
            }
            if self.written == self.sent {
                return None;
            }
            let done = self.done.as_ref()?;
            let (seq, result) = if wait {
                done.recv().expect("a scrub worker stopped with work left")
            } else {
                done.try_recv().ok()?
            };
            match result {
                Ok(chunk) => self.waiting.insert(seq, chunk),
                Err(panic) => std::panic::resume_unwind(panic),
            };
        }
    }
}

/// Plain text is read and scrubbed in chunks of about this size, cut at a line break (a blank
/// line where there is one), so a note of any size is scrubbed in bounded memory.
const TEXT_CHUNK: usize = 1 << 20;

/// `text` cut into chunks by [`chunk_end`]; unless `at_end`, a last partial line is left out
/// (it waits for more input).
fn split_chunks(text: &str, at_end: bool) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = chunk_end(rest, at_end);
        if end == 0 {
            break;
        }
        chunks.push(&rest[..end]);
        rest = &rest[end..];
    }
    chunks
}

/// Just after the last ". " that ends a sentence in `window`: the word before the period is
/// three lowercase letters or more, so not "Dr." or "St.".
fn sentence_end(window: &str) -> Option<usize> {
    let mut end = window.len();
    while let Some(i) = window[..end].rfind(". ") {
        let word = window[..i]
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        if word.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase()) {
            return Some(i + 2);
        }
        end = i;
    }
    None
}

/// The length of the prefix of `buf` to scrub as one chunk: up to a blank line, else a line
/// break, else a sentence end, else whitespace, else a character boundary.
fn chunk_end(buf: &str, eof: bool) -> usize {
    if buf.len() <= TEXT_CHUNK {
        return if eof {
            buf.len()
        } else {
            buf.rfind('\n').map_or(0, |i| i + 1)
        };
    }
    let mut limit = TEXT_CHUNK;
    while !buf.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &buf[..limit];
    let floor = limit / 2;
    // A sentence end before other whitespace: a cut between "MRN" and its number, or "Dr."
    // and a name, would lose the context that makes them identifiers.
    for cut in [
        window.rfind("\n\n").map(|i| i + 2),
        window.rfind('\n').map(|i| i + 1),
        sentence_end(window),
    ] {
        if let Some(c) = cut.filter(|&c| c > floor) {
            return c;
        }
    }
    window
        .rfind(char::is_whitespace)
        .filter(|&i| i > floor)
        .map_or(limit, |i| i + 1)
}

/// Scrubs a plain-text stream (one note), chunk by chunk.
pub fn scrub_plain_text(
    input: impl std::io::Read,
    mut output: impl Write,
    settings: &ScrubSettings,
) -> anyhow::Result<ScrubSummary> {
    crate::deid::text::words::warm_up();
    let mut spans_by_type = BTreeMap::new();
    let bytes = scrub_stream(input, settings, "", |_, scrubbed, spans| {
        output.write_all(scrubbed.as_bytes())?;
        for s in spans {
            *spans_by_type.entry(s.2.to_string()).or_default() += 1;
        }
        Ok(())
    })?;
    output.flush()?;
    Ok(ScrubSummary {
        notes: 1,
        bytes,
        spans_by_type,
        ..Default::default()
    })
}

/// Reads `input` in chunks cut by [`split_chunks`], scrubs them in parallel, and hands each to
/// `emit` in order: the original chunk, its scrubbed text and its spans (byte offsets in the
/// chunk). Returns the bytes read.
fn scrub_stream(
    mut input: impl std::io::Read,
    settings: &ScrubSettings,
    patient: &str,
    mut emit: impl FnMut(&str, &str, &[ByteSpan]) -> std::io::Result<()>,
) -> anyhow::Result<u64> {
    let mut bytes = 0;
    let mut pending: Vec<u8> = Vec::new();
    let mut eof = false;
    let mut read_buf = vec![0u8; 1 << 20];
    while !eof || !pending.is_empty() {
        while !eof && pending.len() < settings.threads.max(1) * TEXT_CHUNK * 2 {
            let n = input.read(&mut read_buf)?;
            if n == 0 {
                eof = true;
            }
            pending.extend_from_slice(&read_buf[..n]);
        }
        // Only whole characters are scrubbed; a split one waits for its remaining bytes.
        let valid = match std::str::from_utf8(&pending) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() && !eof => e.valid_up_to(),
            Err(_) => return Err(data_err("input is not valid UTF-8 text")),
        };
        let text = std::str::from_utf8(&pending[..valid]).expect("checked above");
        let chunks = split_chunks(text, eof && valid == pending.len());
        let consumed: usize = chunks.iter().map(|c| c.len()).sum();
        let results = parallel_map(&chunks, settings.threads, 1, |c| {
            settings.scrub_bytes(c, patient)
        });
        for (chunk, (scrubbed, spans)) in chunks.iter().zip(results) {
            emit(chunk, &scrubbed, &spans)?;
        }
        bytes += consumed as u64;
        pending.drain(..consumed);
        if consumed == 0 && eof {
            break;
        }
    }
    Ok(bytes)
}

/// A gold or predicted span as read from JSONL.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct LabeledSpan {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct GoldNote {
    pub id: serde_json::Value,
    pub text: String,
    pub phi: Vec<LabeledSpan>,
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

/// Gold notes from JSONL, or from inline-marked text: a line `### id` starts a note and
/// `{{TYPE:text}}` marks a span (easier to write by hand than offsets).
pub fn read_gold(mut input: impl BufRead) -> anyhow::Result<Vec<GoldNote>> {
    let mut all = String::new();
    input
        .read_to_string(&mut all)
        .map_err(|_| data_err("gold: not valid UTF-8"))?;
    let first = all.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !first.starts_with("###") {
        return read_jsonl(all.as_bytes(), "gold");
    }
    let mut notes = Vec::new();
    let mut current: Option<(String, String, usize)> = None;
    let flush = |current: Option<(String, String, usize)>,
                 notes: &mut Vec<GoldNote>|
     -> anyhow::Result<()> {
        if let Some((id, body, line)) = current {
            notes.push(parse_marked(id, body.trim_matches('\n'), line)?);
        }
        Ok(())
    };
    for (n, line) in all.lines().enumerate() {
        if let Some(id) = line.strip_prefix("###") {
            flush(current.take(), &mut notes)?;
            current = Some((id.trim().to_string(), String::new(), n + 2));
        } else if let Some((_, body, _)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(current, &mut notes)?;
    Ok(notes)
}

fn parse_marked(id: String, marked: &str, first_line: usize) -> anyhow::Result<GoldNote> {
    let mut text = String::with_capacity(marked.len());
    let mut phi = Vec::new();
    let mut chars = 0;
    let mut rest = marked;
    while let Some(open) = rest.find("{{") {
        let before = &rest[..open];
        text.push_str(before);
        chars += before.chars().count();
        let line = first_line
            + marked[..marked.len() - rest.len() + open]
                .matches('\n')
                .count();
        let inner_end = rest[open..]
            .find("}}")
            .ok_or_else(|| data_err(format!("gold note {id} line {line}: unclosed {{{{")))?;
        let inner = &rest[open + 2..open + inner_end];
        let (kind, value) = inner.split_once(':').ok_or_else(|| {
            data_err(format!(
                "gold note {id} line {line}: a span is {{{{TYPE:text}}}}"
            ))
        })?;
        let len = value.chars().count();
        phi.push(LabeledSpan {
            start: chars,
            end: chars + len,
            kind: kind.to_string(),
        });
        text.push_str(value);
        chars += len;
        rest = &rest[open + inner_end + 2..];
    }
    text.push_str(rest);
    Ok(GoldNote {
        id: serde_json::Value::String(id),
        text,
        phi,
    })
}

/// Scores predictions against gold notes. Without `pred`, the scrubber predicts and its
/// throughput is measured.
pub fn evaluate(gold: impl BufRead, pred: Option<impl BufRead>) -> anyhow::Result<Evaluation> {
    let notes = read_gold(gold)?;
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
            crate::deid::text::words::warm_up();
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
    fn spans_are_written_as_serde_json_writes_them() {
        let spans: Vec<Span> = [(0, 9, "NAME"), (10, 1_234_567_890, "DATE"), (7, 7, "GEO")]
            .into_iter()
            .map(|(start, end, kind)| Span { start, end, kind })
            .collect();
        for n in 0..=spans.len() {
            let mut ours = Vec::new();
            write_spans_json(&mut ours, &spans[..n]);
            assert_eq!(ours, serde_json::to_vec(&spans[..n]).unwrap());
        }
    }

    #[test]
    fn text_is_escaped_as_serde_json_escapes_it() {
        let mut cases: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        cases.extend(
            [
                "",
                "plain words, longer than a word of eight bytes",
                "line one\nline \"two\"\t\\ end",
                "caf\u{e9} \u{1f600}\u{7f}\u{1}\u{1f} 12345678\n",
                "\u{e9}\u{e9}\u{e9}\u{e9}\"",
            ]
            .map(String::from),
        );
        // Every byte at every position of a word.
        for b in 0u8..0x80 {
            for at in 0..9 {
                let mut s = "abcdefghijklmnop".to_string();
                s.insert(at, char::from(b));
                cases.push(s);
            }
        }
        for case in cases {
            let mut ours = Vec::new();
            write_json_string(&mut ours, &case);
            assert_eq!(ours, serde_json::to_vec(&case).unwrap(), "{case:?}");
        }
    }

    #[test]
    fn scrubbed_jsonl_passes_fields_through_and_counts_code_points() {
        let input =
            "{\"id\": 1, \"text\": \"né le 2021-03-04, tél 617-555-0134\", \"ward\": \"5B\"}\n";
        let mut out = Vec::new();
        let summary = scrub_jsonl(
            input.as_bytes(),
            &mut out,
            &ScrubSettings::new(Replace::Tag),
            false,
        )
        .unwrap();
        assert_eq!(summary.notes, 1);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["ward"], "5B");
        assert_eq!(v["text"], "né le [DATE], tél [PHONE]");
        assert_eq!(v["spans"][0]["start"], 6);
        assert_eq!(v["spans"][0]["end"], 16);
        assert_eq!(v["spans"][1]["type"], "PHONE");
    }

    #[test]
    fn long_lines_streamed_give_what_lines_read_whole_give() {
        // Every line here is longer than 24 bytes, so the streaming parser reads all of them.
        let lines = [
            r#"{"id": "a", "text": "Seen by Dr. Quill on 03/04/2021 \u00e9\ud83d\ude00 \"q\" \\ \/ end\n\tK 4.1", "meta": {"x": [1, -2.5e3, true, null, "s}\"]"]}, "patient": "p1"}"#,
            r#"  {"text":"MRN 00123456, call (617) 555-0134","id":7,"spans":[1]}  "#,
            r#"{"id": 1, "text": 5, "padding": "........"}"#,
            r#"{"id": 1, "padding": "......................"}"#,
            r#"not JSON at all, and long enough to stream"#,
            r#"{"id": 1, "text": "unterminated, and long enough"#,
            r#"{"id": 2, "text": "trailing garbage follows"} x"#,
            r#"{"id": 3, "text": "a bad escape \x in a string"}"#,
            r#"{"id": 4, "text": "a lone surrogate \ud83d here"}"#,
            r#"{"id": 5, "text": "two", "text": "text fields"}"#,
            r#"{"id": 6, "text": "a number after", "n": 12e}"#,
            r#"{"id": "é", "text": "Né le 2021-03-04 à Montréal", "k": "v"}"#,
            r#"{"id": 8, "text": "", "note": "an empty text field"}"#,
        ];
        let mut input = lines.join("\n").into_bytes();
        input.extend_from_slice(b"\n{\"id\": 9, \"text\": \"bad \xff byte in it\"}\n");
        input.extend_from_slice(br#"{"id": 10, "text": "last line, no line break after it"}"#);
        let settings = ScrubSettings::new(Replace::Tag);
        let run_on = |input: &[u8], limit: usize, skip_bad: bool| {
            let mut out = Vec::new();
            let result = scrub_jsonl_streaming_from(input, &mut out, &settings, skip_bad, limit)
                .map(|s| (s.notes, s.bad_lines, s.bytes, s.spans_by_type))
                .map_err(|e| e.to_string());
            (result, String::from_utf8(out).unwrap())
        };
        // Each line alone: the same note, or the same reason for refusing it.
        for line in input.split(|&b| b == b'\n') {
            let line_text = String::from_utf8_lossy(line);
            assert_eq!(
                run_on(line, 24, false),
                run_on(line, usize::MAX, false),
                "{line_text}"
            );
        }
        let run = |limit: usize, skip_bad: bool| run_on(&input, limit, skip_bad);
        let whole = run(usize::MAX, true);
        assert_eq!(whole.0.as_ref().unwrap().0, 5, "{}", whole.1);
        assert_eq!(run(24, true), whole);
        let (Err(whole_error), _) = run(usize::MAX, false) else {
            panic!("line 3 is bad")
        };
        assert_eq!(run(24, false).0, Err(whole_error));
    }

    #[test]
    fn workers_give_what_one_thread_gives_in_input_order() {
        // Enough lines for many chunks, notes of very different lengths so that chunks finish
        // out of order, a long line in the middle (scrubbed on the reading thread) and a bad
        // line near the end.
        let mut input = String::new();
        for i in 0..500 {
            let text = "Seen by Dr. Quill on 03/04/2021. ".repeat(1 + (i * 37) % 50);
            input.push_str(&format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n"));
            if i == 250 {
                let long = "MRN 00123456 ".repeat(400);
                input.push_str(&format!("{{\"id\": \"long\", \"text\": \"{long}\"}}\n"));
            }
        }
        input.push_str("{not json\n{\"id\": \"after\", \"text\": \"call 617-555-0134\"}\n");
        let run = |threads: usize, skip_bad: bool| {
            let mut settings = ScrubSettings::new(Replace::Tag);
            settings.threads = threads;
            let mut out = Vec::new();
            let result =
                scrub_jsonl_streaming_from(input.as_bytes(), &mut out, &settings, skip_bad, 4096)
                    .map(|s| (s.notes, s.bad_lines, s.bytes, s.spans_by_type))
                    .map_err(|e| e.to_string());
            (result, String::from_utf8(out).unwrap())
        };
        let one = run(1, true);
        assert_eq!(one.0.as_ref().unwrap().0, 502);
        assert_eq!(one.0.as_ref().unwrap().1, 1);
        let ids: Vec<String> = one
            .1
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(ids[250], "250");
        assert_eq!(ids[251], "\"long\"");
        assert_eq!(ids[501], "\"after\"");
        for threads in [2, 3, 8] {
            assert_eq!(run(threads, true), one, "{threads} threads");
            let (Err(error), _) = run(threads, false) else {
                panic!("line 502 is bad")
            };
            assert!(error.contains("input line 502"), "{error}");
        }
    }

    #[test]
    fn bad_lines_name_the_line_or_are_counted() {
        let input = "{\"text\": \"ok\"}\n{not json SECRET\n";
        let err = scrub_jsonl(
            input.as_bytes(),
            Vec::new(),
            &ScrubSettings::new(Replace::Redact),
            false,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("input line 2"), "{msg}");
        assert!(!msg.contains("SECRET"));
        let s = scrub_jsonl(
            input.as_bytes(),
            Vec::new(),
            &ScrubSettings::new(Replace::Redact),
            true,
        )
        .unwrap();
        assert_eq!((s.notes, s.bad_lines), (1, 1));
    }

    #[test]
    fn evaluation_counts_overlaps_by_span_and_token() {
        let gold = r#"{"id": "a", "text": "Call 617-555-0134 re ok quill", "phi": [{"start": 5, "end": 17, "type": "PHONE"}, {"start": 24, "end": 29, "type": "NAME"}]}"#;
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
