//! A JSONL line too long to hold in memory (a note of hundreds of megabytes): parsed as it is
//! read, its `text` decoded into a temporary file, then scrubbed from there chunk by chunk and
//! written out as it is scrubbed. Memory stays near [`LONG_LINE`] whatever the note's size.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Read, Seek, Write};

use super::{
    has_duplicate_keys, patient_key, scrub_stream, write_json, write_json_string, ScrubSettings,
    ScrubSummary, BAD_ESCAPE, DUPLICATE_KEY, NO_TEXT,
};
use crate::deid::text::code_point_spans;

/// Lines longer than this are streamed; shorter ones are parsed whole.
pub(super) const LONG_LINE: usize = 8 << 20;

/// Why a line is not a note; the same words as for a line parsed whole.
pub(super) enum Fail {
    Io(io::Error),
    Bad(&'static str),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

const NOT_AN_OBJECT: Fail = Fail::Bad("not a JSON object");

/// A field other than `text`: its key and its value's JSON, as read.
struct Field {
    key: String,
    raw: Vec<u8>,
}

/// The line's fields in input order (`text` with an empty value, which lies in `text`).
struct Parsed {
    fields: Vec<Field>,
    text: File,
    text_bytes: u64,
}

/// Reads one JSONL line (the part already read is `head`, the rest comes from `input`) and
/// writes the scrubbed note to `output`. On a bad line, the rest of it is skipped, so the next
/// line can be read, and nothing is written.
pub(super) fn scrub_long_line(
    head: Vec<u8>,
    input: &mut impl BufRead,
    output: &mut impl Write,
    settings: &ScrubSettings,
    line_no: usize,
    summary: &mut ScrubSummary,
) -> Result<(), Fail> {
    let mut reader = Reader {
        inner: io::Cursor::new(head).chain(input),
        line_read: false,
    };
    let parsed = match reader.object() {
        Ok(p) => p,
        Err(e) => {
            reader.skip_line()?;
            return Err(e);
        }
    };
    let Parsed {
        fields,
        mut text,
        text_bytes,
    } = parsed;
    text.rewind()?;
    if !is_utf8(&mut text)? {
        return Err(Fail::Bad("not valid UTF-8"));
    }
    text.rewind()?;
    let raw_of = |key: &str| {
        fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| std::str::from_utf8(&f.raw).ok())
    };
    let patient = patient_key(raw_of, line_no);

    output.write_all(b"{")?;
    let mut spans = BufWriter::new(tempfile::tempfile()?);
    let mut first_field = true;
    for field in fields.iter().filter(|f| f.key != "spans") {
        if !first_field {
            output.write_all(b",")?;
        }
        first_field = false;
        let mut key = Vec::new();
        write_json(&mut key, &field.key);
        output.write_all(&key)?;
        output.write_all(b":")?;
        if field.key != "text" {
            output.write_all(&field.raw)?;
            continue;
        }
        output.write_all(b"\"")?;
        let mut chars_before = 0;
        let mut first_span = true;
        let mut escaped = Vec::new();
        scrub_stream(
            &mut text,
            settings,
            &patient,
            |original, scrubbed, byte_spans| {
                escaped.clear();
                write_json_string(&mut escaped, scrubbed);
                output.write_all(&escaped[1..escaped.len() - 1])?;
                for mut span in code_point_spans(original, byte_spans) {
                    span.start += chars_before;
                    span.end += chars_before;
                    if !first_span {
                        spans.write_all(b",")?;
                    }
                    first_span = false;
                    serde_json::to_writer(&mut spans, &span).map_err(io::Error::from)?;
                    *summary
                        .spans_by_type
                        .entry(span.kind.to_string())
                        .or_default() += 1;
                }
                chars_before += original.chars().count();
                Ok(())
            },
        )
        .map_err(|e| match e.downcast::<io::Error>() {
            Ok(io) => Fail::Io(io),
            Err(_) => Fail::Bad("not valid UTF-8"),
        })?;
        output.write_all(b"\"")?;
    }
    output.write_all(b",\"spans\":[")?;
    let mut spans = spans.into_inner().map_err(|e| e.into_error())?;
    spans.rewind()?;
    io::copy(&mut spans, output)?;
    output.write_all(b"]}\n")?;
    summary.notes += 1;
    summary.bytes += text_bytes;
    Ok(())
}

fn is_utf8(file: &mut File) -> io::Result<bool> {
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0;
    loop {
        let n = file.read(&mut buf[carry..])?;
        let filled = carry + n;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() && n > 0 => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
        if n == 0 {
            return Ok(carry == 0);
        }
    }
}

struct Reader<R> {
    inner: R,
    /// Whether the line's end has been read (a bad line found after it needs no skipping).
    line_read: bool,
}

impl<R: BufRead> Reader<R> {
    fn peek(&mut self) -> Result<Option<u8>, Fail> {
        Ok(self.inner.fill_buf()?.first().copied())
    }

