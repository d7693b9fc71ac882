//! The free-text PHI scrubber. Two passes find spans: [`patterns`] for identifiers with a
//! shape (numbers, dates, addresses, facility names, labelled IDs) and [`words`] for names and
//! places found through word lists and context. Both are linear in the text: the regexes are
//! `regex` crate automata and the word pass looks each token up once.

use std::sync::LazyLock;

mod patterns;
pub mod surrogate;
pub mod words;

/// A PHI span in code-point offsets (what Python's `str` slicing uses).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// Every type the scrubber reports.
pub const TYPES: &[&str] = &[
    "NAME",
    "DATE",
    "AGE",
    "GEO",
    "HOSPITAL",
    "PHONE",
    "FAX",
    "EMAIL",
    "SSN",
    "MRN",
    "HEALTH_PLAN",
    "ACCOUNT",
    "LICENSE",
    "VEHICLE",
    "DEVICE",
    "URL",
    "IP",
    "OTHER_ID",
];

pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// What the scrubber looks for beyond its defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Years on their own ("in 2019") are dates too (strict Safe Harbor reading).
    pub years: bool,
}

/// Finds PHI spans in byte offsets, non-overlapping, in text order. Where spans overlap
/// they are joined and the one that starts first (or is longer) names the type.
pub fn find_byte_spans(text: &str) -> Vec<ByteSpan> {
    find_byte_spans_with(text, Options::default())
}

