//! Names and places: the part of the scrubber that reads words. One pass splits the text into
//! word tokens and looks each up once in a table built from the Census name lists, GeoNames'
//! US places, an English word list and a clinical allow-list (see `dict/README.md`). A name
//! that is also an English word ("Hope", "Brooks") needs context: a title, a label, a relation
//! word, a credential, or a neighbouring name.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::ByteSpan;

const FIRST: u16 = 1;
const LAST: u16 = 1 << 1;
/// A common English word (SCOWL size 35): a name that is one needs context.
const WORD: u16 = 1 << 2;
/// A less common English word: not a name by itself, but not an unknown token either.
const RARE_WORD: u16 = 1 << 13;
const CITY: u16 = 1 << 3;
const CITY_PREFIX: u16 = 1 << 4;
const CLINICAL: u16 = 1 << 5;
const TITLE: u16 = 1 << 6;
const LABEL: u16 = 1 << 7;
const RELATION: u16 = 1 << 8;
const LOCATIVE: u16 = 1 << 9;
const CREDENTIAL: u16 = 1 << 10;
const NAME: u16 = FIRST | LAST;
/// Nouns that make the capitalised word before them an eponym ("Gleason score", "Lewy body",
/// "Murphy's sign") or the name of a place ("Grace Church").
const EPONYM: u16 = 1 << 11;
const PLACE_NOUN: u16 = 1 << 12;
const BY_VERB: u16 = 1 << 14;
/// A capitalised word that names no one here: a language, a people, a faith, a month, a day.
const PROPER_NOT_PHI: u16 = 1 << 15;

const EPONYM_NOUNS: &[&str] = &[
    // "Boston bowel prep score".
    "bowel",
    "sign",
    "signs",
    "test",
    "tests",
    "score",
    "scale",
    "stage",
    "staging",
    "disease",
    "syndrome",
    "catheter",
    "procedure",
    "maneuver",
    "manoeuvre",
    "technique",
    "criteria",
    "classification",
    "fracture",
    "repair",
    "body",
    "bodies",
    "node",
    "nodes",
    "reflex",
    "phenomenon",
    "triad",
    "tube",
    "drain",
    "incision",
    "position",
    "grade",
    "grading",
    "operation",
    "equation",
    "formula",
    "index",
    "ulcer",
    "lesion",
    "nodule",
    "nodules",
    "cyst",
    "tumor",
    "tumour",
    "sarcoma",
    "lymphoma",
    "palsy",
    "paralysis",
    "forceps",
    "retractor",
    "method",
    "protocol",
    "rule",
    "rules",
    "approach",
    "anastomosis",
    "pouch",
    "lift",
    "needle",
    "diverticulum",
    "hernia",
    "angle",
    "line",
    "canal",
    "duct",
    "gland",
    "glands",
    "valve",
    "triangle",
    "point",
    "law",
    "effect",
    "questionnaire",
    "exam",
    "examination",
    "view",
    "stitch",
    "suture",
    "clamp",
    "splint",
    "block",
    "shunt",
    "filter",
    "stockings",
    "mask",
    "esophagus",
    "dementia",
    "encephalopathy",
    "thyroiditis",
    "disorder",
    "lymphadenopathy",
    "murmur",
    "respirations",
    "breathing",
    "phenomena",
    "deformity",
    "contracture",
    "neuroma",
    "neuralgia",
    "aneurysm",
    "ileus",
    "spots",
    "nodes",
    "space",
    "spaces",
    "plexus",
    "muscle",
    "loop",
    "ligament",
];
const PLACE_NOUNS: &[&str] = &[
    "church",
    "school",
    "street",
    "park",
    "house",
    "avenue",
    "road",
    "center",
    "college",
    "university",
    "hall",
    "library",
    "mall",
    "academy",
    "chapel",
    "cemetery",
    "temple",
];

/// Capitalised words that are names in the Census lists but in notes are almost always
/// something else: languages, peoples, faiths, programmes, places (months and days too,
/// from [`super::MONTHS`] and [`super::WEEKDAYS`]).
const COMMON_PROPER: &[&str] = &[
    // A people and a faith, not a place or person: "He is Amish".
    "amish",
    "mennonite",
    // Weekday abbreviations in schedules ("2.5 mg Mon/Fri"), not the names they look like.
    "mon",
    "tue",
    "tues",
    "thu",
    "thur",
    "thurs",
    "fri",
    "english",
    "spanish",
    "french",
    "german",
    "italian",
    "chinese",
    "russian",
    "portuguese",
    "polish",
    "irish",
    "greek",
    "haitian",
    "creole",
    "vietnamese",
    "korean",
    "japanese",
    "arabic",
    "hindi",
    "mandarin",
    "cantonese",
    "somali",
    "american",
    "african",
    "hispanic",
    "latino",
    "latina",
    "asian",
    "caucasian",
    "christian",
    "catholic",
    "jewish",
    "muslim",
    "baptist",
    "methodist",
    "medicare",
    "medicaid",
    "tricare",
    "god",
    "jesus",
    "christmas",
    "easter",
    "america",
    "europe",
    "africa",
    "asia",
    "mexico",
    "canada",
    "india",
    "china",
    "spain",
    "france",
    "italy",
    "germany",
    "england",
    "ireland",
    "jamaica",
    "haiti",
    "brazil",
    "japan",
    "korea",
    "vietnam",
    "cuba",
    "russia",
    "poland",
    "greece",
    "israel",
    "philippines",
    "puerto",
    "rico",
    "dominican",
    "republic",
    "salvador",
    "guatemala",
    "honduras",
    "colombia",
    "peru",
    "ecuador",
    "virginia",
    "georgia",
    "carolina",
    "dakota",
    "florida",
    "texas",
    "washington",
    "indiana",
    "tennessee",
    "kentucky",
    "nevada",
    "montana",
    "california",
    "arizona",
    "alabama",
    "louisiana",
    "missouri",
    "kansas",
    "nebraska",
    "massachusetts",
    "jersey",
    "maryland",
    "delaware",
    "oregon",
    "utah",
    "idaho",
    "iowa",
    "ohio",
    "michigan",
    "illinois",
    "wisconsin",
    "minnesota",
    "maine",
    "vermont",
    "alaska",
    "hawaii",
    "oklahoma",
    "arkansas",
    "mississippi",
    "connecticut",
    "pennsylvania",
    "colorado",
    "wyoming",
    "york",
    "hampshire",
    "rhode",
    "mexico",
    "gram",
    "gram-negative",
    "gram-positive",
    "tylenol",
    "benadryl",
    "ativan",
    "coumadin",
    "lasix",
    "foley",
    "doppler",
    "holter",
    "heparin",
    "insulin",
    "tramadol",
    "norco",
    "percocet",
    "vicodin",
    "dilaudid",
    "zofran",
    "flagyl",
    "lovenox",
    "keflex",
    "bactrim",
    "plavix",
    "lipitor",
    "xanax",
    "haldol",
    "seroquel",
    "zyprexa",
    "ambien",
    "neurontin",
    "lyrica",
    "prilosec",
    "nexium",
    "protonix",
    "pepcid",
    "zantac",
    "reglan",
    "colace",
    "senna",
    "miralax",
    "dulcolax",
    "lactulose",
    // Mohs micrographic surgery, named for a surgeon long dead.
    "mohs",
];

const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "officer",
    "detective",
    "deputy",
    "sergeant",
    "sgt",
    "trooper",
    "judge",
    "attorney",
    "sr",
    "sra",
    "srta",
    "rev",
    "fr",
    "drs",
];
const LABELS: &[&str] = &[
    "patient",
    "pt",
    "name",
    "attending",
    "resident",
    "physician",
    "provider",
    "surgeon",
    "pcp",
    "cc",
    "signed",
    "dictated",
    "transcribed",
    "author",
    "contact",
    "guardian",
    "proxy",
    "hcp",
    "fellow",
    "intern",
    "doctor",
    "nurse",
    "cosigned",
    "cosigner",
    "dear",
    "attn",
    "referring",
    "consultant",
    "interpreter",
    "witness",
    "by",
    "from",
    "to",
    "re",
    "np",
    "anesthesiologist",
    "anesthesia",
    "assistant",
    "assistants",
    "cardiologist",
    "oncologist",
    "therapist",
    "pharmacist",
    "sw",
    "cm",
    "caseworker",
    "primary",
    "md",
    "rn",
    "lpn",
    "pa",
    "staff",
    "scribe",
    "student",
    "preceptor",
    "verified",
    "reviewed",
    "approved",
    "electronically",
    "sincerely",
    "regards",
    "thanks",
    "emergency",
    "informant",
    "historian",
    "kin",
    "poa",
    "surrogate",
    "spouse",
    "family",
    "visitor",
    "visitors",
    "covering",
    "supervising",
    "ordering",
    "requesting",
    "radiologist",
    "pathologist",
    "sonographer",
    "technologist",
    "tech",
    "proband",
    "client",
    "decedent",
    "subject",
    "member",
    "mother",
    "father",
    "infant",
    "baby",
    "donor",
    "recipient",
    "caller",
    "clinician",
    "midwife",
    "counselor",
    "chaplain",
    "dentist",
    "hygienist",
];
const RELATIONS: &[&str] = &[
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "sister",
    "brother",
    "friend",
    "partner",
    "spouse",
    "niece",
    "nephew",
    "aunt",
    "uncle",
    "grandson",
    "granddaughter",
    "grandmother",
    "grandfather",
    "fiance",
    "fiancee",
    "boyfriend",
    "girlfriend",
    "bf",
    "gf",
    "sib",
    "baby",
    "caregiver",
    "neighbor",
    "roommate",
    "sibling",
    "child",
    "dtr",
    "mom",
    "dad",
    "cousin",
    "stepson",
    "stepdaughter",
    "stepmother",
    "stepfather",
    "granddtr",
    "sis",
    "bro",
    "named",
    "called",
    "coworker",
    "co-worker",
    "colleague",
    "boss",
    "employer",
    "landlord",
    "landlady",
    "pastor",
    "priest",
    "rabbi",
    "imam",
    "housemate",
    "classmate",
    "teammate",
    "stepsister",
    "stepbrother",
    "godmother",
    "godfather",
    "ex-wife",
    "ex-husband",
    "daughters",
    "sons",
    "sisters",
    "brothers",
    "children",
    "kids",
    "grandchildren",
    "grandsons",
    "granddaughters",
    "parents",
    "fiancé",
    "fiancée",
    "sponsor",
    "coach",
    "mentor",
    "tutor",
    "stepmom",
    "stepdad",
    "grandma",
    "grandpa",
    "grandparent",
    "grandparents",
    "babysitter",
    "nanny",
];
/// Verbs after which "by" introduces a person ("dictated by", "seen by").
const BY_VERBS: &[&str] = &[
    "dictated",
    "signed",
    "seen",
    "reviewed",
    "transcribed",
    "cosigned",
    "written",
    "examined",
    "evaluated",
    "referred",
    "authored",
    "entered",
    "performed",
    "interpreted",
    "read",
    "verified",
    "approved",
    "attested",
    "accompanied",
    "brought",
    "visited",
    "driven",
];
const LOCATIVES: &[&str] = &[
    "in",
    "from",
    "near",
    "to",
    "visiting",
    "lives",
    "resides",
    "moved",
    "relocated",
    "outside",
    "of",
    "at",
    "towards",
    "toward",
    "born",
    "native",
    "via",
];
const CREDENTIALS: &[&str] = &[
    "md",
    "do",
    "rn",
    "np",
    "pa",
    "phd",
    "dds",
    "dmd",
    "facs",
    "facc",
    "facp",
    "mph",
    "cnm",
    "crna",
    "lpn",
    "msw",
    "lcsw",
    "pharmd",
    "dpm",
    "arnp",
    "aprn",
    "fnp",
    "bsn",
    "msn",
    "pac",
    "mbbs",
    "dnp",
    "cna",
    "lvn",
    "od",
    "psyd",
    "faafp",
    "frcpc",
    "mba",
    "ms",
    "ma",
    "bcps",
    "cgc",
    "rdh",
    "slp",
    "ccc-slp",
    "dpt",
    "licsw",
    "rph",
    "cde",
    "cdces",
    "rd",
    "ot",
    "otr",
    "lmft",
    "lmhc",
    "cwocn",
    "wocn",
    "ccrn",
    "cen",
    "rnc",
    "ladc",
    "cadc",
    "bcba",
    "lpc",
    "lpcc",
    "fase",
    "rrt",
    "emt",
    "paramedic",
    "chpn",
    "ocn",
    "cpnp",
    "acnp",
    "ibclc",
    "cnor",
];

/// FNV-1a: the keys are short lowercase words from our own lists, so a fast non-keyed hash is
/// enough (nothing an attacker chooses is inserted).
#[derive(Default)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub(super) type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// Lowercase words and their flags, in an open-addressing table of 16-byte slots: a word of
/// up to 14 bytes (nearly all) is packed into a slot's low 14 bytes and its flags into the
/// top two. A lookup reads a slot or two in one cache line instead of following a pointer to
/// the word's text and comparing it. Longer words are kept as strings.
pub(super) struct WordTable {
    /// Zero for an empty slot (no word is empty).
    slots: Vec<u128>,
    long: FastMap<&'static str, u16>,
}

pub(super) const PACKED_BYTES: u32 = 14;
const KEY_BITS: u128 = (1 << (8 * PACKED_BYTES)) - 1;

/// `word`'s bytes, zero-padded. A word with a zero byte is not packed, so the packing is one
/// to one.
fn pack(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > PACKED_BYTES as usize || bytes.contains(&0) {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(buf))
}

/// A packed word's first slot: one folded multiply spreads every byte over the low bits.
fn home_slot(key: u128, mask: usize) -> usize {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(23);
    let product = u128::from(folded) * 0x9e37_79b9_7f4a_7c15;
    (((product >> 64) as u64) ^ (product as u64)) as usize & mask
}

impl WordTable {
    fn new(entries: FastMap<&'static str, u16>) -> Self {
        let mut long = FastMap::default();
        let packed: Vec<(u128, u16)> = entries
            .into_iter()
            .filter_map(|(word, flags)| match pack(word) {
                Some(key) => Some((key, flags)),
                None => {
                    long.insert(word, flags);
                    None
                }
            })
            .collect();
        WordTable {
            slots: Self::slots_for(&packed),
            long,
        }
    }

    /// A table of words already packed (as [`pack_ascii_letters_lowercase`] packs them), each with a
    /// value of 16 bits.
    pub(super) fn of_packed(entries: &[(u128, u16)]) -> Self {
        WordTable {
            slots: Self::slots_for(entries),
            long: FastMap::default(),
        }
    }

    fn slots_for(entries: &[(u128, u16)]) -> Vec<u128> {
        // At least a fifth of the slots stay empty, so a probe ends after a slot or two.
        let len = (entries.len() + entries.len() / 4 + 1).next_power_of_two();
        let mut slots = vec![0u128; len];
        for &(key, value) in entries {
            let mut i = home_slot(key, len - 1);
            while slots[i] != 0 {
                i = (i + 1) & (len - 1);
            }
            slots[i] = key | u128::from(value) << (8 * PACKED_BYTES);
        }
        slots
    }

    /// `word`'s flags; `word` is lowercase.
    fn get(&self, word: &str) -> Option<u16> {
        match pack(word) {
            Some(key) => self.get_packed(key),
            None => self.long.get(word).copied(),
        }
    }

    /// Reads a packed word's first slot and drops it: nothing waits on the read, so the
    /// cache misses of many words overlap, and the slot is cached when
    /// [`WordTable::get_packed`] looks the word up.
    fn touch(&self, key: u128) -> usize {
        let home = home_slot(key, self.slots.len() - 1);
        std::hint::black_box(self.slots[home]);
        home
    }

    pub(super) fn get_packed(&self, key: u128) -> Option<u16> {
        self.get_packed_from(key, home_slot(key, self.slots.len() - 1))
    }

