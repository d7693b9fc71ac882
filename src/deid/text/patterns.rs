//! Identifiers with a shape: numbers, dates, addresses, facility names, labelled IDs. Every
//! pattern is a `regex` pattern (linear time whatever the text holds); a `RegexSet` finds
//! which fire in each paragraph and only those are run there for their positions. Some
//! matches are then checked against context the regex language cannot express (a dictionary,
//! a neighbouring word).

use std::cell::RefCell;
use std::sync::LazyLock;

use regex::bytes::{CaptureLocations, Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::words;
use super::ByteSpan;

#[derive(Clone, Copy)]
enum Check {
    None,
    /// An identifier of four characters or more.
    IdLength,
    /// Not part of a longer chain of numbers ("7.38/41/92").
    NotRatio,
    /// `m/d` without a year: not a fraction, score or blood pressure.
    MonthDay,
    /// Group 1 is a word that names one hospital: no determiner, clinical term or generic
    /// word ("TO PEDS ED", "at the nearest ED", "FROM OUTSIDE ED").
    NamesAnEd,
    /// Group 1 is no determiner or generic word ("works at home in"), and group 2, when the
    /// match has it, starts with a known town.
    LowerEmployer,
    /// As [`Check::Facility`], and the name ends before a clause word ("LOST JOB AT
    /// FRIENDLY'S IN SEPTEMBER": in capitals the name's words run on).
    Employer,
    /// Group 1's words are no clinical term, language or generic word ("a retired ICU nurse",
    /// "a former English teacher").
    RetiredFrom,
    /// Group 1 is in no list but the name lists, or in none: not an English or clinical word
    /// ("bed 4 kowalski -", not "bed 4 empty -").
    NameOnly,
    /// Six digits or more: a code, not a word with a digit in it.
    ManyDigits,
    /// `h:mm`: not the start of a ratio ("epi 1:100,000").
    ClockTime,
    /// A four-digit time ("at 0930", "04/04/2024 0215", "0700-1900"), not a dose or a year.
    MilitaryTime,
    /// `City, ST`: the city must be a known place or a ZIP must follow.
    CityState,
    /// A facility or street name: leading sentence words are trimmed, and a name left with
    /// only generic words ("Cardiology Clinic") is dropped.
    Facility,
    /// A practice named for its specialty: some word before the specialty must be one that a
    /// sentence would not use there (a place, a name, a word no list knows), or two words.
    Practice,
    /// Group 1 ends in a known place ("Leominster PD", "VA Palo Alto"); the span starts at
    /// the place.
    Town,
    /// A lowercase street without a number: the words before the suffix are not "the", "a",
    /// a pronoun or a possessive.
    Street,
    /// `keene, nh` in a lowercase note: the words before the comma trimmed to a known place,
    /// or the last word when a ZIP follows.
    LowerCityState,
    /// `City 01007`: a ZIP after a known place (the place's words are trimmed to it).
    CityZip,
    /// "92F", "93 yo M": an age and sex, not a temperature ("T 99F") or an amount ("$95M").
    AgeSex,
    /// A facility in lower case: as [`Check::Facility`], and no function word inside the name
    /// ("weaned to room air by hospital day 3" is a clause).
    LowerFacility,
    /// A facility in capitals: as [`Check::Facility`], and no preposition or verb inside the
    /// name ("WEANED TO ROOM AIR BY HOSPITAL DAY 3").
    UpperFacility,
    /// A house number and street: no unit of time or measure, and no preposition, among the
    /// street's words ("RTC 2 WK WITH DR. SORENSEN", "1.5 MM ST DEPRESSION").
    NumberedStreet,
    /// Group 1 is places joined by a hyphen ("Newton-Wellesley").
    JoinedPlaces,
    /// Group 1's first word is in no word list: a name, not "home" or "night".
    UnknownWord,
    UnknownTerm,
    /// A street in capitals: as [`Check::Facility`], and no verb's helper before the suffix
    /// ("HUSBAND TO DRIVE HOME", "DO NOT DRIVE").
    UpperStreet,
    /// "UW Health": as [`Check::Facility`] (or [`Check::UpperFacility`] in capitals), and no
    /// word before "Health" that names a kind of health ("Public Health", "USUAL STATE OF
    /// HEALTH" is no name).
    HealthSystem,
}

/// Whether one of `words` names a kind or state of health ([`HEALTH_KINDS`]).
fn names_a_kind_of_health(words: &str) -> bool {
    words.split_whitespace().any(|w| {
        HEALTH_KINDS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(w.trim_end_matches([',', '.'])))
    })
}

/// Words before "Health" that name a kind or state of health, not a health system.
const HEALTH_KINDS: &[&str] = &[
    "public",
    "student",
    "employee",
    "population",
    "global",
    "men's",
    "sexual",
    "reproductive",
    "oral",
    "digital",
    "spiritual",
    "environmental",
    "usual",
    "good",
    "poor",
    "fair",
    "excellent",
    "overall",
    "optimal",
    "baseline",
    "adult",
    "campus",
];

struct Pattern {
    kind: &'static str,
    regex: Regex,
    /// Capture group holding the identifier (0: the whole match); a label such as `MRN:`
    /// stays in the text.
    group: usize,
    check: Check,
}

const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
/// A month's full name, capitalised or in capitals (lower case "may" and "march" are verbs).
/// Lowercase month names after a word that makes them dates ("since his visit in august");
/// not "may", which is mostly the verb ("this may help").
const LOWER_MONTH_NAME: &str =
    "january|february|march|april|june|july|august|september|sept|october|november|december";
const MONTH_NAME: &str = "January|February|March|April|May|June|July|August|September|Sept|October|November|December|JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|SEPT|OCTOBER|NOVEMBER|DECEMBER";
const HOLIDAYS: &str = "Christmas(?: Eve| Day)?|Thanksgiving|Easter|Halloween|Hanukkah|Ramadan|New Year'?s(?: Eve| Day)?|Memorial Day|Labor Day|Independence Day|Fourth of July|Valentine'?s Day|Mother'?s Day|Father'?s Day|Veterans Day";
const STATE_ABBR: &str = "A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY]";
const STATE_NAME: &str = "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming";
/// A labelled identifier's value: holds a digit and no spaces (a label followed by a word is
/// not an ID).
/// Words after which a day's short name is a day ("home Thurs", "recheck fri").
const DAY_TIME_WORDS: &str =
    "on|by|until|till|since|next|last|this|home|discharge|d/c|before|after|likely|recheck|rtc|f/u";
/// An identifier after its label: letters, digits and hyphens with a digit among them, or
/// groups of digits split by single spaces ("meeting ID 884 2201 7734").
const ID_VALUE: &str =
    r"\b(\d{3,4}(?: \d{3,4}){1,3}|(?:[A-Za-z]+-?)*\d(?:[A-Za-z0-9-]*[A-Za-z0-9])?)\b";
/// After a label that names an identifier by itself ("MRN 1234567").
const ID_SUFFIX: &str =
    r"(?:\s*(?i:id|identifier|#|number|num|no\.?|on file))?\s*(?:[:#=]|is|was)?\s*#?\s*";
/// After a label that is an identifier only when marked ("visit #", "case:", "order number").
const ID_MARKER: &str = r"(?:\s*(?i:id|identifier|number|num|no\.|no|#)\s*[:#=]?|\s*[:#=])\s*#?\s*";
pub(super) const STREET_SUFFIX: &str = "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Alley|Pike|Turnpike|Plaza";
/// What ends a facility's name in a lowercase note (at one place the first alternative that fits
/// wins, so a longer suffix comes before a shorter one it starts with).
const LOWERCASE_FACILITY_SUFFIX: &str = "hospital|medical center|urgent care|clinic|pediatrics|rehab|health center|nursing home|nursing center|hospice|family medicine|family practice|family health|orthopaedics|orthopedics|imaging|dialysis|home health|behavioral health|behavioral|memory care|physical therapy|associates|medical group|surgery center|sleep center|infusion center|senior living|assisted living|gastroenterology|cardiology|neurology|urology|dermatology|oncology|laboratory|vna|elementary(?: school)?|middle(?: school)?|high school|academy|church|institute|dental|bone (?:&|and) joint|internal medicine|primary care|learning center|specialty center|surgeons|kidney care|home care|heart (?:&|and) vascular|community health center|senior services|senior center|council on aging|health network|shelter|residential|barbershop|barber shop|salon|restaurant|diner|bakery|pizzeria|auto body|hall|manor|lodge|commons|farms|episcopal|lutheran|baptist|methodist|presbyterian|congregational|college|university|fitness|gym|estates|group home|preschool|daycare|day care|elder services|collective|country club|golf club|yacht club|towing|garage|tavern|grill|pub|hardware|pharmacy|children's hospital|children's|memorial hospital|memorial|health";
/// Specialties that name a practice when a specific word comes before them.
const PRACTICE_SUFFIX: &str = r"Orthopa?edics|Orthopa?edic Associates|Cardiology|Dermatology|Oncology|Hematology|Hematology[ /-]Oncology|Neurology|Urology|Gastroenterology|Ophthalmology|Optometry|Podiatry|Audiology|Rheumatology|Nephrology|Endocrinology|Pulmonology|Psychiatry|Radiology|Obstetrics(?: (?:&|and) Gynecology)?|OB/?GYN|Women's Health|Occupational (?:Health|Medicine)|Sports Medicine|Chiropractic|Lab(?:oratory|s)?|Pharmacy|Counseling(?: Services| Center)?|Internal Medicine|Primary Care|Allergy (?:&|and) (?:Asthma|Immunology)|Asthma (?:&|and) Allergy|Immunology|Otolaryngology|Pain Management|Geriatrics";
const FACILITY_SUFFIX: &str = r"Hospital|Medical Cent(?:er|re)|Med\.? Ctr|Health Cent(?:er|re)|Health System|Healthcare|Health Care|Clinics?|Infirmary|Nursing Home|Nursing Facility|Rehab(?:ilitation)?(?: Cent(?:er|re)| Hospital| Facility)?|Hospice|Cancer Cent(?:er|re)|Cancer Institute|Surgery Cent(?:er|re)|Surgical Cent(?:er|re)|Care Cent(?:er|re)|Living Cent(?:er|re)|Assisted Living|Senior Living|Medical Group|Associates|Specialists|Health Partners|Surgeons|Physicians|Practice|Pediatrics|Dental|Dentistry|Urgent Care|Family Medicine|(?:Endoscopy|Imaging|Dialysis|Eye|Infusion|Birth|Sleep|Wound) Cent(?:er|re)|Institute|Bone (?:&|and) Joint|Home Health|Home Care|Visiting Nurses?|Kidney Care|Dialysis|Behavioral Health|Memory Care|Church|Chapel|Synagogue|Mosque|Baptist|Methodist|Lutheran|Episcopal|Presbyterian|Congregational|Physical Therapy|Heart (?:&|and) Vascular(?: Institute| Cent(?:er|re))?|(?:Specialty|Learning|Child Care|Childcare|Day Care|Daycare|Recovery|Treatment|Community|Resource|Family) Cent(?:er|re)|(?:Family|Social|Human|Community|Youth|Children's|Refugee|Immigrant) Services?|Preschool|Montessori|Association|Shelter|Gym|Fitness(?: Cent(?:er|re))?|Estates|VNA|Senior Services|Senior Cent(?:er|re)|Council on Aging|Property Management|Apartments|Towers|Ambulance(?: Service)?|Ambulette|Medical Transport(?:ation)?|Group Home|Lodge|Inn|Elder Services|Collective|Country Club|Golf Club|Yacht Club|Barbershop|Barber Shop|Salon|Restaurant|Diner|Bakery|Pizzeria|Auto Body|Towing|Garage|Tavern|Grill|Pub|Deli|Hardware|(?:Elementary|Middle|High|Junior High|Charter|Grammar|Intermediate) School";

/// What joins two months' names: "March and July", "June-August", "APRIL, MAY".
const MONTH_JOINER: &str =
    r"(?:[ \t]*[,&/-][ \t]*|[ \t]+(?:and|or|to|through|thru|AND|OR|TO|THROUGH|THRU)[ \t]+)";
/// A nursing shift's hours: "7a-3p", "3-11", "11p-7a", "7A-7P".
const SHIFT_HOURS: &str = "7a?-3p?|3p?-11p?|11p?-7a?|7a-7p|7p-7a";
/// In a lowercase note, what comes between a word of work and the employer's name, and the
/// name itself (group 1), up to the space after it: "works part time as a cashier at the
/// student prince ".
const LOWER_EMPLOYER_NAME: &str = r"[ \t]+(?:(?:part|full)[ \t-]time[ \t]+)?(?:as[ \t]+an?[ \t]+[a-z][a-z \t-]{1,30}?[ \t]+)?(?:at|for)[ \t]+(?:the[ \t]+)?([a-z][a-z'&-]*(?:[ \t]+[a-z0-9][a-z0-9'&-]*){0,2})[ \t]+";
/// Occupations a patient retires from, after the employer's name.
const OCCUPATIONS: &str = "driver|machinist|teacher|nurse|engineer|worker|employee|mechanic|electrician|firefighter|officer|clerk|cashier|manager|supervisor|technician|tech|cook|chef|janitor|custodian|carpenter|plumber|welder|accountant|secretary|receptionist|analyst|programmer|salesman|rep|aide|guard|pilot|attendant|librarian|professor|lineman|laborer|operator|dispatcher|inspector|executive|administrator|foreman|loader|stocker|waitress|waiter|bartender|baker|butcher|hairdresser|painter|roofer|housekeeper|conductor|trucker|courier|carrier|instructor|scientist|chemist|assembler";

/// `alternation` as written, in capitals and in lower case.
fn in_three_casings(alternation: &str) -> String {
    format!(
        "(?:{alternation}|{}|{})",
        alternation.to_uppercase(),
        alternation.to_lowercase()
    )
}

fn labelled(labels: &str) -> String {
    format!(r"(?i:\b(?:{labels})){ID_SUFFIX}{ID_VALUE}")
}

fn marked(labels: &str) -> String {
    format!(r"(?i:\b(?:{labels})){ID_MARKER}{ID_VALUE}")
}