pub fn find_byte_spans_with(text: &str, options: Options) -> Vec<ByteSpan> {
    let mut found: Vec<ByteSpan> = Vec::new();
    patterns::find(text, options.years, &mut found);
    words::find(text, &mut found);
    towns_after_places(text, &mut found);
    found_names_repeated(text, &mut found);
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut merged: Vec<ByteSpan> = Vec::with_capacity(found.len());
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

/// "hilltown community health center, worthington", "14 prospect st westfield", "44 pleasant
/// st in ware": the town named right after a facility or a street, which in lower case or capitals has no other cue than
/// the town list.
fn towns_after_places(text: &str, found: &mut Vec<ByteSpan>) {
    let mut towns = Vec::new();
    for &(start, end, kind) in found.iter() {
        let after_street = kind == "GEO" && ends_with_street_word(&text[start..end]);
        if kind != "HOSPITAL" && !after_street {
            continue;
        }
        let rest = &text[end..];
        let Some(rest) = rest
            .strip_prefix(", ")
            .or_else(|| rest.strip_prefix(" in "))
            .or_else(|| rest.strip_prefix(' ').filter(|_| after_street))
        else {
            continue;
        };
        let town_start = text.len() - rest.len();
        let phrase_len = rest
            .find(|c: char| !(c.is_alphabetic() || c == ' ' || c == '-' || c == '\''))
            .unwrap_or(rest.len());
        // The longest run of up to three words that is a town: "westfield ma 01085".
        let mut phrase = rest[..phrase_len].trim_end();
        for _ in 0..3 {
            if phrase.is_empty() {
                break;
            }
            if phrase.split(' ').count() <= 3 && words::is_city(phrase) {
                towns.push((town_start, town_start + phrase.len(), "GEO"));
                break;
            }
            phrase = phrase
                .rsplit_once(' ')
                .map_or("", |(head, _)| head.trim_end());
        }
    }
    found.append(&mut towns);
}

fn ends_with_street_word(place: &str) -> bool {
    let last = place.trim_end_matches('.').rsplit(' ').next().unwrap_or("");
    static SUFFIXES: LazyLock<Vec<&str>> =
        LazyLock::new(|| patterns::STREET_SUFFIX.split('|').collect());
    SUFFIXES
        .iter()
        .any(|suffix| suffix.eq_ignore_ascii_case(last))
}

/// "from loomis lakeside (memory care) ... back at loomis asap", "keisha doing well ...
/// keisha's mother": a word found as part of a name, place or facility is that wherever else
/// the note writes it, if it can only be a name (no English or clinical word).
fn found_names_repeated(text: &str, found: &mut Vec<ByteSpan>) {
    // Each word, packed as the word table packs them (longer ones are left out), with the span
    // it came from (the first such span names its type, by its index in `KINDS`): the scan
    // below then compares numbers, not strings.
    const KINDS: [&str; 3] = ["NAME", "GEO", "HOSPITAL"];
    let mut candidates: Vec<(u128, usize, u16)> = Vec::new();
    for (order, &(start, end, kind)) in found.iter().enumerate() {
        let Some(kind) = KINDS.iter().position(|&k| k == kind) else {
            continue;
        };
        let kind = kind as u16;
        for word in text.as_bytes()[start..end].split(|b| !b.is_ascii_alphabetic()) {
            if (4..=words::PACKED_BYTES as usize).contains(&word.len()) {
                candidates.push((words::pack_ascii_letters_lowercase(word), order, kind));
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup_by(|later, first| later.0 == first.0);
    // A packed word's length: its bytes are letters, never zero, and the rest of the key is.
    let packed_len = |key: u128| 16 - key.leading_zeros() as usize / 8;
    let names: Vec<(u128, u16)> = candidates
        .into_iter()
        .filter(|&(key, _, _)| {
            let bytes = key.to_le_bytes();
            let word =
                std::str::from_utf8(&bytes[..packed_len(key)]).expect("packed from ASCII letters");
            words::is_proper_only(word)
                && !words::has_term_ending(word)
                && !patterns::is_generic_word(word)
        })
        .map(|(key, _, kind)| (key, kind))
        .collect();
    if names.is_empty() {
        return;
    }
    let lengths = names
        .iter()
        .fold(0u32, |acc, &(key, _)| acc | 1 << packed_len(key));
    // Which first and last letters the names have, as a bit per pair (a letter's low five bits
    // are the same in either case): most of the note's words fail this before they are packed
    // and searched for.
    let pair_bit = |first: u8, last: u8| usize::from(first & 31) << 5 | usize::from(last & 31);
    let mut pairs = [0u64; 16];
    for &(key, _) in &names {
        let bytes = key.to_le_bytes();
        let bit = pair_bit(bytes[0], bytes[packed_len(key) - 1]);
        pairs[bit / 64] |= 1 << (bit % 64);
    }
    let table = words::WordTable::of_packed(&names);
    // One pass over the note's words of ASCII letters: a search per name was quadratic on
    // long notes with many names.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        // A whole word: no digit or other letter (accented, say) runs into it.
        let joined = |b: u8| b.is_ascii_digit() || b >= 0x80;
        let len = i - start;
        if len > words::PACKED_BYTES as usize
            || lengths & (1 << len) == 0
            || start > 0 && joined(bytes[start - 1])
            || i < bytes.len() && joined(bytes[i])
        {
            continue;
        }
        let bit = pair_bit(bytes[start], bytes[i - 1]);
        if pairs[bit / 64] & 1 << (bit % 64) == 0 {
            continue;
        }
        let key = words::pack_ascii_letters_lowercase(&bytes[start..i]);
        if let Some(kind) = table.get_packed(key) {
            found.push((start, i, KINDS[usize::from(kind)]));
        }
    }
}

/// A PHI span in byte offsets, as [`find_byte_spans`] returns it.
pub type ByteSpan = (usize, usize, &'static str);

/// The text with each span replaced by what `replacement` gives for its type.
pub fn replace_spans(
    text: &str,
    spans: &[ByteSpan],
    mut replacement: impl FnMut(&'static str, &str, &mut String),
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for &(start, end, kind) in spans {
        out.push_str(&text[pos..start]);
        replacement(kind, &text[start..end], &mut out);
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

/// What replaces a span.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Replace {
    /// `[TYPE]` tags.
    #[default]
    Tag,
    /// A realistic value of the same type, consistent per patient under the run key; dates
    /// move by the patient's offset.
    Surrogate,
    /// A fixed mask that does not reveal the type.
    Redact,
}

pub const REDACT_MASK: &str = "[REDACTED]";

/// Everything a note's scrub depends on besides its text.
pub struct Scrubber<'a> {
    pub replace: Replace,
    pub options: Options,
    /// Required for [`Replace::Surrogate`].
    pub keyed: Option<&'a crate::deid::keyed::Keyed>,
}

impl Scrubber<'_> {
    /// The note scrubbed and its spans (byte offsets of the input), or `None` for the text
    /// when nothing was found. `patient` and `date_offset_days` drive surrogates.
    pub fn scrub(
        &self,
        text: &str,
        patient: &str,
        date_offset_days: Option<i32>,
    ) -> (Option<String>, Vec<ByteSpan>) {
        let spans = find_byte_spans_with(text, self.options);
        if spans.is_empty() {
            return (None, spans);
        }
        let out = match (self.replace, self.keyed) {
            (Replace::Surrogate, Some(keyed)) => {
                let s = surrogate::Surrogates::new(keyed, patient, date_offset_days);
                replace_spans(text, &spans, |kind, original, out| {
                    s.push(kind, original, out)
                })
            }
            (Replace::Redact, _) => {
                replace_spans(text, &spans, |_, _, out| out.push_str(REDACT_MASK))
            }
            _ => replace_spans(text, &spans, |kind, _, out| push_tag(kind, out)),
        };
        (Some(out), spans)
    }
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

    fn scrubbed(s: &str) -> Option<String> {
        let scrubber = Scrubber {
            replace: Replace::Tag,
            options: Options::default(),
            keyed: None,
        };
        scrubber.scrub(s, "", None).0
    }

    fn tagged(s: &str) -> String {
        scrubbed(s).unwrap_or_else(|| s.to_string())
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
            (
                "grandmother died at 92; 93F with CP",
                "grandmother died at [AGE]; [AGE]F with CP",
            ),
            ("T 99F, temp 98 F, wt 95 M", "T 99F, temp 98 F, wt 95 M"),
            (
                "CEA 6.8 in October, down since MAY",
                "CEA 6.8 in [DATE], down since [DATE]",
            ),
            (
                "you may return in may. the rash may return in the spring",
                "you may return in [DATE]. the rash may return in the spring",
            ),
            ("27 Old Farm Road, Belchertown 01007", "[GEO], [GEO]"),
            (
                "Zoom meeting ID 884 2201 7734.",
                "Zoom meeting ID [OTHER_ID].",
            ),
            (
                "shipped, tracking 1Z999AA10123456784; ICD",
                "shipped, tracking [OTHER_ID]; ICD",
            ),
            ("ambulance ETA 1800.", "ambulance ETA [DATE]."),
        ];
        for (input, want) in cases {
            assert_eq!(tagged(input), want, "input: {input}");
        }
    }

    #[test]
    fn identifiers_found_by_their_context() {
        let cases = [
            ("Wife (Adaeze) at bedside", "Wife ([NAME]) at bedside"),
            (
                "works as a hairdresser at studio 9 salon in westfield. daycare at bright horizons longmeadow.",
                "works as a hairdresser at [HOSPITAL] in [GEO]. daycare at [HOSPITAL] [GEO].",
            ),
            (
                "- delia franks rn, red river hospice. go to phoenix children's ED if worse.",
                "- [NAME] rn, [HOSPITAL]. go to [HOSPITAL] ED if worse.",
            ),
            (
                "PASTOR FROM FIRST BAPTIST VISITED. AROM 1325 clear. last seen 12/86, return 8/79.",
                "PASTOR FROM [HOSPITAL] VISITED. AROM [DATE] clear. last seen [DATE], return [DATE].",
            ),
            (
                "pt's husband earl passed in june. spoke with rick, pending bed. daughter rosemary in to visit.",
                "pt's husband [NAME] passed in [DATE]. spoke with [NAME], pending bed. daughter [NAME] in to visit.",
            ),
            (
                "truck towed to bob's towing. plan to deliver at north memorial. rtc 2 wks.",
                "truck towed to [HOSPITAL]. plan to deliver at [HOSPITAL]. rtc 2 wks.",
            ),
            (
                "- Mon AM: found confused; arr 1002. Works at the USPS facility. Seen at UW Health.",
                "- [DATE] AM: found confused; arr [DATE]. Works at the [HOSPITAL] facility. Seen at [HOSPITAL].",
            ),
            (
                "F/U AT SOUTHEASTERN ORTHOPAEDIC SPECIALISTS, CAPITAL CIRCLE.",
                "F/U AT [HOSPITAL], [GEO].",
            ),
            (
                "hurt lifting at the fedex hub; wife works for USPS; fish oil from trader joe's.",
                "hurt lifting at the [HOSPITAL] hub; wife works for [HOSPITAL]; fish oil from [HOSPITAL].",
            ),
            (
                "Mammo ordered at Northwestern. Brought from UIC dorm. Pharmacy: Discount Drug Mart #47.",
                "Mammo ordered at [HOSPITAL]. Brought from [HOSPITAL] dorm. Pharmacy: [HOSPITAL] #[OTHER_ID].",
            ),
            (
                "call his dispatcher lou at home. eval through hcr manorcare. next visit with cnm alvarez.",
                "call his dispatcher [NAME] at home. eval through [HOSPITAL]. next visit with cnm [NAME].",
            ),
            (
                "presented to the UTMB emergency department. Tele box #4412 applied.",
                "presented to the [HOSPITAL] emergency department. Tele box #[DEVICE] applied.",
            ),
            (
                "PT IS A RETIRED FURNITURE WORKER FROM LA-Z-BOY PLANT IN NEWTON. LIVES W/ WIFE.",
                "PT IS A RETIRED FURNITURE WORKER FROM [HOSPITAL] PLANT IN [GEO]. LIVES W/ WIFE.",
            ),
            (
                "pt at home in lititz, i am at wellspan ephrata office. LIVES ON ELM DRIVE.",
                "pt at home in [GEO], i am at [HOSPITAL] [GEO] office. LIVES [GEO].",
            ),
            (
                "meds from food city pharmacy. ACCEPTED AT GOLDEN LIVING CENTER FOR SNF.",
                "meds from [HOSPITAL]. ACCEPTED AT [HOSPITAL] FOR SNF.",
            ),
            (
                "release expected jan, then to neighborhood health; f/u at chicopee health center.",
                "release expected [DATE], then to [HOSPITAL]; f/u at [HOSPITAL].",
            ),
            (
                "MVC on Loop 289. ARRIVED PACU 1315. DISCHARGE CRITERIA MET 1430.",
                "MVC on [GEO]. ARRIVED PACU [DATE]. DISCHARGE CRITERIA MET [DATE].",
            ),
            (
                "S/P LAP APPY, DR ESPINOZA-WARD. pt moving in jan for a job. rtc may.",
                "S/P LAP APPY, DR [NAME]. pt moving in [DATE] for a job. rtc [DATE].",
            ),
            (
                "splits time between naples and duluth. golf at quail creek country club.",
                "splits time between [GEO] and [GEO]. golf at [HOSPITAL].",
            ),
            (
                "Pt is a 41 yo MTA bus operator. Union rep (TWU Local 100) helping.",
                "Pt is a 41 yo [HOSPITAL] bus operator. Union rep ([HOSPITAL]) helping.",
            ),
            (
                "Injections (March and July 2026). pt bib springfield pd. last admit providence behavioral.",
                "Injections ([DATE] and [DATE]). pt bib [HOSPITAL]. last admit [HOSPITAL].",
            ),
            (
                "npn 3-11\nABG at 1030. Blood cx sent x2 1200. 7a-7p shift quiet.",
                "npn [DATE]\nABG at [DATE]. Blood cx sent x2 [DATE]. [DATE] shift quiet.",
            ),
            (
                "Arrived by MedRide van at 0615; referred to allergy associates of hampden county",
                "Arrived by [HOSPITAL] van at [DATE]; referred to allergy associates of [GEO] county",
            ),
            (
                "Home with husband Piers. Plan 2x/wk. - brynn o'hara, DPT",
                "Home with husband [NAME]. Plan 2x/wk. - [NAME], DPT",
            ),
            (
                "goes to daycare at little sprouts in chicopee. Rx to CVS, ELM ST",
                "goes to daycare at [HOSPITAL] in [GEO]. Rx to [HOSPITAL], [GEO]",
            ),
            ("NA weekly. Sponsor Ray. PDMP ok", "NA weekly. Sponsor [NAME]. PDMP ok"),
            (
                "lives alone at 44 pleasant st in ware, nephew checks on her",
                "lives alone at [GEO] in [GEO], nephew checks on her",
            ),
            (
                "Seen at Western Mass Allergy & Asthma today.",
                "Seen at [HOSPITAL] today.",
            ),
            (
                "PVTA van late (0645), start 0700. DISPATCH 0214. Recheck 2200.",
                "PVTA van late ([DATE]), start [DATE]. DISPATCH [DATE]. Recheck [DATE].",
            ),
            (
                "PT 90YOM FOUND BY GRANDSON ANGEL ON FLOOR. DAUGHTER WILL PICK UP MEDS.",
                "PT [AGE]YOM FOUND BY GRANDSON [NAME] ON FLOOR. DAUGHTER WILL PICK UP MEDS.",
            ),
            (
                "PT FOUND BY GRANDSON MIGUEL ON FLOOR.",
                "PT FOUND BY GRANDSON [NAME] ON FLOOR.",
            ),
            (
                "bf drove her. works at target in holyoke mall. allergic pcn.",
                "bf drove her. works at [HOSPITAL] in [GEO] mall. allergic pcn.",
            ),
            (
                "PT LOST HIS JOB AT FRIENDLY'S IN SEPTEMBER. ALIEN # A209-118-447.",
                "PT LOST HIS JOB AT [HOSPITAL] IN [DATE]. ALIEN # [OTHER_ID].",
            ),
            (
                "School: Vineville Academy. ED visit at Navicent 11/20. Keppra 500 bid.",
                "School: [HOSPITAL]. ED visit at [HOSPITAL] [DATE]. Keppra 500 bid.",
            ),
            (
                "a retired MBTA bus driver; case manager at DMH; a retired ICU nurse",
                "a retired [HOSPITAL] bus driver; case manager at [HOSPITAL]; a retired ICU nurse",
            ),
            (
                "Loaded w/ Keppra 1500 IV. Neuro Dr. Abiodun agrees.",
                "Loaded w/ Keppra 1500 IV. Neuro Dr. [NAME] agrees.",
            ),
            (
                "handoff: bed 4 kowalski - pain ok. bed 5 ortiz-baez - new. bed 6 empty - clean.",
                "handoff: bed 4 [NAME] - pain ok. bed 5 [NAME] - new. bed 6 empty - clean.",
            ),
            (
                "HE WILL FOLLOW UP WITH ME IN 3 MONTHS AT OUR NORTHAMPTON OFFICE.",
                "HE WILL FOLLOW UP WITH ME IN 3 MONTHS AT OUR [GEO] OFFICE.",
            ),
            (
                "back to her job at the dollar tree on memorial ave; works at home on weekends.",
                "back to her job at the [HOSPITAL] on [GEO]; works at home on weekends.",
            ),
            (
                "a line cook at the student prince downtown; a teacher at the high school in ware",
                "a line cook at the [HOSPITAL] downtown; a teacher at the high school in ware",
            ),
            (
                "a flight attendant for JetBlue; a nurse at the bedside. EMS PCR 2026-118842.",
                "a flight attendant for [HOSPITAL]; a nurse at the bedside. EMS PCR [OTHER_ID].",
            ),
            (
                "T-BONED AT STATE ST AND MAIN ST INTERSECTION. Walks her dog Pepper daily.",
                "T-BONED AT [GEO] AND [GEO] INTERSECTION. Walks her dog [NAME] daily.",
            ),
            (
                "goes to planet fitness 3x/wk; lives in a park (pine valley estates).",
                "goes to [HOSPITAL] 3x/wk; lives in a park ([HOSPITAL]).",
            ),
            (
                "Resettled by Jewish Family Service. Speaks Swahili.",
                "Resettled by [HOSPITAL]. Speaks Swahili.",
            ),
            (
                "XFER FROM NOBLE ED TO PEDS ED; to Trauma ED from Holyoke ER.",
                "XFER FROM [HOSPITAL] ED TO PEDS ED; to Trauma ED from [HOSPITAL] ER.",
            ),
            (
                "asked about transfer to whitcomb manor for rehab.",
                "asked about transfer to [HOSPITAL] for rehab.",
            ),
            (
                "Daycare: Little Sprouts in Agawam",
                "Daycare: [HOSPITAL] in [GEO]",
            ),
            (
                "PT FELL AT HOME.\nAKI LIKELY ATN FROM HYPOTENSION PLUS CONTRAST ON 11/27.",
                "PT FELL AT HOME.\nAKI LIKELY ATN FROM HYPOTENSION PLUS CONTRAST ON [DATE].",
            ),
            (
                "Family (Ottoline, daughter) told",
                "Family ([NAME], daughter) told",
            ),
            (
                "Acc# MR7719034; badge E-20931",
                "Acc# [OTHER_ID]; badge [OTHER_ID]",
            ),
            ("Aetna PPO, ID W218837561", "Aetna PPO, ID [OTHER_ID]"),
            ("seen at Northshore Heart Institute", "seen at [HOSPITAL]"),
            (
                "the CVS on Elm Street in Keene",
                "the CVS on [GEO] in [GEO]",
            ),
            ("contractions since 0200", "contractions since [DATE]"),
            (
                "Outpt psychiatrist last seen September; may march in May",
                "Outpt psychiatrist last seen [DATE]; may march in [DATE]",
            ),
            (
                "she will drive him to mercy ed; at the mercy of the weather since thanksgiving",
                "she will drive him to [HOSPITAL] ed; at the mercy of the weather since [DATE]",
            ),
            (
                "attending: m. oduya, md (fellow)",
                "attending: [NAME], md (fellow)",
            ),
            (
                "Trough 3/5 at 0600 = 22.4",
                "Trough [DATE] at [DATE] = 22.4",
            ),
            (
                "moderate MR. Cardiology (Dr. Pinsker)",
                "moderate MR. Cardiology (Dr. [NAME])",
            ),
            (
                "wife carmen says; d/w dr abernathy",
                "wife [NAME] says; d/w dr [NAME]",
            ),
            ("Officer Delacroix reports", "Officer [NAME] reports"),
            ("CDL # S530-4419-7702 (IL)", "CDL # [LICENSE] (IL)"),
            (
                "home Sat if ok; O2 sat 92%",
                "home [DATE] if ok; O2 sat 92%",
            ),
            (
                "recheck bp fri. since oct, worse",
                "recheck bp [DATE]. since [DATE], worse",
            ),
            (
                "tele visit w/ daughter maria. plan ok. -jmk",
                "tele visit w/ daughter [NAME]. plan ok. -[NAME]",
            ),
            ("Pt is 102 and ready", "Pt is [AGE] and ready"),
            (
                "IRB # 2024-0187; police report # QPD-25-113094",
                "IRB # [OTHER_ID]; police report # [OTHER_ID]",
            ),
            ("PT at Summit Bone & Joint", "PT at [HOSPITAL]"),
            (
                "Pt uses mychart.baystatehealth.org for messages.",
                "Pt uses [URL] for messages.",
            ),
            (
                "Lives with a dog (Biscuit) and a cat named Mochi.",
                "Lives with a dog ([NAME]) and a cat named [NAME].",
            ),
            (
                "likely home Thurs with VNA; 2.5 mg Mon/Fri",
                "likely home [DATE] with VNA; 2.5 mg Mon/Fri",
            ),
            (
                "Driver's license on file: S12-88-4410.",
                "Driver's license on file: [LICENSE].",
            ),
            (
                "Started Kerendia and Tradjenta; INR at Anticoagulation Clinic.",
                "Started Kerendia and Tradjenta; INR at Anticoagulation Clinic.",
            ),
            (
                "lives in a dorm at umass; fever from pyelonephritis",
                "lives in a dorm at [HOSPITAL]; fever from pyelonephritis",
            ),
            ("Well child check, 15 mo.", "Well child check, 15 mo."),
            (
                "missed sat run, ride from pvta never came; sat up in chair",
                "missed [DATE] run, ride from [HOSPITAL] never came; sat up in chair",
            ),
            (
                "Sessions M/W/F 0800; T 1000 ok. Restraining order, docket 2617RO000431.",
                "Sessions M/W/F [DATE]; T 1000 ok. Restraining order, docket [OTHER_ID].",
            ),
            (
                "requested by RN Tomasz; L MCA stroke 11/25.",
                "requested by RN [NAME]; L MCA stroke [DATE].",
            ),
            ("Priyanka Sethuraman is doing well", "[NAME] is doing well"),
            (
                "family in Kumasi; via MyChart",
                "family in [GEO]; via MyChart",
            ),
            (
                "SSN last 4 4471; rtw light duty 12/15",
                "SSN last 4 [SSN]; rtw light duty [DATE]",
            ),
            ("next f/u 6 wks. dr haverford", "next f/u 6 wks. dr [NAME]"),
            (
                "Angiogram 11/26; bypass tentatively 12/4.",
                "Angiogram [DATE]; bypass tentatively [DATE].",
            ),
            ("asset tag DERM-IPAD-0042", "asset tag [DEVICE]"),
            (
                "Specimen to pathology (S25-114482).",
                "Specimen to pathology ([OTHER_ID]).",
            ),
            (
                "flu shot on the 8th. Ctx since midnight",
                "flu shot on the [DATE]. Ctx since [DATE]",
            ),
            (
                "on the 3rd floor, NPO after midnight",
                "on the 3rd floor, NPO after midnight",
            ),
            (
                "Home health: Amedisys Home Health",
                "Home health: [HOSPITAL]",
            ),
            (
                "panel (Invitae order RQ4417702) found",
                "panel ([HOSPITAL] order [OTHER_ID]) found",
            ),
            ("lives at 88 pine st apt 3.", "lives at [GEO] apt 3."),
            (
                "sutures out at westside urgent care; f/u at heme onc clinic",
                "sutures out at [HOSPITAL]; f/u at heme onc clinic",
            ),
            (
                "last known well 2200; Warfarin 2.5 mg Mon/Thu",
                "last known well [DATE]; Warfarin 2.5 mg Mon/Thu",
            ),
            (
                "foley d/c'd 0900. Rx sent to CVS #4471; NA at Grace Methodist Church",
                "foley d/c'd [DATE]. Rx sent to [HOSPITAL] #[OTHER_ID]; NA at [HOSPITAL]",
            ),
            (
                "CALL WITH QUESTIONS. HOME HEALTH FROM BRIGHTSTAR HOME CARE",
                "CALL WITH QUESTIONS. HOME HEALTH FROM [HOSPITAL]",
            ),
            (
                "Works as a bus driver for Metro Transit. Works for himself.",
                "Works as a bus driver for [HOSPITAL]. Works for himself.",
            ),
            (
                "last admit at st vincent's. to st luke's",
                "last admit at [HOSPITAL]. to [HOSPITAL]",
            ),
            (
                "MVC on Route 9 near exit; fills at Walgreens on Main St in Keene",
                "MVC on [GEO] near exit; fills at [HOSPITAL] on [GEO] in [GEO]",
            ),
            ("I-131 uptake 12%", "I-131 uptake 12%"),
            (
                "Visit time in 1310 out 1425. Found on floor at ~2045, since about midnight",
                "Visit time in [DATE] out [DATE]. Found on floor at ~[DATE], since about [DATE]",
            ),
            (
                "Rehab at Governor's Center; Mohs referral. Siobhan Keane, RN CHPN",
                "Rehab at [HOSPITAL]; Mohs referral. [NAME], RN CHPN",
            ),
            ("took 1310 mg in 2020 out of 2045", "took 1310 mg in 2020 out of 2045"),
            (
                "from loomis lakeside (memory care). wants her back at loomis; PT: ALPHONSE GAUTHIER, 91\n",
                "from [GEO] lakeside (memory care). wants her back at [GEO]; PT: [NAME], [AGE]\n",
            ),
            (
                "Mercy Anticoagulation Clinic. anticoagulation plan",
                "[HOSPITAL]. anticoagulation plan",
            ),
            (
                "Femoral sheath out 0415. owns tony's barbershop; cook at a diner",
                "Femoral sheath out [DATE]. owns [HOSPITAL]; cook at a diner",
            ),
            (
                "swelling after flight home from phoenix. mom calling re mateo, 9 mo, fussy",
                "swelling after flight home from [GEO]. mom calling re [NAME], 9 mo, fussy",
            ),
            (
                "moved to florida; trip to the store; cough, 3 days",
                "moved to florida; trip to the store; cough, 3 days",
            ),
            (
                "oxycodone at 0915 and 1440. Case manager from ServiceNet (case 26-118443)",
                "oxycodone at [DATE] and [DATE]. Case manager from [HOSPITAL] (case [OTHER_ID])",
            ),
            ("labs from 1990 and 2000; 1000 and 1500 mg", "labs from 1990 and 2000; 1000 and 1500 mg"),
            (
                "triage rn: k. baptiste. urine cx: e. coli.\ncalled to r. estevez rn at 09:58",
                "triage rn: [NAME]. urine cx: e. coli.\ncalled to [NAME] rn at [DATE]",
            ),
            (
                "np \u{2014} hilltown community health center, worthington. farm in cummington.",
                "np \u{2014} [HOSPITAL], [GEO]. farm in [GEO].",
            ),
            (
                "Admitted 10/30. Blood cultures 10/30 grew E. coli; cx 2/2",
                "Admitted [DATE]. Blood cultures [DATE] grew E. coli; cx 2/2",
            ),
            (
                "sent to peak physical therapy; referred to physical therapy",
                "sent to [HOSPITAL]; referred to physical therapy",
            ),
            (
                "Rx sent to CVS; CVS at 11 weeks declined",
                "Rx sent to [HOSPITAL]; CVS at 11 weeks declined",
            ),
            (
                "Trauma attending Obuya saw him.",
                "Trauma attending [NAME] saw him.",
            ),
            (
                "Breast density: C. No mass. BI-RADS 1.",
                "Breast density: C. No mass. BI-RADS 1.",
            ),
            (
                "transferred to outside hospital, then to the clinic",
                "transferred to outside hospital, then to the clinic",
            ),
            ("took 2 tabs at 3 am", "took 2 tabs at [DATE]"),
            (
                "visit home on Sycamore Ridge Rd tomorrow",
                "visit home on [GEO] tomorrow",
            ),
            (
                "Unit: Fresenius Kidney Care\nJQP/lw D: 11/29/2025",
                "Unit: [HOSPITAL]\n[NAME]/[NAME] D: [DATE]",
            ),
            (
                "F/U WITH CASCADE VALLEY ORTHOPEDICS; Concord Occupational Health; consult Cardiology",
                "F/U WITH [HOSPITAL]; [HOSPITAL]; consult Cardiology",
            ),
            (
                "DISCUSSED WITH CARDIOLOGY. ST ELEVATION, AVF. CATH LAB ACTIVATED",
                "DISCUSSED WITH CARDIOLOGY. ST ELEVATION, AVF. CATH LAB ACTIVATED",
            ),
            (
                "NOTIFIED BY LEOMINSTER PD; seen by Keene Police",
                "NOTIFIED BY [HOSPITAL]; seen by [HOSPITAL]",
            ),
            ("swims at the YMCA daily", "swims at the [HOSPITAL] daily"),
            (
                "772014339 | RMC | 04418820 | | 55310 | 6/16/2005 12:00:00 AM | Discharge",
                "[OTHER_ID] | [HOSPITAL] | [OTHER_ID] | | [OTHER_ID] | [DATE] [DATE] | Discharge",
            ),
            (
                "moved to an apt on juniper ln; on the way home; on his way",
                "moved to an apt on [GEO]; on the way home; on his way",
            ),
            ("can i come in thurs? or weds!", "can i come in [DATE]? or [DATE]!"),
            (
                "Strep panel 3/2 negative; 2/4 positive",
                "Strep panel [DATE] negative; 2/4 positive",
            ),
            ("TRIAGE: 2215. WEIGHT: 1250 G", "TRIAGE: [DATE]. WEIGHT: 1250 G"),
            (
                "ORDERED ON ROUTE 9 IN WORCESTER",
                "ORDERED ON [GEO] IN [GEO]",
            ),
            (
                "no lifting for two weeks.\nRosalind Birch, DO\n-- K. Ferrante, NP",
                "no lifting for two weeks.\n[NAME], DO\n-- [NAME], NP",
            ),
            (
                "Dear Felicity,\nthis is Imani Okafor. I'm out of sertraline. Tech JPL.",
                "Dear [NAME],\nthis is [NAME]. I'm out of sertraline. Tech [NAME].",
            ),
            (
                "Discussed with Nakashima today. Lasix 40 mg given; Klebsiella grew.",
                "Discussed with [NAME] today. Lasix 40 mg given; Klebsiella grew.",
            ),
            (
                "Student: Ana Ruiz, Grade 7, JFK Middle School\nTRIAGE RN D. OKONJO",
                "Student: [NAME], Grade 7, [HOSPITAL]\nTRIAGE RN [NAME]",
            ),
            (
                "lives alone at 14 prospect st westfield. neighbor checks in.",
                "lives alone at [GEO] [GEO]. neighbor checks in.",
            ),
            (
                "L&D TRIAGE 12/03/2026\nMBEKI, THANDIWE G2P1 AT 38W. PRENATAL CARE AT TAPESTRY HEALTH.",
                "L&D TRIAGE [DATE]\n[NAME], [NAME] G2P1 AT 38W. PRENATAL CARE AT [HOSPITAL].",
            ),
            (
                "bib amr after a crash near the sunderland bridge. works at atkins farms; lives at heritage hall.",
                "bib [HOSPITAL] after a crash near the [GEO] bridge. works at [HOSPITAL]; lives at [HOSPITAL].",
            ),
            (
                "Her granddaughter Felicity (a nurse) attended. Works at Sunoco on Rt 9.",
                "Her granddaughter [NAME] (a nurse) attended. Works at [HOSPITAL] on [GEO].",
            ),
            (
                "on scene 1421, transport 1440, at destination 1502. (login dlaframb2)",
                "on scene [DATE], transport [DATE], at destination [DATE]. (login [OTHER_ID])",
            ),
            (
                "tc from pt's wife. pastor abernathy from grace episcopal visited. call if worse. jo rn",
                "tc from pt's wife. pastor [NAME] from [HOSPITAL] visited. call if worse. [NAME] rn",
            ),
            (
                "college student at hampshire college. peds: riverbend pediatrics.",
                "college student at [HOSPITAL]. peds: [HOSPITAL].",
            ),
            (
                "Transport: LifeStar critical care. Transport booked with Coastline EMS; brought in by Boston EMS. BIB EMS.",
                "Transport: [HOSPITAL] critical care. Transport booked with [HOSPITAL]; brought in by [HOSPITAL]. BIB EMS.",
            ),
            (
                "works as a bus driver for the MBTA; a mail carrier for usps. EMPLOYER BJ'S WHOLESALE HQ.",
                "works as a bus driver for the [HOSPITAL]; a mail carrier for [HOSPITAL]. EMPLOYER [HOSPITAL].",
            ),
            (
                "pharmacy: cvs. sw to contact dmh case mgr. moved out of gandara group home.",
                "pharmacy: [HOSPITAL]. sw to contact [HOSPITAL] case mgr. moved out of [HOSPITAL].",
            ),
            (
                "reflex FISH sent to NeoGenomics. Follow up: Overlake Medical Clinics surgery.",
                "reflex FISH sent to [HOSPITAL]. Follow up: [HOSPITAL] surgery.",
            ),
            (
                "C/O CTX Q5MIN SINCE 1900. PSA 11/12 3.4 (prior 2.9). family (maria - daughter).",
                "C/O CTX Q5MIN SINCE [DATE]. PSA [DATE] 3.4 (prior 2.9). family ([NAME] - daughter).",
            ),
            (
                "attends little sprouts preschool. her sister Imelda in Springfield, called at 2230.",
                "attends [HOSPITAL]. her sister [NAME] in [GEO], called at [DATE].",
            ),
            (
                "labs drawn at quest; works part time at family dollar in chicopee. FAMILY MTG TODAY 1400.",
                "labs drawn at [HOSPITAL]; works part time at [HOSPITAL] in [GEO]. FAMILY MTG TODAY [DATE].",
            ),
            (
                "Transportation via GATRA paratransit; on a quest for answers; today 1500 mL out.",
                "Transportation via [HOSPITAL] paratransit; on a quest for answers; today 1500 mL out.",
            ),
            (
                "rx sent to rite aid state st. Pharmacy (Rite Aid University Dr) closed.",
                "rx sent to [HOSPITAL] [GEO] Pharmacy ([HOSPITAL] [GEO]) closed.",
            ),
            (
                "ASSAULTED OUTSIDE THE DUGOUT BAR. INSTALL THE GRAB BAR IN SHOWER.",
                "ASSAULTED OUTSIDE THE [HOSPITAL]. INSTALL THE GRAB BAR IN SHOWER.",
            ),
            (
                "case AC-26-1193. MISSED WED DUE TO SNOW. NSG HANDOFF 1900. RIDE: VALLEY MEDICAL TRANSPORT.",
                "case [OTHER_ID]. MISSED [DATE] DUE TO SNOW. NSG HANDOFF [DATE]. RIDE: [HOSPITAL].",
            ),
            (
                "sbar to dr haddad 2150; transport booked for 1300.",
                "sbar to dr [NAME] [DATE]; transport booked for [DATE].",
            ),
            (
                "TRANSPORT VIA AETNA AMBULANCE 1000. pickup 0930.",
                "TRANSPORT VIA [HOSPITAL] [DATE]. pickup [DATE].",
            ),
            (
                "PT AT BANNER OUTPATIENT. lives on bainbridge island, takes ferry.",
                "PT AT [HOSPITAL] OUTPATIENT. lives on [GEO], takes ferry.",
            ),
            (
                "ATTENDING NOTE: PT SEEN AND EXAMINED. DAUGHTER HOPE AND SON-IN-LAW CHRIS AT BEDSIDE.",
                "ATTENDING NOTE: PT SEEN AND EXAMINED. DAUGHTER [NAME] AND SON-IN-LAW [NAME] AT BEDSIDE.",
            ),
            (
                "pt goes by \"bud\"; husband frank and sister nora visited.",
                "pt goes by \"[NAME]\"; husband [NAME] and sister [NAME] visited.",
            ),
            (
                "school: duggan middle. MOTORCYCLE VS CAR ON RT 202. RT 2 L NC; seen by RT 3 times.",
                "school: [HOSPITAL]. MOTORCYCLE VS CAR ON [GEO]. RT 2 L NC; seen by RT 3 times.",
            ),
            (
                "found down at mcdonald's; narcan x2 by holyoke fd; prefers home pd. meals via highland valley elder services. STAYING AT HOPE LODGE.",
                "found down at [HOSPITAL]; narcan x2 by [HOSPITAL]; prefers home pd. meals via [HOSPITAL]. STAYING AT [HOSPITAL].",
            ),
            (
                "adult day at the adult day center of northampton; the center of the lesion.",
                "adult day at the adult day center of [GEO]; the center of the lesion.",
            ),
            (
                "doula from valley birth collective; rtc feb. FROM GOVERNOR'S CENTER W/ AMS.",
                "doula from [HOSPITAL]; rtc [DATE]. FROM [HOSPITAL] W/ AMS.",
            ),
            (
                "vitals stable overnight, will call after rounds. - kp rn",
                "vitals stable overnight, will call after rounds. - [NAME] rn",
            ),
            (
                "Work note: may return to Target (cashier) on 12/7.",
                "Work note: may return to [HOSPITAL] (cashier) on [DATE].",
            ),
            (
                "dx Aug '25; resumed the 27th. IV X2. 0600 CONVERTED. chair 4, 1130 start. RESUME SAT; w/ pvta ride.",
                "dx [DATE]; resumed the [DATE]. IV X2. [DATE] CONVERTED. chair 4, [DATE] start. RESUME [DATE]; w/ [HOSPITAL] ride.",
            ),
            (
                "pt to or at 0745, back to floor 1130. first void 1400. IS to 1250; uop 1200; metformin 1000 bid.",
                "pt to or at [DATE], back to floor [DATE]. first void [DATE]. IS to 1250; uop 1200; metformin 1000 bid.",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(tagged(input), want, "input: {input}");
        }
    }

    #[test]
    fn clinical_words_that_look_like_identifiers_are_kept() {
        for s in [
            "YOU WERE IN THE HOSPITAL FOR PNEUMONIA.",
            "FHT cat I. Epidural placed. Change M/W/F. Low air loss. Twin A and B. Mom pumping.",
            "BP STABLE ON LEVO 0.06. Callback: see chart. Simvastatin/ezetimibe 10/40 daily.",
            "IN HER USUAL STATE OF HEALTH. HUSBAND WORKS AT HOME. + Neer. Public Health notified.",
            "she manages the deli at work; son will drive; her son will pick up meds.",
            "TUFTS HEALTH PLAN ID on file. geri f/u today.",
            "gets meals on wheels; Meals on Wheels delivers daily.",
            "Hospitalized at St. Elsewhere's ward. PHARMACY: STOPPED DIPHENHYDRAMINE.",
            "TOL REG DIET. PROPOFOL 40, FENT 100. Came from the OSH ED; seen by heart failure cardiology.",
            "35F, rm 716 - pyelo, on ctx. Likely d/c AM.",
            "HE IS AMISH. HUSBAND TO DRIVE HOME. DO NOT DRIVE; SHE WILL DRIVE.",
            "S/P EX LAP FOR PERFORATED DIVERTICULITIS, HARTMANN'S.",
            "refills from the pharmacy; preferred pharmacy updated; her mail-order pharmacy delayed.",
            "f/u w/ student health; referred to public health.",
            "ON MMF 1.5 G BID. WORKS AS A DENTAL ASSISTANT. the pharmacy didnt have it.",
            "Lot numbers in MAR. E COLI PAN-SENS. Lives in a triple-decker. Hem-o-lok clips.",
            "Med box filled by VNA nurse; ICU nurse at bedside.",
            "K 3.8 REPLETED W/ 40 MEQ KCL. NGT TO LIS, 200CC BILIOUS.",
            "Claim denied by BlueCross on appeal.",
            "free fluid in Morison's pouch; Hoyer lift in use. Braden 16.",
            "ANESTHESIA: General endotracheal.",
            "water heater below 120F; neuropathy and fatigue 4/10.",
            "daughter will drive him; cont abx day 3/5; HR is 92.",
            "completed 12/15 sessions; vision 20/20; CARDIAC REHAB SESSION 12/36",
            "Port accessed with a 3/4\" Huber needle; RN Case Manager notified.",
            "OPHTHALMOLOGY CLINIC\nIns: Delta Dental, on file.",
            "shoulder: hawkins +, neer +. she wishes to discuss dialysis options.",
            "Boston bowel prep score 8. Ascending colon polyps removed.",
            "Lido 2% w/ epi 1:100k, 2 carpules; dressing changed (Mepilex).",
            "HGB A1C 7.2; COVID19 PCR NEG; HCO3 24; Q4H PRN.",
            "HE IS A RETIRED LETTER CARRIER. S/P CATH W/ STENT TO LAD. PT TO PEDS ED.",
            "L ANKLE: TENDER LATERAL MALLEOLUS, OTTAWA NEG. ICE AND ELEVATE.",
            "CHEST PAIN AT REST. NO ACUTE ST CHANGES. INFERIOR ST DEPRESSION AND ST ELEVATION.",
            "MRI with 7 mL Gadavist: no enhancement.",
            "R IJ CVC tip at cavoatrial junction. Telehealth visit (video, Doxy.me). NO EMS.",
            "metformin 1000 bid; uop 1200 today; EBL 1500. PLT 1100.",
            "back to floor 1130. first void 1400. IS to 1250.",
        ] {
            assert_eq!(scrubbed(s), None, "input: {s}");
        }
    }

    #[test]
    fn clinical_text_without_identifiers_is_untouched() {
        let s = "Pt with CAD, PMH of HTN; metoprolol 25 mg BID; BP 120/80; K 4.1; A1c 7.2%";
        assert_eq!(scrubbed(s), None);
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

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn planted() -> impl Strategy<Value = (String, &'static str)> {
            prop_oneof![
                "[0-9]{3}-[0-9]{2}-[0-9]{4}".prop_map(|s| (s, "SSN")),
                "\\([2-9][0-9]{2}\\) [2-9][0-9]{2}-[0-9]{4}".prop_map(|s| (s, "PHONE")),
                "[a-z]{3,8}\\.[a-z]{3,8}@[a-z]{4,8}\\.(org|com)".prop_map(|s| (s, "EMAIL")),
                "(0[1-9]|1[0-2])/(0[1-9]|1[0-9]|2[0-8])/(19[5-9][0-9]|20[0-2][0-9])"
                    .prop_map(|s| (s, "DATE")),
                "[0-9]{7,10}".prop_map(|s| (format!("MRN {s}"), "MRN")),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn any_text_gives_spans_in_bounds_on_character_boundaries(text in "\\PC{0,300}") {
                let spans = find_byte_spans(&text);
                let mut last_end = 0;
                for &(s, e, kind) in &spans {
                    prop_assert!(s < e && e <= text.len());
                    prop_assert!(s >= last_end, "spans overlap");
                    prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
                    prop_assert!(TYPES.contains(&kind));
                    last_end = e;
                }
                let cps = find_spans(&text);
                let chars = text.chars().count();
                prop_assert!(cps.iter().all(|s| s.end <= chars));
            }

            #[test]
            fn planted_identifiers_never_survive_tag_or_redact(
                before in "[a-zA-Z ,.;\\n]{0,40}",
                (value, _kind) in planted(),
                after in "[a-z ,.;\\n]{0,40}",
                redact in any::<bool>(),
            ) {
                let text = format!("{before} {value} {after}");
                let scrubber = Scrubber {
                    replace: if redact { Replace::Redact } else { Replace::Tag },
                    options: Options::default(),
                    keyed: None,
                };
                let (out, spans) = scrubber.scrub(&text, "", None);
                prop_assert!(!spans.is_empty());
                let out = out.unwrap();
                let core = value.trim_start_matches("MRN ");
                prop_assert!(!out.contains(core), "left in the output");
            }
        }
    }
}