    /// The next byte of the line, consumed; the line's end is an error (a value or the object
    /// is unfinished), and its line break is left for [`Self::skip_line`].
    fn next(&mut self) -> Result<u8, Fail> {
        match self.peek()? {
            None | Some(b'\n') => Err(NOT_AN_OBJECT),
            Some(b) => {
                self.inner.consume(1);
                Ok(b)
            }
        }
    }

    /// The next byte that is not JSON whitespace, consumed. A line break ends the line, so it
    /// is not whitespace here.
    fn token(&mut self) -> Result<u8, Fail> {
        loop {
            let b = self.next()?;
            if !matches!(b, b' ' | b'\t' | b'\r') {
                return Ok(b);
            }
        }
    }

    fn object(&mut self) -> Result<Parsed, Fail> {
        if self.token()? != b'{' {
            return Err(NOT_AN_OBJECT);
        }
        let mut fields = Vec::new();
        let mut text = None;
        let mut b = self.token()?;
        if b != b'}' {
            loop {
                if b != b'"' {
                    return Err(NOT_AN_OBJECT);
                }
                let mut key_raw = vec![b'"'];
                self.raw_string(&mut key_raw)?;
                let key: String = serde_json::from_slice(&key_raw).map_err(|_| NOT_AN_OBJECT)?;
                if self.token()? != b':' {
                    return Err(NOT_AN_OBJECT);
                }
                let first = self.token()?;
                if key == "text" {
                    if text.is_some() {
                        return Err(Fail::Bad(DUPLICATE_KEY));
                    }
                    if first != b'"' {
                        return Err(Fail::Bad(NO_TEXT));
                    }
                    let mut file = BufWriter::new(tempfile::tempfile()?);
                    let bytes = self.decode_string(&mut file)?;
                    text = Some((file.into_inner().map_err(|e| e.into_error())?, bytes));
                    fields.push(Field {
                        key,
                        raw: Vec::new(),
                    });
                } else {
                    let mut raw = vec![first];
                    self.raw_value(first, &mut raw)?;
                    serde_json::from_slice::<serde::de::IgnoredAny>(&raw)
                        .map_err(|_| NOT_AN_OBJECT)?;
                    fields.push(Field { key, raw });
                }
                match self.token()? {
                    b',' => b = self.token()?,
                    b'}' => break,
                    _ => return Err(NOT_AN_OBJECT),
                }
            }
        }
        // Only whitespace may follow the object on its line.
        loop {
            match self.peek()? {
                None => break,
                Some(b'\n') => {
                    self.inner.consume(1);
                    self.line_read = true;
                    break;
                }
                Some(b' ' | b'\t' | b'\r') => self.inner.consume(1),
                Some(_) => return Err(NOT_AN_OBJECT),
            }
        }
        if has_duplicate_keys(fields.iter().map(|f| f.key.as_str())) {
            return Err(Fail::Bad(DUPLICATE_KEY));
        }
        let (text, text_bytes) = text.ok_or(Fail::Bad(NO_TEXT))?;
        Ok(Parsed {
            fields,
            text,
            text_bytes,
        })
    }