fn sources() -> Vec<(&'static str, String, usize, Check)> {
    let phone_body = r"(?:\+?1[-. ]?)?(?:\(\d{3}\)\s?|\b\d{3}[-. ])\d{3}[-. ]\d{4}\b";
    vec![
        ("EMAIL", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b".into(), 0, Check::None),
        ("URL", r#"(?i)\b(?:https?://|ftp://|www\.)[^\s<>"']+[^\s<>"'.,;:)]"#.into(), 0, Check::None),
        // A bare web address: "mychart.baystatehealth.org", "valleyortho.com/forms".
        ("URL", r#"(?i)\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|us|io|info|health|care|biz)\b(?:/[^\s<>"']*[^\s<>"'.,;:)])?"#.into(), 0, Check::None),
        ("IP", r"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b".into(), 0, Check::None),
        ("SSN", r"\b\d{3}-\d{2}-\d{4}\b".into(), 0, Check::None),
        ("SSN", r"(?i)\b(?:ssn|soc(?:ial)? sec(?:urity)?(?: number| no\.?| #)?)\s*[:#]?\s*(\d{9}|\d{3} \d{2} \d{4})\b".into(), 1, Check::None),
        ("SSN", r"(?i:\b(?:ssn|social security(?: number| no\.?| #)?)\s*(?:last\s*(?:4|four)(?:\s*digits)?|ending(?:\s*in)?|xxx-xx-|\*\*\*-\*\*-)\s*[:#]?\s*)(\d{4})\b".into(), 1, Check::None),
        ("FAX", format!(r"(?i:\b(?:fax|facsimile|f)\b)\s*(?:#|no\.?|number)?\s*[:.]?\s*({phone_body})"), 1, Check::None),
        ("PHONE", format!(r"{phone_body}(?:\s*(?:[xX]|(?i:ext)\.?)\s*\d{{1,5}})?"), 0, Check::None),
        ("PHONE", r"\b\d{3}-\d{4}\b".into(), 0, Check::None),
        ("PHONE", r"(?i:\b(?:pager|beeper|pgr|pg|ext\.?|extension|x))\s*(?:#|no\.?|number)?\s*[:.]?\s*#?\s*(\d{4,5})\b".into(), 1, Check::None),
        ("PHONE", r"(?i:\b(?:pager|beeper|pgr|phone|tel|telephone|cell|mobile|ph|call|contact|pg)\b)\.?\s*(?:#|no\.?|number)?\s*[:.]?\s*#?\s*(\+?\d[\d().-]{3,}\d)\b".into(), 1, Check::None),
        ("HEALTH_PLAN", labelled(r"member|subscriber|policy|medicaid|medicare|hicn|mbi|beneficiary"), 1, Check::IdLength),
        ("HEALTH_PLAN", marked(r"insurance|insurer|group|plan|payer|payor|coverage|health plan"), 1, Check::IdLength),
        ("ACCOUNT", labelled(r"account|acct\.?|claim"), 1, Check::IdLength),
        ("ACCOUNT", marked(r"billing|invoice|fin|financial"), 1, Check::IdLength),
        ("VEHICLE", r"(?i:\b(?:licen[cs]e plate|plate|tag number|vin|vehicle(?: identification)?))(?:\s*(?:id|#|number|no\.?))?\s*[:#]?\s*#?\s*([A-Z0-9]{1,4}[- ]?[A-Z0-9]{2,6})\b".into(), 1, Check::IdLength),
        ("VEHICLE", r"\b[A-HJ-NPR-Z0-9]{17}\b".into(), 0, Check::IdLength),
        // A nickname: 'pt goes by "bud"', "known as Red".
        ("NAME", r#"(?:\b(?i:goes by|known as|prefers to be called|nicknamed|a\.k\.a\.?|aka)[ \t]+["']?)([A-Za-z][A-Za-z'-]+)"#.into(), 1, Check::None),
        // A pet's name places its owner: "a dog (Biscuit)", "cat named Mochi".
        ("NAME", r"\b(?i:dogs?|cats?|pupp(?:y|ies)|kittens?|pets?|parrots?|horses?)[ \t]+(?i:named|called)[ \t]+([A-Za-z][A-Za-z]+)\b".into(), 1, Check::None),
        ("NAME", r"\b(?i:dogs?|cats?|pupp(?:y|ies)|kittens?|pets?)[ \t]*\([ \t]*([A-Z][a-z]+)[ \t]*\)".into(), 1, Check::None),
        // "walks with her dog Pepper": a capitalised word right after someone's pet.
        ("NAME", r"\b(?i:her|his|their|my|our|pt's|patient's)[ \t]+(?i:dogs?|cats?|pupp(?:y|ies)|kittens?|parrots?|horses?)[ \t]+([A-Z][a-z]+)\b".into(), 1, Check::None),
        // Lower case: "plate 8kxt942", "vin 1ftfw1ef3eke57182" (a digit in the plate, since
        // "plate count" is none).
        ("VEHICLE", r"(?i:\b(?:licen[cs]e plate|plate|tag number))(?:\s*(?:#|number|no\.?))?\s*[:#]?\s*#?\s*([a-z]{0,3}\d[a-z0-9]{3,6})\b".into(), 1, Check::IdLength),
        ("VEHICLE", r"(?i:\bvin)\s*[:#]?\s*([a-hj-npr-z0-9]{17})\b".into(), 1, Check::IdLength),
        ("LICENSE", labelled(r"licen[cs]e|lic\.?|dea|npi|upin|cdl"), 1, Check::IdLength),
        ("LICENSE", marked(r"certificate|cert\.?|registration"), 1, Check::IdLength),
        ("DEVICE", labelled(r"serial(?:\s+(?:sn|s/n))?|s/n|udi|lot|asset(?:\s+tag)?"), 1, Check::IdLength),
        ("DEVICE", marked(r"sn|device|implant|pacemaker|defibrillator|monitor|tele(?:metry)?(?:\s+box)?"), 1, Check::IdLength),
        ("MRN", labelled(r"mrn|chart|mr\s*#|med(?:ical)?\s*rec(?:ord)?s?(?:\s*(?:number|no\.?|#))?|unit\s*(?:number|no\.?|#)"), 1, Check::IdLength),
        ("MRN", marked(r"mr|record|unit|hospital|patient|pt|emr|ehr|hosp"), 1, Check::IdLength),
        ("OTHER_ID", labelled(r"alien|a-number|uscis|passport|visa|room|rm|accession|acc\.?|login|specimen|requisition|csn|barcode|badge|employee|identifier|id|username|user\s*name|user\s*id|screen\s*name|docket|citation|booking"), 1, Check::IdLength),
        ("OTHER_ID", marked(r"randomization|enrollment|case|irb|report|incident|order|encounter|visit|study|ticket|reference|ref|control|har|episode|sample|tracking|confirmation"), 1, Check::IdLength),
        ("OTHER_ID", r"\b\d{7,}\b".into(), 0, Check::None),
        // A pharmacy's store number places the patient: "CVS #4471", "pharmacy # 2210".
        ("OTHER_ID", r"(?i:\b(?:cvs|walgreens|rite aid|walmart|kroger|costco|safeway|publix|pharmacy|store|mart|drug|drugs|market))[ \t]*#[ \t]*(\d{2,6})\b".into(), 1, Check::None),
        // Case, order and accession numbers by their shape: "S25-114482", "SP-25-30917",
        // "RQ4417702".
        ("OTHER_ID", r"\b[A-Z]{1,3}\d{6,}\b".into(), 0, Check::None),
        ("OTHER_ID", r"\b(?:[A-Z]{1,4}\d{0,4}|\d{2}|(?:19|20)\d{2})-(?:\d{2}-)?\d{5,}\b".into(), 0, Check::None),
        // Letters, a year's two digits, then a serial: "case AC-26-1193".
        ("OTHER_ID", r"\b[A-Z]{1,4}-\d{2}-\d{4}\b".into(), 0, Check::None),
        // A long code of capitals and digits with no label: a tracking or reference number
        // ("1Z999AA10123456784").
        ("OTHER_ID", r"\b(?:[A-Z]+\d|\d+[A-Z])[A-Z0-9]{8,}\b".into(), 0, Check::ManyDigits),
        ("AGE", r"(?i)\b((?:9\d|1[0-2]\d)(?:\.\d+)?)\s*(?:-|\s)?\s*(?:yo[mf]?\b|y/o|y\.o\.?|yrs?\b|years?\b|year-old|yr-old|y\b)".into(), 1, Check::None),
        ("AGE", r"(?i)\b(?:age[ds]?|aged)\s*:?\s*((?:9\d|1[0-2]\d))\b".into(), 1, Check::None),
        ("AGE", r"(?i:\b(?:died|passed away|passed|deceased|expired|death|turned|turns|turning|lived to|living at|alive at)\s+(?:at\s+)?(?:the\s+)?(?:age\s+(?:of\s+)?)?)(9\d|1[0-2]\d)\b".into(), 1, Check::None),
        ("AGE", r"\b(9\d)\s?(?:yo\s?)?[MF]\b".into(), 1, Check::AgeSex),
        ("DATE", r"\b\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\b".into(), 0, Check::None),
        ("DATE", r"\b(?:\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|\d{1,2}-\d{1,2}-(?:\d{4}|\d{2})|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2}))\b".into(), 0, Check::NotRatio),
        ("DATE", r"\b(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}\b".into(), 0, Check::None),
        // A month and a year's two digits, which no day can be, after a word that dates:
        // "last seen 12/86", "completed 10/75", "return 8/79".
        ("DATE", r"(?i:\b(?:in|since|seen|return|rtc|completed|started|stopped|until|till|from|dated|through|thru|before|after|diagnosed|dx|f/u|fu)[ \t]+)((?:0?[1-9]|1[0-2])/(?:3[2-9]|[4-9]\d))(?:[ \t]*[.,;:)]|[ \t]*\r?\n|[ \t]*$|[ \t]+[A-Za-z][a-z])".into(), 1, Check::None),
        // A nursing shift's hours in a note's heading: "CCU NPN 7P-7A", "npn 3-11", "Psych unit
        // nursing 7-3", "7a-7p shift".
        ("DATE", format!(r"(?:\b(?i:npn|nsg|nursing|nurse's|nurses|rn|lpn|cna)[ \t]+(?:(?i:note|progress[ \t]+note|notes)[ \t]+)?)((?i:{SHIFT_HOURS}|7a-7a|7p-7p))\b"), 1, Check::None),
        ("DATE", format!(r"\b((?i:{SHIFT_HOURS}))[ \t]+(?i:shift)\b"), 1, Check::None),
        ("DATE", r"\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b".into(), 0, Check::None),
        // "March 3, 2024", "Mar 3", "March of 2019": one regex for the three, since a month's
        // short name ("mar", "dec", "oct") starts many words and each regex that fires checks
        // every one of them.
        //
        // The month in three casings rather than under `(?i)`: its prefilter then looks for
        // 36 words, not every casing of every prefix ("mAr", "MaR", ...), which made this the
        // slowest pattern to run.
        ("DATE", format!(r"\b{}\.?(?:\s+\d{{1,2}}(?i:st|nd|rd|th)?(?:,?\s+(?:\d{{4}}|'\d{{2}})\b|\b)|,?\s+(?i:of\s+)?(?:19|20)\d{{2}}\b|\s+'\d{{2}}\b)", in_three_casings(MONTH)), 0, Check::None),
        ("DATE", format!(r"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?[\s-]+{MONTH}\.?,?[\s-]+(?:\d{{4}}|\d{{2}})\b"), 0, Check::None),
        ("DATE", format!(r"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b"), 0, Check::None),
        ("DATE", format!(r"(?i:\b(?:in|since|during|until|till|through|thru|by|early|late|mid|last|next|this|before|after|from|of|return|rtc|due|seen|visit)[ \t-]+(?:(?:about|around|approx(?:imately|\.)?|roughly)[ \t]+)?)({MONTH_NAME}|{LOWER_MONTH_NAME})\b"), 1, Check::None),
        // "moving to albany in jan for a job", "rtc may.": a month's short name or "may" after a
        // word of time, where a sentence or phrase ends after it ("lot numbers in MAR" is the
        // medication record).
        ("DATE", r"(?i:\b(?:in|since|until|till|by|rtc|return|due|before|after|from|early|late|mid|next|last|expected|planned|scheduled)[ \t]+)((?i:jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec)\.?|(?i:may))(?:[ \t]*[,;:)!?]|\.(?:[ \t]|\r?\n|$)|[ \t]*\r?\n|[ \t]*$|[ \t]+(?i:for|and|or|to|when|if|at|of|with)\b|[ \t]+\d)".into(), 1, Check::None),
        // "(March and July 2026)", "June-August": a month's name beside another month.
        ("DATE", format!(r"\b({MONTH_NAME}){MONTH_JOINER}(?:{MONTH_NAME})\b"), 1, Check::None),
        ("DATE", format!(r"\b(?:{MONTH_NAME}){MONTH_JOINER}({MONTH_NAME})\b"), 1, Check::None),
        ("DATE", r"\b(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])\b".into(), 0, Check::MonthDay),
        ("DATE", r"(?i)\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?".into(), 0, Check::ClockTime),
        ("DATE", r"(?i)\b(?:1[0-2]|[1-9])\s*(?:am|pm|a\.m\.|p\.m\.)".into(), 0, Check::None),
        ("DATE", r"(?i)\b(?:[01]\d|2[0-3])[0-5]\d\s*(?:hrs|hours|h)\b".into(), 0, Check::None),
        ("DATE", r"\b(?:[01]\d|2[0-3])[0-5]\d(?:-(?:[01]\d|2[0-3])[0-5]\d)?\b".into(), 0, Check::MilitaryTime),
        ("DATE", r"(?i:\b(?:since|until|till|around|past)[ \t]+(?:(?:about|approx(?:imately|\.)?|nearly|just)[ \t]+)?)((?i:midnight|noon))\b".into(), 1, Check::None),
        // "on the 8th.": a day of the month, not "on the 3rd floor".
        ("DATE", r"(?i:\b(?:on|by|before|after|since|until|till|from|starting|through|[a-z]{3,}ed)[ \t]+the[ \t]+)(\d{1,2}(?i:st|nd|rd|th))(?:[ \t]*[.,;:)!?]|[ \t]*\r?\n|[ \t]*$|[ \t]+(?i:at|or|and|if|to|when)\b)".into(), 1, Check::None),
        ("DATE", r"(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b".into(), 0, Check::None),
        ("DATE", format!(r"(?i:\b(?:{DAY_TIME_WORDS}|from|missed|skipped)[ \t]+)((?i:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?)(?:[ \t]*[.,;:)?!]|[ \t]*$|[ \t]+(?i:if|and|or|at|am|pm|morning|afternoon|evening|night|run|runs|session|tx|treatment|appt|visit|dialysis|\d))"), 1, Check::None),
        // "MISSED WED DUE TO SNOWSTORM", "HOLD TONIGHT, RESUME SAT": a missed or resumed
        // session's day, whatever follows it.
        ("DATE", r"(?i:\b(?:missed|skipped|resume|resuming|restart)[ \t]+)((?i:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?)(?:[^/\w]|$)".into(), 1, Check::None),
        // "home Thurs with VNA": a day's short name after a word of time, whatever follows
        // it but a slash ("2.5 mg Mon/Fri" is a schedule).
        ("DATE", format!(r"(?i:\b(?:{DAY_TIME_WORDS})[ \t]+)(Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun|MON|TUES?|WED|THU(?:RS?)?|FRI|SAT|SUN|tues|thurs?)\.?(?:[^/\w]|$)"), 1, Check::None),
        // "- Mon AM: wife found him": the weekdays whose short names are also words, before a
        // part of the day.
        ("DATE", r"\b((?:Mon|Sat|Sun|MON|SAT|SUN|mon|sat|sun)\.?)[ \t]+(?i:am|pm|a\.m\.|p\.m\.|morning|afternoon|evening|night)\b".into(), 1, Check::None),
        ("DATE", r"(?:^|[^/\w])((?i:tues?|weds?|thu(?:rs?)?|fri)\.?)(?:[ \t]*[,;:)?!]|[ \t]*\.(?:\s|$)|[ \t]*$|[ \t]+(?i:if|at|am|pm|morning|afternoon|evening|night)\b)".into(), 1, Check::None),
        ("DATE", r"(?i:\b(?:in|since|until|till|through|thru|by|from|early|late|mid|last|next|this|before|after|rtc|return|due)[ \t-]+)((?i:jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec|january|february|april|june|july|august|september|october|november|december)\.?)(?:[ \t]*[.,;:)]|[ \t]*$|[ \t]+(?i:and|or|to|when|with|\d))".into(), 1, Check::None),
        ("AGE", r"(?i:\b(?:pt|patient|he|she|who|mother|father|mom|dad|grandmother|grandfather|husband|wife)[ \t]+(?:is|was)[ \t]+(?:now[ \t]+)?)(9\d|1[01]\d)(?:[ \t]*(?:and\b|,|;|\)|\.[ \t]|\.$|$))".into(), 1, Check::None),
        // In lower case only the holidays that are no other word ("labor day" is also labour).
        ("DATE", format!(r"\b(?:{HOLIDAYS}|{}|thanksgiving|christmas(?: eve| day)?|hanukkah|halloween)\b", HOLIDAYS.to_uppercase()), 0, Check::None),
        ("GEO", format!(r"\b\d{{1,6}}[A-Za-z]?\s+(?:[NSEWnsew]\.?[ \t]+)?(?:(?:\d+(?:st|nd|rd|th)|[A-Z][A-Za-z'.-]*)[ \t]+){{1,3}}(?i:{STREET_SUFFIX})\b\.?(?:,?\s*(?i:apt|apartment|suite|ste|unit|room|rm|floor|fl|#)\.?\s*#?\s*[A-Za-z0-9-]+)?"), 0, Check::NumberedStreet),
        ("GEO", r"(?i)\bP\.?\s?O\.?\s*Box\s+\d+\b".into(), 0, Check::None),
        // Roads by number ("Route 9", "Hwy 101", "Interstate 95"); not "I-131", an isotope.
        ("GEO", r"\b(?:Route|Rte\.?|Rt\.?|Highway|Hwy\.?|Interstate|State Route|County Road|Loop|Spur|Farm Road|Ranch Road|LOOP|SPUR|ROUTE|RTE\.?|HIGHWAY|HWY\.?|INTERSTATE|STATE ROUTE|COUNTY ROAD|route|rte\.?|highway|hwy\.?|interstate|state route|county road)[ \t]+\d{1,3}[A-Za-z]?\b".into(), 0, Check::None),
        // "MOTORCYCLE VS CAR ON RT 202": "RT" is also respiratory therapy, so only where a road
        // is expected.
        ("GEO", r"(?:\b(?i:on|off|along|via|near|at|from|of)[ \t]+)((?:RT|rt)\.?[ \t]+\d{1,3}[A-Za-z]?)\b".into(), 1, Check::None),
        // "the accident on I-93": an interstate by its short name where a road is expected
        // ("I-131" alone is an isotope).
        ("GEO", r"(?:\b(?i:on|off|onto|via|take|took|taking|from|near|the)[ \t]+)([Ii]-\d{1,3})\b".into(), 1, Check::None),
        // "fills at Walgreens on Main St in Keene": "St" is a street, not a saint, when a place
        // or the clause's end follows.
        ("GEO", r"\b(?:on|at|off|near|of|and)[ \t]+((?:[A-Z][a-z]+[ \t]){1,2}St)\b(?:\.?(?:[ \t]+(?:in|near|and|intersection|corner)\b|[ \t]*[,;)]|[ \t]*\r?\n|[ \t]*$)|\.[ \t]+[A-Z])".into(), 1, Check::Facility),
        ("GEO", r"\b(?:ON|AT|OFF|NEAR|OF|AND)[ \t]+((?:[A-Z]+[ \t]){1,2}ST)\b(?:\.?(?:[ \t]+(?:IN|NEAR|AND|INTERSECTION|CORNER)\b|[ \t]*[,;)]|[ \t]*\r?\n|[ \t]*$)|\.[ \t]+[A-Z])".into(), 1, Check::Facility),
        // A lowercase address needs a word that introduces one ("lives at 88 pine st") or a
        // line of its own ("118 elm street, northampton, ma 01060").
        ("GEO", r"(?:(?m:^)[ \t]*|(?i:\b(?:at|on|lives|address|addr|to|from)\b:?[ \t]+))(\d{1,6}[ \t]+(?:[a-z][a-z'-]*[ \t]+){1,3}(?:st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|boulevard|way|ct|court|pl|place|ter|terrace|cir|circle|hwy|highway|pkwy|parkway)\b\.?)".into(), 1, Check::None),
        // Transcription initials: "JQP/lw D: 11/29/2025".
        ("NAME", r"(?m)^([A-Z]{2,4})/[a-z]{2,4}\b".into(), 1, Check::None),
        ("NAME", r"(?m)^[A-Z]{2,4}/([a-z]{2,4})\b".into(), 1, Check::None),
        // "LJA:rt" above "DD: 04/13/87": with a colon only where the dictation dates follow,
        // since "CV:rrr" alone on a line is an exam finding.
        ("NAME", r"(?m)^([A-Z]{2,4}):(?:[a-z]{2,4}|[A-Z]{2,4})[ \t]*\r?\n[ \t]*(?:DD|TD|D|T)[ \t]*:".into(), 1, Check::None),
        ("NAME", r"(?m)^[A-Z]{2,4}:([a-z]{2,4}|[A-Z]{2,4})[ \t]*\r?\n[ \t]*(?:DD|TD|D|T)[ \t]*:".into(), 1, Check::None),
        // In capitals: "JQP/LW D: 11/29/2025", the dictation date after the initials.
        ("NAME", r"(?m)^([A-Z]{2,4})/[A-Z]{2,4}[ \t]+(?:DD|D)[ \t]*:".into(), 1, Check::None),
        ("NAME", r"(?m)^[A-Z]{2,4}/([A-Z]{2,4})[ \t]+(?:DD|D)[ \t]*:".into(), 1, Check::None),
        ("GEO", r"\b(?:[A-Z][a-z]+[ \t]){1,2}(?:Street|Avenue|Road|Boulevard|Lane|Drive|Parkway|Highway|Turnpike|Terrace|Circle|Rd|Ave|Blvd|Ln|Pkwy|Hwy)\b".into(), 0, Check::Facility),
        ("GEO", r"\b(?:[A-Z]+[ \t]){1,2}(?:STREET|AVENUE|ROAD|BOULEVARD|LANE|DRIVE|PARKWAY|HIGHWAY|TURNPIKE|TERRACE|CIRCLE)\b".into(), 0, Check::UpperStreet),
        ("GEO", format!(r"\b((?:[A-Z][A-Za-z.'-]+[ \t]){{0,2}}[A-Z][A-Za-z.'-]+),?[ \t]+(?:{STATE_ABBR}|{STATE_NAME})\b([ \t]+\d{{5}}(?:-\d{{4}})?\b)?"), 0, Check::CityState),
        ("GEO", format!(r"\b(?:{STATE_ABBR})\s+(\d{{5}}(?:-\d{{4}})?)\b"), 1, Check::None),
        ("GEO", r"\b((?:[A-Z][A-Za-z.'-]+[ \t]){0,2}[A-Z][A-Za-z.'-]+),?[ \t]+\d{5}(?:-\d{4})?\b".into(), 0, Check::CityZip),
        ("GEO", r"\b((?:[a-z][a-z'-]+[ \t]){0,2}[a-z][a-z'-]+),?[ \t]+\d{5}(?:-\d{4})?\b".into(), 0, Check::CityZip),
        ("GEO", r"(?i:\bzip(?:\s*code)?)\s*[:#]?\s*(\d{5}(?:-\d{4})?)\b".into(), 1, Check::None),
        ("GEO", r"\b(?:[A-Z][a-z]+[ \t]){1,2}(?:County|Parish)\b|\b(?:[A-Z]+[ \t]){1,2}(?:COUNTY|PARISH)\b".into(), 0, Check::None),
        ("HOSPITAL", format!(r"\b(?:(?:St\.?|Saint)\s+)?(?:[A-Z][A-Za-z'&.-]*[ \t]+(?:(?:of|for|and)[ \t]+(?:the[ \t]+)?)?){{1,5}}(?:{FACILITY_SUFFIX})\b"), 0, Check::Facility),
        ("HOSPITAL", format!(r"\b(?:[A-Z][A-Z'&.-]*[ \t]+(?:(?:OF|FOR|AND)[ \t]+(?:THE[ \t]+)?)?){{1,5}}(?:{})\b", FACILITY_SUFFIX.to_uppercase()), 0, Check::UpperFacility),
        // "Pharmacy: Discount Drug Mart #47": a pharmacy's name after its label, in mixed case
        // (in capitals "PHARMACY:" heads a section of sentences).
        ("HOSPITAL", r"\b(?:Pharmacy|Preferred [Pp]harmacy)[ \t]*:[ \t]*((?:[A-Z][a-z][A-Za-z'&-]*[ \t]+){0,3}[A-Z][a-z][A-Za-z'&-]*)".into(), 1, Check::Employer),
        // "presented to the UTMB emergency department": an institution's initials before its
        // emergency department.
        ("HOSPITAL", r"(?:\b(?i:to|at|from|in)[ \t]+(?:the[ \t]+)?)([A-Z]{2,6})[ \t]+(?:emergency (?:department|room)|Emergency (?:Department|Room)|ED|ER)\b".into(), 1, Check::Facility),
        // "brought from UIC dorm", "works at the Tyson plant": a name before the kind of site.
        ("HOSPITAL", r"(?:\b(?i:from|at|to|near)[ \t]+(?i:the[ \t]+)?)((?:[A-Z][A-Za-z&'-]*[ \t]+){0,2}[A-Z][A-Za-z&'-]*)[ \t]+(?i:dorm|dormitory|campus|warehouse|plant|factory|distribution center|hub|depot|mill|refinery|shipyard)\b".into(), 1, Check::Facility),
        // A health system by its own name: "UW Health", "Howard Brown Health"; without "of"
        // between, which "state of health" has.
        ("HOSPITAL", r"\b(?:[A-Z][A-Za-z'&.-]*[ \t]+){1,3}(?:Health|HEALTH)\b".into(), 0, Check::HealthSystem),
        // "Governor's Center", "Loomis's Centre", "FROM GOVERNOR'S CENTER": a centre named for someone.
        ("HOSPITAL", r"\b(?:[A-Z][A-Za-z&.-]*[ \t]+){0,3}[A-Z][a-z]+'s[ \t]+Cent(?:er|re)\b".into(), 0, Check::Facility),
        ("HOSPITAL", r"\b(?:[A-Z][A-Z&.-]*[ \t]+){0,3}[A-Z]+'S[ \t]+CENT(?:ER|RE)\b".into(), 0, Check::UpperFacility),
        // An employer: "works as a bus driver for Metro Transit", "her employer (Riverside
        // Elementary School)".
        ("HOSPITAL", format!(r"(?:\b(?i:works|work|working|worked|employed|jobs?|shifts?)[ \t]+(?:[a-z]+[ \t]+)?(?i:as[ \t]+an?[ \t]+[a-z][a-z \t-]{{1,30}}?[ \t]+)?(?i:for|at|by)[ \t]+(?:the[ \t]+)?|\b(?:{OCCUPATIONS}|attendant)[ \t]+(?:for|at|with)[ \t]+(?:the[ \t]+)?|\b(?i:daycare|day care|preschool)[ \t]*[:(][ \t]*|\b(?i:employer)(?:[ \t]*[:(][ \t]*|[ \t]+)|\b(?i:school|college)[ \t]*:[ \t]*)((?:[A-Z][A-Za-z'&-]*[ \t]+){{0,3}}[A-Z][A-Za-z'&-]*)"), 1, Check::Employer),
        // "works at target in holyoke mall", "a line cook at the student prince downtown": in
        // lower case, where a patient works is named when a known town, a street or
        // "downtown" follows it.
        ("HOSPITAL", format!(r"\b(?:works|working|worked|employed|job|daycare|preschool|school|church|{OCCUPATIONS}){LOWER_EMPLOYER_NAME}(?:in[ \t]+([a-z]+(?:[ \t]+[a-z]+)?)|on[ \t]+[a-z]+(?:[ \t]+[a-z]+)?[ \t]+(?:st|rd|ave|blvd|ln|dr|street|road|avenue|lane|drive|way|hwy|highway|pike)\b|downtown\b)"), 1, Check::LowerEmployer),
        // "daycare at bright horizons longmeadow.", "at work at intel folsom.": the same with the
        // town right after the name, where the sentence ends.
        ("HOSPITAL", format!(r"\b(?:works|working|worked|employed|job|work|daycare|preschool|school|church|{OCCUPATIONS}){LOWER_EMPLOYER_NAME}([a-z]+(?:[ \t]+[a-z]+)?)[ \t]*(?:[.,;:)]|\r?\n|$)"), 1, Check::LowerEmployer),
        // "a 41 yo MTA bus operator", "USPS mail carrier": an employer's initials before the
        // patient's job ("ICU nurse" names a unit: clinical words are no employer).
        ("HOSPITAL", format!(r"\b([A-Z]{{2,5}})[ \t]+(?:[a-z]+[ \t]+)?(?:{OCCUPATIONS})\b"), 1, Check::NameOnly),
        // A union's local: "Union rep (TWU Local 100)", "SEIU Local 1199".
        ("HOSPITAL", r"\b(?:[A-Z][A-Za-z&.-]*[ \t]+){1,3}Local[ \t]+\d{1,4}\b".into(), 0, Check::None),
        // "may return to Target (cashier)": a name with the patient's job after it in brackets.
        ("HOSPITAL", format!(r"\b((?:[A-Z][A-Za-z'&-]*[ \t]+){{0,2}}[A-Z][A-Za-z'&-]*)[ \t]*\((?i:{OCCUPATIONS})\)"), 1, Check::Employer),
        // "a retired MBTA bus driver", "a retired Caterpillar machinist": the employer before
        // an occupation.
        ("HOSPITAL", format!(r"\b(?i:retired|former|ex-)[ \t]*((?:[A-Z][A-Za-z&'-]*[ \t]+){{0,2}}[A-Z][A-Za-z&'-]*)[ \t]+(?:[a-z]+[ \t]+)?(?i:{OCCUPATIONS})\b"), 1, Check::RetiredFrom),
        // A handoff list names patients by bed: "bed 4 kowalski - pain ctrl'd", "Rm 12: Abara".
        ("NAME", r"\b(?i:bed|rm|room)[ \t]*#?[ \t]*\d{1,3}[A-Za-z]?(?:[ \t]*(?:[-:]|–)[ \t]*|[ \t]+)([A-Za-z][A-Za-z'-]+)(?:[ \t]*(?:[-:(,]|–)|[ \t]*$)".into(), 1, Check::NameOnly),
        // State agencies that place a patient in their care ("case manager at DMH").
        ("HOSPITAL", r"(?:\b(?i:at|from|with|by|to|via|contact|contacted|notify|notified|call|called)[ \t]+)(DMH|DCF|DDS|DYS|DSS|DTA|dmh|dcf|dys|dta)\b".into(), 1, Check::None),
        // A town's or a company's ambulance service: "Coastline EMS", "MONTAGUE EMS"; in
        // capitals or lower case only after a town the lists know, since "BIB EMS" and "NO EMS"
        // name none.
        ("HOSPITAL", r"\b(?:[A-Z][a-z][A-Za-z'&-]*[ \t]+){1,3}EMS\b".into(), 0, Check::Facility),
        ("HOSPITAL", r"\b((?:[A-Z][A-Z'-]+[ \t]+){1,2})EMS\b".into(), 0, Check::Town),
        ("HOSPITAL", r"\b((?:[a-z][a-z'-]+[ \t]+){1,2})ems\b".into(), 0, Check::Town),
        // A bar named as where something happened: "ASSAULTED OUTSIDE THE DUGOUT BAR"; not
        // "AT THE GRAB BAR" (the kinds of bar are generic words).
        ("HOSPITAL", r"(?:\b(?i:outside|at|from|near|behind|leaving|left|front of)[ \t]+(?:the|THE|The)[ \t]+)((?:[A-Z][A-Za-z'-]*[ \t]+){1,2}(?:Bar|BAR))\b".into(), 1, Check::Facility),
        // A transit agency's ride service places the patient: "Transportation via GATRA
        // paratransit".
        ("HOSPITAL", r"\b((?:[A-Z][A-Za-z&'-]*[ \t]+)?[A-Z][A-Za-z&'-]*)[ \t]+(?i:paratransit)\b".into(), 1, Check::Facility),
        // An ambulance company that brought the patient in ("bib amr").
        ("HOSPITAL", r"(?:\b(?i:bib|by|via|transport:?)[ \t]+)(AMR|amr|Falck|FALCK|falck|(?i:life ?star|life ?flight|med ?flight))\b".into(), 1, Check::None),
        // Where a patient fills prescriptions places them; "CVS" alone is also chorionic
        // villus sampling, so it needs "to"/"at"/"from" before it.
        ("HOSPITAL", r"\b(?:Walgreens|WALGREENS|walgreens|Rite Aid|RITE AID|rite aid|Duane Reade|DUANE READE)\b".into(), 0, Check::None),
        ("HOSPITAL", r"(?:\b(?i:to|at|from|via|pharmacy:?|pharmacy is)[ \t]+)(CVS|cvs)\b".into(), 1, Check::None),
        // Health systems known by one word that is also an English word or a surname: "take
        // her to Mercy", "MRI at Shriners".
        ("HOSPITAL", r"(?:\b(?i:to|at|from|via)[ \t]+(?:the[ \t]+)?)(Mercy|MERCY|Shriners|SHRINERS|Kaiser|KAISER|Sutter|Lahey|LAHEY|Geisinger|Baystate|BAYSTATE|Beaumont|Novant|Sentara|Intermountain|Kindred|KINDRED|Encompass|Quest|QUEST|Cedars-Sinai|Hopkins|Mass General|MGH|Brigham|BWH|BMC|UMMC|UPMC|CHOP|Beth Israel|BIDMC|baystate|shriners|lahey|geisinger|sentara|novant|bidmc|mgh|bwh|spaulding|quest|Banner|BANNER|Ochsner|OCHSNER|ochsner|Atrium|Advocate|ADVOCATE|Ascension|ASCENSION|Piedmont|PIEDMONT|Essentia|ESSENTIA|Sanford|SANFORD|Allina|ALLINA|Corewell|COREWELL|Mayo|MAYO|Parkland|PARKLAND|parkland|Grady|GRADY|Harborview|HARBORVIEW|harborview)\b".into(), 1, Check::None),
        // "XFER FROM NOBLE ED", "seen at Cooley ER": the word before a hospital's emergency
        // department names the hospital.
        ("HOSPITAL", r"(?:\b(?i:from|at|to|in|via)[ \t]+)([A-Z][A-Za-z'-]+)[ \t]+(?:ED|ER|E\.D\.)(?:[ \t]*[.,;:)]|[ \t]*\r?\n|[ \t]*$|[ \t]+)".into(), 1, Check::NamesAnEd),
        // "drive him to mercy ed": in lower case without "the" ("at the mercy of" is a phrase).
        ("HOSPITAL", r"(?:\b(?:to|at|from|via)[ \t]+)(mercy)\b".into(), 1, Check::None),
        // A merged hospital named for its places: "F/U HAND CLINIC AT NEWTON-WELLESLEY".
        ("HOSPITAL", r"(?:\b(?i:at|to|from|via)[ \t]+(?:the[ \t]+)?)((?:[A-Z][a-z]+|[A-Z]+)-(?:[A-Z][a-z]+|[A-Z]+))\b".into(), 1, Check::JoinedPlaces),
        // A VA facility named for its place: "followed at VA Central Western Massachusetts",
        // "VA Palo Alto".
        ("HOSPITAL", format!(r"\bVA[ \t]+(?:[A-Z][a-z]+[ \t]+){{0,3}}(?:{STATE_NAME})\b"), 0, Check::None),
        ("HOSPITAL", r"\bVA[ \t]+((?:[A-Z][a-z]+[ \t]+){0,2}[A-Z][a-z]+)\b".into(), 0, Check::Town),
        // "last admit at st vincent's": a saint's name is a hospital's in any case.
        ("HOSPITAL", r"(?:\b(?:at|to|from|@)[ \t]+)((?:st|saint)\.?[ \t]+[a-z]+(?:'|\x{2019})s)\b".into(), 1, Check::None),
        // Lowercase notes: "f/u at westside urgent care", "pediatrician kids first pediatrics".
        ("HOSPITAL", format!(r"(?:(?:\b(?:at|to|from|with|of|per|by|via|admit|attends|owns|runs|pediatrician|peds:?|pcp|facility|snf|agency:?|lab:?|unit:?|school:?|(?:rn|lpn|np|md|do|cna|msw|lcsw|licsw|lmsw|rd|rrt|pt|ot|slp|chaplain),)|[-|]|–|—)[ \t]+|\()((?:[a-z][a-z'&.-]*[ \t]+){{1,3}}(?:{LOWERCASE_FACILITY_SUFFIX})\b)"), 1, Check::LowerFacility),
        // A letterhead's line names the practice: "riverbend urology associates".
        ("HOSPITAL", format!(r"(?m:^)[ \t]*((?:[a-z][a-z'&.-]*[ \t]+){{1,3}}(?:{LOWERCASE_FACILITY_SUFFIX}))[ \t]*(?:\r?\n|$)"), 1, Check::LowerFacility),
        // A lowercase address block or sentence: "oxnard, ca 93035", "from: cheshire medical
        // center, keene, nh".
        ("GEO", format!(r"\b((?:[a-z][a-z'-]+[ \t]){{0,2}}[a-z][a-z'-]+),[ \t]*(?:{})(?:[ \t]+(\d{{5}}(?:-\d{{4}})?))?\b(?:[ \t]*[.,;)]|[ \t]*\r?\n|[ \t]*$|[ \t]+\d)", STATE_ABBR.to_lowercase()), 0, Check::LowerCityState),
        ("GEO", format!(r",[ \t]*(?:{})[ \t]+(\d{{5}}(?:-\d{{4}})?)\b", STATE_ABBR.to_lowercase()), 1, Check::None),
        // A practice named for its specialty: "Pioneer Valley Orthopedics", "Concord
        // Occupational Health", "Lakeshore Hematology"; "Appreciate Cardiology" is no name.
        ("HOSPITAL", format!(r"\b(?:[A-Z][A-Za-z'&.-]*[ \t]+){{1,4}}(?:{PRACTICE_SUFFIX})\b"), 0, Check::Practice),
        ("HOSPITAL", format!(r"\b(?:[A-Z][A-Z'&.-]*[ \t]+){{1,4}}(?:{})\b", PRACTICE_SUFFIX.to_uppercase()), 0, Check::Practice),
        // A town's police or fire department places the patient: "notified by Leominster PD".
        ("HOSPITAL", r"\b((?:[A-Z][A-Za-z'-]+[ \t]){1,2}|(?:[A-Z][A-Z'-]+[ \t]){1,2})(?:PD|FD|Police(?: Department| Dept\.?)?|Fire(?: Department| Dept\.?| Rescue)?|POLICE(?: DEPARTMENT| DEPT\.?)?|FIRE(?: DEPARTMENT| DEPT\.?| RESCUE)?)\b".into(), 0, Check::Town),
        // "the adult day center of northampton": in lower case, an organisation named for its
        // town gives the town away.
        // "i am at wellspan ephrata office": in lower case, a town between a company and its site.
        ("GEO", r"(?:\b(?:at|from|to)[ \t]+[a-z][a-z'&-]*[ \t]+)((?:[a-z]+[ \t]+)?[a-z]+)[ \t]+(?:office|clinic|site|campus|location|branch)\b".into(), 1, Check::Town),
        ("GEO", r"(?:\b(?:center|centre|club|program|services|association|associates|practice|partners|physicians|house|council|coalition|alliance|ymca|ywca)[ \t]+of[ \t]+(?:greater[ \t]+)?)((?:(?:east|west|north|south|new|great|old)[ \t]+)?[a-z]+)\b".into(), 1, Check::Town),
        // "narcan x2 by holyoke fd": the same in lower case, after a town the lists know and a
        // word that says who acted ("prefers home pd" is peritoneal dialysis).
        ("HOSPITAL", r"(?:\b(?:by|bib|per|from|via|with|called|notified|and)[ \t]+)((?:[a-z][a-z'-]+[ \t]){1,2})(?:pd|fd|police(?: department| dept\.?)?|fire(?: department| dept\.?| rescue)?)\b".into(), 0, Check::Town),
        // Organisations and chains that place a patient wherever they are named.
        ("HOSPITAL", r"\b(?:YMCA|YWCA|Planet Fitness|Home Depot|Wal-?[Mm]art|WALMART|Costco|COSTCO|Kroger|Safeway|Publix|Hannaford|Stop & Shop|Market Basket|Whole Foods|Trader Joe's|Starbucks|McDonald's|MCDONALD'S|Burger King|BURGER KING|Wendy's|WENDY'S|Taco Bell|Dollar Tree|DOLLAR TREE|Lowe's|LOWE'S|Dunkin'?(?: Donuts)?|Big Y|Aldi|ALDI|Family Dollar|FAMILY DOLLAR|Dollar General|DOLLAR GENERAL|Amazon|AMAZON|Goodwill|Salvation Army|SALVATION ARMY|Catholic Charities|Planned Parenthood|PLANNED PARENTHOOD|Quest Diagnostics|QUEST DIAGNOSTICS|Labcorp|LabCorp|LABCORP|NeoGenomics|NEOGENOMICS|Invitae|INVITAE|Natera|NATERA|GeneDx|GENEDX|Ambry Genetics|Guardant(?: Health|360)?|Foundation Medicine|FOUNDATION MEDICINE|BioReference|Myriad Genetics|Exact Sciences|ARUP Laborator(?:y|ies)|DaVita|DAVITA|Fresenius|FRESENIUS|FedEx|FEDEX|UPS|USPS|Sam's Club|SAM'S CLUB|Wegmans|WEGMANS|Meijer|MEIJER|Hy-Vee|HY-VEE|Winn-Dixie|WINN-DIXIE|Food Lion|FOOD LION|Giant Eagle|GIANT EAGLE|ShopRite|SHOPRITE|Wawa|WAWA|Sheetz|SHEETZ|QuikTrip|QUIKTRIP|7-Eleven|7-ELEVEN|AutoZone|AUTOZONE|Jiffy Lube|JIFFY LUBE|Chick-fil-A|CHICK-FIL-A|Panera(?: Bread)?|PANERA|Chipotle|CHIPOTLE|Olive Garden|OLIVE GARDEN|Applebee's|APPLEBEE'S|Kohl's|KOHL'S|Best Buy|BEST BUY|KinderCare|KINDERCARE|Habitat for Humanity|HABITAT FOR HUMANITY|ManorCare|MANORCARE|Acadian Ambulance|ACADIAN AMBULANCE|Tyson Foods|TYSON FOODS|HOME DEPOT|WHOLE FOODS|TRADER JOE'S|STOP & SHOP|MARKET BASKET|STARBUCKS|KROGER|SAFEWAY|PUBLIX|HANNAFORD)\b".into(), 0, Check::None),
        ("HOSPITAL", r"\b(?:ymca|ywca|costco|walmart|wal-mart|kroger|safeway|publix|hannaford|starbucks|labcorp|neogenomics|invitae|natera|genedx|davita|fresenius|market basket|stop & shop|stop and shop|big y|family dollar|dollar general|dollar tree|mcdonald's|mcdonalds|burger king|wendy's|taco bell|dunkin'?(?: donuts)?|fedex|usps|home depot|lowe's|sam's club|trader joe's|whole foods|aldi|wegmans|meijer|hy-vee|winn-dixie|food lion|giant eagle|shoprite|wawa|sheetz|quiktrip|7-eleven|autozone|jiffy lube|chick-fil-a|panera|chipotle|olive garden|applebee's|kohl's|best buy|kindercare|goodwill|salvation army|habitat for humanity|hcr manorcare|manorcare|amazon|planet fitness)\b".into(), 0, Check::None),
        // Home care, equipment and infusion suppliers: "OPAT via Option Care".
        ("HOSPITAL", r"\b(?:Option Care|OPTION CARE|option care|Coram|CORAM|Apria|APRIA|apria|Lincare|LINCARE|lincare|Byram|BYRAM|Edgepark|EDGEPARK|Bayada|BAYADA|bayada|Amedisys|AMEDISYS|amedisys|Visiting Angels|VISITING ANGELS|Home Instead|HOME INSTEAD|BrightStar|Comfort Keepers|Aveanna|AVEANNA)\b".into(), 0, Check::None),
        // The header of a dictated record, fields between bars: "490215637 | SMH | 07712940 |
        // | 883011 | 4/02/2006 ...": the site's abbreviation and every bare number are
        // identifiers.
        ("HOSPITAL", r"(?m)^\d{5,}[ \t]*\|[ \t]*([A-Z][A-Z&]{1,7})[ \t]*\|".into(), 1, Check::None),
        ("OTHER_ID", r"\|[ \t]*(\d{4,})[ \t]*(?:\||$)".into(), 1, Check::None),
        // Where a patient lives or is moved between: "resident of Heritage Woods since 2022",
        // "admitted from Briarwood"; the generic ("discharged to Rehab") is dropped.
        ("HOSPITAL", r"(?:\b(?:[Rr]esident of|[Rr]esides at|[Rr]esiding at|[Ll]ives at|[Ll]iving at|[Aa]dmitted from|[Tt]ransferred from|[Ss]ent from|[Dd]ischarged to|[Tt]ransferred to)[ \t]+(?:the[ \t]+)?)((?:[A-Z][a-z][A-Za-z'&-]*[ \t]+){0,3}[A-Z][a-z][A-Za-z'&-]*)".into(), 1, Check::Facility),
        // "lives in dorm at umass", "ride from pvta": after a word of place, a lowercase word of
        // four letters or more that no list knows and that ends as no clinical term does.
        ("HOSPITAL", r"(?:\b(?i:at|from|thru|via)[ \t]+)([a-z][a-z&'-]{3,})\b".into(), 1, Check::UnknownTerm),
        // "transport arranged w/ pvta ride": a word no list holds before a ride is the company
        // that gives it ("van" would take "nguyen van thanh").
        ("HOSPITAL", r"\b([a-z][a-z&'-]{3,})[ \t]+(?:ride|rides)\b".into(), 1, Check::UnknownTerm),
        // "lives on bainbridge island", "ferry from vinalhaven island": an island a patient
        // lives on.
        ("GEO", r"(?:\b(?i:lives|living|live|home|moved|ferry)[ \t]+(?i:on|to|from)[ \t]+)([a-z]{4,}[ \t]+island|[A-Z][a-z]{3,}[ \t]+Island|[A-Z]{4,}[ \t]+ISLAND)\b".into(), 1, Check::None),
        // "the family farm in cummington.": a place no list holds, where a sentence or clause ends.
        ("GEO", r"(?:\b(?i:in|near)[ \t]+)([a-z][a-z'-]{3,})(?:[ \t]*[,.;)]|[ \t]*\r?\n|[ \t]*$)".into(), 1, Check::UnknownTerm),
        // A lowercase employer: "fmla paperwork for her job at tjx".
        ("HOSPITAL", format!(r"(?:\b(?:works|work|working|worked|employed|job|{OCCUPATIONS})[ \t]+(?:(?:part|full)[ \t-]time[ \t]+)?(?:at|for|by)[ \t]+(?:the[ \t]+)?)([a-z][a-z&'-]{{2,}}(?:[ \t]+[a-z][a-z&'-]{{2,}})?)"), 1, Check::UnknownWord),
        // A lowercase street named without a number: "evicted from apt on hillcrest rd".
        ("GEO", r"(?:\b(?:on|off|at|near)[ \t]+)((?:[a-z][a-z'-]+[ \t]+){1,2}(?:st|rd|ave|blvd|ln|street|road|avenue|lane|drive|terrace|ter|pkwy|parkway|hwy|court|ct|circle|cir|pike)\b\.?)".into(), 1, Check::Street),
        // A pharmacy's branch by its street: "rx sent to rite aid state st", "Rite Aid
        // University Dr".
        ("GEO", r"(?:\b(?i:walgreens|rite aid|cvs)(?:[ \t]+#?\d+)?,?[ \t]+(?i:on[ \t]+|at[ \t]+)?)((?:[A-Za-z][A-Za-z'-]+[ \t]+){1,2}(?i:st|rd|ave|blvd|dr|street|road|avenue|drive|pike|hwy)\b\.?)".into(), 1, Check::Street),
        ("HOSPITAL", r"\b(?:Hospital|Medical Center|Hospice)[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?[A-Z][A-Za-z'&.-]*(?:[ \t][A-Z][A-Za-z'&.-]*){0,3}".into(), 0, Check::None),
    ]
}

/// Patterns for a year on its own, used only under strict mode.
const YEAR: &str = r"\b(?:19|20)\d{2}\b|'\d{2}\b";

struct Compiled {
    set: RegexSet,
    patterns: Vec<Pattern>,
}

/// Patterns are ASCII-only (`\\b`, `\\d`, `(?i)` in their ASCII sense) and run over bytes:
/// Unicode word boundaries would keep the lazy DFA from running and fall back to a much slower
/// engine. Identifiers here are ASCII; text around them may be anything.
fn compile(sources: Vec<(&'static str, String, usize, Check)>) -> Compiled {
    const DFA_CACHE: usize = 32 << 20;
    let set = RegexSetBuilder::new(sources.iter().map(|(_, s, _, _)| s))
        .unicode(false)
        .dfa_size_limit(DFA_CACHE)
        .build()
        .expect("patterns compile");
    let patterns = sources
        .into_iter()
        .map(|(kind, s, group, check)| Pattern {
            kind,
            regex: RegexBuilder::new(&s)
                .unicode(false)
                .dfa_size_limit(DFA_CACHE / 4)
                .build()
                .expect("pattern compiles"),
            group,
            check,
        })
        .collect();
    Compiled { set, patterns }
}

static DEFAULT: LazyLock<Compiled> = LazyLock::new(|| compile(sources()));
static WITH_YEARS: LazyLock<Compiled> = LazyLock::new(|| {
    let mut s = sources();
    s.push(("DATE", YEAR.into(), 0, Check::None));
    compile(s)
});

/// Appends the patterned spans of `text` (byte offsets, possibly overlapping) to `out`.
pub fn find(text: &str, years: bool, out: &mut Vec<ByteSpan>) {
    let compiled = if years { &*WITH_YEARS } else { &*DEFAULT };
    // "Admitted 10/30 ... Blood cultures 10/30 grew": an m/d that context made a date once is
    // a date wherever else the note writes it. "to OR at 0745, back to floor 1130": in a note
    // that gives a clock time its context shows, other four-digit times need no context.
    let mut note_dates = NoteDates::default();
    CAPTURE_SLOTS.with_borrow_mut(|slots| {
        let slots = &mut slots[usize::from(years)];
        if slots.is_empty() {
            slots.resize(compiled.patterns.len(), None);
        }
        find_in_paragraphs(text, compiled, slots, &mut note_dates, out);
    });
    for (start, end) in note_dates.doubted {
        if note_dates.kept.contains(&&text[start..end]) {
            out.push((start, end, "DATE"));
        }
    }
    if note_dates.clock_times > 0 {
        out.extend(
            note_dates
                .doubted_times
                .iter()
                .map(|&(s, e)| (s, e, "DATE")),
        );
    }
}

thread_local! {
    /// Each pattern's capture slots, without and with the year pattern: made the first time
    /// the pattern fires on a thread and reused for every paragraph and note after.
    static CAPTURE_SLOTS: RefCell<[Vec<Option<CaptureLocations>>; 2]> = RefCell::default();
}

fn find_in_paragraphs<'t>(
    text: &'t str,
    compiled: &Compiled,
    slots: &mut [Option<CaptureLocations>],
    note_dates: &mut NoteDates<'t>,
    out: &mut Vec<ByteSpan>,
) {
    let bytes = text.as_bytes();
    for (window_start, window_end) in paragraphs(bytes) {
        // The regexes see the text up to the paragraph's end and look behind its start, so
        // `\b` and `^` at the start still read the character before.
        let window = &bytes[..window_end];
        for i in compiled.set.matches_at(window, window_start).iter() {
            let p = &compiled.patterns[i];
            let locs = slots[i].get_or_insert_with(|| p.regex.capture_locations());
            find_one(text, p, locs, window, window_start, note_dates, out);
        }
    }
}

/// A note cut after each blank line. Each pattern runs only over the paragraphs the set says
/// it matches in, instead of over the whole note: on a long note most patterns fire somewhere,
/// and a full pass each made the scan cost grow with the note's length times the patterns
/// that fire. No identifier spans a blank line; the one kind of match that did was a false
/// one ("2026\n\nDear Dr." read as a house number and a street).
fn paragraphs(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let mut i = start;
        while let Some(nl) = bytes[i..].iter().position(|&b| b == b'\n') {
            let line_end = i + nl + 1;
            let blank = bytes[line_end..]
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\r'))
                .map(|k| line_end + k)
                .filter(|&k| bytes[k] == b'\n');
            match blank {
                Some(k) => {
                    let span = (start, k + 1);
                    start = k + 1;
                    return Some(span);
                }
                None => i = line_end,
            }
        }
        let span = (start, bytes.len());
        start = bytes.len();
        Some(span)
    })
}

/// The `m/d` matches of a note, those context made dates and those it left in doubt; and
/// how many four-digit clock times context showed, with those that could be clock times.
#[derive(Default)]
struct NoteDates<'t> {
    kept: Vec<&'t str>,
    doubted: Vec<(usize, usize)>,
    clock_times: usize,
    doubted_times: Vec<(usize, usize)>,
}

/// Every match of `p` in `bytes[from..]` that passes its check, appended to `out`; `locs`
/// are `p`'s capture slots.
fn find_one<'t>(
    text: &'t str,
    p: &Pattern,
    locs: &mut CaptureLocations,
    bytes: &[u8],
    from: usize,
    note_dates: &mut NoteDates<'t>,
    out: &mut Vec<ByteSpan>,
) {
    // Most patterns need only where they matched: the capture engines run only for those
    // with a group.
    let mut at = from;
    while at <= bytes.len() {
        let (m_start, m_end) = if p.group == 0
            && !matches!(
                p.check,
                Check::CityState | Check::CityZip | Check::Town | Check::LowerCityState
            ) {
            match p.regex.find_at(bytes, at) {
                Some(m) => (m.start(), m.end()),
                None => break,
            }
        } else {
            match p.regex.captures_read_at(locs, bytes, at) {
                Some(whole) => match locs.get(p.group) {
                    Some(span) => span,
                    None => {
                        at = whole.end().max(at + 1);
                        continue;
                    }
                },
                None => break,
            }
        };
        // The next match may start inside what this one read after its group: "AT STATE ST
        // AND MAIN ST INTERSECTION" reads "AND" after the first street and before the second.
        at = m_end.max(at + 1);
        // A pattern may end inside a multi-byte character (a URL runs to the next space):
        // spans always cover whole characters.
        let mut end = m_end;
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let mut start = m_start;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        match p.check {
            Check::None => {}
            Check::IdLength => {
                if end - start < 4 {
                    continue;
                }
            }
            Check::NotRatio => {
                if !plausible_date(text, start, end) {
                    continue;
                }
            }
            Check::MonthDay => {
                if !month_day_is_date(text, start, end) {
                    note_dates.doubted.push((start, end));
                    continue;
                }
                note_dates.kept.push(&text[start..end]);
            }
            Check::NamesAnEd => {
                let Some((s, e)) = locs.get(1) else { continue };
                let word = text[s..e].to_ascii_lowercase();
                if STREET_DETERMINERS.contains(&word.as_str())
                    || ED_QUALIFIERS.contains(&word.as_str())
                    || is_generic_word(&word)
                    || words::is_clinical_term(&word)
                {
                    continue;
                }
            }
            Check::LowerEmployer => {
                let Some((s, e)) = locs.get(1) else { continue };
                let first = text[s..e].split([' ', '\t']).next().unwrap_or("");
                let last = text[s..e].rsplit([' ', '\t']).next().unwrap_or("");
                // "usps in easthampton.": the town-after-the-name reading ran a preposition
                // into the name; the reading with "in" has it.
                if matches!(last, "in" | "at" | "on" | "of" | "near" | "by" | "based") {
                    continue;
                }
                // Without a town the regex matched a street after "on" or "downtown", which
                // place it too. With one, the town's place: all of it, or its first word ("in
                // holyoke mall"); a town no list knows is no place.
                let town = match locs.get(2) {
                    None => None,
                    Some((ts, te)) => {
                        let whole = &text[ts..te];
                        let place_end = if words::is_city(whole) {
                            Some(te)
                        } else {
                            whole
                                .split_once([' ', '\t'])
                                .filter(|(one, _)| words::is_city(one))
                                .map(|(one, _)| ts + one.len())
                        };
                        match place_end {
                            Some(pe) => Some((ts, pe)),
                            None => continue,
                        }
                    }
                };
                // "a teacher at the high school in ware": only a facility's generic words.
                if STREET_DETERMINERS.contains(&first)
                    || is_generic_word(first)
                    || facility_start(text, s, e).is_none()
                    || matches!(
                        first,
                        "home" | "night" | "nights" | "work" | "least" | "times"
                    )
                {
                    continue;
                }
                // The town is a place too, whether "in" comes before it or not. Without "in"
                // it must be no English word: "the student prince downtown;".
                if let Some((ts, te)) = town {
                    let after_in = text[..ts].trim_end_matches([' ', '\t']).ends_with(" in");
                    let first_word = text[ts..te].split([' ', '\t']).next().unwrap_or("");
                    if !after_in && words::is_common_word(first_word) {
                        continue;
                    }
                    out.push((ts, te, "GEO"));
                }
            }
            Check::RetiredFrom => {
                let Some((s, e)) = locs.get(1) else { continue };
                // In capitals an English word has no capital to set it apart ("RETIRED LETTER
                // CARRIER").
                let in_capitals = |w: &str| !w.bytes().any(|b| b.is_ascii_lowercase());
                if text[s..e].split([' ', '\t']).any(|w| {
                    words::is_clinical_term(w)
                        || words::is_proper_not_phi(w)
                        || is_generic_word(&w.to_ascii_lowercase())
                        || in_capitals(w) && words::is_common_word(w)
                }) {
                    continue;
                }
            }
            Check::NameOnly => {
                let Some((s, e)) = locs.get(1) else { continue };
                let word = &text[s..e];
                if !(words::is_unknown(word) || words::is_proper_only(word)) {
                    continue;
                }
            }
            Check::ManyDigits => {
                if text[start..end].bytes().filter(u8::is_ascii_digit).count() < 6 {
                    continue;
                }
            }
            Check::ClockTime => {
                if text.as_bytes().get(end).is_some_and(u8::is_ascii_digit) {
                    continue;
                }
            }
            Check::MilitaryTime => {
                let around = FourDigits::around(text, start, end);
                if !military_time(&around) {
                    if could_be_clock_time(&around) {
                        note_dates.doubted_times.push((start, end));
                    }
                    continue;
                }
                note_dates.clock_times += 1;
            }
            Check::CityState => {
                let city = locs.get(1).map_or("", |(s, e)| &text[s..e]);
                if locs.get(2).is_none() && !words::is_city(city) {
                    continue;
                }
            }
            Check::UpperStreet => {
                let before_suffix = text[start..end]
                    .split_whitespace()
                    .rev()
                    .nth(1)
                    .unwrap_or("");
                if matches!(
                    before_suffix,
                    "TO" | "NOT"
                        | "WILL"
                        | "CAN"
                        | "MAY"
                        | "SHOULD"
                        | "COULD"
                        | "WOULD"
                        | "MUST"
                        | "CANNOT"
                        | "NEVER"
                        | "AND"
                        | "OR"
                        | "ALSO"
                        | "THEN"
                        | "DON'T"
                        | "DONT"
                ) {
                    continue;
                }
                match facility_start(text, start, end) {
                    Some(s) => start = s,
                    None => continue,
                }
            }
            Check::HealthSystem => {
                let kind_of_health = names_a_kind_of_health(&text[start..end]);
                let in_capitals = !text[start..end].bytes().any(|b| b.is_ascii_lowercase());
                let name = if in_capitals {
                    name_after_clause(text, start, end, false)
                } else {
                    facility_start(text, start, end)
                };
                match name {
                    Some(s) if !kind_of_health => start = s,
                    _ => continue,
                }
            }
            Check::Facility => match facility_start(text, start, end) {
                Some(s) => start = s,
                None => continue,
            },
            Check::Employer => {
                let Some(s) = facility_start(text, start, end) else {
                    continue;
                };
                start = s;
                let mut words = text[s..end].split_inclusive([' ', '\t']);
                let mut at = s + words.next().map_or(0, str::len);
                for word in words {
                    if is_clause_word(&word.trim_end().to_ascii_lowercase(), false) {
                        end = text[..at].trim_end().len();
                        break;
                    }
                    at += word.len();
                }
            }
            Check::LowerFacility | Check::UpperFacility => {
                let with_for = matches!(p.check, Check::LowerFacility);
                // "WORKS AS A DENTAL ASSISTANT": the suffix and the word after it name a job, not
                // a place ("SCHOOL NURSE" still places the school).
                let next_word = word_after(text, end);
                if ["assistant", "hygienist", "technician", "receptionist"]
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(next_word))
                {
                    continue;
                }
                // "referred to neighborhood health", not "to student health".
                if with_for
                    && text[start..end].ends_with("health")
                    && names_a_kind_of_health(&text[start..end])
                {
                    continue;
                }
                match name_after_clause(text, start, end, with_for) {
                    Some(s) => start = s,
                    None => {
                        // "transfer to whitcomb manor for rehab": the regex ran on to a later
                        // suffix ("rehab") past a clause word; the name before that word
                        // stands on its own.
                        let shorter = with_for
                            .then(|| name_before_clause(text, start, end))
                            .flatten()
                            .and_then(|e| Some((facility_start(text, start, e)?, e)));
                        if let Some((s, e)) = shorter {
                            out.push((s, e, p.kind));
                        }
                        continue;
                    }
                }
            }
            Check::JoinedPlaces => {
                let Some((s, e)) = locs.get(1) else { continue };
                if !joined_places(&text[s..e]) {
                    continue;
                }
            }
            Check::NumberedStreet => {
                let street_words = text[start..end].split_whitespace().skip(1);
                if street_words.take(4).any(|w| {
                    let w = w
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_ascii_lowercase();
                    NOT_STREET_WORDS.contains(&w.as_str()) || is_clause_word(&w, true)
                }) {
                    continue;
                }
            }
            Check::Practice => match practice_start(text, start, end) {
                Some(s) => start = s,
                None => continue,
            },
            Check::Town => match locs.get(1).and_then(|(s, e)| town_start(text, s, e)) {
                Some(s) => start = s,
                None => continue,
            },
            Check::LowerCityState => {
                let Some((s, e)) = locs.get(1) else { continue };
                let town = town_start(text, s, e).or_else(|| {
                    locs.get(2)
                        .is_some()
                        .then(|| text[s..e].rfind(' ').map_or(s, |p| s + p + 1))
                });
                match town {
                    Some(t) => {
                        out.push((t, e, p.kind));
                        continue;
                    }
                    None => continue,
                }
            }
            Check::UnknownWord => {
                let Some((s, e)) = locs.get(1) else { continue };
                let mut words_in = text[s..e].split([' ', '\t']);
                let first = words_in.next().unwrap_or("");
                if !words::is_unknown(first) {
                    continue;
                }
                // "a flight attendant for jetblue based at logan": a known word after the
                // employer is not part of its name.
                if words_in.next().is_some_and(|w| !words::is_unknown(w)) {
                    end = s + first.len();
                }
            }
            Check::UnknownTerm => {
                let Some((s, e)) = locs.get(1) else { continue };
                // "from pt's wife": a common or clinical word's possessive; "at gagnon's
                // garage" stays.
                let word = &text[s..e];
                let stem = word.strip_suffix("'s").unwrap_or(word);
                let known = |w: &str| !words::is_unknown(w) && !words::is_proper_only(w);
                if known(stem) || stem != word && known(word) || words::has_term_ending(word) {
                    continue;
                }
                // "back at loomis": a town the lists know is a place, not a business.
                if words::is_city(word) {
                    out.push((start, end, "GEO"));
                    continue;
                }
            }
            Check::Street => {
                let first = text[start..end].split([' ', '\t']).next().unwrap_or("");
                if STREET_DETERMINERS.contains(&first) {
                    continue;
                }
            }
            Check::CityZip => match locs.get(1).and_then(|(s, e)| city_suffix(text, s, e)) {
                Some(s) => start = s,
                None => continue,
            },
            Check::AgeSex => {
                if !age_sex(text, start) {
                    continue;
                }
            }
        }
        out.push((start, end, p.kind));
    }
}

