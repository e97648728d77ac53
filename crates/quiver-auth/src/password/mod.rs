//! Password hashing: Argon2id for every new hash; Django's `pbkdf2_sha256`, `bcrypt`,
//! `bcrypt_sha256` and `argon2` hashes verify too, so users imported from a Django site log in
//! and get an Argon2id hash on their next login.
//!
//! Hashes use Django's encoding (`algorithm$...`), so they move both ways.

mod validators;

use argon2::password_hash::{PasswordHash, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use subtle::ConstantTimeEq;

pub use validators::{PasswordProblem, PasswordValidators};

/// The result of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// Wrong password, or an unusable or unknown hash.
    No,
    /// Right password, and the hash is current.
    Yes,
    /// Right password, but the hash should be replaced (another algorithm or weaker
    /// parameters): hash the password again and save it.
    YesUpgrade,
}

impl Verified {
    /// Whether the password was right.
    pub fn ok(self) -> bool {
        self != Verified::No
    }
}

/// Hashes passwords with Argon2id and verifies every supported format.
///
/// ```
/// use quiver_auth::password::{PasswordHasher, Verified};
///
/// let hasher = PasswordHasher::argon2id(8 * 1024, 1, 1); // small, for a doc test
/// let hash = hasher.hash("correct horse battery staple");
/// assert!(hash.starts_with("argon2$argon2id$v=19$m=8192,t=1,p=1$"));
/// assert_eq!(hasher.verify("correct horse battery staple", &hash), Verified::Yes);
/// assert_eq!(hasher.verify("wrong", &hash), Verified::No);
/// ```
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
}

impl Default for PasswordHasher {
    /// OWASP's recommended Argon2id parameters: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self::argon2id(19 * 1024, 2, 1)
    }
}

/// The prefix of an unusable password (a user who may not log in with one).
pub const UNUSABLE_PREFIX: &str = "!";

impl PasswordHasher {
    /// Argon2id with `memory_kib` of memory, `iterations` passes and `parallelism` lanes.
    ///
    /// # Panics
    /// When the parameters are outside Argon2's ranges (memory below 8 KiB per lane, no pass).
    pub fn argon2id(memory_kib: u32, iterations: u32, parallelism: u32) -> Self {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .unwrap_or_else(|e| panic!("invalid Argon2 parameters: {e}"));
        Self { params }
    }

    /// Whether the parameters are below OWASP's minimum (19 MiB, 2 passes).
    pub fn is_weak(&self) -> bool {
        self.params.m_cost() < 19 * 1024 || self.params.t_cost() < 2
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A new hash of `password` with a random salt, `argon2$argon2id$v=19$m=..,t=..,p=..$salt$hash`.
    pub fn hash(&self, password: &str) -> String {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let hash = self
            .argon2()
            .hash_password(password.as_bytes(), &salt)
            .expect("Argon2 hashes any password with valid parameters");
        format!("argon2{hash}")
    }

    /// Checks `password` against `encoded` (any supported format), in constant time.
    pub fn verify(&self, password: &str, encoded: &str) -> Verified {
        let Some((algorithm, rest)) = encoded.split_once('$') else {
            return Verified::No;
        };
        match algorithm {
            "argon2" => self.verify_argon2(password, rest),
            "pbkdf2_sha256" => verify_pbkdf2(password, rest),
            "bcrypt_sha256" => {
                // Django hashes the password with SHA-256 first (bcrypt reads 72 bytes at most).
                let digest =
                    crate::hex(&<sha2::Sha256 as sha2::Digest>::digest(password.as_bytes()));
                verify_bcrypt(&digest, rest)
            }
            "bcrypt" => verify_bcrypt(password, rest),
            _ => Verified::No,
        }
    }

    fn verify_argon2(&self, password: &str, phc: &str) -> Verified {
        let phc = format!("${phc}");
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return Verified::No;
        };
        if self.argon2().verify_password(password.as_bytes(), &parsed).is_err() {
            return Verified::No;
        }
        let current = parsed.algorithm == argon2::ARGON2ID_IDENT
            && Params::try_from(&parsed).is_ok_and(|p| {
                p.m_cost() >= self.params.m_cost()
                    && p.t_cost() >= self.params.t_cost()
                    && p.p_cost() >= self.params.p_cost()
            });
        if current { Verified::Yes } else { Verified::YesUpgrade }
    }

    /// Hashes on a blocking thread: Argon2 takes tens of milliseconds of CPU by design, which
    /// must not stall the I/O threads.
    pub async fn hash_async(&self, password: &str) -> String {
        let (hasher, password) = (self.clone(), password.to_owned());
        tokio::task::spawn_blocking(move || hasher.hash(&password))
            .await
            .expect("hashing does not panic")
    }

    /// [`verify`](Self::verify) on a blocking thread.
    pub async fn verify_async(&self, password: &str, encoded: &str) -> Verified {
        let (hasher, password, encoded) = (self.clone(), password.to_owned(), encoded.to_owned());
        tokio::task::spawn_blocking(move || hasher.verify(&password, &encoded))
            .await
            .unwrap_or(Verified::No)
    }
}

/// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
fn verify_pbkdf2(password: &str, rest: &str) -> Verified {
    let mut parts = rest.splitn(3, '$');
    let (Some(iterations), Some(salt), Some(expected)) = (parts.next(), parts.next(), parts.next())
    else {
        return Verified::No;
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return Verified::No;
    };
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(expected) else {
        return Verified::No;
    };
    if expected.is_empty() || expected.len() > 64 || iterations == 0 {
        return Verified::No;
    }
    let mut derived = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.as_bytes(),
        salt.as_bytes(),
        iterations,
        &mut derived,
    );
    if bool::from(derived.ct_eq(&expected)) { Verified::YesUpgrade } else { Verified::No }
}

/// `$2b$<cost>$<salt+hash>` (Django writes `bcrypt$` before it).
fn verify_bcrypt(password: &str, rest: &str) -> Verified {
    match bcrypt::verify(password, rest) {
        Ok(true) => Verified::YesUpgrade,
        _ => Verified::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weaker_argon2_parameters_ask_for_an_upgrade() {
        let weak = PasswordHasher::argon2id(8 * 1024, 1, 1);
        let strong = PasswordHasher::argon2id(16 * 1024, 2, 1);
        let hash = weak.hash("pw");
        assert_eq!(strong.verify("pw", &hash), Verified::YesUpgrade);
        assert_eq!(weak.verify("pw", &strong.hash("pw")), Verified::Yes);
    }

    #[test]
    fn unusable_and_unknown_hashes_never_verify() {
        let hasher = PasswordHasher::argon2id(8 * 1024, 1, 1);
        for encoded in ["", "!", "!xyz", "md5$salt$abc", "pbkdf2_sha256$0$salt$", "argon2$garbage"]
        {
            assert_eq!(hasher.verify("", encoded), Verified::No, "{encoded}");
        }
    }
}
