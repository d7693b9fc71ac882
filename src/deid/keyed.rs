//! Everything derived from the run key: pseudonyms, per-patient date offsets, shard numbers.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::DateShiftRange;

type HmacSha256 = Hmac<Sha256>;

/// The run key, ready for HMAC. Cloning the prepared MAC per value avoids re-deriving the
/// padded key for every cell.
#[derive(Clone)]
pub struct Keyed {
    mac: HmacSha256,
}

impl std::fmt::Debug for Keyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyed(<key withheld>)")
    }
}

/// Minimum key length: a shorter key could be guessed, and with it every pseudonym reversed.
pub const MIN_KEY_BYTES: usize = 16;

impl Keyed {
    pub fn new(key: &[u8]) -> anyhow::Result<Self> {
        if key.len() < MIN_KEY_BYTES {
            return Err(crate::error::config_err(format!(
                "the pseudonym key must be at least {MIN_KEY_BYTES} bytes"
            )));
        }
        let mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
        Ok(Self { mac })
    }

    fn tag(&self, domain: &[u8], normalized: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(domain);
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn pseudonym_tag(&self, kind: &str, value: &str) -> [u8; 32] {
        let normalized = normalize_identifier(kind, value);
        let mut mac = self.mac.clone();
        mac.update(b"pseudonym\0");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The pseudonym of `value` in namespace `kind`: 32 hex digits (128 bits of HMAC-SHA256),
    /// written into `out` without allocating.
    pub fn pseudonym_into(&self, kind: &str, value: &str, out: &mut [u8; 32]) {
        let tag = self.pseudonym_tag(kind, value);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for (i, b) in tag[..16].iter().enumerate() {
            out[2 * i] = HEX[usize::from(b >> 4)];
            out[2 * i + 1] = HEX[usize::from(b & 0x0f)];
        }
    }

    pub fn pseudonym(&self, kind: &str, value: &str) -> String {
        let mut out = [0u8; 32];
        self.pseudonym_into(kind, value, &mut out);
        String::from_utf8(out.to_vec()).expect("hex is ASCII")
    }

    /// Where a patient's rows go: the shard number in the top 16 bits, then 48 bits that order
    /// patients within a shard. Both come from the same keyed hash as the patient's pseudonym
    /// (bits the pseudonym does not show), so one patient lands in the same shard of every
    /// table, and sorting compares integers instead of strings.
    pub fn patient_order(&self, kind: &str, patient_id: &str, shards: u32) -> u64 {
        let tag = self.pseudonym_tag(kind, patient_id);
        let shard = u64::from_be_bytes(tag[16..24].try_into().unwrap()) % u64::from(shards.max(1));
        let within = u64::from_be_bytes(tag[24..32].try_into().unwrap()) >> 16;
        (shard << 48) | within
    }

    /// The seed of a free-text surrogate: one per patient, span type and original value.
    pub fn surrogate_tag(&self, patient: &str, kind: &str, value: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(b"surrogate\0");
        mac.update(normalize_identifier("", patient).as_bytes());
        mac.update(&[0]);
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The patient's date offset in days: uniform over the policy's range, never zero.
    pub fn date_offset_days(&self, patient_id: &str, range: DateShiftRange) -> i32 {
        let normalized = normalize_identifier("", patient_id);
        let tag = self.tag(b"date_shift", &normalized);
        let draw = u64::from_be_bytes(tag[..8].try_into().unwrap());
        offset_from_draw(draw, range)
    }
}

/// Maps a uniform 64-bit draw onto `range` without zero (a zero offset would leave the real
/// dates in place).
pub fn offset_from_draw(draw: u64, range: DateShiftRange) -> i32 {
    let (lo, hi) = (range.min_days as i64, range.max_days as i64);
    let spans_zero = lo <= 0 && hi >= 0;
    let count = (hi - lo + 1) - i64::from(spans_zero);
    let mut v = lo + (draw % count as u64) as i64;
    if spans_zero && v >= 0 {
        v += 1;
    }
    v as i32
}

/// The shard number packed into a [`Keyed::patient_order`] value.
pub fn shard_of_order(order: u64) -> u32 {
    (order >> 48) as u32
}

/// Identifiers are compared after trimming and case folding; numbers that people write with
/// punctuation (SSN, phone, fax) keep only their digits, so `123-45-6789` and `123456789`
/// get one pseudonym.
pub fn normalize_identifier<'a>(kind: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    let trimmed = value.trim();
    match kind {
        "ssn" | "phone" | "fax" => {
            Cow::Owned(trimmed.chars().filter(char::is_ascii_digit).collect())
        }
        _ if trimmed
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii()) =>
        {
            Cow::Owned(trimmed.to_lowercase())
        }
        _ => Cow::Borrowed(trimmed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keyed() -> Keyed {
        Keyed::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Keyed::new(b"short").is_err());
    }

    #[test]
    fn kinds_are_separate_namespaces() {
        let k = keyed();
        assert_ne!(
            k.pseudonym("mrn", "12345"),
            k.pseudonym("person_id", "12345")
        );
        assert_eq!(
            k.pseudonym("ssn", "123-45-6789"),
            k.pseudonym("ssn", "123456789")
        );
    }

    proptest! {
        #[test]
        fn pseudonyms_are_deterministic_and_key_dependent(value in "[ -~]{1,40}", kind in "[a-z_]{1,10}") {
            let k = keyed();
            let other = Keyed::new(b"another key, also long enough!!").unwrap();
            let p = k.pseudonym(&kind, &value);
            prop_assert_eq!(&p, &k.pseudonym(&kind, &value));
            prop_assert_eq!(p.len(), 32);
            prop_assert!(p.chars().all(|c| c.is_ascii_hexdigit()));
            if !normalize_identifier(&kind, &value).is_empty() {
                prop_assert_ne!(p, other.pseudonym(&kind, &value));
            }
        }

        #[test]
        fn offsets_stay_in_range_and_are_never_zero(draw in any::<u64>(), lo in -400i32..10, width in 0i32..800) {
            let hi = lo + width;
            prop_assume!(!(lo == 0 && hi == 0));
            let v = offset_from_draw(draw, DateShiftRange { min_days: lo, max_days: hi });
            prop_assert!(v >= lo && v <= hi, "{} not in {}..={}", v, lo, hi);
            prop_assert_ne!(v, 0);
        }

        #[test]
        fn shards_are_stable_and_bounded(id in "[ -~]{1,20}", n in 1u32..=65_536) {
            let k = keyed();
            let order = k.patient_order("person", &id, n);
            prop_assert!(shard_of_order(order) < n);
            prop_assert_eq!(order, k.patient_order("person", &id, n));
            prop_assert_eq!(order, k.patient_order("person", &format!(" {id} "), n));
        }
    }
}