/// Where the words `text[start..end]` end in a known place ("Old Farm Road, Belchertown"
/// → "Belchertown"), the start of that place.
fn city_suffix(text: &str, start: usize, end: usize) -> Option<usize> {
    let words = &text[start..end];
    let mut from = 0;
    loop {
        if words::is_city(&words[from..]) {
            return Some(start + from);
        }
        from += words[from..].find([' ', '\t'])? + 1;
    }
}

/// Whether the age-and-sex shorthand at `start` is an age: not after a temperature or money.
fn age_sex(text: &str, start: usize) -> bool {
    let mut from = start.saturating_sub(16);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let before = text[from..start].to_ascii_lowercase();
    let before = before.trim_end();
    let last_word = before
        .rsplit([' ', '\t', '\n', '(', ','])
        .next()
        .unwrap_or("");
    !(before.ends_with(['$', '/', '.', '-', '+', '~'])
        || matches!(last_word, "t" | "t:" | "t=")
        || matches!(
            last_word,
            "below" | "above" | "over" | "under" | "than" | "to" | "max"
        )
        || [
            "temp", "tmax", "tmp", "fever", "febrile", "afebrile", "deg", "°", "weighs", "wt",
        ]
        .iter()
        .any(|w| before.contains(w)))
}

/// Words near `m/d` (no year) that make it a date; without one it is read as a fraction, a
/// score or a count ("2/2 blood cultures", "pain 3/10", "4/5 strength").
const DATE_CONTEXT: &[&str] = &[
    "on",
    "since",
    "from",
    "until",
    "till",
    "thru",
    "through",
    "by",
    "dated",
    "date",
    "dos",
    "admitted",
    "admission",
    "discharged",
    "discharge",
    "seen",
    "visit",
    "appt",
    "appointment",
    "drawn",
    "started",
    "stopped",
    "placed",
    "removed",
    "done",
    "performed",
    "scheduled",
    "obtained",
    "collected",
    "due",
    "next",
    "last",
    "prior",
    "before",
    "after",
    "as",
    "of",
    "starting",
    "beginning",
    "ending",
    "week",
    "weeks",
    "today",
    "tomorrow",
    "yesterday",
    "rtc",
    "f/u",
    "follow-up",
    "followup",
    "return",
    "returned",
    "surgery",
    "procedure",
    "dated",
    "effective",
    "expires",
    "expired",
    "born",
    "dob",
    "died",
    "deceased",
    "onset",
    "began",
    "occurred",
    "taken",
    "sent",
    "called",
    "faxed",
    "received",
    "reviewed",
    "signed",
    "updated",
    "changed",
    "inr",
    "labs",
    "lab",
    "rtw",
    "stroke",
    "cva",
    "mi",
    "fall",
    "fell",
    "injury",
    "fx",
    "dx",
    "diagnosed",
    "delivered",
    "delivery",
    "svd",
    "trough",
    "peak",
    "level",
    "lmp",
    "edd",
    "egd",
    "tte",
    "tee",
    "pet",
    "repeat",
    "recheck",
    "check",
    "echo",
    "ct",
    "mri",
    "cxr",
    "ekg",
    "ecg",
    "us",
    "xr",
    "note",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "or",
    "to",
    "hd",
    "pod",
    "hospd",
    "s/p",
    "c/b",
    "underwent",
];