    /// [`WordTable::get_packed`], the key's home slot already known.
    fn get_packed_from(&self, key: u128, home: usize) -> Option<u16> {
        let mask = self.slots.len() - 1;
        let mut i = home;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot & KEY_BITS == key {
                return Some((slot >> (8 * PACKED_BYTES)) as u16);
            }
            i = (i + 1) & mask;
        }
    }
}

struct Dict {
    flags: WordTable,
    multi_word_cities: FastSet<&'static str>,
    first_names: Vec<&'static str>,
    surnames: Vec<&'static str>,
    cities: Vec<&'static str>,
}

fn lines(s: &'static str) -> impl Iterator<Item = &'static str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

static DICT: LazyLock<Dict> = LazyLock::new(|| {
    let mut flags: FastMap<&'static str, u16> =
        FastMap::with_capacity_and_hasher(180_000, Default::default());
    let mut multi_word_cities = FastSet::default();
    let mut add = |w: &'static str, f: u16| *flags.entry(w).or_default() |= f;
    for w in lines(include_str!("dict/english_common.txt")) {
        add(w, WORD);
    }
    for w in lines(include_str!("dict/english_rare.txt")) {
        add(w, RARE_WORD);
    }
    // A drug's name is a clinical term: no name of a person ("Kerendia"), and no business in a
    // run of capitals ("Started Kerendia and Tradjenta"). drugs.txt holds no listed name.
    for w in lines(include_str!("dict/drugs.txt")) {
        add(w, CLINICAL);
    }
    for w in lines(include_str!("dict/first_names.txt")) {
        add(w, FIRST);
    }
    for w in lines(include_str!("dict/surnames.txt")) {
        add(w, LAST);
    }
    for w in lines(include_str!("dict/clinical_terms.txt")) {
        add(w, CLINICAL);
    }
    for city in lines(include_str!("dict/us_cities.txt")) {
        match city.split_once(' ') {
            None => add(city, CITY),
            Some((first, _)) => {
                multi_word_cities.insert(city);
                add(first, CITY_PREFIX);
            }
        }
    }
    for (list, f) in [
        (COMMON_PROPER, WORD | PROPER_NOT_PHI),
        (&super::MONTHS[..], WORD | PROPER_NOT_PHI),
        (&super::WEEKDAYS[..], WORD | PROPER_NOT_PHI),
        (TITLES, TITLE),
        (LABELS, LABEL),
        (RELATIONS, RELATION),
        (LOCATIVES, LOCATIVE),
        (CREDENTIALS, CREDENTIAL),
        (EPONYM_NOUNS, EPONYM),
        (PLACE_NOUNS, PLACE_NOUN),
        (BY_VERBS, BY_VERB),
    ] {
        for w in list {
            add(w, f);
        }
    }
    Dict {
        flags: WordTable::new(flags),
        multi_word_cities,
        first_names: lines(include_str!("dict/first_names.txt")).collect(),
        surnames: lines(include_str!("dict/surnames.txt")).collect(),
        cities: lines(include_str!("dict/us_cities.txt")).collect(),
    }
});

fn flags_of(word: &str) -> u16 {
    let mut key = String::new();
    lookup(&DICT, word, &mut key)
}

pub fn is_first_name(word: &str) -> bool {
    flags_of(word) & FIRST != 0
}

/// Whether `word` (any case) is in the common English word list.
pub fn is_common_word(word: &str) -> bool {
    flags_of(word) & WORD != 0
}

/// Whether `word` (any case) is a clinical term, drug or service ("peds", "Plavix").
pub fn is_clinical_term(word: &str) -> bool {
    flags_of(word) & CLINICAL != 0
}

/// Whether `word` (any case) is a proper word that names no one: a language, people, month
/// or weekday ("English", "Haitian").
pub fn is_proper_not_phi(word: &str) -> bool {
    flags_of(word) & PROPER_NOT_PHI != 0
}

/// Whether `word` is in no list at all: no English word, name, place or clinical term.
pub fn is_unknown(word: &str) -> bool {
    flags_of(word) == 0
}

/// Whether `word` could only be a proper name here: no English or clinical word, title,
/// label or other word the rules read as something else (names and places may be).
pub fn is_proper_only(word: &str) -> bool {
    flags_of(word)
        & (WORD
            | RARE_WORD
            | CLINICAL
            | PROPER_NOT_PHI
            | TITLE
            | LABEL
            | RELATION
            | CREDENTIAL
            | LOCATIVE
            | EPONYM
            | PLACE_NOUN
            | BY_VERB)
        == 0
}

pub fn is_surname(word: &str) -> bool {
    flags_of(word) & LAST != 0
}

/// Surrogate picks: entry `draw mod len` of a list (lowercase).
pub fn first_name_at(draw: u64) -> &'static str {
    let l = &DICT.first_names;
    l[(draw % l.len() as u64) as usize]
}

pub fn surname_at(draw: u64) -> &'static str {
    let l = &DICT.surnames;
    l[(draw % l.len() as u64) as usize]
}

pub fn city_at(draw: u64) -> &'static str {
    let l = &DICT.cities;
    l[(draw % l.len() as u64) as usize]
}

/// Loads the word tables now rather than on the first note.
pub fn warm_up() {
    LazyLock::force(&DICT);
}

/// Whether `phrase` (any case, single spaces) is a US place name in the list.
pub fn is_city(phrase: &str) -> bool {
    let key: String = phrase
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let dict = &*DICT;
    dict.flags.get(&key).is_some_and(|f| f & CITY != 0)
        || dict.multi_word_cities.contains(key.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Lower,
    /// Initial capital, some lowercase after.
    Cap,
    Upper,
    /// A single capital letter.
    Initial,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    Space,
    Comma,
    Dot,
    Colon,
    /// An opening parenthesis: "wife (Adaeze)".
    Paren,
    Other,
}

#[derive(Debug)]
struct Tok {
    start: usize,
    end: usize,
    /// Where a span covering this token ends: `end`, or past a digit suffix ("Name123").
    mark_end: usize,
    shape: Shape,
    flags: u16,
    /// Preceded by the start of the text or a sentence end (". ", newline).
    sentence_start: bool,
}

fn shape(word: &str) -> Shape {
    let mut chars = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = chars.next() else {
        return Shape::Other;
    };
    if !first.is_uppercase() {
        return Shape::Lower;
    }
    let mut any_lower = false;
    let mut len = 1;
    for c in chars {
        len += 1;
        any_lower |= c.is_lowercase();
    }
    match (len, any_lower) {
        (1, _) => Shape::Initial,
        (_, true) => Shape::Cap,
        (_, false) => Shape::Upper,
    }
}

/// The longest entry in any list is shorter than this; longer tokens are in none.
const LONGEST_ENTRY: usize = 48;

/// A word's flags when the tokenizer could not pack it (accented letters, an apostrophe or
/// hyphen, more than [`PACKED_BYTES`] letters): looked up by its lowercase text.
fn lookup(dict: &Dict, word: &str, key: &mut String) -> u16 {
    if word.len() > LONGEST_ENTRY {
        return 0;
    }
    key.clear();
    for c in word.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_ascii() {
            key.push(c.to_ascii_lowercase());
        } else {
            key.extend(c.to_lowercase());
        }
    }
    if let Some(f) = dict.flags.get(key) {
        return f;
    }
    if key.contains('-') {
        // "Smith-Jones" is a name; "X-ray" and "follow-up" are words.
        // "ESPINOZA-WARD": parts that are all names, one of them no word, make a name,
        // though another part is also a word ("triple-decker", "pan-sens", "Hem-o-lok" do not).
        let (mut flags, mut all_names, mut only_a_name) = (0, true, false);
        for part in key.split('-') {
            let f = dict.flags.get(part).unwrap_or(0);
            flags |= f;
            all_names &= f & NAME != 0;
            only_a_name |= f & NAME != 0 && f & (WORD | RARE_WORD) == 0;
        }
        return if all_names && only_a_name && flags & CLINICAL == 0 {
            flags & !(WORD | RARE_WORD)
        } else {
            flags
        };
    }
    0
}

fn classify_gap(gap: &str) -> Gap {
    // Most gaps are one space; the rest are a few bytes, read directly.
    if gap == " " {
        return Gap::Space;
    }
    if gap.bytes().any(|b| b == b'\n' || b == b'\r') {
        return Gap::Other;
    }
    let trimmed = gap.trim_matches([' ', '\t']);
    match trimmed {
        "" if !gap.is_empty() => Gap::Space,
        "," => Gap::Comma,
        "." => Gap::Dot,
        ":" | "-" | "=" => Gap::Colon,
        "(" => Gap::Paren,
        _ => Gap::Other,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
}

/// The character at byte `at`, read without decoding when it is ASCII (nearly always).
fn char_at(text: &str, at: usize) -> Option<char> {
    let byte = *text.as_bytes().get(at)?;
    if byte < 0x80 {
        Some(char::from(byte))
    } else {
        text[at..].chars().next()
    }
}

/// A word's shape when it is ASCII letters only: [`shape`] without decoding characters.
fn shape_of_ascii_letters(word: &[u8]) -> Shape {
    if word[0].is_ascii_lowercase() {
        return Shape::Lower;
    }
    if word.len() == 1 {
        return Shape::Initial;
    }
    if word[1..].iter().any(u8::is_ascii_lowercase) {
        Shape::Cap
    } else {
        Shape::Upper
    }
}

/// Word tokens: letters, joined across an inner apostrophe or hyphen ("O'Brien", "Smith-Jones")
/// but not a possessive "'s".
/// The tokens go to `toks`; `keys` and `homes` are room for their packed forms and slots.
fn tokenize(
    text: &str,
    dict: &Dict,
    toks: &mut Vec<Tok>,
    keys: &mut Vec<u128>,
    homes: &mut Vec<usize>,
) {
    let bytes = text.as_bytes();
    toks.clear();
    // Each token's packed lowercase form (zero when it does not pack), made while its bytes
    // are at hand.
    keys.clear();
    let mut last_end = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] < 0x80 && !bytes[at].is_ascii_alphabetic() {
            at += 1;
            continue;
        }
        let c = char_at(text, at).expect("at is inside the text");
        if !is_word_char(c) {
            at += c.len_utf8();
            continue;
        }
        let start = at;
        let mut end = at + c.len_utf8();
        let mut next_at = end;
        // Only ASCII letters so far: the common case, shaped and packed without decoding.
        let mut ascii_letters = c.is_ascii();
        let mut suffix_end = 0;
        let mut discard = false;
        loop {
            // Most words are a run of ASCII letters: read it in a tight loop first.
            let run_from = next_at;
            while bytes.get(next_at).is_some_and(u8::is_ascii_alphabetic) {
                next_at += 1;
            }
            if next_at > run_from {
                end = next_at;
            }
            let Some(d) = char_at(text, next_at) else {
                break;
            };
            if is_word_char(d) {
                ascii_letters &= d.is_ascii();
                next_at += d.len_utf8();
                end = next_at;
            } else if matches!(d, '\'' | '\u{2019}' | '-') {
                let after = next_at + d.len_utf8();
                let next = char_at(text, after);
                let possessive = d != '-'
                    && matches!(next, Some('s' | 'S'))
                    && !text[after + 1..].starts_with(is_word_char);
                if next.is_some_and(is_word_char) && !possessive {
                    ascii_letters = false;
                    next_at = after;
                } else {
                    if possessive {
                        // The "'s" is not a word of its own: "Murphy's sign" reads as
                        // "Murphy" then "sign".
                        next_at = after + 1;
                    }
                    break;
                }
            } else if d.is_ascii_digit() {
                // "A1c", "T2", "Q4H": not words. A capitalised word with only digits after
                // ("Carolee951", as synthetic data writes names) is read as the word.
                let digits_from = next_at;
                let mut letters_after = false;
                while let Some(e) = char_at(text, next_at) {
                    if !e.is_alphanumeric() {
                        break;
                    }
                    letters_after |= !e.is_ascii_digit();
                    next_at += e.len_utf8();
                }
                let word_len = text[start..digits_from].chars().count();
                if letters_after || word_len < 3 || !c.is_uppercase() {
                    discard = true;
                } else {
                    suffix_end = next_at;
                }
                break;
            } else {
                break;
            }
        }
        at = next_at;
        if discard || start > 0 && bytes[start - 1].is_ascii_digit() {
            continue;
        }
        let mark_end = suffix_end.max(end);
        // What stands before the word since the last token, less spaces and tabs: a sentence
        // end, a line break or nothing at all opens a sentence.
        let mut before_end = start;
        while before_end > last_end && matches!(bytes[before_end - 1], b' ' | b'\t') {
            before_end -= 1;
        }
        let sentence_start = toks.is_empty()
            || before_end > last_end
                && matches!(
                    bytes[before_end - 1],
                    b'.' | b'!' | b'?' | b'\n' | b'\r' | b':' | b';' | b'*' | b'#'
                )
            || before_end == last_end && last_end == 0;
        let word = &text[start..end];
        let (shape, key) = if ascii_letters {
            let key = if word.len() <= PACKED_BYTES as usize {
                pack_ascii_letters_lowercase(word.as_bytes())
            } else {
                0
            };
            (shape_of_ascii_letters(word.as_bytes()), key)
        } else {
            (shape(word), 0)
        };
        toks.push(Tok {
            start,
            end,
            mark_end,
            shape,
            flags: 0,
            sentence_start,
        });
        keys.push(key);
        last_end = mark_end;
    }
    look_up_all(dict, text, toks, keys, homes);
}

/// Each token's flags, as [`lookup`] gives them, `keys` holding the packed words. Most words'
/// slots are not in the processor's caches: a first pass touches every packed word's slot, so
/// that the misses overlap instead of coming one after another, and the second pass finds the
/// slots cached.
fn look_up_all(dict: &Dict, text: &str, toks: &mut [Tok], keys: &[u128], homes: &mut Vec<usize>) {
    homes.clear();
    homes.extend(
        keys.iter()
            .map(|&key| if key != 0 { dict.flags.touch(key) } else { 0 }),
    );
    let mut scratch = String::new();
    for ((t, &key), &home) in toks.iter_mut().zip(keys).zip(homes.iter()) {
        t.flags = if key != 0 {
            dict.flags.get_packed_from(key, home).unwrap_or(0)
        } else {
            lookup(dict, &text[t.start..t.end], &mut scratch)
        };
    }
}

/// Up to [`PACKED_BYTES`] ASCII letters, lowercased and packed as [`pack`] does.
pub(super) fn pack_ascii_letters_lowercase(letters: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    buf[..letters.len()].copy_from_slice(letters);
    // Setting bit 5 lowercases an ASCII letter; the mask covers the word's bytes only, so the
    // padding stays zero.
    let lowercase_bits =
        0x2020_2020_2020_2020_2020_2020_2020_2020u128 & ((1u128 << (8 * letters.len())) - 1);
    u128::from_le_bytes(buf) | lowercase_bits
}

fn is_capitalised(t: &Tok) -> bool {
    matches!(t.shape, Shape::Cap | Shape::Upper)
}

/// A name by dictionary alone: in a name list, not an English word or clinical term, and not
/// a short all-capitals abbreviation.
fn strong_name(t: &Tok) -> bool {
    t.flags & NAME != 0
        && t.flags & (WORD | CLINICAL) == 0
        && (t.shape == Shape::Cap || t.shape == Shape::Upper && t.end - t.start >= 4)
}

/// A capitalised word in no list at all: a rare name, or a term we do not know.
fn unknown(t: &Tok) -> bool {
    t.shape == Shape::Cap && t.flags & !CITY_PREFIX == 0 && t.end - t.start >= 2
}

/// A capital inside the word, as brand names have ("MyChart", "BlueCross"); names that do
/// ("McDonald", "DeShawn", "LaToya") start with a known prefix.
fn camel_case(t: &Tok, text: &str) -> bool {
    if t.shape != Shape::Cap {
        return false;
    }
    let w = &text[t.start..t.end];
    let inner = w.chars().skip(1).any(char::is_uppercase);
    let name_prefix = || {
        [
            "Mc", "Mac", "De", "Di", "Da", "La", "Le", "Van", "Von", "O'",
        ]
        .iter()
        .any(|p| w.starts_with(p))
    };
    inner && !name_prefix()
}

