//! Everything derived from the run key: pseudonyms, per-patient date offsets, shard numbers.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

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

    /// The pseudonym of `value` in namespace `kind`: 32 hex digits (128 bits of HMAC-SHA256).
    pub fn pseudonym(&self, kind: &str, value: &str) -> String {
        let normalized = normalize_identifier(kind, value);
        let mut domain = b"pseudonym\0".to_vec();
        domain.extend_from_slice(kind.as_bytes());
        hex::encode(&self.tag(&domain, &normalized)[..16])
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

/// Shard of a pseudonymized patient id: the same patient lands in the same shard number in
/// every table.
pub fn shard_of(pseudonym: &str, shards: u32) -> u32 {
    let digest = Sha256::digest(pseudonym.as_bytes());
    (u64::from_be_bytes(digest[..8].try_into().unwrap()) % u64::from(shards)) as u32
}

/// Identifiers are compared after trimming and case folding; numbers that people write with
/// punctuation (SSN, phone, fax) keep only their digits, so `123-45-6789` and `123456789`
/// get one pseudonym.
pub fn normalize_identifier(kind: &str, value: &str) -> String {
    let trimmed = value.trim();
    match kind {
        "ssn" | "phone" | "fax" => trimmed.chars().filter(char::is_ascii_digit).collect(),
        _ => trimmed.to_lowercase(),
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
        fn shards_are_stable_and_bounded(p in "[0-9a-f]{32}", n in 1u32..1000) {
            let s = shard_of(&p, n);
            prop_assert!(s < n);
            prop_assert_eq!(s, shard_of(&p, n));
        }
    }
}