/// A numeric date (`m/d/y`, `d.m.y`) that is not part of a ratio chain or decimal number and
/// has a month and a day in range.
fn plausible_date(text: &str, start: usize, end: usize) -> bool {
    let (before, after) = (&text[..start], &text[end..]);
    if after.starts_with(['/', '.']) && after[1..].starts_with(|c: char| c.is_ascii_digit())
        || before.ends_with(['/', '.', '-'])
    {
        return false;
    }
    let parts: Vec<u32> = text[start..end]
        .split(['/', '.', '-'])
        .filter_map(|p| p.parse().ok())
        .collect();
    matches!(parts.as_slice(), [a, b, _] if (1..=31).contains(a) && (1..=31).contains(b) && (*a <= 12 || *b <= 12))
}

/// Words that make a nearby `m/d` a score or fraction even where a date word is also near.
const NOT_DATE_NEAR: &[&str] = &[
    "pain", "score", "scores", "strength", "murmur", "apgar", "apgars", "gcs", "mood", "rated",
    "tab", "tabs", "tablet", "cores", "bp", "grade", "motor", "power", "reflexes", "cx",
    "cultures", "bottles", "positive", "vision", "acuity",
    // Ventilator settings: "psv 10/5", "BiPAP 12/6".
    "psv", "ps", "peep", "cpap", "bipap", "ipap", "vent", "simv",
];