/// A name-list word that is also an English word.
fn ambiguous_name(t: &Tok) -> bool {
    t.flags & NAME != 0 && t.flags & CLINICAL == 0 && is_capitalised(t)
}

/// Whether the letter `toks[at]` names one of a series, not a person's initial: "M/W/F. Low
/// air loss", "FHT cat I. Epidural", "twin A and B. Mom".
fn in_a_series_of_letters(toks: &[Tok], at: usize, text: &str) -> bool {
    let t = &toks[at];
    if text[..t.start].ends_with('/') {
        return true;
    }
    let Some(prev) = at.checked_sub(1).map(|p| &toks[p]) else {
        return false;
    };
    let prev_word = text[prev.start..prev.end].to_ascii_lowercase();
    let letter_before = at >= 2 && toks[at - 2].end - toks[at - 2].start == 1;
    matches!(
        prev_word.as_str(),
        "cat"
            | "category"
            | "class"
            | "grade"
            | "type"
            | "stage"
            | "phase"
            | "level"
            | "twin"
            | "baby"
            | "lead"
            | "zone"
    ) || matches!(prev_word.as_str(), "and" | "or") && letter_before
}

fn initial(t: &Tok, text: &str) -> bool {
    t.shape == Shape::Initial && {
        let w = &text[t.start..t.end];
        // "I" and "A" are words unless a period marks them as initials.
        !(w == "I" || w == "A") || text[t.end..].starts_with('.')
    }
}

/// Whether only a signature's dash or bullet stands before `pos` on its line: "- delia franks
/// rn, red river hospice".
fn opens_line(text: &str, pos: usize) -> bool {
    line_before(text, pos)
        .chars()
        .all(|c| matches!(c, ' ' | '\t' | '-' | '\u{2013}' | '\u{2014}' | '*'))
}

/// Whether a credential ends its line, or another credential or punctuation follows it
/// ("henrietta vos, ms, cgc.").
fn credential_closes(text: &str, t: &Tok, dict: &Dict) -> bool {
    let rest = text[t.mark_end..].trim_start_matches([' ', '\t']);
    // "otr/l": a credential's own suffix.
    let rest = match rest.strip_prefix('/') {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_alphabetic()),
        None => rest,
    };
    // "reply by gideon vance, md: stop amoxicillin": a colon after the credential too.
    // "p. okonjo, md (reading cardiology)": a role in brackets after it.
    if rest.is_empty() || rest.starts_with(['\n', '\r', '.', ';', ')', ':', '(']) {
        return true;
    }
    let Some(after_comma) = rest.strip_prefix(',') else {
        return false;
    };
    let next: String = after_comma
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '-')
        .collect();
    dict.flags
        .get(&next.to_ascii_lowercase())
        .is_some_and(|f| f & CREDENTIAL != 0)
}

/// In a lowercase note, a word that could be part of a name: in the name lists or in no list,
/// and no English or clinical word.
fn lowercase_name_like(t: &Tok, text: &str) -> bool {
    let w = &text[t.start..t.end];
    if t.shape == Shape::Lower && w.contains('-') {
        return hyphenated_name_like(w);
    }
    t.shape == Shape::Lower
        && t.flags
            & (WORD
                | RARE_WORD
                | CLINICAL
                | TITLE
                | LABEL
                | RELATION
                | CREDENTIAL
                | LOCATIVE
                | EPONYM)
            == 0
        && w.len() >= 3
        && !OPERATION_SUFFIXES.iter().any(|s| w.ends_with(s))
}

/// "okonkwo-hale", "ferreira-stone": a double-barrelled name, one part of it no word (at least
/// four letters), and no part a clinical term; "follow-up", "post-op" and "x-ray" are not.
fn hyphenated_name_like(word: &str) -> bool {
    let mut key = String::new();
    let mut parts = 0;
    let mut unworded = false;
    for part in word.split('-') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_lowercase()) {
            return false;
        }
        let flags = lookup(&DICT, part, &mut key);
        if flags & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL) != 0 {
            return false;
        }
        unworded |= part.len() >= 4 && flags & (WORD | RARE_WORD) == 0;
        parts += 1;
    }
    parts >= 2 && unworded
}

/// A note written in capitals: most words, and nearly all, not lowercase.
fn upper_note(toks: &[Tok]) -> bool {
    let lower = toks.iter().filter(|t| t.shape == Shape::Lower).count();
    let upper = toks.iter().filter(|t| t.shape == Shape::Upper).count();
    toks.len() >= 8 && lower * 10 < toks.len() && upper * 2 > toks.len()
}

/// A note written without capitals: under one word in twenty capitalised.
fn lowercase_note(toks: &[Tok]) -> bool {
    let capitalised = toks.iter().filter(|t| t.shape != Shape::Lower).count();
    toks.len() >= 8 && capitalised * 20 < toks.len()
}

/// How far [`line_before`] and [`line_after`] look: enough to see what opens or closes a line,
/// and a bound, so that a note with no line breaks costs no more per token.
const LINE_LOOK: usize = 120;

/// The text on `pos`'s line before it, at most [`LINE_LOOK`] bytes of it.
fn line_before(text: &str, pos: usize) -> &str {
    let mut from = pos.saturating_sub(LINE_LOOK);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let window = &text[from..pos];
    window.rfind('\n').map_or(window, |p| &window[p + 1..])
}

/// The text on `pos`'s line after it, at most [`LINE_LOOK`] bytes of it.
fn line_after(text: &str, pos: usize) -> &str {
    let mut to = (pos + LINE_LOOK).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let window = &text[pos..to];
    window.find('\n').map_or(window, |p| &window[..p])
}

/// "Dr" closing "4410 Creekview Dr. Pain 8/10": a street suffix after a house number and
/// capitalised words, not a title.
fn ends_street(text: &str, t: &Tok) -> bool {
    let words: Vec<&str> = line_before(text, t.start)
        .split_whitespace()
        .rev()
        .take(4)
        .collect();
    // "Keppra 1500 IV. Neuro Dr. Abiodun": a dose's unit or route is no street's word.
    let street_word = |w: &&str| {
        w.starts_with(|c: char| c.is_ascii_uppercase())
            && !super::patterns::NOT_STREET_WORDS
                .contains(&w.trim_end_matches(['.', ',']).to_ascii_lowercase().as_str())
    };
    (1..words.len())
        .any(|k| words[k].bytes().all(|b| b.is_ascii_digit()) && words[..k].iter().all(street_word))
}

/// After a name marked at `from` (and its run), "and" and one more name: "daughters Celeste
/// and Anouk".
fn and_another(
    text: &str,
    toks: &[Tok],
    gaps: &[Gap],
    mark: &mut [Option<&'static str>],
    from: usize,
    accept: impl Fn(&Tok) -> bool,
) {
    let mut last = from;
    if mark.get(from) != Some(&Some("NAME")) {
        return;
    }
    while last + 1 < toks.len() && mark[last + 1] == Some("NAME") && gaps[last + 1] == Gap::Space {
        last += 1;
    }
    let (and, next) = (last + 1, last + 2);
    if next < toks.len()
        && gaps[and] == Gap::Space
        && gaps[next] == Gap::Space
        && &text[toks[and].start..toks[and].end] == "and"
        && accept(&toks[next])
    {
        mark_run(text, toks, gaps, mark, next, 2, accept);
    }
}

/// Endings of operations named after surgeons ("Whipple pancreaticoduodenectomy", "Nissen
/// fundoplication" is in the noun list).
const OPERATION_SUFFIXES: &[&str] = &["ectomy", "otomy", "ostomy", "plasty", "pexy", "rrhaphy"];

/// Endings that make a word a clinical or abstract term rather than a name
/// ("Anticoagulation", "Thrombocytopenia", "Cholangiography"): no name in the Census or SSA
/// lists ends this way, so a capitalised word in no list that does is a term we lack.
/// Lithuanian surnames end in "-aitis" ("Stankaitis"), which is kept a name.
const TERM_ENDINGS: &[&str] = &[
    "ation", "ition", "ution", "ology", "ologist", "scopy", "graphy", "lysis", "megaly", "plegia",
    "paresis", "trophy", "genic", "ular", "ative", "uria", "penia", "tension",
];

pub fn has_term_ending(word: &str) -> bool {
    let Some(&last) = word.as_bytes().last() else {
        return false;
    };
    let last = last.to_ascii_lowercase();
    // The last letter first: most endings are ruled out by it alone.
    let ends = |e: &str| {
        word.len() > e.len() + 1
            && e.as_bytes()[e.len() - 1] == last
            && word.as_bytes()[word.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes())
    };
    TERM_ENDINGS
        .iter()
        .chain(DISEASE_ENDINGS)
        .chain(OPERATION_SUFFIXES)
        .any(|e| ends(e))
        && !ends("aitis")
}

/// "Mr. Devereaux (91)", "(Rosaria Santangelo, 91)", "PT: ALPHONSE GAUTHIER, 91": an age
/// over 89 in parentheses just after a name, or after its comma inside them or ending the line
/// or clause; its byte range.
fn bare_age_after(text: &str, name_end: usize) -> Option<(usize, usize)> {
    let after = &text[name_end..];
    let (rest, own_parens) = match after.strip_prefix(" (") {
        Some(rest) => (rest, true),
        None => (after.strip_prefix(", ")?, false),
    };
    let from = name_end + (after.len() - rest.len());
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let age: u32 = rest[..digits].parse().ok()?;
    let after_age = &rest[digits..];
    let ends_clause =
        !own_parens && (after_age.is_empty() || after_age.starts_with(['\n', '\r', ',', ';']));
    let closed = ends_clause
        || after_age.starts_with(')')
            && (own_parens || {
                let line = line_before(text, name_end);
                line.rfind(['(', ')'])
                    .is_some_and(|p| line.as_bytes()[p] == b'(')
            });
    (closed && (90..=119).contains(&age)).then(|| (from, from + digits))
}

/// What follows a person's name, not a word, after a relation: "daughter rose re: swelling",
/// "dtr heather called", "wife grace is hcp".
const PERSON_FOLLOWERS: &[&str] = &[
    "re:",
    "re ",
    "who ",
    "is ",
    "was ",
    "called",
    "calls ",
    "says",
    "said ",
    "states",
    "stated",
    "reports",
    "reported",
    "wants",
    "asks",
    "asked",
    "visited",
    "visits ",
    "passed",
    "died",
    "requests",
    "requested",
    "brought",
    "agrees",
    "agreed",
    "aware",
    "updated",
    "notified",
];

/// Street suffixes: a capitalised word before one names a street ("Creekview Dr"), not a
/// person.
const STREET_WORDS: &[&str] = &[
    "St", "Street", "Rd", "Road", "Ave", "Avenue", "Dr", "Drive", "Ln", "Lane", "Blvd", "Way",
    "Ct", "Court", "Pl", "Place", "Ter", "Terrace", "Cir", "Circle", "Pkwy", "Parkway", "Hwy",
    "ST", "RD", "AVE", "DR", "LN", "BLVD",
];

/// Words for a person's role that notes put right before the person's name ("rn maddox",
/// "surgeon magnusson", "Tech JPL").
const PERSON_ROLES: &[&str] = &[
    "rn",
    "np",
    "lpn",
    "md",
    "pa-c",
    "cna",
    "rph",
    "surgeon",
    "paramedic",
    "medic",
    "tech",
    "cde",
    "attending",
    "resident",
    "fellow",
    "intern",
    "nurse",
    "doctor",
    "physician",
    "pharmacist",
    "therapist",
    "chaplain",
    "midwife",
    "cnm",
    "sw",
    "caseworker",
    "counselor",
    "interpreter",
    "scribe",
    "student",
    "provider",
    "pcp",
    "guardian",
    "coworker",
    "roommate",
    "neighbor",
    "neighbour",
    "friend",
    "partner",
    "officer",
    "dietitian",
    "coordinator",
    "doula",
    "aide",
    "sitter",
    "landlord",
    "dispatcher",
    "supervisor",
    "boss",
    "sponsor",
    "coach",
];

/// A company's or clinic's site, after which "in" names its town.
const SITE_WORDS: &[&str] = &[
    "plant",
    "office",
    "warehouse",
    "factory",
    "store",
    "branch",
    "clinic",
    "hospital",
    "mill",
    "campus",
    "facility",
];

/// Words of a journey, after which "from", "to" or "in" names a place.
const TRAVEL_WORDS: &[&str] = &[
    "flight",
    "flew",
    "fly",
    "flying",
    "trip",
    "travel",
    "traveled",
    "travelled",
    "traveling",
    "travelling",
    "drove",
    "driving",
    "vacation",
    "visiting",
    "visited",
    "moved",
    "returned",
    "cruise",
    "bus",
    "train",
];

/// Closing words of a letter or message, after which the writer's name follows.
const SIGN_OFFS: &[&str] = &[
    "Thanks",
    "Sincerely",
    "Regards",
    "Cheers",
    "Respectfully",
    "Warmly",
    "Best",
    "Cordially",
];

/// Whether the clause ends right after `t`: punctuation, a line break or the end of the text.
fn clause_ends_after(t: &Tok, text: &str) -> bool {
    let rest = text[t.mark_end..].trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with(['.', ',', ';', ')', '\n', '\r'])
}

/// Whether what follows `t` ends a person's name after a relation word: the clause ends, a
/// parenthesis opens, or a word that follows a person and not a verb ("daughter rose re:
/// swelling", "GRANDSON ANGEL ON BATHROOM FLOOR").
/// With `prepositions`, also a preposition that places the person ("ON", "AT"): in
/// capitals, where "DAUGHTER WILL DRIVE" and "DAUGHTER WILL AT BEDSIDE" differ only there.
fn person_follows(t: &Tok, text: &str, prepositions: bool) -> bool {
    let rest = text[t.mark_end..].trim_start_matches([' ', '\t']);
    // "DAUGHTER HOPE AND SON-IN-LAW CHRIS": "and" then another relation.
    let and_relation = || {
        starts_with_any_of(rest, &["and "])
            && rest[4..]
                .split(|c: char| !(c.is_alphabetic() || c == '-'))
                .next()
                .is_some_and(|w| relation_after_name(&w.to_ascii_lowercase(), flags_of(w)))
    };
    clause_ends_after(t, text)
        || rest.starts_with('(')
        || starts_with_any_of(rest, PERSON_FOLLOWERS)
        || prepositions && starts_with_any_of(rest, &["at ", "on ", "in ", "from "])
        || and_relation()
}

/// Whether words of a visit follow `t`: "daughter rosemary in to visit", "son bill at
/// bedside" ("daughter rose from the chair" is no visit).
fn visiting_follows(t: &Tok, text: &str) -> bool {
    let rest = text[t.mark_end..].trim_start_matches([' ', '\t']);
    starts_with_any_of(
        rest,
        &[
            "in to ",
            "here",
            "at bedside",
            "at the bedside",
            "visiting",
            "present",
        ],
    )
}

/// Whether `rest` starts with one of `words`, in any case.
fn starts_with_any_of(rest: &str, words: &[&str]) -> bool {
    words.iter().any(|w| {
        rest.get(..w.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(w))
    })
}

/// "lmv" ending a line: a typist's or signer's lowercase initials, in no word list.
fn lowercase_initials(t: &Tok, text: &str) -> bool {
    let rest = text[t.mark_end..].trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    t.shape == Shape::Lower
        && t.flags & (WORD | RARE_WORD | CLINICAL) == 0
        && (2..=4).contains(&(t.end - t.start))
        && (rest.is_empty() || rest.starts_with(['\n', '\r']))
}

/// "hawkins +, neer +": an examination test named for someone, with its result.
fn followed_by_test_result(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix('(').unwrap_or(rest);
    let result = rest
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '.' | ')'))
        .next()
        .unwrap_or("");
    matches!(
        result,
        "+" | "-" | "+/-" | "neg" | "pos" | "negative" | "positive" | "sign" | "test"
    )
}