    /// A value other than `text`, copied as read (its first byte already in `out`). Held in
    /// memory, so it may not be longer than [`LONG_LINE`].
    fn raw_value(&mut self, first: u8, out: &mut Vec<u8>) -> Result<(), Fail> {
        let mut depth = 0usize;
        let mut b = first;
        loop {
            match b {
                b'"' => self.raw_string(out)?,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1).ok_or(NOT_AN_OBJECT)?,
                _ => {}
            }
            if depth == 0 {
                // A number or literal ends at the first byte that cannot continue it.
                if !matches!(b, b'"' | b'}' | b']') {
                    while let Some(c) = self.peek()? {
                        if !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-')) {
                            break;
                        }
                        out.push(c);
                        self.inner.consume(1);
                    }
                }
                return Ok(());
            }
            if out.len() > LONG_LINE {
                return Err(Fail::Bad("a field other than \"text\" is too long"));
            }
            b = self.next()?;
            out.push(b);
        }
    }

    /// The rest of a string whose opening quote was read, copied as read, escapes and all.
    fn raw_string(&mut self, out: &mut Vec<u8>) -> Result<(), Fail> {
        loop {
            let b = self.next()?;
            out.push(b);
            match b {
                b'"' => return Ok(()),
                b'\\' => out.push(self.next()?),
                _ => {}
            }
            if out.len() > LONG_LINE {
                return Err(Fail::Bad("a field other than \"text\" is too long"));
            }
        }
    }

    /// The rest of a string whose opening quote was read, unescaped into `out`; the number of
    /// bytes written.
    fn decode_string(&mut self, out: &mut impl Write) -> Result<u64, Fail> {
        let mut written = 0u64;
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Err(NOT_AN_OBJECT);
            }
            let stop = buf
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let plain = stop.unwrap_or(buf.len());
            out.write_all(&buf[..plain])?;
            written += plain as u64;
            self.inner.consume(plain);
            if stop.is_none() {
                continue;
            }
            let decoded = match self.next()? {
                b'"' => return Ok(written),
                b'\\' => self.escape()?,
                _ => return Err(NOT_AN_OBJECT),
            };
            let mut utf8 = [0u8; 4];
            let bytes = decoded.encode_utf8(&mut utf8).as_bytes();
            out.write_all(bytes)?;
            written += bytes.len() as u64;
        }
    }

    fn escape(&mut self) -> Result<char, Fail> {
        Ok(match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) {
                    // Half of a pair: only an escaped second half may follow.
                    if self.peek()? != Some(b'\\') {
                        return Err(Fail::Bad(BAD_ESCAPE));
                    }
                    self.inner.consume(1);
                    if self.next()? != b'u' {
                        return Err(Fail::Bad(BAD_ESCAPE));
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(Fail::Bad(BAD_ESCAPE));
                    }
                    let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    char::from_u32(c).ok_or(Fail::Bad(BAD_ESCAPE))?
                } else {
                    char::from_u32(unit).ok_or(Fail::Bad(BAD_ESCAPE))?
                }
            }
            _ => return Err(NOT_AN_OBJECT),
        })
    }

    fn hex4(&mut self) -> Result<u32, Fail> {
        let mut v = 0;
        for _ in 0..4 {
            let d = (self.next()? as char).to_digit(16).ok_or(NOT_AN_OBJECT)?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// Skips to just past the end of the current line.
    fn skip_line(&mut self) -> io::Result<()> {
        if self.line_read {
            return Ok(());
        }
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.inner.consume(i + 1);
                    return Ok(());
                }
                None => {
                    let n = buf.len();
                    self.inner.consume(n);
                }
            }
        }
    }
}
