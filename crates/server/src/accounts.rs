//! Passwords and device tokens.
//!
//! Passwords are hashed with argon2id at OWASP's recommended settings (the crate's default:
//! 19 MiB, 2 passes). A device token is 256 random bits, shown once at login and stored
//! only as its SHA-256: unlike a password it has full entropy, so a fast hash is enough.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::{OsRng, RngCore as _};
use sha2::{Digest as _, Sha256};

/// Characters of temporary passwords: no 0/O, 1/l/I, which older eyes (and fingers) confuse.
const READABLE: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// The working memory of one argon2 computation (19 MiB at our settings), made once per
/// password-check thread and reused. Left to argon2, each check allocates it afresh, and
/// the C allocator did not give those aligned 19 MiB back: the server grew by about 19 MB
/// with every sign-in (measured on the release build, 25 MB to 376 MB over 18 logins).
pub struct Scratch(Vec<Block>);

impl Default for Scratch {
    fn default() -> Self {
        Self(vec![Block::default(); Params::default().block_count()])
    }
}

impl Scratch {
    fn compute(
        &mut self,
        algorithm: Algorithm,
        version: Version,
        params: Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> argon2::Result<()> {
        let needed = params.block_count();
        // A hash made with more memory than ours (an older setting) still verifies.
        if self.0.len() < needed {
            self.0.resize(needed, Block::default());
        }
        Argon2::new(algorithm, version, params).hash_password_into_with_memory(
            password,
            salt,
            out,
            &mut self.0[..needed],
        )
    }
}

/// An argon2id PHC string for `password`, with a fresh salt, at OWASP's recommended
/// settings (the crate's default: 19 MiB, 2 passes).
pub fn hash_password_with(scratch: &mut Scratch, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_buffer)
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    scratch
        .compute(
            Algorithm::Argon2id,
            Version::V0x13,
            params.clone(),
            password.as_bytes(),
            salt_bytes,
            &mut out,
        )
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))?),
    };
    Ok(hash.to_string())
}

/// `false` for a wrong password and for a hash that cannot be read. The comparison takes
/// the same time wherever the two differ.
pub fn verify_password_with(scratch: &mut Scratch, password: &str, stored_hash: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored_hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) = (
        Algorithm::try_from(hash.algorithm),
        Params::try_from(&hash),
        hash.hash,
        hash.salt,
    ) else {
        return false;
    };
    let version = hash
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let Ok(version) = version else { return false };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if scratch
        .compute(
            algorithm,
            version,
            params,
            password.as_bytes(),
            salt,
            &mut out,
        )
        .is_err()
    {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// [`hash_password_with`] with memory of its own (the admin commands, run once).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    hash_password_with(&mut Scratch::default(), password)
}

/// [`verify_password_with`] with memory of its own.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    verify_password_with(&mut Scratch::default(), password, stored_hash)
}

/// Checks a password against nothing, taking as long as a real check: a login for an
/// unknown id must not answer faster than one for a known id.
pub fn burn_password_check(scratch: &mut Scratch, password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let _ = verify_password_with(scratch, password, dummy);
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
    fn hashes_made_by_the_crate_and_by_our_reused_memory_verify_each_other() {
        use argon2::password_hash::PasswordHasher as _;
        let mut scratch = Scratch::default();
        let ours = hash_password_with(&mut scratch, "みまもり手帳").unwrap();
        let theirs = Argon2::default()
            .hash_password("みまもり手帳".as_bytes(), &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        for stored in [&ours, &theirs] {
            assert!(verify_password_with(&mut scratch, "みまもり手帳", stored));
            assert!(!verify_password_with(&mut scratch, "みまもり手帖", stored));
        }
        use argon2::password_hash::PasswordVerifier as _;
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password("みまもり手帳".as_bytes(), &parsed)
            .is_ok());
        // A hash made with more memory than ours still verifies.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password(b"x-y-z-w-v-u", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify_password_with(&mut scratch, "x-y-z-w-v-u", &bigger));
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