/// Whether token `t` is accepted as a name when context points at it.
fn name_in_context(t: &Tok, text: &str) -> bool {
    strong_name(t) || unknown(t) || initial(t, text) || ambiguous_name(t)
}

/// What follows a name's ", " or " (": where an age or a relation word would stand.
fn after_comma_or_paren(rest: &str) -> Option<&str> {
    rest.strip_prefix(", ").or_else(|| rest.strip_prefix(" ("))
}

/// Whether `rest` opens with an age after a comma or parenthesis: ", 38F", " (52 yo)",
/// ", 7-year-old", and with `in_months_or_days` a child's age ("mateo, 9 mo", "(3 days)"),
/// which after a word is as often how long something lasted ("Cough, 3 days").
fn followed_by_age(rest: &str, in_months_or_days: bool) -> bool {
    let Some(rest) = after_comma_or_paren(rest) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return false;
    }
    let unit = rest[digits..].trim_start_matches([' ', '-']);
    let sex = |s: &str| {
        s.starts_with(['M', 'F', 'm', 'f'])
            && !s[1..].starts_with(|c: char| c.is_ascii_alphanumeric())
    };
    let child_units: &[&str] = if in_months_or_days {
        &[
            "mo", "mos", "month", "months", "wk", "wks", "week", "weeks", "day", "days",
        ]
    } else {
        &[]
    };
    sex(unit)
        || ["yo", "y/o", "y.o", "year", "yr", "years", "yrs"]
            .iter()
            .chain(child_units)
            .any(|u| {
                unit.strip_prefix(u)
                    .is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric()))
            })
        || unit.starts_with("year-old")
}

/// Whether `rest` opens with a relation word after a comma, parenthesis or dash: ", daughter",
/// " (wife)", " - son".
fn followed_by_relation(rest: &str, dict: &Dict) -> bool {
    // "(maria - daughter)": a dash sets a relation after a name as a comma does.
    let Some(rest) = after_comma_or_paren(rest).or_else(|| rest.strip_prefix(" - ")) else {
        return false;
    };
    let word = rest
        .split(|c: char| !(c.is_alphabetic() || c == '-'))
        .next()
        .unwrap_or("");
    // "(OTTOLINE, DAUGHTER)" in a note typed in capitals.
    let lowered;
    let word = if word.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
        lowered = word.to_ascii_lowercase();
        lowered.as_str()
    } else {
        word
    };
    word.len() > 1
        && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && dict
            .flags
            .get(word)
            .is_some_and(|f| relation_after_name(word, f))
}

/// Whether a word (lowercase, with its flags) is a relation that can follow a person's name:
/// "called" and "named" introduce a name instead ("in Springfield, called at 2230").
fn relation_after_name(word: &str, flags: u16) -> bool {
    flags & RELATION != 0 && !matches!(word, "called" | "named")
}

/// What [`find`] builds for each note, kept per thread and reused: a note's tokens, their
/// packed words and table slots, the gaps between them and their marks.
#[derive(Default)]
struct Scratch {
    toks: Vec<Tok>,
    keys: Vec<u128>,
    homes: Vec<usize>,
    gaps: Vec<Gap>,
    mark: Vec<Option<&'static str>>,
}

/// A thread keeps its buffers after a note of up to this many tokens (about a megabyte of
/// text); after a longer one it lets them go, so one huge note does not hold its memory for
/// the rest of the run.
const RETAINED_TOKENS: usize = 1 << 17;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Finds names and places; appends byte spans of type NAME and GEO.
pub fn find(text: &str, out: &mut Vec<ByteSpan>) {
    SCRATCH.with_borrow_mut(|scratch| {
        find_with(text, out, scratch);
        if scratch.toks.capacity() > RETAINED_TOKENS {
            *scratch = Scratch::default();
        }
    });
}