fn month_day_is_date(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    // Part of a longer number or a ratio chain ("1/2/3", "120/80/60", "3/4.5").
    // The second date of a range "10/01-10/14".
    let range_end = before.strip_suffix('-').is_some_and(|b| {
        b.rsplit(|c: char| !(c.is_ascii_digit() || c == '/'))
            .next()
            .is_some_and(|w| w.matches('/').count() >= 1 && w.len() >= 3)
    });
    if range_end {
        return true;
    }
    let range_start = after.strip_prefix('-').is_some_and(|a| {
        let w: String = a
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '/')
            .collect();
        w.contains('/') && w.len() >= 3
    });
    if range_start {
        return true;
    }
    if before.ends_with(['/', '.', '-', ':', '+'])
        || after.starts_with(['/', '%', '-'])
        || after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return false;
    }
    // At the start of a line ("12/3: seen in clinic") or in brackets it is a date.
    let line_start =
        before.trim_end_matches([' ', '\t']).ends_with('\n') || before.trim().is_empty();
    if line_start || before.ends_with('(') {
        return true;
    }
    let is_context = |w: &str| {
        DATE_CONTEXT
            .iter()
            .chain(super::WEEKDAYS.iter())
            .any(|x| x.eq_ignore_ascii_case(w))
    };
    // Words on the same line only: a fraction on the line above says nothing about this one.
    let line_before = before.rsplit('\n').next().unwrap_or("");
    let mut prev = line_before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '/' || c == '-'))
        .filter(|w| !w.is_empty());
    let next = after
        .split(|c: char| !(c.is_alphanumeric() || c == ':'))
        .find(|w| !w.is_empty())
        .unwrap_or("");
    let prev: Vec<&str> = prev.by_ref().take(3).collect();
    let near_score = |w: &&str| NOT_DATE_NEAR.iter().any(|x| x.eq_ignore_ascii_case(w));
    let fraction = |w: &&str| w.contains('/') && w.split('/').all(|n| n.parse::<u32>().is_ok());
    if prev.first().is_some_and(near_score) || near_score(&next) {
        return false;
    }
    // A score or a count has its part no larger than its whole and a small whole ("4/5",
    // "3/10"): "12/4" or "11/27" is a date, unless a count noun follows ("12/15 sessions");
    // a part larger than its whole is no count whatever follows ("panel 3/2 negative").
    let (month, day) = text[start..end]
        .split_once('/')
        .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
        .unwrap_or((0, 0));
    if month > day || day >= 13 && !COUNT_NOUNS.iter().any(|x| x.eq_ignore_ascii_case(next)) {
        return true;
    }
    if prev.iter().any(fraction) {
        return false;
    }
    let at_time = next.eq_ignore_ascii_case("at")
        && after.trim_start()[2..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit());
    // "PSA 11/12 3.4": a test's name, the day it was drawn, then its result.
    let result_follows = prev
        .first()
        .is_some_and(|w| w.bytes().all(|b| b.is_ascii_alphabetic()))
        && after
            .trim_start_matches([' ', '\t'])
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()
            .is_some_and(|n| {
                n.len() >= 3 && n.contains('.') && !n.starts_with('.') && !n.ends_with('.')
            });
    prev.iter().take(3).any(|w| is_context(w)) || next.contains(':') || at_time || result_follows
}

