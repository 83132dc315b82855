//! Passwords and device tokens.
//!
//! Passwords are hashed with argon2id at OWASP's recommended settings (the crate's default:
//! 19 MiB, 2 passes). A device token is 256 random bits, shown once at login and stored
//! only as its SHA-256: unlike a password it has full entropy, so a fast hash is enough.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest as _, Sha256};

/// Characters of temporary passwords: no 0/O, 1/l/I, which older eyes (and fingers) confuse.
const READABLE: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// `false` for a wrong password and for a hash that cannot be read.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Checks a password against nothing, taking as long as a real check: a login for an
/// unknown id must not answer faster than one for a known id.
pub fn burn_password_check(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let _ = verify_password(password, dummy);
}

/// A temporary password to hand over on paper: 12 readable characters in groups of four.
pub fn temporary_password() -> String {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| READABLE[usize::from(*b) % READABLE.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A new device token (64 hex digits) and the hash to store.
pub fn new_device_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("たかさき見守り2026").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("たかさき見守り2026", &hash));
        assert!(!verify_password("たかさき見守り2025", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_256_bits_and_stored_only_as_a_hash() {
        let (token, hash) = new_device_token();
        assert_eq!(token.len(), 64);
        assert_eq!(hash, token_hash(&token));
        assert_ne!(new_device_token().0, token);
    }

    #[test]
    fn temporary_passwords_avoid_confusable_characters() {
        let password = temporary_password();
        assert_eq!(password.len(), 14);
        assert!(password
            .chars()
            .all(|c| c == '-' || READABLE.contains(&(c as u8))));
    }
}