fn find_with(text: &str, out: &mut Vec<ByteSpan>, scratch: &mut Scratch) {
    let dict = &*DICT;
    let Scratch {
        toks,
        keys,
        homes,
        gaps,
        mark,
    } = scratch;
    tokenize(text, dict, toks, keys, homes);
    if toks.is_empty() {
        return;
    }
    // A note typed in capitals: a word there that only the name lists know, or that no list
    // knows and could be said as a word, is read as a capitalised word is elsewhere
    // ("VERIFIED BY OKSANA PETRENKO, RN"). Abbreviations ("HCTZ") have no vowel or are short.
    let upper = upper_note(toks);
    if upper {
        for t in toks.iter_mut() {
            let w = &text[t.start..t.end];
            let sayable = w.len() >= 4 && has_capital_vowel(w);
            if t.shape == Shape::Upper
                && t.flags & (TITLE | LABEL | CREDENTIAL | CLINICAL | WORD | RARE_WORD) == 0
                && (t.flags & NAME != 0 && w.len() >= 3 || t.flags & !CITY_PREFIX == 0 && sayable)
            {
                t.shape = Shape::Cap;
            }
        }
    }
    for i in 1..toks.len() {
        let operation = || {
            let w = &text[toks[i].start..toks[i].end];
            OPERATION_SUFFIXES.iter().any(|s| w.ends_with(s))
        };
        if toks[i].shape == Shape::Lower && (toks[i].flags & EPONYM != 0 || operation()) {
            let gap = &text[toks[i - 1].end..toks[i].start];
            let gap = gap
                .strip_prefix("'s")
                .or_else(|| gap.strip_prefix("\u{2019}s"))
                .unwrap_or(gap);
            if matches!(gap, " " | "-") && is_capitalised(&toks[i - 1]) {
                toks[i - 1].flags |= CLINICAL;
                // "Ivor Lewis esophagectomy": an eponym of two names.
                if i > 1
                    && is_capitalised(&toks[i - 2])
                    && text[toks[i - 2].end..toks[i - 1].start] == *" "
                {
                    toks[i - 2].flags |= CLINICAL;
                }
            }
        }
    }
    let n = toks.len();
    // gap[i]: between token i-1 and i.
    gaps.clear();
    gaps.extend((0..n).map(|i| {
        if i == 0 {
            Gap::Other
        } else {
            classify_gap(&text[toks[i - 1].mark_end..toks[i].start])
        }
    }));
    let toks: &[Tok] = toks;
    let gaps: &[Gap] = gaps;
    mark.clear();
    mark.resize(n, None);
    let mark: &mut [Option<&'static str>] = mark;
    let word_is = |t: &Tok, f: u16| t.flags & f != 0;

    for i in 0..n {
        let t = &toks[i];
        if strong_name(t) && !word_is(t, CITY) {
            mark[i] = Some("NAME");
        }
        // A place name: unambiguous, or ambiguous after "in", "from", "lives in".
        if t.shape == Shape::Cap || t.shape == Shape::Upper {
            // "FELL AT HOME IN CHICOPEE": in capitals, a capital locative before capitals.
            let locative = i > 0
                && (toks[i - 1].shape == Shape::Lower
                    || toks[i - 1].shape == Shape::Upper && t.shape == Shape::Upper)
                && word_is(&toks[i - 1], LOCATIVE)
                && gaps[i] == Gap::Space;
            if word_is(t, CITY_PREFIX) {
                if let Some(last) = multi_word_city(text, toks, gaps, i, dict, false) {
                    if locative
                        || (i..=last).any(|k| toks[k].flags & WORD == 0)
                        || !toks[i].sentence_start
                    {
                        for m in mark.iter_mut().take(last + 1).skip(i) {
                            *m = Some("GEO");
                        }
                        continue;
                    }
                }
            }
            // "case manager from ServiceNet", "works at FedEx", "arrived by MedRide van": a
            // brand-shaped word no list knows, where a person comes from or is, or what brought
            // them.
            // After "by" only a ride: "denied by BlueCross" names an insurer.
            let by_ride = || {
                i + 1 < n
                    && gaps[i + 1] == Gap::Space
                    && matches!(
                        &text[toks[i + 1].start..toks[i + 1].end],
                        "van" | "bus" | "cab" | "taxi" | "shuttle" | "ambulance" | "ride"
                    )
            };
            if i > 0
                && t.flags == 0
                && gaps[i] == Gap::Space
                && match &text[toks[i - 1].start..toks[i - 1].end] {
                    "from" | "at" => true,
                    "by" => by_ride(),
                    _ => false,
                }
                && mark[i].is_none()
                && camel_case(t, text)
            {
                mark[i] = Some("HOSPITAL");
            }
            // "visiting family in Kumasi": a place no list knows, after "in" or "from".
            let in_or_from =
                i > 0 && matches!(&text[toks[i - 1].start..toks[i - 1].end], "in" | "from");
            if locative
                && in_or_from
                && unknown(t)
                && !camel_case(t, text)
                && !t.sentence_start
                && mark[i].is_none()
            {
                mark[i] = Some("GEO");
            }
            if word_is(t, CITY) && t.flags & CLINICAL == 0 {
                // "AT OUR NORTHAMPTON OFFICE": in capitals, a town no other list holds.
                let plain = t.flags & (WORD | RARE_WORD | NAME) == 0
                    && (t.shape == Shape::Cap
                        || upper && t.shape == Shape::Upper && t.end - t.start >= 5);
                // "LA-Z-BOY PLANT IN NEWTON": the town of a site, though the town is a word.
                let site_in = locative
                    && i >= 2
                    && gaps[i - 1] == Gap::Space
                    && SITE_WORDS
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(&text[toks[i - 2].start..toks[i - 2].end]));
                if plain
                    || locative && t.flags & WORD == 0
                    || locative && t.shape == Shape::Cap
                    || site_in
                {
                    mark[i] = Some("GEO");
                } else if strong_name(t) {
                    mark[i] = Some("NAME");
                }
            }
        }
    }

    // All-lowercase notes: "lives w/ daughter in grove city", "home to lakewood". After "in",
    // "from", "near" or "to", a place of several words, or one word no other list knows.
    for i in 1..n {
        let t = &toks[i];
        let prev = &text[toks[i - 1].start..toks[i - 1].end];
        let word_at = |k: usize| &text[toks[k].start..toks[k].end];
        // "crash near the sunderland bridge": a town naming a landmark.
        let before_landmark = prev == "the"
            && i >= 2
            && gaps[i - 1] == Gap::Space
            && matches!(
                word_at(i - 2),
                "near" | "at" | "by" | "past" | "over" | "on" | "off"
            )
            && i + 1 < n
            && gaps[i + 1] == Gap::Space
            && matches!(
                word_at(i + 1),
                "bridge" | "line" | "border" | "rotary" | "exit" | "mall" | "green" | "common"
            );
        if t.shape != Shape::Lower
            || gaps[i] != Gap::Space
            || !(matches!(prev, "in" | "from" | "near" | "to" | "between")
                || before_landmark
                // "splits time between naples and duluth": a second place after a first.
                || matches!(prev, "and" | "or") && i >= 2 && mark[i - 2] == Some("GEO"))
            || mark[i].is_some()
        {
            continue;
        }
        if word_is(t, CITY_PREFIX) {
            if let Some(last) = multi_word_city(text, toks, gaps, i, dict, true) {
                for m in mark.iter_mut().take(last + 1).skip(i) {
                    *m = Some("GEO");
                }
                continue;
            }
        }
        if word_is(t, CITY) && t.flags & (WORD | RARE_WORD | CLINICAL) == 0 && t.end - t.start >= 4
        {
            mark[i] = Some("GEO");
        }
    }

    // All-lowercase notes: "pp day 2. keisha doing well". A first name no other list knows is
    // a name here as a capitalised one is anywhere.
    let lowercase = lowercase_note(toks);
    if lowercase {
        // "spoke with rick, pending bed": a first name that is also a word, alone after a
        // conversation's verb, where the clause ends.
        for i in 2..n {
            let t = &toks[i];
            let (verb, with) = (&toks[i - 2], &toks[i - 1]);
            if t.shape == Shape::Lower
                && t.flags & FIRST != 0
                && t.flags & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL | LOCATIVE) == 0
                && gaps[i] == Gap::Space
                && gaps[i - 1] == Gap::Space
                && matches!(&text[with.start..with.end], "with" | "to")
                && matches!(
                    &text[verb.start..verb.end],
                    "spoke" | "talked" | "discussed" | "message" | "msg" | "vm" | "reviewed"
                )
                && clause_ends_after(t, text)
                && mark[i].is_none()
            {
                mark[i] = Some("NAME");
            }
        }
        // "advised call 911 if unable to walk. jo rn": a first name signing before a
        // credential, though only two letters long.
        for i in 0..n.saturating_sub(1) {
            let (a, b) = (&toks[i], &toks[i + 1]);
            if a.shape == Shape::Lower
                && a.flags & FIRST != 0
                && a.flags & (WORD | RARE_WORD | CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL)
                    == 0
                && matches!(gaps[i + 1], Gap::Space | Gap::Comma)
                && b.flags & CREDENTIAL != 0
                && credential_closes(text, b, dict)
                && mark[i].is_none()
            {
                mark[i] = Some("NAME");
            }
        }
        // "horace blevins": a first name and a surname side by side, though one is also a
        // place.
        for i in 1..n {
            let (a, b) = (&toks[i - 1], &toks[i]);
            if gaps[i] == Gap::Space
                && lowercase_name_like(a, text)
                && lowercase_name_like(b, text)
                && a.flags & FIRST != 0
                && (b.flags & (LAST | FIRST) != 0 || b.flags == 0)
            {
                mark[i - 1] = Some("NAME");
                mark[i] = Some("NAME");
            }
        }
        for i in 0..n {
            let t = &toks[i];
            // "father (sebastian) died": a first name that is also a town is a name unless a
            // locative comes before it.
            let after_locative = i > 0 && word_is(&toks[i - 1], LOCATIVE);
            if t.shape == Shape::Lower
                && t.flags & FIRST != 0
                && t.flags & (WORD | RARE_WORD | CLINICAL | TITLE | LABEL | RELATION) == 0
                && !(t.flags & CITY != 0 && after_locative)
                && t.end - t.start >= 4
                && !followed_by_test_result(&text[t.mark_end..])
                && mark[i].is_none()
            {
                mark[i] = Some("NAME");
            }
        }
        // "pt chidi obi", "rn maddox", "surgeon magnusson", "np kemp": after a role word, a
        // word only the name lists know, or none.
        for i in 0..n.saturating_sub(1) {
            let t = &toks[i];
            let role = &text[t.start..t.end];
            // "pt" and "patient" are also the therapy ("pt eval"): two names must follow.
            if t.shape != Shape::Lower || gaps[i + 1] != Gap::Space || mark[i + 1].is_some() {
                continue;
            }
            let patient = matches!(role, "pt" | "patient")
                && i + 2 < n
                && gaps[i + 2] == Gap::Space
                && [&toks[i + 1], &toks[i + 2]].iter().all(|t| {
                    lowercase_name_like(t, text) || t.flags & NAME != 0 && t.flags & WORD == 0
                });
            if patient || PERSON_ROLES.contains(&role) {
                mark_run(text, toks, gaps, mark, i + 1, 3, |t| {
                    lowercase_name_like(t, text)
                        || t.shape == Shape::Lower
                            && t.flags & NAME != 0
                            && t.flags & (WORD | CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL)
                                == 0
                });
            }
        }
        // "triage rn: k. baptiste", "called to r. estevez rn", "fellow k. lindgren": an
        // initial and a surname, signed with a credential, after a role word, or standing
        // alone after a label. Without the credential or role the surname must be one the
        // lists know: "cx: e. coli." is a germ.
        for i in 0..n.saturating_sub(1) {
            let (a, b) = (&toks[i], &toks[i + 1]);
            if a.shape != Shape::Lower
                || a.end - a.start != 1
                || gaps[i + 1] != Gap::Dot
                || mark[i + 1].is_some()
                || b.shape != Shape::Lower
            {
                continue;
            }
            let known_surname = b.flags & LAST != 0
                && b.flags & (WORD | CLINICAL | CREDENTIAL | TITLE | LABEL) == 0;
            if !(known_surname || lowercase_name_like(b, text)) {
                continue;
            }
            let signed = i + 2 < n
                && matches!(gaps[i + 2], Gap::Space | Gap::Comma)
                && toks[i + 2].flags & CREDENTIAL != 0;
            let after_role = i > 0
                && gaps[i] == Gap::Space
                && PERSON_ROLES.contains(&&text[toks[i - 1].start..toks[i - 1].end]);
            let before = line_before(text, a.start).trim_end();
            let labelled = (before.is_empty() || before.ends_with(':'))
                && clause_ends_after(b, text)
                && (known_surname || b.end - b.start >= 5);
            if signed || after_role || labelled {
                mark[i] = Some("NAME");
                mark[i + 1] = Some("NAME");
            }
        }
        // "wren castellanos" / "augustin beaumont:" on a line of its own (an address block, a
        // letter's subject): a first name and a surname, one of them no English word.
        for i in 1..n {
            let (a, b) = (&toks[i - 1], &toks[i]);
            if gaps[i] != Gap::Space || a.flags & FIRST == 0 || b.shape != Shape::Lower {
                continue;
            }
            let before = line_before(text, a.start).trim();
            let after = line_after(text, b.mark_end).trim();
            let leads = before.is_empty() || before.ends_with(',') || before.ends_with(" of");
            if a.shape == Shape::Lower
                && leads
                && (after.is_empty() || after.starts_with([',', ':', '(']))
                && (b.flags & LAST != 0 || lowercase_name_like(b, text))
                && (a.flags | b.flags) & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL) == 0
                && (a.flags & WORD == 0 || b.flags & WORD == 0)
            {
                mark[i - 1] = Some("NAME");
                mark[i] = Some("NAME");
            }
        }
    }

    // "- brynn o'hara, DPT", "- susan lopez, MD": a first name and a surname in lower case,
    // signing with a credential that ends the line, in a note with capitals elsewhere too.
    for i in 1..n.saturating_sub(1) {
        let (a, b, credential) = (&toks[i - 1], &toks[i], &toks[i + 1]);
        let surname = b.shape == Shape::Lower
            && (lowercase_name_like(b, text)
                || b.flags & LAST != 0
                    && b.flags & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL | LOCATIVE)
                        == 0);
        // "maria lopez rn": a first name that is also a word, before a surname that is none.
        let first_not_word = a.flags & (WORD | RARE_WORD) == 0 || b.flags & (WORD | RARE_WORD) == 0;
        if a.shape == Shape::Lower
            && a.flags & FIRST != 0
            && a.flags & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL) == 0
            && first_not_word
            && gaps[i] == Gap::Space
            && surname
            && matches!(gaps[i + 1], Gap::Space | Gap::Comma)
            && credential.flags & CREDENTIAL != 0
            && (credential_closes(text, credential, dict) || opens_line(text, a.start))
            && mark[i - 1].is_none()
            && mark[i].is_none()
        {
            mark[i - 1] = Some("NAME");
            mark[i] = Some("NAME");
        }
    }

    // "flight home from phoenix", "drove back to eugene": where a trip began or ended names a
    // place even when the place is also a word and has no capital.
    for i in 2..n {
        let t = &toks[i];
        let locative = &text[toks[i - 1].start..toks[i - 1].end];
        if t.shape != Shape::Lower
            || t.flags & (CLINICAL | PROPER_NOT_PHI) != 0
            || gaps[i] != Gap::Space
            || mark[i].is_some()
            || !matches!(locative, "from" | "to" | "in")
        {
            continue;
        }
        let travelled = toks[i.saturating_sub(4)..i - 1].iter().any(|w| {
            let word = &text[w.start..w.end];
            TRAVEL_WORDS.iter().any(|t| t.eq_ignore_ascii_case(word))
        });
        if !travelled {
            continue;
        }
        let last = multi_word_city(text, toks, gaps, i, dict, true)
            .or_else(|| (t.flags & CITY != 0).then_some(i));
        if let Some(last) = last {
            for m in mark.iter_mut().take(last + 1).skip(i) {
                *m = Some("GEO");
            }
        }
    }

    // Context: titles, labels, relation words and credentials point at names.
    for i in 0..n {
        let t = &toks[i];
        let w = &text[t.start..t.end];
        if i + 1 < n && word_is(t, TITLE) && t.shape != Shape::Lower && !ends_street(text, t) {
            let dotted = gaps[i + 1] == Gap::Dot;
            // "MR" and "MS" without a period are also abbreviations (mitral regurgitation,
            // multiple sclerosis); "OFFICER DELACROIX" and "MRS DELACROIX" are titles.
            let upper_title_without_dot =
                t.shape == Shape::Upper && !dotted && w.len() <= 2 && w != "DR";
            // "moderate MR. Cardiology ...": capitals then a capitalised word is an
            // abbreviation ending a sentence, not "MR. SMITH".
            // "Moderate MR. RVSP 48": in a note not in capitals, capitals after "MR." that no
            // name list knows are another abbreviation.
            let abbreviation = !upper
                && t.shape == Shape::Upper
                && (toks[i + 1].shape == Shape::Cap
                    || toks[i + 1].shape == Shape::Upper
                        && toks[i + 1].flags & NAME == 0
                        && i > 0
                        && toks[i - 1].shape != Shape::Upper);
            if (dotted || gaps[i + 1] == Gap::Space) && !upper_title_without_dot && !abbreviation {
                // "MR. OYELARAN IS A 67 YO": in capitals, an English word that is no name ends it.
                // "MODERATE MR. RVSP 48": in capitals "MR." is also mitral regurgitation, so a
                // clinical term after it is no name.
                let mitral = upper && w == "MR";
                mark_run(text, toks, gaps, mark, i + 1, 3, |t| {
                    (is_capitalised(t) || t.shape == Shape::Initial)
                        && t.flags & TITLE == 0
                        && !(t.shape == Shape::Upper && t.flags & WORD != 0 && t.flags & NAME == 0)
                        && !(mitral && t.flags & CLINICAL != 0)
                });
            }
        }
        // All-lowercase notes ("wife carmen", "d/w dr abernathy"): after a title or relation
        // word, a lowercase word that only the name lists know.
        // "father (olaf) had melanoma", "his wife, priya.": the same after a parenthesis or a
        // comma.
        if i + 1 < n
            && t.shape == Shape::Lower
            && word_is(t, TITLE | RELATION)
            // "well child check": a visit's name, not a child's.
            && !(i > 0 && text[toks[i - 1].start..toks[i - 1].end].eq_ignore_ascii_case("well"))
            && (gaps[i + 1] == Gap::Space
                || word_is(t, RELATION) && matches!(gaps[i + 1], Gap::Paren | Gap::Comma))
        {
            // A name that is also an English word ("maria", "will") only when nothing follows
            // it in the sentence: "daughter maria." but not "daughter will drive".
            // "daughter rose re: swelling", "wife grace (hcp)": words that cannot follow a
            // verb also end the name.
            let ends_clause = |t: &Tok| person_follows(t, text, false);
            let title = word_is(t, TITLE);
            // "called" and "named" also go with words: "called back, spoke w/ ...".
            let verb = matches!(w, "called" | "named");
            mark_run(text, toks, gaps, mark, i + 1, 2, |t| {
                t.shape == Shape::Lower
                    && t.flags & CLINICAL == 0
                    && (t.flags & NAME != 0 && (t.flags & WORD == 0 || ends_clause(t) && !verb)
                        || title && t.flags == 0 && t.end - t.start >= 3
                        || !verb && t.flags == 0 && t.end - t.start >= 4)
            });
            and_another(text, toks, gaps, mark, i + 1, |t| {
                t.shape == Shape::Lower && t.flags & NAME != 0 && t.flags & (WORD | CLINICAL) == 0
            });
        }
        if i + 1 < n && word_is(t, LABEL) && gaps[i + 1] == Gap::Colon {
            let lowercase = t.shape == Shape::Lower;
            // "RE: PLAN", "CC: EAR PAIN": a letter's subject or a chief complaint is a name
            // only if no word.
            let subject = w.eq_ignore_ascii_case("re") || w.eq_ignore_ascii_case("cc");
            mark_run(text, toks, gaps, mark, i + 1, 4, |t| {
                !(subject && t.flags & WORD != 0)
                    && (is_capitalised(t) || t.shape == Shape::Initial)
                    && t.flags & (CLINICAL | TITLE) == 0
                    && (t.flags & (WORD | RARE_WORD) == 0 || t.flags & NAME != 0)
                    // "surgeon: oyelowo": in lower case, only words no dictionary has.
                    || lowercase
                        && t.shape == Shape::Lower
                        && t.flags & (WORD | RARE_WORD | CLINICAL | TITLE | LABEL) == 0
                        && t.end - t.start >= 3
            });
        }
        // "dr. haskins", "mrs. pettibone": a lowercase title with its period is followed by a
        // name, unless the word is only an English word.
        if i + 1 < n
            && t.shape == Shape::Lower
            && word_is(t, TITLE)
            && gaps[i + 1] == Gap::Dot
            && t.end - t.start >= 2
        {
            // "dr. felicity auerbach": a first name that is also a word, before a surname.
            if i + 2 < n
                && gaps[i + 2] == Gap::Space
                && toks[i + 1].shape == Shape::Lower
                && toks[i + 1].flags & FIRST != 0
                && toks[i + 1].flags & (CLINICAL | TITLE | LABEL | RELATION | LOCATIVE) == 0
                && (lowercase_name_like(&toks[i + 2], text)
                    || toks[i + 2].shape == Shape::Lower
                        && toks[i + 2].flags & LAST != 0
                        && toks[i + 2].flags & (WORD | CLINICAL) == 0)
            {
                mark[i + 1] = Some("NAME");
                mark[i + 2] = Some("NAME");
            }
            mark_run(text, toks, gaps, mark, i + 1, 3, |t| {
                lowercase_name_like(t, text)
                    || t.shape == Shape::Lower
                        && t.flags & NAME != 0
                        && t.flags & (CLINICAL | TITLE | LABEL | RELATION | LOCATIVE) == 0
                        && (t.flags & WORD == 0 || clause_ends_after(t, text))
            });
        }
        // "sunita raman, pharmd" / "-b. ngata, rn": a lowercase name before a credential that
        // ends the line or is followed by another.
        if i > 0
            && word_is(t, CREDENTIAL)
            && t.shape == Shape::Lower
            && gaps[i] == Gap::Comma
            && credential_closes(text, t, dict)
        {
            let name_like = |t: &Tok| {
                t.shape == Shape::Lower
                    && t.flags & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL) == 0
                    && (t.flags & WORD == 0 || t.flags & NAME != 0)
                    && t.end - t.start >= 2
            };
            let mut k = i - 1;
            while name_like(&toks[k]) && mark[k].is_none() {
                mark[k] = Some("NAME");
                if k == 0 || gaps[k] != Gap::Space || k + 3 < i {
                    break;
                }
                k -= 1;
            }
        }
        if i + 1 < n
            && (word_is(t, RELATION)
                && (matches!(t.shape, Shape::Lower | Shape::Cap)
                    || upper && t.shape == Shape::Upper)
                || w == "Dear")
            && matches!(
                gaps[i + 1],
                Gap::Space | Gap::Comma | Gap::Colon | Gap::Paren
            )
        {
            let accept = |t: &Tok| {
                strong_name(t)
                    || unknown(t)
                    || initial(t, text)
                    || ambiguous_name(t) && t.flags & WORD == 0
                    || ambiguous_name(t) && t.shape == Shape::Cap && !t.sentence_start
            };
            mark_run(text, toks, gaps, mark, i + 1, 3, accept);
            // "GRANDSON ANGEL ON BATHROOM FLOOR": in capitals an English word right after a
            // relation is a name where a person's name ends ("DAUGHTER WILL DRIVE" is a
            // sentence, "CALLED BACK," a verb's, "WELL CHILD CHECK," a visit's).
            let next = &toks[i + 1];
            if upper
                && t.shape == Shape::Upper
                && !matches!(w, "CALLED" | "NAMED")
                && !(i > 0 && text[toks[i - 1].start..toks[i - 1].end] == *"WELL")
                && next.shape == Shape::Upper
                && ambiguous_name(next)
                // "HUSBAND WORKS AT TOYOTA": a verb, which some surnames also are.
                && !matches!(
                    &text[next.start..next.end],
                    "WORKS" | "WORKED" | "LIVES" | "LIVED" | "STAYS" | "STAYED" | "WENT" | "CAME"
                )
                && person_follows(next, text, true)
                && mark[i + 1].is_none()
            {
                mark[i + 1] = Some("NAME");
            }
            and_another(text, toks, gaps, mark, i + 1, accept);
            // "Her granddaughter Felicity (a nurse)": after "her daughter", a capitalised word
            // is a name even when it is only an English word.
            let possessive = i > 0
                && gaps[i] == Gap::Space
                && ["her", "his", "their", "my", "pt's", "patient's"]
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(&text[toks[i - 1].start..toks[i - 1].end]));
            let next = &toks[i + 1];
            // "home with husband Piers.": without "her", where the name ends the clause.
            if (possessive || person_follows(next, text, false))
                && t.shape == Shape::Lower
                && gaps[i + 1] == Gap::Space
                && next.shape == Shape::Cap
                && !next.sentence_start
                && next.flags & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL | PROPER_NOT_PHI)
                    == 0
                && mark[i + 1].is_none()
            {
                mark[i + 1] = Some("NAME");
            }
            // "pt's husband earl passed in june", "daughter rosemary in to visit": in lower case,
            // a first name that is also a word, where a person's verb, words of a visit or the
            // clause's end follows it.
            if t.shape == Shape::Lower
                && gaps[i + 1] == Gap::Space
                && next.shape == Shape::Lower
                && next.flags & FIRST != 0
                && next.flags
                    & (CLINICAL | TITLE | LABEL | RELATION | CREDENTIAL | LOCATIVE | PROPER_NOT_PHI)
                    == 0
                && (person_follows(next, text, false) || visiting_follows(next, text))
                && mark[i + 1].is_none()
            {
                mark[i + 1] = Some("NAME");
            }
        }
        if i > 0
            && i + 1 < n
            && w == "by"
            && toks[i - 1].flags & BY_VERB != 0
            && matches!(gaps[i + 1], Gap::Space | Gap::Colon)
        {
            mark_run(text, toks, gaps, mark, i + 1, 3, |t| {
                strong_name(t)
                    || unknown(t)
                    || initial(t, text)
                    || ambiguous_name(t) && t.shape == Shape::Cap
                    || lowercase_initials(t, text)
            });
        }
        // "read by h. lindqvist md": a lowercase initial and surname after "read by".
        if i + 2 < n
            && i > 0
            && w == "by"
            && toks[i - 1].flags & BY_VERB != 0
            && gaps[i + 1] == Gap::Space
            && gaps[i + 2] == Gap::Dot
            && toks[i + 1].end - toks[i + 1].start == 1
            && toks[i + 1].shape == Shape::Lower
            && lowercase_name_like(&toks[i + 2], text)
        {
            mark[i + 1] = Some("NAME");
            mark[i + 2] = Some("NAME");
        }
        // "f/u call in am by mk.": initials after "by" at the end of a line.
        if i + 1 < n
            && w == "by"
            && gaps[i + 1] == Gap::Space
            && lowercase_initials(&toks[i + 1], text)
        {
            mark[i + 1] = Some("NAME");
        }
        // "- d. okafor rn", "- b. kristiansen, lmhc": a lowercase initial and surname that a
        // credential closing the line signs.
        if i + 2 < n
            && t.shape == Shape::Lower
            && t.end - t.start == 1
            && gaps[i + 1] == Gap::Dot
            && lowercase_name_like(&toks[i + 1], text)
            && matches!(gaps[i + 2], Gap::Space | Gap::Comma)
            && toks[i + 2].flags & CREDENTIAL != 0
            && credential_closes(text, &toks[i + 2], dict)
        {
            mark[i] = Some("NAME");
            mark[i + 1] = Some("NAME");
        }
        // "-- aj / RN": a writer's initials opening a line that a slash and credential close.
        if i + 1 < n
            && t.shape == Shape::Lower
            && t.flags & (WORD | RARE_WORD | CLINICAL) == 0
            && (2..=4).contains(&(t.end - t.start))
            && text[t.mark_end..toks[i + 1].start].trim() == "/"
            && toks[i + 1].flags & CREDENTIAL != 0
            && credential_closes(text, &toks[i + 1], dict)
            && line_before(text, t.start)
                .trim_matches(['-', ' ', '\t'])
                .is_empty()
        {
            mark[i] = Some("NAME");
        }
        // "hi its jess," / "This is Maren,": a writer naming themself.
        // The name test comes first: it is cheap, and most tokens fail it.
        // "hi its dot again": "again" after a name ends the introduction as a comma does.
        let clause_ends = text[t.mark_end..].starts_with([',', '.', '!'])
            || text[t.mark_end..].starts_with(" again");
        // "Dear Felicity,": after a greeting, a capitalised word that is no common word.
        let greeted_name = clause_ends && t.shape == Shape::Cap && t.flags & WORD == 0;
        let introduced_name = t.flags & FIRST != 0 && (t.flags & WORD == 0 || clause_ends)
            || t.flags == 0 && clause_ends && t.end - t.start >= 3;
        if (introduced_name || greeted_name)
            && i > 0
            && gaps[i] == Gap::Space
            && t.flags & (CLINICAL | TITLE | LABEL) == 0
        {
            let word_is_any = |k: usize, words: &[&str]| {
                let w = &text[toks[k].start..toks[k].end];
                words.iter().any(|x| w.eq_ignore_ascii_case(x))
            };
            let two_words = |first: &[&str], second: &[&str]| {
                i > 1
                    && gaps[i - 1] == Gap::Space
                    && word_is_any(i - 2, first)
                    && word_is_any(i - 1, second)
            };
            let introduced = word_is_any(i - 1, &["its", "it's", "i'm"])
                || two_words(&["this", "name"], &["is"])
                || two_words(&["i"], &["am"]);
            // "reply: hi lena, yes": a greeting, then who is greeted.
            let greeted =
                clause_ends && word_is_any(i - 1, &["hi", "hello", "hey", "dear", "morning"]);
            if introduced && introduced_name || greeted {
                mark[i] = Some("NAME");
            }
            // "its lena marsh again": the surname after a first name that introduces itself.
            if introduced
                && !clause_ends
                && i + 1 < n
                && gaps[i + 1] == Gap::Space
                && toks[i + 1].shape == t.shape
                && (toks[i + 1].flags & LAST != 0
                    || toks[i + 1].flags == 0 && toks[i + 1].end - toks[i + 1].start >= 3)
                && toks[i + 1].flags & (CLINICAL | TITLE | LABEL | RELATION) == 0
            {
                mark[i + 1] = Some("NAME");
            }
        }
        // "Thanks, Sunita" / "Sincerely,\nWren Castellanos": a sign-off, then who signs.
        if i + 1 < n && SIGN_OFFS.contains(&w) && text[t.mark_end..toks[i + 1].start].trim() == ","
        {
            mark_run(text, toks, gaps, mark, i + 1, 3, |t| {
                is_capitalised(t)
                    && t.flags & (CLINICAL | TITLE | LABEL) == 0
                    && name_in_context(t, text)
            });
        }
        // "Sunny is a 15 year-old ...": the subject of a history's opening line.
        let lowercase_subject = lowercase
            && t.shape == Shape::Lower
            && (lowercase_name_like(t, text)
                || t.flags & FIRST != 0 && t.flags & (WORD | CLINICAL | LABEL | TITLE) == 0);
        if i + 2 < n
            && (is_capitalised(t) || lowercase_subject)
            && t.flags & (LABEL | TITLE | CLINICAL) == 0
            && (strong_name(t)
                || unknown(t)
                || ambiguous_name(t) && t.flags & FIRST != 0
                || lowercase_subject)
            && text[t.mark_end..].starts_with(" is a")
            && text[toks[i + 2].end..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit())
            && &text[toks[i + 1].start..toks[i + 1].end] == "is"
        {
            mark[i] = Some("NAME");
        }
        // Initials signing a note or entry: "... re: plan. -jmk", "-- KL", "- ks rn".
        let ends_line_after = |end: usize| {
            let rest = text[end..].trim_start_matches([' ', '\t']);
            rest.is_empty() || rest.starts_with(['\n', '\r'])
        };
        let credential_ends_line = i + 1 < n
            && gaps[i + 1] == Gap::Space
            && toks[i + 1].flags & CREDENTIAL != 0
            && ends_line_after(toks[i + 1].mark_end);
        // Before a credential even a rare word is someone's initials ("- ks rn").
        let not_initials = if credential_ends_line {
            WORD | CLINICAL
        } else {
            WORD | RARE_WORD | CLINICAL
        };
        if (ends_line_after(t.mark_end) || credential_ends_line)
            && t.flags & not_initials == 0
            && (2..=4).contains(&(t.end - t.start))
            && text[..t.start].trim_end_matches(' ').ends_with('-')
            && text[..t.start]
                .trim_end_matches([' ', '-'])
                .ends_with(['.', ' ', '\n'])
        {
            mark[i] = Some("NAME");
        }
        // "Saoirse Donnelly-Park, 38F" / "Tom Reyes (52 yo)": a name followed by age and sex.
        if is_capitalised(t)
            && t.flags & (LABEL | TITLE | CLINICAL) == 0
            && (strong_name(t) || unknown(t) || ambiguous_name(t))
            && (followed_by_age(&text[t.mark_end..], t.flags & WORD == 0)
                || followed_by_relation(&text[t.mark_end..], dict))
        {
            mark[i] = Some("NAME");
        }
        // "spoke w/ jessica (daughter)", "family (ottoline, daughter)", "re mateo, 9 mo": the
        // same without a capital, for a first name or a word no list knows; a first name that
        // is also a word is one before a relation ("family (maria - daughter)").
        if t.shape == Shape::Lower
            && (t.flags & FIRST != 0 || t.flags == 0 && t.end - t.start >= 4)
            && t.flags & (CLINICAL | RELATION) == 0
            && (followed_by_relation(&text[t.mark_end..], dict)
                || t.flags & (FIRST | WORD) == FIRST && followed_by_age(&text[t.mark_end..], true))
        {
            mark[i] = Some("NAME");
        }
        // "by Y. Park, LPN": an initial, then a surname that is also a word.
        // Not a unit after a number: "UF 2.6 L. Post BP".
        if i + 1 < n
            && initial(t, text)
            && gaps[i + 1] == Gap::Dot
            && !text[..t.start]
                .trim_end_matches([' ', '\t'])
                .ends_with(|c: char| c.is_ascii_digit())
            && (toks[i + 1].shape == Shape::Cap
                || upper && toks[i + 1].shape == Shape::Upper && toks[i + 1].flags & WORD == 0)
            && toks[i + 1].flags & LAST != 0
            && toks[i + 1].flags & (CLINICAL | RELATION) == 0
            && toks[i + 1].end - toks[i + 1].start >= 3
            && !matches!(w, "A" | "I")
            && !in_a_series_of_letters(toks, i, text)
        {
            mark[i] = Some("NAME");
            mark[i + 1] = Some("NAME");
        }
        // "Trauma attending Obuya": a role word without its colon, then a name no other list
        // knows.
        if i + 1 < n
            && word_is(t, LABEL)
            && (t.shape == Shape::Lower || upper && t.shape == Shape::Upper)
            && gaps[i + 1] == Gap::Space
            && (strong_name(&toks[i + 1]) || unknown(&toks[i + 1]))
            && !camel_case(&toks[i + 1], text)
            && !toks[i + 1].sentence_start
        {
            mark_run(text, toks, gaps, mark, i + 1, 2, |t| {
                strong_name(t) || unknown(t) || initial(t, text)
            });
        }
        // "Tech JPL.": a role word, then capital initials that end the clause.
        if i + 1 < n
            && toks[i + 1].shape == Shape::Upper
            && t.shape != Shape::Lower
            && gaps[i + 1] == Gap::Space
            && (2..=4).contains(&(toks[i + 1].end - toks[i + 1].start))
            && toks[i + 1].flags & (WORD | RARE_WORD | CLINICAL | TITLE | LABEL | CREDENTIAL) == 0
            && clause_ends_after(&toks[i + 1], text)
            && PERSON_ROLES.iter().any(|r| r.eq_ignore_ascii_case(w))
        {
            mark[i + 1] = Some("NAME");
        }
        // "requested by RN Tomasz": a credential used as a title.
        if i + 1 < n
            && word_is(t, CREDENTIAL)
            && t.shape == Shape::Upper
            && gaps[i + 1] == Gap::Space
            && toks[i + 1].shape == Shape::Cap
        {
            mark_run(text, toks, gaps, mark, i + 1, 2, |t| {
                t.shape == Shape::Cap
                    && t.flags & (CLINICAL | TITLE | LABEL | CREDENTIAL) == 0
                    && (strong_name(t) || unknown(t) || ambiguous_name(t) && t.flags & WORD == 0)
            });
        }
        // "Philippa Strand, DO" on a line of its own: a signature, whatever the words are.
        if i >= 2
            && word_is(t, CREDENTIAL)
            && t.shape != Shape::Lower
            && gaps[i] == Gap::Comma
            && credential_closes(text, t, dict)
        {
            let signer = |k: usize| {
                (is_capitalised(&toks[k]) || initial(&toks[k], text))
                    && toks[k].flags & (CLINICAL | TITLE | LABEL | CREDENTIAL) == 0
            };
            let mut k = i - 1;
            while k > 0 && i - k < 3 && signer(k - 1) && matches!(gaps[k], Gap::Space | Gap::Dot) {
                k -= 1;
            }
            let lead = line_before(text, toks[k].start).trim();
            let opens = lead.is_empty()
                || lead.bytes().all(|b| b == b'-')
                || lead.ends_with('.') && !initial(&toks[k], text);
            if i - k >= 2 && (k..i).all(signer) && opens {
                for m in mark.iter_mut().take(i).skip(k) {
                    *m = Some("NAME");
                }
            }
        }
        if i > 0
            && word_is(t, CREDENTIAL)
            && t.shape != Shape::Lower
            && matches!(gaps[i], Gap::Comma | Gap::Space)
            && is_capitalised(&toks[i - 1])
            && (name_in_context(&toks[i - 1], text))
            && toks[i - 1].flags & (WORD | RARE_WORD | CLINICAL) == 0
        {
            mark[i - 1] = Some("NAME");
        }
    }

    // Two capitalised words that no list knows, side by side, are a name ("Priyanka
    // Sethuraman is doing well"); drugs and abbreviations rarely come in such pairs.
    for i in 1..n {
        if gaps[i] == Gap::Space
            && unknown(&toks[i - 1])
            && unknown(&toks[i])
            && !camel_case(&toks[i - 1], text)
            && !camel_case(&toks[i], text)
            && toks[i - 1].end - toks[i - 1].start >= 3
            && toks[i].end - toks[i].start >= 3
        {
            mark[i - 1] = Some("NAME");
            mark[i] = Some("NAME");
        }
    }

    // A capitalised word that no list knows, inside a sentence, is a name: the lists hold the
    // English words, clinical terms and places, so what is left is mostly rare names
    // ("seen with Nakashima"). A number after it makes it a drug or device ("Keppra 500").
    for i in 0..n {
        let t = &toks[i];
        if !unknown(t) || t.sentence_start || t.end - t.start < 4 || mark[i].is_some() {
            continue;
        }
        let after = text[t.mark_end..].trim_start_matches([' ', '\t']);
        let next_word = after
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        // "ED visit at Navicent 11/20": a number after a word no list knows makes it a drug's
        // dose, but no one takes a drug "at" anything; there it is a place.
        let at_place =
            i > 0 && gaps[i] == Gap::Space && text[toks[i - 1].start..toks[i - 1].end] == *"at";
        // "I've", "I'd": contractions, not names.
        if !text[t.start..].starts_with("I'")
            && !text[t.start..].starts_with("I\u{2019}")
            && !has_term_ending(&text[t.start..t.end])
            && !STREET_WORDS.contains(&next_word)
            && !camel_case(t, text)
        {
            if !after.starts_with(|c: char| c.is_ascii_digit()) {
                mark[i] = Some("NAME");
            } else if at_place {
                mark[i] = Some("HOSPITAL");
            }
        }
    }

    // "Mammo ordered at Northwestern.": after an event's verb and "at", a capitalised word that
    // is also an English word, where the clause ends, names the place.
    for i in 2..n {
        let t = &toks[i];
        let (verb, at) = (&toks[i - 2], &toks[i - 1]);
        if t.shape == Shape::Cap
            && !t.sentence_start
            && t.end - t.start >= 4
            && mark[i].is_none()
            && gaps[i] == Gap::Space
            && gaps[i - 1] == Gap::Space
            && text[at.start..at.end] == *"at"
            && matches!(
                &text[verb.start..verb.end],
                "ordered"
                    | "done"
                    | "seen"
                    | "performed"
                    | "scheduled"
                    | "admitted"
                    | "delivered"
                    | "treated"
                    | "hospitalized"
                    | "evaluated"
                    | "drawn"
                    | "followed"
            )
            && t.flags & (CLINICAL | PROPER_NOT_PHI | TITLE | LABEL | RELATION | CREDENTIAL) == 0
            && clause_ends_after(t, text)
        {
            mark[i] = Some("HOSPITAL");
        }
    }

    // "team: haddad/oyelowo/brandt", "- okafor/lindgren (ms3/intern)": in a lowercase note,
    // words joined by slashes that are all names or unknown, one of them a listed name, are a
    // team's names; "n/v/d" and "hctz/lisinopril" are words or drugs.
    if lowercase {
        let name_like = |t: &Tok| {
            t.shape == Shape::Lower
                && t.end - t.start >= 3
                && t.flags & (WORD | RARE_WORD | CLINICAL | TITLE | LABEL | CREDENTIAL | RELATION)
                    == 0
                && !has_term_ending(&text[t.start..t.end])
        };
        let mut i = 0;
        while i < n {
            let mut j = i;
            while j + 1 < n && &text[toks[j].mark_end..toks[j + 1].start] == "/" {
                j += 1;
            }
            let chain = &toks[i..=j];
            if chain.len() >= 2
                && chain.iter().all(name_like)
                && chain.iter().any(|t| t.flags & NAME != 0)
            {
                for m in &mut mark[i..=j] {
                    m.get_or_insert("NAME");
                }
            }
            i = j + 1;
        }
    }

    // Pairs of ambiguous names: "spoke with Mark Brown".
    for i in 1..n {
        let (a, b) = (&toks[i - 1], &toks[i]);
        if gaps[i] == Gap::Space
            && a.shape == Shape::Cap
            && b.shape == Shape::Cap
            && a.flags & FIRST != 0
            && b.flags & LAST != 0
            && (a.flags | b.flags) & CLINICAL == 0
            && b.flags & PLACE_NOUN == 0
            && !a.sentence_start
            && mark[i - 1].is_none()
            && mark[i].is_none()
        {
            mark[i - 1] = Some("NAME");
            mark[i] = Some("NAME");
        }
    }

    if !upper && !lowercase && !title_case_note(toks) {
        title_case_runs(text, toks, gaps, mark);
    }
    if upper {
        places_in_capitals(text, toks, gaps, mark);
        names_opening_lines_in_capitals(text, toks, gaps, mark);
    }

    // An initial and a word after it: "attending S. Brandvold" inside a sentence, before a
    // capitalised word no list knows; "TRIAGE RN D. OKONJO", "Tech J. Moreau" after a role word,
    // even when the lists know the surname or the note is in capitals.
    for i in 1..n {
        let (a, b) = (&toks[i - 1], &toks[i]);
        if gaps[i] != Gap::Dot || !initial(a, text) || mark[i - 1].is_some() || mark[i].is_some() {
            continue;
        }
        let inside_a_sentence = !a.sentence_start
            && !in_a_series_of_letters(toks, i - 1, text)
            && unknown(b)
            && !camel_case(b, text)
            && toks[..i - 1].last().is_none_or(|p| p.flags & CLINICAL == 0)
            // "net negative 6 L. Creatinine": a unit after a number.
            && !text[..a.start].trim_end().ends_with(|c: char| c.is_ascii_digit());
        let after_role = i >= 2
            && matches!(gaps[i - 1], Gap::Space | Gap::Colon)
            && is_capitalised(b)
            && b.end - b.start >= 3
            && b.flags & (WORD | CLINICAL | CREDENTIAL | TITLE | LABEL) == 0
            && PERSON_ROLES
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&text[toks[i - 2].start..toks[i - 2].end]));
        if inside_a_sentence || after_role {
            mark[i - 1] = Some("NAME");
            mark[i] = Some("NAME");
        }
    }

    // Neighbours of a name that look like names are names: "John Q. Public", "SMITH, JOHN".
    loop {
        let mut changed = false;
        for i in 0..n {
            if mark[i] != Some("NAME") {
                continue;
            }
            let t = &toks[i];
            if i + 1 < n && mark[i + 1].is_none() {
                let next = &toks[i + 1];
                let linked = match gaps[i + 1] {
                    Gap::Space => true,
                    Gap::Dot => initial(t, text),
                    Gap::Comma => {
                        next.flags & FIRST != 0
                            && next.flags & WORD == 0
                            && is_capitalised(next)
                            && t.flags & LAST != 0
                    }
                    _ => false,
                };
                let accept = strong_name(next)
                    || initial(next, text)
                    || unknown(next)
                    || lowercase && t.shape == Shape::Lower && lowercase_name_like(next, text)
                    || ambiguous_name(next)
                        && next.flags & LAST != 0
                        && (t.flags & FIRST != 0 || initial(t, text))
                        // "GRANDSON MIGUEL ON FLOOR": "On" is a surname too.
                        && !super::patterns::is_clause_word(
                            &text[next.start..next.end].to_ascii_lowercase(),
                            false,
                        );
                if linked && accept && next.flags & CLINICAL == 0 {
                    mark[i + 1] = Some("NAME");
                    changed = true;
                }
            }
            if i > 0 && mark[i - 1].is_none() {
                let prev = &toks[i - 1];
                let linked = match gaps[i] {
                    Gap::Space => true,
                    Gap::Dot => initial(prev, text),
                    // "SMITH, JOHN": a surname before a first name and a comma.
                    Gap::Comma => {
                        t.flags & FIRST != 0
                            && prev.flags & LAST != 0
                            && is_capitalised(prev)
                            && prev.shape == t.shape
                    }
                    _ => false,
                };
                let accept = strong_name(prev)
                    || initial(prev, text)
                    || unknown(prev) && !prev.sentence_start
                    // "fergus mulroney is a 58 yo man": a first name before a lowercase name.
                    || lowercase && t.shape == Shape::Lower && lowercase_name_like(prev, text)
                    || ambiguous_name(prev) && prev.flags & FIRST != 0 && prev.shape == Shape::Cap
                    || ambiguous_name(prev) && gaps[i] == Gap::Comma;
                if linked && accept && prev.flags & (CLINICAL | TITLE | LABEL) == 0 {
                    mark[i - 1] = Some("NAME");
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }

    // A month capitalised is a date wherever it stands ("last seen September"); "May" and
    // "March" are also verbs and are left to the patterns that read the words around them.
    for (t, marked) in toks.iter().zip(mark.iter()) {
        if t.flags & PROPER_NOT_PHI != 0 && is_capitalised(t) && marked.is_none() {
            let w = &text[t.start..t.end];
            let month = super::MONTHS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(w) && !matches!(*m, "may" | "march"));
            if month {
                out.push((t.start, t.end, "DATE"));
            }
        }
    }

    // Runs of marked tokens joined by spaces or initials' periods become one span.
    let mut i = 0;
    while i < n {
        let Some(kind) = mark[i] else {
            i += 1;
            continue;
        };
        let start = toks[i].start;
        let mut end = toks[i].mark_end;
        let mut j = i + 1;
        // A one-letter token marked as a name is an initial in either case ("d. okafor").
        while j < n
            && mark[j] == Some(kind)
            && (gaps[j] == Gap::Space
                || gaps[j] == Gap::Dot
                    && (initial(&toks[j - 1], text) || toks[j - 1].end - toks[j - 1].start == 1))
        {
            end = toks[j].mark_end;
            j += 1;
        }
        if initial(&toks[j - 1], text) && text[end..].starts_with('.') {
            end += 1;
        }
        out.push((start, end, kind));
        if kind == "NAME" {
            if let Some(age) = bare_age_after(text, end) {
                out.push((age.0, age.1, "AGE"));
            }
        }
        i = j;
    }
}

/// Whether `lower` (a lowercase word) is one of [`SERVICE_WORDS`].
fn is_service_word(lower: &str) -> bool {
    static SET: LazyLock<FastSet<&'static str>> =
        LazyLock::new(|| SERVICE_WORDS.iter().copied().collect());
    SET.contains(lower)
}

/// Words that capitalised together name a service, a document or a part of a hospital, not
/// whose it is: "Infectious Diseases", "Discharge Summary", "Appeals Unit". Read together with
/// the facility rules' generic words (`patterns::GENERIC_WORDS`), which are not repeated here.
const SERVICE_WORDS: &[&str] = &[
    "department",
    "dept",
    "unit",
    "service",
    "services",
    "team",
    "note",
    "notes",
    "summary",
    "date",
    "status",
    "report",
    "evaluation",
    "initial",
    "consult",
    "consultation",
    "group",
    "grade",
    "program",
    "office",
    "floor",
    "wing",
    "ward",
    "room",
    "bay",
    "center",
    "centre",
    "campus",
    "division",
    "section",
    "history",
    "course",
    "exam",
    "examination",
    "plan",
    "assessment",
    "review",
    "systems",
    "follow",
    "up",
    "provider",
    "physician",
    "nurse",
    "attending",
    "fellow",
    "admission",
    "discharge",
    "transfer",
    "intensive",
    "critical",
    "step",
    "down",
    "progress",
    "procedure",
    "operative",
    "laboratory",
    "lab",
    "labs",
    "results",
    "imaging",
    "radiology",
    "pharmacy",
    "social",
    "work",
    "worker",
    "case",
    "management",
    "manager",
    "coordinator",
    "navigator",
    "chaplain",
    "spiritual",
    "palliative",
    "hospice",
    "home",
    "senior",
    "doctor",
    "scale",
    "score",
    "class",
    "stage",
    "type",
    "scan",
    "test",
    "panel",
    "index",
    "appeals",
    "claims",
    "billing",
    "member",
    "customer",
    "support",
    "hi",
    "hello",
    "dear",
];

/// Every word and joining "of" capitalised, as some templates type headings and lists: there a
/// run of capitals says nothing about a name.
fn title_case_note(toks: &[Tok]) -> bool {
    let (inner, capitalised) = toks
        .iter()
        .filter(|t| !t.sentence_start)
        .fold((0, 0), |(n, c), t| {
            (n + 1, c + usize::from(t.shape == Shape::Cap))
        });
    inner >= 20 && capitalised * 2 > inner
}

/// Capitalised words in a run inside a sentence name something: a business, an agency, a
/// person or a street that no list knows ("assaulted outside The Rusty Anchor", "connected
/// with Way Finders", "Doula Saffron Hale", "a room on Pleasant St"). A run made only of
/// service and clinical words ("Infectious Diseases", "Oncology Clinic") names no one, nor
/// does a run followed by a colon (a heading within a line).
fn title_case_runs(text: &str, toks: &[Tok], gaps: &[Gap], mark: &mut [Option<&'static str>]) {
    let n = toks.len();
    let names_no_one = |t: &Tok| {
        let lower = text[t.start..t.end].to_ascii_lowercase();
        t.flags & (CLINICAL | EPONYM | LABEL | CREDENTIAL | PROPER_NOT_PHI) != 0
            || is_service_word(&lower)
            || super::patterns::is_generic_word(&lower)
    };
    let connector = |k: usize| {
        toks[k].shape == Shape::Lower
            && matches!(
                &text[toks[k].start..toks[k].end],
                "of" | "the" | "and" | "for" | "on"
            )
    };
    let mut i = 0;
    while i < n {
        let t = &toks[i];
        // "Doula Saffron Hale en route": a role opening the sentence stands outside the run.
        let after_role = || {
            let before = &toks[i - 1];
            before.sentence_start
                && (before.flags & RELATION != 0
                    || PERSON_ROLES
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(&text[before.start..before.end])))
        };
        // "Attends Little Sprouts preschool": a common word opening the sentence is the
        // sentence's own, and the run starts after it.
        // A service word opening it is a heading's ("Physical Therapy Daily Note").
        let after_opening_word = || {
            let before = &toks[i - 1];
            before.sentence_start
                && before.shape == Shape::Cap
                && before.flags & WORD != 0
                && before.flags & NAME == 0
                && !names_no_one(before)
        };
        let opens = t.shape == Shape::Cap
            && !t.sentence_start
            && t.flags & (TITLE | LABEL | CREDENTIAL) == 0
            && (i == 0
                || gaps[i] != Gap::Space
                || !is_capitalised(&toks[i - 1])
                || after_role()
                || after_opening_word());
        if !opens {
            i += 1;
            continue;
        }
        let mut last = i;
        let mut capitals = 1;
        loop {
            let k = last + 1;
            if k < n && gaps[k] == Gap::Space && toks[k].shape == Shape::Cap {
                last = k;
                capitals += 1;
            } else if let Some(c) = (k..n.min(k + 2))
                .take_while(|&c| gaps[c] == Gap::Space && connector(c))
                .last()
                .filter(|&c| {
                    c + 1 < n && gaps[c + 1] == Gap::Space && toks[c + 1].shape == Shape::Cap
                })
            {
                // "Friends of the Homeless": one or two small words between capitals.
                last = c + 1;
                capitals += 1;
            } else {
                break;
            }
        }
        let next = last + 1;
        if capitals < 2 {
            i = next;
            continue;
        }
        let run = &toks[i..=last];
        let word = |t: &Tok| &text[t.start..t.end];
        let heading = line_after(text, toks[last].mark_end)
            .trim_start()
            .starts_with(':');
        // A title ends a run of its own ("Hi Dr Nakamura" is the title's rule to read).
        let labelled = run
            .iter()
            .any(|t| t.flags & (LABEL | CREDENTIAL | TITLE) != 0);
        // A headline capitalises its small words ("Musicians Of The 70s"), and a title in
        // quotes names a work ("Tube Snake Boogie"); neither is a place or a person.
        let headline = run[1..].iter().any(|t| {
            t.shape == Shape::Cap
                && matches!(
                    word(t),
                    "Of" | "The"
                        | "To"
                        | "But"
                        | "And"
                        | "For"
                        | "In"
                        | "On"
                        | "At"
                        | "A"
                        | "An"
                        | "Is"
                        | "Are"
                        | "With"
                        | "By"
                        | "From"
                        | "You"
                        | "Your"
                )
        });
        let quoted = text[..t.start].ends_with(['"', '\u{201c}'])
            && text[toks[last].mark_end..].starts_with(['"', '\u{201d}']);
        // "Korean War", "Haitian Creole": a people's or a language's name opens it.
        let proper_opening = t.flags & PROPER_NOT_PHI != 0;
        if heading || labelled || headline || quoted || proper_opening {
            i = next;
            continue;
        }
        // What other rules marked stays theirs; each stretch between their marks is read on its
        // own ("Rx sent to Pharmacy Plus Chicopee": the town is GEO, the rest a business), and
        // a stretch of small words alone ("Celeste and Anouk") is nothing.
        let mut from = i;
        while from <= last {
            if mark[from].is_some() || toks[from].shape != Shape::Cap {
                from += 1;
                continue;
            }
            let mut to = from;
            while to < last && mark[to + 1].is_none() {
                to += 1;
            }
            while toks[to].shape != Shape::Cap {
                to -= 1;
            }
            let stretch = &toks[from..=to];
            let capitals = stretch.iter().filter(|t| t.shape == Shape::Cap).count();
            let specific = stretch
                .iter()
                .any(|t| t.shape == Shape::Cap && !names_no_one(t));
            if capitals >= 2 && specific {
                let kind = if STREET_WORDS.contains(&word(&toks[to])) {
                    "GEO"
                } else if stretch.len() <= 3
                    && stretch
                        .iter()
                        .all(|t| t.shape == Shape::Cap && t.flags & PLACE_NOUN == 0)
                    && toks[to].flags & LAST != 0
                {
                    // "doula Saffron Hale": a surname ends it.
                    "NAME"
                } else {
                    "HOSPITAL"
                };
                for m in mark[from..=to].iter_mut() {
                    *m = Some(kind);
                }
            }
            from = to + 1;
        }
        i = next;
    }
}

/// Endings of the names of diseases (procedures end in [`OPERATION_SUFFIXES`]).
/// "-oma" is not among them: names end so too ("Chioma", "Paloma").
const DISEASE_ENDINGS: &[&str] = &["itis", "osis", "emia", "pathy", "algia", "itides", "iasis"];

/// In a note typed in capitals, where a run of capitals says nothing, the words after "AT",
/// "FROM", "OUTSIDE" or "THRU" up to the clause's next word name a place when one of
/// them is in no word list ("WALKS DAILY AT THE EASTFIELD MALL WITH HIS"): "AT HOME", "AT
/// NIGHT" and "FROM THE ED" are words.
fn places_in_capitals(text: &str, toks: &[Tok], gaps: &[Gap], mark: &mut [Option<&'static str>]) {
    let n = toks.len();
    let word = |t: &Tok| &text[t.start..t.end];
    for i in 0..n.saturating_sub(1) {
        if !matches!(word(&toks[i]), "AT" | "FROM" | "OUTSIDE" | "THRU")
            || gaps[i + 1] != Gap::Space
        {
            continue;
        }
        let mut from = i + 1;
        if word(&toks[from]) == "THE" {
            from += 1;
        }
        let mut to = from;
        while to < n
            && (to == from || gaps[to] == Gap::Space)
            && is_capitalised(&toks[to])
            && toks[to].flags & (CLINICAL | LABEL | TITLE | CREDENTIAL | RELATION) == 0
            // "FOR" joins names in capitals ("HEALTH CARE FOR THE HOMELESS").
            && !super::patterns::is_clause_word(&word(&toks[to]).to_ascii_lowercase(), false)
            && to < from + 5
        {
            to += 1;
        }
        if to == from || (from..to).any(|k| mark[k].is_some()) {
            continue;
        }
        // Five letters or more, and no clinical term's ending (nor "-oma"): "AT LUSB" is an
        // abbreviation, and "FROM CHOLANGITIS" and "FROM HYPOTENSION" are diagnoses that the
        // word lists do not hold.
        let unknown_word = (from..to).any(|k| {
            let t = &toks[k];
            let w = word(t);
            t.flags & (WORD | RARE_WORD | PROPER_NOT_PHI) == 0
                && w.len() >= 5
                && !has_term_ending(w)
                && !w.as_bytes()[w.len() - 3..].eq_ignore_ascii_case(b"oma")
        });
        // "AT TAPESTRY HEALTH": English words, but a facility's last word and a specific one
        // before it.
        let named_facility = to - from >= 2
            && matches!(
                word(&toks[to - 1]),
                "HEALTH" | "HEALTHCARE" | "CLINIC" | "CENTER" | "PHARMACY" | "SERVICES" | "NETWORK"
            )
            && super::patterns::facility_start(text, toks[from].start, toks[to - 1].end).is_some();
        if unknown_word || named_facility {
            for m in mark[from..to].iter_mut() {
                *m = Some("HOSPITAL");
            }
        }
    }
}

/// Abbreviations in capitals ("HCTZ") have no vowel; names do.
fn has_capital_vowel(w: &str) -> bool {
    w.bytes().any(|b| b"AEIOUY".contains(&b))
}

/// "MBEKI, THANDIWE G2P1 AT 38W": "LAST, FIRST" opening a line, before an age and sex or an
/// obstetric history, though no list knows either word.
fn names_opening_lines_in_capitals(
    text: &str,
    toks: &[Tok],
    gaps: &[Gap],
    mark: &mut [Option<&'static str>],
) {
    let not_a_name =
        WORD | RARE_WORD | CLINICAL | LABEL | TITLE | CREDENTIAL | RELATION | PROPER_NOT_PHI;
    let name_like = |t: &Tok| {
        let w = &text[t.start..t.end];
        // Capitals notes read their words as capitalised ones.
        is_capitalised(t)
            && !w.bytes().any(|c| c.is_ascii_lowercase())
            && t.flags & not_a_name == 0
            && w.len() >= 3
            && has_capital_vowel(w)
    };
    for i in 0..toks.len().saturating_sub(1) {
        let (a, b) = (&toks[i], &toks[i + 1]);
        if gaps[i + 1] != Gap::Comma
            || mark[i].is_some()
            || mark[i + 1].is_some()
            || !line_before(text, a.start).trim().is_empty()
            || !name_like(a)
            || !name_like(b)
        {
            continue;
        }
        let rest = text[b.end..].trim_start_matches([' ', '\t']).as_bytes();
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let after_digits = &rest[digits..];
        let age_sex = (1..=3).contains(&digits)
            && matches!(
                after_digits.trim_ascii_start().first(),
                Some(b'M' | b'F' | b'Y')
            );
        let obstetric = rest.len() >= 4
            && rest[0] == b'G'
            && rest[1].is_ascii_digit()
            && rest[2] == b'P'
            && rest[3].is_ascii_digit();
        if age_sex || obstetric {
            mark[i] = Some("NAME");
            mark[i + 1] = Some("NAME");
        }
    }
}

/// Marks up to `max` tokens from `from` on that `accept` takes, linked by spaces, initials'
/// periods or a "Last, First" comma.
fn mark_run(
    text: &str,
    toks: &[Tok],
    gaps: &[Gap],
    mark: &mut [Option<&'static str>],
    from: usize,
    max: usize,
    accept: impl Fn(&Tok) -> bool,
) {
    let mut k = from;
    while k < toks.len() && k < from + max && accept(&toks[k]) {
        mark[k] = Some("NAME");
        k += 1;
        if k >= toks.len() {
            break;
        }
        let linked = match gaps[k] {
            Gap::Space => true,
            Gap::Dot => initial(&toks[k - 1], text),
            Gap::Comma => k == from + 1 && toks[k].flags & FIRST != 0,
            _ => false,
        };
        if !linked {
            break;
        }
    }
}

/// The last token of a multi-word US place name starting at token `i`, if any; its last word
/// capitalised ("Fall River", "Winston-Salem"), or every word in lower case when `lowercase`.
fn multi_word_city(
    text: &str,
    toks: &[Tok],
    gaps: &[Gap],
    i: usize,
    dict: &Dict,
    lowercase: bool,
) -> Option<usize> {
    let mut best = None;
    let mut key = String::with_capacity(64);
    let push_lowercase = |key: &mut String, word: &str| {
        if word.is_ascii() {
            key.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            key.push_str(&word.to_lowercase());
        }
    };
    push_lowercase(&mut key, &text[toks[i].start..toks[i].end]);
    for k in i + 1..toks.len().min(i + 4) {
        if gaps[k] != Gap::Space || !is_capitalised(&toks[k]) && toks[k].shape != Shape::Lower {
            break;
        }
        key.push(' ');
        push_lowercase(&mut key, &text[toks[k].start..toks[k].end]);
        let last_fits = if lowercase {
            (i..=k).all(|j| toks[j].shape == Shape::Lower)
        } else {
            is_capitalised(&toks[k])
        };
        if dict.multi_word_cities.contains(key.as_str()) && last_fits {
            best = Some(k);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(&str, &'static str)> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter().map(|&(s, e, k)| (&text[s..e], k)).collect()
    }

    #[test]
    fn word_table_finds_exactly_its_words() {
        let mut entries: FastMap<&'static str, u16> = FastMap::default();
        let words = [
            ("a", WORD),
            ("smith", LAST | FIRST),
            ("abcdefghijklm", CITY),
            // The longest packed word, and one a byte too long for a slot.
            ("abcdefghijklmn", PROPER_NOT_PHI | WORD),
            ("abcdefghijklmno", CLINICAL),
            ("jos\u{e9}", FIRST),
            ("smith-jones", LAST),
        ];
        for (w, f) in words {
            entries.insert(w, f);
        }
        let table = WordTable::new(entries);
        assert_eq!(table.long.len(), 1);
        for (w, f) in words {
            assert_eq!(table.get(w), Some(f), "{w}");
        }
        for absent in [
            "",
            "b",
            "smit",
            "smithe",
            "a\0",
            "abcdefghijkl",
            "abcdefghijklmnop",
        ] {
            assert_eq!(table.get(absent), None, "{absent:?}");
        }
        assert_eq!(
            pack_ascii_letters_lowercase(b"SMITH"),
            pack("smith").unwrap()
        );
        // A word with a letter outside ASCII is not packed; it is looked up by its text.
        let (mut toks, mut keys, mut homes) = (Vec::new(), Vec::new(), Vec::new());
        tokenize("Smith Jos\u{e9}", &DICT, &mut toks, &mut keys, &mut homes);
        assert_eq!(keys, [pack("smith").unwrap(), 0]);
    }

    #[test]
    fn every_listed_word_is_found_with_its_list() {
        for (list, flag) in [
            (include_str!("dict/english_common.txt"), WORD),
            (include_str!("dict/english_rare.txt"), RARE_WORD),
            (include_str!("dict/first_names.txt"), FIRST),
            (include_str!("dict/surnames.txt"), LAST),
            (include_str!("dict/clinical_terms.txt"), CLINICAL),
        ] {
            for w in lines(list) {
                assert!(flags_of(w) & flag != 0, "{w}");
            }
        }
    }

    #[test]
    fn names_from_dictionaries_and_context() {
        assert_eq!(names("Seen by Dr. Quill today"), [("Quill", "NAME")]);
        assert_eq!(
            names("Patient: Ashley Vandermeer"),
            [("Ashley Vandermeer", "NAME")]
        );
        assert_eq!(
            names("SMITH, JOHN was admitted"),
            [("SMITH", "NAME"), ("JOHN", "NAME")]
        );
        assert_eq!(
            names("spoke with his wife Hope about it"),
            [("Hope", "NAME")]
        );
        assert_eq!(names("Hope is the plan"), []);
        assert_eq!(names("John Q. Public signed"), [("John Q. Public", "NAME")]);
        assert_eq!(names("Parkinson disease, Foley catheter, Apgar 9"), []);
        assert_eq!(
            names("Lives in Worcester with family"),
            [("Worcester", "GEO")]
        );
        assert_eq!(
            names("moved from Salt Lake City last year"),
            [("Salt Lake City", "GEO")]
        );
        assert_eq!(names("He speaks English and Spanish."), []);
    }

    #[test]
    fn slash_joined_names_in_a_lowercase_note() {
        let note = "team: haddad/oyelowo/brandt. interval: afebrile, n/v/d resolved, \
                    on hctz/lisinopril. pt/ot to see. plan per team.";
        assert_eq!(
            names(note),
            [("haddad", "NAME"), ("oyelowo", "NAME"), ("brandt", "NAME")]
        );
    }

    #[test]
    fn a_name_followed_by_age_and_sex() {
        assert_eq!(
            names("Proband: Saoirse Donnelly-Park, 38F, referred"),
            [("Saoirse Donnelly-Park", "NAME")]
        );
        assert_eq!(
            names("Spoke with Quillon Ardeth (52 yo) about cough"),
            [("Quillon Ardeth", "NAME")]
        );
        assert_eq!(names("Cough, 3 days, no fever"), []);
    }

    #[test]
    fn sign_offs_typists_and_lowercase_places() {
        assert_eq!(names("Thanks, Sunita"), [("Sunita", "NAME")]);
        assert_eq!(names("Thanks, see you then"), []);
        assert_eq!(names("Transcribed by: lmv"), [("lmv", "NAME")]);
        assert_eq!(names("Transcribed by: the clinic"), []);
        assert_eq!(
            names("pt lives w/ daughter in grove city."),
            [("grove city", "GEO")]
        );
        assert_eq!(names("pain in lower back"), []);
        assert_eq!(
            names("tc from daughter rose re: swelling"),
            [("rose", "NAME")]
        );
        assert_eq!(names("daughter rose from the chair"), []);
        assert_eq!(
            names("spoke w/ son dmitri at bedside, home to lakewood thurs"),
            [("dmitri", "NAME"), ("lakewood", "GEO")]
        );
        assert_eq!(
            names("called back, spoke w/ jessica (daughter)"),
            [("jessica", "NAME")]
        );
        assert_eq!(
            names("hi its jess, f/u call in am by mk."),
            [("jess", "NAME"), ("mk", "NAME")]
        );
        assert_eq!(names("its fine, go to bed"), []);
    }

    #[test]
    fn lowercase_notes_without_capital_cues() {
        assert_eq!(
            names("f/u with dr. haskins in 2 wks. surgeon: oyelowo. rev. okafor called"),
            [("haskins", "NAME"), ("oyelowo", "NAME"), ("okafor", "NAME")]
        );
        assert_eq!(
            names("pt horace blevins here for wound check, dressing changed, tol well.\nsunita raman, pharmd, bcps"),
            [("horace blevins", "NAME"), ("sunita raman", "NAME")]
        );
        assert_eq!(
            names("pp day 2. keisha doing well, breastfeeding q2-3h, fundus firm"),
            [("keisha", "NAME")]
        );
        // Capitals elsewhere: a lowercase first name alone is not enough.
        assert_eq!(names("Pt doing well. keisha cream applied"), []);
        assert_eq!(
            names("pt seen in clinic today, plan: continue meds, dr. will call"),
            []
        );
    }

    #[test]
    fn lowercase_notes_name_people_by_role_greeting_and_line() {
        // A role word before a name; "pt" needs two names, since it is also the therapy.
        assert_eq!(
            names(
                "called to bedside by rn maddox. pt chidi obi stable. pt eval done, ot rec home."
            ),
            [("maddox", "NAME"), ("chidi obi", "NAME")]
        );
        // A greeting, a self-introduction with its surname, a relative in parentheses.
        assert_eq!(
            names("hi its lena marsh again, knee still sore.\nreply: hi lena, come in. father (olaf) aware"),
            [("lena marsh", "NAME"), ("lena", "NAME"), ("olaf", "NAME")]
        );
        // A name on a line of its own, and the subject of the history's first line.
        assert_eq!(
            names("october 2, 2025\nhelena castellanos\n311 main st\nfergus mulroney is a 58 yo man, seen today"),
            [("helena castellanos", "NAME"), ("fergus mulroney", "NAME")]
        );
        // A first name that is also a town, unless a place word comes first.
        assert_eq!(
            names("his father (sebastian) died at 70. lives near sebastian, alone, no pets"),
            [("sebastian", "NAME"), ("sebastian", "GEO")]
        );
    }

    #[test]
    fn notes_in_capitals_read_names_as_capitalised_words() {
        assert_eq!(
            names("CRITICAL K CALLED AT 0512. READ BACK AND VERIFIED BY OKSANA PETRENKO, RN, 4 EAST. ADD HCTZ 12.5. DISCUSSED WITH DR. ADEYEMI."),
            [("OKSANA PETRENKO", "NAME"), ("ADEYEMI", "NAME")]
        );
    }

    #[test]
    fn names_by_their_company() {
        assert_eq!(
            names("wife Marguerite, daughters Celeste and Anouk, and NP Oduya"),
            [
                ("Marguerite", "NAME"),
                ("Celeste", "NAME"),
                ("Anouk", "NAME"),
                ("Oduya", "NAME"),
            ]
        );
        assert_eq!(
            names("Mr. Devereaux (91) remains intubated"),
            [("Devereaux", "NAME"), ("91", "AGE")]
        );
        assert_eq!(names("given by Y. Park, LPN"), [("Y. Park", "NAME")]);
        assert_eq!(names("then Ivor Lewis esophagectomy"), []);
        assert_eq!(names("from home at 4410 Creekview Dr. Pain 8/10"), []);
        assert_eq!(names("Moderate MR. RVSP 48 mmHg"), []);
        assert_eq!(names("MR. OYELARAN IS A 67 YO"), [("OYELARAN", "NAME")]);
    }

    #[test]
    fn capitalised_runs_inside_a_sentence_name_businesses_people_and_streets() {
        assert_eq!(
            names("27 yo M assaulted outside The Rusty Anchor bar last night"),
            [("The Rusty Anchor", "HOSPITAL")]
        );
        assert_eq!(
            names("she rents a room on Pleasant St from a friend"),
            [("Pleasant St", "GEO")]
        );
        assert_eq!(
            names("FOB at bedside, doula Saffron Hale en route"),
            [("Saffron Hale", "NAME")]
        );
        assert_eq!(
            names("FOB at bedside. Doula Marigold Brook en route"),
            [("Marigold Brook", "NAME")]
        );
        assert_eq!(
            names("staying at Friends of the Homeless shelter"),
            [("Friends of the Homeless", "HOSPITAL")]
        );
        // Services, documents, headings, headlines and quoted titles name no one.
        assert_eq!(
            names("seen by Infectious Diseases and the Oncology Clinic"),
            []
        );
        assert_eq!(names("see the Discharge Summary for details"), []);
        assert_eq!(
            names("Rx sent to Pharmacy Plus Chicopee."),
            [("Pharmacy Plus", "HOSPITAL"), ("Chicopee", "GEO")]
        );
        assert_eq!(
            names("Growth on curve. Attends Little Sprouts preschool 3 days/wk."),
            [("Little Sprouts", "HOSPITAL")]
        );
        assert_eq!(names("Physical Therapy Daily Note 11/18"), []);
        assert_eq!(
            names("a 94 yo Korean War veteran who speaks Haitian Creole"),
            []
        );
        assert_eq!(names("Plan reviewed. Hospital Course Summary: stable"), []);
        assert_eq!(names("read Musicians Of The Seventies online"), []);
        assert_eq!(
            names("his favourite song is \"Tube Snake Boogie\" tonight"),
            []
        );
        // Every word capitalised, as some templates write: the run says nothing.
        assert_eq!(
            names("Reviewed Labs Today. Patient Tolerated Regular Diet Well, Walked Hallway Twice Using Rolling Walker, Denies Pain, Nausea, Vomiting, Plans Discharge Tomorrow Morning Pending Physical Therapy Clearance."),
            []
        );
    }

    #[test]
    fn places_in_capitals_after_at_or_from() {
        assert_eq!(
            names("HE WALKS DAILY AT THE EASTFIELD MALL WITH HIS GRANDSON."),
            [("EASTFIELD MALL", "HOSPITAL")]
        );
        assert_eq!(
            names(
                "SEPTIC SHOCK FROM CHOLANGITIS. FELL AT HOME. SOFT MURMUR AT LUSB. SEEN AT NIGHT."
            ),
            []
        );
    }

    #[test]
    fn initials_inside_a_sentence_and_above_a_credential() {
        assert_eq!(
            names("fellow / attending S. Brandvold"),
            [("S. Brandvold", "NAME")]
        );
        assert_eq!(names("Callback given.\n-- aj / RN\n"), [("aj", "NAME")]);
        assert_eq!(names("E. coli in urine, on iv / po abx"), []);
        assert_eq!(names("diuresed, net negative 6 L. Creatinine peaked"), []);
        assert_eq!(
            names("next visit thurs. - d. okafor rn"),
            [("d. okafor", "NAME")]
        );
        assert_eq!(
            names("f/u w/ campus counseling. - b. kristiansen, lmhc"),
            [("b. kristiansen", "NAME")]
        );
        assert_eq!(names("gave 2 mg iv push. q. 4h prn"), []);
    }
}