/// Nouns after `m/d` that make it a count ("12/15 sessions", "11/24 cores").
const COUNT_NOUNS: &[&str] = &[
    "sessions",
    "session",
    "visits",
    "doses",
    "cores",
    "bottles",
    "cultures",
    "nodes",
    "specimens",
    "samples",
    "points",
    "items",
    "questions",
    "correct",
    "positive",
    "negative",
    "words",
    "trials",
    "days",
    "weeks",
    "hours",
    "teeth",
];

/// Units after a four-digit number that make it a quantity.
const UNITS: &[&str] = &[
    "mg", "ml", "cc", "mcg", "g", "kg", "l", "units", "unit", "u", "iu", "meq", "mmol", "cal",
    "kcal", "mm", "cm", "m", "lb", "lbs", "steps", "feet", "ft", "x", "ng", "pg", "cells",
];

/// Labels after which a four-digit number is a clock time ("TRIAGE: 2215").
const TIME_LABELS: &[&str] = &[
    "triage",
    // A nurse's hand-over stamped with its hour: "NSG HANDOFF 1900".
    "handoff",
    "signout",
    "huddle",
    "time",
    "arrival",
    "arrived",
    "seen",
    "event",
    "called",
    "paged",
    "admit",
    "admitted",
    "eval",
    "evaluated",
    "assessment",
    "entered",
    "signed",
    "onset",
    "lkw",
    "dispo",
    "disposition",
    "departure",
    "departed",
    "started",
    "start",
    "stop",
    "stopped",
    "given",
    "update",
    "addendum",
    "notified",
    "extubated",
    "intubated",
    "delivered",
    "born",
    "tod",
    // An ambulance run's times: "on scene 1421, transport 1440, at destination 1502".
    "scene",
    "transport",
    "destination",
    "dispatched",
    "enroute",
    // "arr 1002": arrival, shortened.
    "arr",
    // Labour and recovery events: "AROM 1325 clear fluid", "ARRIVED PACU 1315".
    "arom",
    "srom",
    "pacu",
];

/// A day's letter or short name as schedules write them: "M", "W", "Th", "Tues", "Sat".
fn is_weekday_abbreviation(word: &str) -> bool {
    [
        "m", "t", "w", "th", "f", "sa", "su", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
        "fri", "sat", "sun", "mwf",
    ]
    .iter()
    .any(|d| d.eq_ignore_ascii_case(word))
}

/// A four-digit match and what stands around it, read once for [`military_time`] and, when
/// that finds no context, [`could_be_clock_time`].
struct FourDigits<'t> {
    span: &'t str,
    /// The text before, without the spaces or tabs right before the match.
    before: &'t str,
    /// The text after, without the spaces or tabs right after the match.
    after: &'t str,
    /// The alphanumeric word the text after starts with ("" if none).
    next: &'t str,
    /// Whether a period touches the match ("2.0600").
    dot_before: bool,
}

impl<'t> FourDigits<'t> {
    fn around(text: &'t str, start: usize, end: usize) -> Self {
        let after = text[end..].trim_start_matches([' ', '\t']);
        FourDigits {
            span: &text[start..end],
            before: text[..start].trim_end_matches([' ', '\t']),
            after,
            next: after
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or(""),
            dot_before: text[..start].ends_with('.'),
        }
    }
}

fn military_time(around: &FourDigits) -> bool {
    let &FourDigits {
        span,
        before,
        after,
        next,
        dot_before,
    } = around;
    let year_like = names_a_year(span);
    // A range "0700-1900", or a timestamp heading an entry ("TRIAGE 1347:", "0815: seen").
    if span.contains('-')
        || after.starts_with(':') && !after[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return true;
    }
    // "2.0600" is a decimal; "IV X2. 0600 CONVERTED" starts a sentence with a time.
    if UNITS.iter().any(|u| u.eq_ignore_ascii_case(next))
        || dot_before
        || before.ends_with(['$', '#'])
    {
        return false;
    }
    // "chair 4, 1130 start": a session's start.
    if !year_like
        && ["start", "starts", "arrival"]
            .iter()
            .any(|w| w.eq_ignore_ascii_case(next))
    {
        return true;
    }
    // Right after a date: "04/04/2024 0215".
    if before.ends_with(|c: char| c.is_ascii_digit()) {
        let last = before.rsplit(' ').next().unwrap_or("");
        return last.contains('/') || last.contains('-');
    }
    // "Sessions M/W/F 0800", "dialysis Tues/Thurs 0630": a time in a week's schedule.
    let last_word = before.rsplit([' ', '\t', '\n']).next().unwrap_or("");
    // A lone letter ("T 1000") is no day; in a slash list ("M/W/F") it is.
    if !year_like
        && (last_word.contains('/') || last_word.len() >= 3)
        && last_word.split('/').all(is_weekday_abbreviation)
    {
        return true;
    }
    let prev = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '@' || c == '~' || c == '\''))
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // "TRIAGE: 2215.": a time after a label that stamps an event.
    if let Some(label) = before.strip_suffix(':') {
        let label = label
            .rsplit(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if TIME_LABELS.contains(&label.as_str()) {
            return !year_like || label == "time";
        }
    }
    // "arrived late (0645)": a count, dose or year has no leading zero; a clock does.
    if span.starts_with('0') {
        return true;
    }
    // "DISPATCH 0214", "start 0700": a time after a word that stamps an event, colon or not.
    if !year_like && TIME_LABELS.contains(&prev.as_str()) {
        return true;
    }
    let word_before_prev = before[..before.len() - prev.len()]
        .trim_end_matches([' ', '\t'])
        .rsplit([' ', '\t', '\n'])
        .next()
        .unwrap_or("");
    let after_a_time =
        word_before_prev.len() == 4 && word_before_prev.bytes().all(|b| b.is_ascii_digit());
    match prev.as_str() {
        // "AT ~2045": about a time, which a year never is.
        "~" if word_before_prev.eq_ignore_ascii_case("at") => true,
        // "at 0915 and 1440": the second of two times.
        "and" | "&" | "or" if !year_like && after_a_time => true,
        // "time in 1310 out 1425": a visit's clock times.
        "in" | "out" if word_before_prev.eq_ignore_ascii_case("time") || after_a_time => true,
        "at" | "@" | "~" | "approx" | "approximately" | "around" | "by" | "until" | "till"
        | "before" | "after" | "since" | "from" => !year_like || prev == "at" || prev == "@",
        // "sheath out 0415", "foley out 0600", "DISPATCH 0214" (the time labels above are
        // taken before this).
        "out" | "hung" | "drawn" | "taken" | "done" | "sent" | "held" | "begun" | "rounds"
        | "awake" | "asleep" | "well" | "lnw" | "c'd" | "dc'd" | "bedside" | "eta" | "etd"
        | "dispatch" | "recheck" | "met" => !year_like,
        // "FAMILY MTG TODAY 1400": a time later the same day or the next.
        "today" | "tonight" | "tomorrow" | "tmrw" | "mtg" | "meeting" => !year_like,
        // "TRANSPORT VIA AETNA AMBULANCE 1000": a ride's pick-up time.
        "ambulance" | "pickup" => !year_like,
        _ => !year_like && (prev.len() > 3 && prev.ends_with("ed") || clock_after(&prev, next)),
    }
}

/// Whether four digits could be a year a note would name: "since 1900" or "after 2045" is
/// no year but a clock time.
fn names_a_year(span: &str) -> bool {
    span.len() == 4
        && span
            .parse::<u32>()
            .is_ok_and(|y| (1920..=2035).contains(&y))
}

/// Whether a four-digit number no context made a time is one in a note that gives times
/// elsewhere: not a year, not a quantity with its unit, a dose with its schedule, a result
/// after a drug, test or abbreviation ("UOP 1200"), a decimal or a price.
fn could_be_clock_time(around: &FourDigits) -> bool {
    let &FourDigits {
        span,
        before,
        next,
        dot_before,
        ..
    } = around;
    if span.len() != 4 || names_a_year(span) {
        return false;
    }
    // "cx sent x2 1200": a count of times done, then when.
    let count = before
        .rsplit([' ', '\t', '\n'])
        .next()
        .is_some_and(|w| w.len() == 2 && w.starts_with(['x', 'X']));
    if dot_before
        || before.ends_with(['$', '#', '/', '-', '+', '=', ':', 'x', 'X'])
        || before.ends_with(|c: char| c.is_ascii_digit()) && !count
    {
        return false;
    }
    if UNITS
        .iter()
        .chain(DOSE_SCHEDULE)
        .any(|u| u.eq_ignore_ascii_case(next))
    {
        return false;
    }
    let prev = before
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("");
    // "IS to 1250": a volume reached, not a time.
    let amount = matches!(prev, "to" | "TO" | "of" | "OF");
    let abbreviation = prev.len() <= 4 && !words::is_common_word(prev) && !count;
    prev.is_empty() || !(amount || abbreviation || words::is_clinical_term(prev))
}

/// Whether a four-digit number after `prev` and before `next` reads as a clock time: after a
/// person's name ("sbar to dr haddad 2150") or "for" ("transport booked for 1300"), and not
/// before a dose's schedule or route ("metformin 1000 bid").
fn clock_after(prev: &str, next: &str) -> bool {
    let named = prev.len() >= 3
        && prev.bytes().all(|b| b.is_ascii_alphabetic())
        && !words::is_common_word(prev)
        && !words::is_clinical_term(prev)
        // A short word no list knows is as often an abbreviation ("uop 1200", "EBL 1500").
        && (words::is_surname(prev) || words::is_first_name(prev) || prev.len() >= 5 && words::is_unknown(prev));
    (named || prev == "for") && !DOSE_SCHEDULE.iter().any(|w| w.eq_ignore_ascii_case(next))
}

/// Words after a dose that make the number before them a dose, not a time.
const DOSE_SCHEDULE: &[&str] = &[
    "bid", "tid", "qid", "qd", "daily", "qhs", "qam", "qpm", "prn", "po", "iv", "im", "sq", "sc",
    "sl", "pr", "q4h", "q6h", "q8h", "q12h", "q24h", "once", "twice", "per", "a", "each", "every",
];

/// Words that describe an emergency department rather than name its hospital.
const ED_QUALIFIERS: &[&str] = &[
    "outside",
    "nearest",
    "closest",
    "another",
    "other",
    "main",
    "adult",
    "pediatric",
    "same",
    "local",
    "previous",
    "prior",
    "last",
    "community",
    "freestanding",
    "satellite",
    "busy",
    "hospital",
    "osh",
    "which",
    "what",
    "whose",
    "trauma",
    "emergency",
    "urgent",
    "fast",
    "rapid",
    "acute",
    "psych",
    "psychiatric",
    "behavioral",
    "observation",
    "holding",
    "general",
];

/// Words that start a phrase before a street suffix without naming a street ("on the road",
/// "on his way").
const STREET_DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "his", "her", "my", "your", "their", "our", "its", "each",
    "every", "same", "one", "no", "any",
];

/// Where a practice named for its specialty starts: as a facility, and then either two or
/// more words before the specialty or one that is no common English word ("Lakeshore
/// Hematology", "Concord Occupational Health", but not "Appreciate Cardiology").
fn practice_start(text: &str, start: usize, end: usize) -> Option<usize> {
    let mut from = facility_start(text, start, end)?;
    // "ST ELEVATION II, III, AVF. CATH LAB": the name starts after the last period or comma.
    if let Some(p) = text[from..end].rfind([',', '.']) {
        from += p + 1;
        from += text[from..end].len() - text[from..end].trim_start().len();
    }
    let mut before: Vec<&str> = text[from..end]
        .split_whitespace()
        .take_while(|w| !PRACTICE_WORDS.iter().any(|p| p.eq_ignore_ascii_case(w)))
        .collect();
    // "F/U WITH PIONEER VALLEY ORTHOPEDICS": the name starts after the sentence's last word
    // ("DISCUSSED WITH CARDIOLOGY" leaves nothing).
    let sentence_word = |w: &str| {
        SENTENCE_WORDS
            .iter()
            .any(|s| s.eq_ignore_ascii_case(w.trim_matches(|c: char| !c.is_alphanumeric())))
    };
    if let Some(last) = before.iter().rposition(|w| sentence_word(w)) {
        for w in &before[..=last] {
            from = text[from..].find(w).map_or(from, |p| from + p + w.len());
        }
        from += text[from..end].len() - text[from..end].trim_start().len();
        before.drain(..=last);
    }
    if before.is_empty()
        || before
            .iter()
            .any(|w| is_generic_word(&w.to_ascii_lowercase()))
    {
        return None;
    }
    let specific = before.len() >= 2
        || before
            .iter()
            .any(|w| words::is_city(w) || joined_places(w) || !words::is_common_word(w));
    specific.then_some(from)
}

/// "Newton-Wellesley", "Dartmouth-Hitchcock": places joined by a hyphen, as merged hospitals
/// are named.
fn joined_places(word: &str) -> bool {
    word.contains('-') && word.split('-').all(words::is_city)
}

/// Where the one or two words before a department ("NOTIFIED BY LEOMINSTER PD") that name a
/// known place start.
fn town_start(text: &str, start: usize, end: usize) -> Option<usize> {
    let words = &text[start..end];
    let starts: Vec<usize> = words
        .char_indices()
        .filter(|&(i, c)| !c.is_whitespace() && (i == 0 || words[..i].ends_with([' ', '\t'])))
        .map(|(i, _)| i)
        .collect();
    // The longer of the last two words' places first: "East Hartford" before "Hartford".
    starts[starts.len().saturating_sub(2)..]
        .iter()
        .find(|&&i| words::is_city(&words[i..]))
        .map(|&i| start + i)
}

/// The words of [`PRACTICE_SUFFIX`]: where the name before a specialty ends.
const PRACTICE_WORDS: &[&str] = &[
    "orthopedics",
    "orthopaedics",
    "orthopedic",
    "orthopaedic",
    "associates",
    "cardiology",
    "dermatology",
    "oncology",
    "hematology",
    "hematology/oncology",
    "hematology-oncology",
    "neurology",
    "urology",
    "gastroenterology",
    "ophthalmology",
    "optometry",
    "podiatry",
    "audiology",
    "rheumatology",
    "nephrology",
    "endocrinology",
    "pulmonology",
    "psychiatry",
    "radiology",
    "obstetrics",
    "ob/gyn",
    "obgyn",
    "women's",
    "occupational",
    "sports",
    "chiropractic",
    "lab",
    "labs",
    "laboratory",
    "pharmacy",
    "counseling",
    "internal",
    "primary",
    "allergy",
    "asthma",
    "immunology",
    "otolaryngology",
    "pain",
    "geriatrics",
];

/// A preposition, verb or pronoun (lowercase): a word of a clause, not of a name. "For" joins
/// names in capitals ("HOSPITAL FOR SPECIAL SURGERY"), so it counts only when `with_for`.
pub(super) fn is_clause_word(w: &str, with_for: bool) -> bool {
    (with_for && w == "for")
        || matches!(
            w,
            "by" | "in"
                | "via"
                | "on"
                | "at"
                | "to"
                | "with"
                | "from"
                | "was"
                | "is"
                | "were"
                | "his"
                | "her"
                | "their"
                | "my"
                | "your"
                | "our"
                | "after"
                | "before"
                | "during"
                | "then"
                | "when"
                | "while"
                | "if"
                | "not"
                | "no"
                // Verbs after "to": "wish to discuss dialysis options".
                | "discuss"
                | "consider"
                | "start"
                | "begin"
                | "continue"
                | "resume"
                | "restart"
                | "initiate"
                | "receive"
                | "schedule"
                | "arrange"
        )
}

/// Where a facility's name in `text[start..end]` starts once the clause before it is cut off
/// ("YO M FROM LAUREL RIDGE NURSING HOME"), if a specific name is left.
fn name_after_clause(text: &str, start: usize, end: usize, with_for: bool) -> Option<usize> {
    facility_start(text, start, end)
        .map(|s| s + after_clause(&text[s..end], with_for))
        .and_then(|s| facility_start(text, s, end))
}

/// Where a facility's name starts in `words` (any case): after the last word of a clause
/// ("YO M FROM LAUREL RIDGE NURSING HOME", "weaned to room air by hospital"); 0 if none.
fn after_clause(words: &str, with_for: bool) -> usize {
    clause_words(words, with_for)
        .last()
        .map_or(0, |(_, end)| end)
}

/// The clause words among `words` ([`is_clause_word`]): each one's start and where the next
/// word starts.
fn clause_words(words: &str, with_for: bool) -> impl Iterator<Item = (usize, usize)> + '_ {
    words
        .split_inclusive(char::is_whitespace)
        .scan(0, |at, w| {
            let start = *at;
            *at += w.len();
            Some((start, *at, w))
        })
        .filter(move |(_, _, w)| is_clause_word(&w.trim().to_ascii_lowercase(), with_for))
        .map(|(start, end, _)| (start, end))
}

/// Where `text[start..end]` (a lowercase facility match) holds a clause word after its first
/// word, the end of the words before it, if they end in a facility suffix.
fn name_before_clause(text: &str, start: usize, end: usize) -> Option<usize> {
    static ENDS_IN_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
        RegexBuilder::new(&format!(r"\b(?:{LOWERCASE_FACILITY_SUFFIX})$"))
            .unicode(false)
            .build()
            .expect("suffix pattern compiles")
    });
    let (clause_start, _) = clause_words(&text[start..end], true).find(|&(s, _)| s > 0)?;
    let name_end = start + text[start..start + clause_start].trim_end().len();
    ENDS_IN_SUFFIX
        .is_match(&text.as_bytes()[start..name_end])
        .then_some(name_end)
}

/// Words that are never part of a street's name: units of time and measure.
pub(super) const NOT_STREET_WORDS: &[&str] = &[
    "wk", "wks", "week", "weeks", "mo", "mos", "month", "months", "day", "days", "hr", "hrs",
    "hour", "hours", "min", "mins", "yr", "yrs", "year", "years", "mm", "cm", "mg", "ml", "kg",
    "y.o", "yo", "mcg", "units", "iv", "po", "im", "sq", "subq", "sc", "sl", "pr", "ivp", "ivpb",
    "meq", "mmol", "cc", "gm", "tab", "tabs", "puffs", "liters",
];

/// Leading words that are part of the sentence, not the facility's name.
const SENTENCE_WORDS: &[&str] = &[
    "attends",
    "found",
    "down",
    "outside",
    "the",
    "a",
    "an",
    "at",
    "to",
    "from",
    "in",
    "was",
    "were",
    "is",
    "admitted",
    "transferred",
    "seen",
    "followed",
    "presented",
    "presents",
    "discharged",
    "patient",
    "pt",
    "our",
    "this",
    "his",
    "her",
    "their",
    "by",
    "and",
    "with",
    "via",
    "home",
    "outside",
    "local",
    "area",
    "you",
    "we",
    "he",
    "she",
    "they",
    "i",
    "your",
    "my",
    "went",
    "go",
    "stayed",
    "stay",
    "came",
    "come",
    "back",
    "for",
];
/// Whether `lower` (a lowercase word) is one of [`GENERIC_WORDS`]; a set, since the facility
/// and name rules ask for many words.
pub(super) fn is_generic_word(lower: &str) -> bool {
    static SET: LazyLock<words::FastSet<&'static str>> =
        LazyLock::new(|| GENERIC_WORDS.iter().copied().collect());
    SET.contains(lower)
}

/// Words that, all by themselves before the suffix, name a service rather than a facility.
const GENERIC_WORDS: &[&str] = &[
    "grab",
    "side",
    "salad",
    "snack",
    "sports",
    "towel",
    "juice",
    "school-based",
    "home-based",
    "community-based",
    "hospital-based",
    "office-based",
    "nail",
    "hair",
    "emergency",
    "cardiac",
    "cardiology",
    "oncology",
    "surgery",
    "surgical",
    "internal",
    "medicine",
    "family",
    "primary",
    "care",
    "urgent",
    "pediatric",
    "pediatrics",
    "mental",
    "behavioral",
    "outpatient",
    "inpatient",
    "walk-in",
    "anticoagulation",
    "coumadin",
    "diabetes",
    "pain",
    "sleep",
    "heart",
    "vascular",
    "kidney",
    "dialysis",
    "eye",
    "dental",
    "wound",
    "general",
    "community",
    "county",
    "state",
    "university",
    "teaching",
    "psychiatric",
    "rehab",
    "rehabilitation",
    "orthopedic",
    "orthopedics",
    "neurology",
    "gi",
    "renal",
    "infusion",
    "breast",
    "cancer",
    "women's",
    "children's",
    "veterans",
    "va",
    "medical",
    "health",
    "day",
    "same",
    "memory",
    "transplant",
    "liver",
    "lung",
    "hand",
    "spine",
    "foot",
    "skin",
    "travel",
    "headache",
    "lipid",
    "hypertension",
    "pulmonary",
    "endocrine",
    "endocrinology",
    "allergy",
    "asthma",
    "nephrology",
    "hepatology",
    "urology",
    "ent",
    "ob",
    "gyn",
    "ob/gyn",
    "obgyn",
    "fertility",
    "hiv",
    "id",
    "infectious",
    "disease",
    "diseases",
    "sports",
    "weight",
    "bariatric",
    "smoking",
    "cessation",
    "nursing",
    "skilled",
    "long-term",
    "acute",
    "chronic",
    "free",
    "low-cost",
    // Services as lowercase notes shorten them, and words for "some facility".
    "heme",
    "onc",
    "ortho",
    "cards",
    "derm",
    "neuro",
    "psych",
    "uro",
    "pulm",
    "endo",
    "rheum",
    "peds",
    "ppd",
    "anticoag",
    "inr",
    "chf",
    "copd",
    "tb",
    "std",
    "wic",
    "preop",
    "pre-op",
    "postop",
    "post-op",
    "resident",
    "vaccine",
    "flu",
    "outside",
    "osh",
    "another",
    "local",
    "nearby",
    "other",
    "previous",
    "prior",
    "new",
    "this",
    "that",
    "their",
    "our",
    "her",
    "his",
    "a",
    "an",
    "the",
    "tertiary",
    "regional",
    "private",
    "hospital",
    "clinic",
    "physical",
    "occupational",
    "speech",
    "therapy",
    // Laboratories and pharmacies by what they do, not whose they are.
    "cath",
    "echo",
    "stress",
    "central",
    "main",
    "core",
    "clinical",
    "blood",
    "pathology",
    "micro",
    "microbiology",
    "chemistry",
    "hematology",
    "reference",
    "specialty",
    "retail",
    "compounding",
    "satellite",
    "device",
    "pacemaker",
    "lipid",
    "wellness",
    // Specialties that head a clinic's own note ("OPHTHALMOLOGY CLINIC").
    "ophthalmology",
    "dermatology",
    "gastroenterology",
    "rheumatology",
    "pulmonology",
    "otolaryngology",
    "gynecology",
    "obstetrics",
    "geriatrics",
    "geriatric",
    "psychiatry",
    "psychology",
    "radiology",
    "podiatry",
    "audiology",
    "optometry",
    "immunology",
    "genetics",
    "palliative",
    "neurosurgery",
    "thoracic",
    "colorectal",
    "retina",
    "glaucoma",
    "failure",
    "advanced",
    "mail",
    "order",
    "mail-order",
    "online",
    "preferred",
];

/// Where a facility name starts once sentence words are trimmed; `None` when all that is left
/// is a generic service name ("Cardiology Clinic", "the Emergency Hospital").
pub(super) fn facility_start(text: &str, start: usize, end: usize) -> Option<usize> {
    if names_an_insurer(text, start, end) {
        return None;
    }
    let matched = &text[start..end];
    // "WITH QUESTIONS. HOME HEALTH": a sentence ended inside the match; the name starts after
    // it. A short word with a period is an abbreviation ("ST.", "Mt.").
    let mut offset = 0;
    for (i, _) in matched.match_indices(". ") {
        let word = matched[..i]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("");
        if word.chars().filter(|c| c.is_alphabetic()).count() > 3 {
            offset = i + 2;
        }
    }
    // "DOXYCYCLINE. DISCHARGED HOME WITH VNA": then the sentence's own words before the name.
    for word in matched[offset..].split_inclusive(char::is_whitespace) {
        let bare = word.trim();
        if SENTENCE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(bare)) {
            offset += word.len();
        } else {
            break;
        }
    }
    let rest = &matched[offset..];
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    // Drop the suffix words themselves, then see whether anything specific is left.
    while let Some(last) = words.last() {
        let l = last.trim_end_matches(['.', ',']).to_ascii_lowercase();
        if matches!(
            l.as_str(),
            "hospital"
                | "medical"
                | "center"
                | "centre"
                | "med"
                | "ctr"
                | "health"
                | "system"
                | "healthcare"
                | "care"
                | "clinic"
                | "infirmary"
                | "nursing"
                | "home"
                | "facility"
                | "rehab"
                | "rehabilitation"
                | "hospice"
                | "cancer"
                | "institute"
                | "surgery"
                | "surgical"
                | "assisted"
                | "senior"
                | "living"
                | "group"
                | "associates"
                | "partners"
                | "surgeons"
                | "physicians"
                | "practice"
                | "pediatrics"
                | "physical"
                | "therapy"
                | "specialty"
                | "learning"
                | "daycare"
                | "recovery"
                | "treatment"
                | "community"
                | "resource"
                | "association"
                | "shelter"
                | "gym"
                | "fitness"
                | "estates"
                | "vna"
                | "ambulance"
                | "elder"
                | "bar"
                | "service"
                | "services"
                | "social"
                | "human"
                | "family"
                | "youth"
                | "children's"
                | "refugee"
                | "immigrant"
                | "protective"
                | "network"
                | "residential"
                | "barbershop"
                | "barber"
                | "shop"
                | "salon"
                | "restaurant"
                | "diner"
                | "bakery"
                | "pizzeria"
                | "auto"
                | "body"
                | "elementary"
                | "middle"
                | "high"
                | "junior"
                | "charter"
                | "grammar"
                | "intermediate"
                | "school"
                | "hall"
                | "manor"
                | "lodge"
                | "commons"
                | "farms"
                | "episcopal"
                | "lutheran"
                | "baptist"
                | "methodist"
                | "presbyterian"
                | "congregational"
                | "college"
                | "university"
                | "pharmacy"
                | "towing"
                | "garage"
                | "tavern"
                | "grill"
                | "pub"
                | "deli"
                | "hardware"
        ) {
            words.pop();
        } else {
            break;
        }
    }
    let specific = words.iter().any(|w| {
        let l = w
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
            .to_ascii_lowercase();
        l.len() > 1 && !is_generic_word(&l) && !matches!(l.as_str(), "of" | "for" | "the" | "and")
    });
    specific.then_some(start + offset)
}

/// The letters that start the text after `end`, past spaces and tabs ("" if none).
fn word_after(text: &str, end: usize) -> &str {
    text[end..]
        .trim_start_matches([' ', '\t'])
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
}

/// "Ins: Delta Dental member DD9041", "Guardian Dental policy": an insurer does not place the
/// patient (its member number is the identifier).
fn names_an_insurer(text: &str, start: usize, end: usize) -> bool {
    let next_word = word_after(text, end);
    let label = text[..start].trim_end_matches([' ', '\t']).as_bytes();
    // "TUFTS HEALTH PLAN": a health system's name before "plan" is an insurer's.
    ["member", "policy", "subscriber", "insurance", "plan"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(next_word))
        || ["ins:", "insurance:", "insurer:", "payer:", "payor:"]
            .iter()
            .any(|l| {
                label.len() >= l.len()
                    && label[label.len() - l.len()..].eq_ignore_ascii_case(l.as_bytes())
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_cover_the_note_and_end_after_blank_lines() {
        let text = "MRN: 4410923\n\nSeen 3/4/2024.\n  \t\nCall 413-555-0101\nor fax\n\n\n";
        let cuts: Vec<(usize, usize)> = paragraphs(text.as_bytes()).collect();
        let pieces: Vec<&str> = cuts.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(
            pieces,
            [
                "MRN: 4410923\n\n",
                "Seen 3/4/2024.\n  \t\n",
                "Call 413-555-0101\nor fax\n\n",
                "\n"
            ]
        );
        assert!(paragraphs(b"").next().is_none());
        assert_eq!(paragraphs(b"no break").collect::<Vec<_>>(), [(0, 8)]);
    }

    /// Scanning paragraph by paragraph finds what scanning each paragraph alone finds, at the
    /// same offsets, and nothing that runs across the blank line between them.
    #[test]
    fn a_long_note_finds_what_its_paragraphs_find() {
        let paragraphs_alone = [
            "Pt Quentin Farrow, MRN 55120934, seen 11/02/2024 at Mercy Medical Center.",
            "Lives at 14 Orchard Hill Rd, Amherst, MA 01002. Cell 413-555-0182.",
            "Follow up on March 3rd at 0930 with Dr. Ames; fax 413-555-0199.",
            "2026",
            "Dear Dr. Lowe,",
        ];
        let note = paragraphs_alone.join("\n\n");
        let mut whole = Vec::new();
        find(&note, false, &mut whole);
        whole.sort();
        let mut alone = Vec::new();
        let mut offset = 0;
        for p in paragraphs_alone {
            let mut found = Vec::new();
            find(p, false, &mut found);
            alone.extend(
                found
                    .into_iter()
                    .map(|(s, e, t)| (s + offset, e + offset, t)),
            );
            offset += p.len() + 2;
        }
        alone.sort();
        assert!(whole.len() >= 8, "{whole:?}");
        assert_eq!(whole, alone);
    }
}
