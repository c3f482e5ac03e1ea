//! Secrets Crewdesk must keep and use again (a directory's bind password typed in the
//! console): sealed with AES-256-GCM under the server key, never shown again.
//!
//! The key is the operator's: `CREWDESK_SECRET_KEY` (32 bytes, base64 or hex), or else a key
//! file that the first start creates with mode 0600 (beside the SQLite database by default).
//! Each sealed value is bound to what it is for (its `purpose`, e.g. `directory:CORP`), so a
//! value copied to another row does not open there.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context;
use base64::Engine as _;
use secrecy::SecretString;
use std::path::Path;

/// Sealed values start with this, so a later key or cipher can be told apart.
const VERSION: &str = "v1:";

/// The server key. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(Aes256Gcm);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Why a sealed value did not open.
#[derive(Debug, thiserror::Error)]
#[error("the stored secret does not open with this server's key (was the key changed?)")]
pub struct Unsealable;

impl SecretKey {
    /// A key from 32 bytes written as base64 or hex.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .filter(|b| b.len() == 32)
            .or_else(|| {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()
                    .filter(|b| b.len() == 32)
            })
            .context(
                "the secret key must be 32 bytes written as base64 or hex \
                 (e.g. the output of `openssl rand -base64 32`)",
            )?;
        Ok(Self(
            Aes256Gcm::new_from_slice(&bytes).context("building the cipher")?,
        ))
    }

    /// A fresh random key (tests, and the key file's first start).
    pub fn generate() -> (Self, String) {
        let bytes: [u8; 32] = rand::random();
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        let key = Self(Aes256Gcm::new_from_slice(&bytes).expect("32 bytes are an AES-256 key"));
        (key, text)
    }

    /// The key from `from_env` when set, else from `file`, which is created (mode 0600,
    /// never overwritten) when it does not exist yet.
    pub fn load(from_env: Option<&str>, file: &Path) -> anyhow::Result<Self> {
        if let Some(text) = from_env.filter(|t| !t.trim().is_empty()) {
            return Self::parse(text).context("reading CREWDESK_SECRET_KEY");
        }
        match std::fs::read_to_string(file) {
            Ok(text) => Self::parse(&text)
                .with_context(|| format!("reading the secret key file {}", file.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::create(file).or_else(|create_error| {
                    // Another process may have created it first.
                    match std::fs::read_to_string(file) {
                        Ok(text) => Self::parse(&text),
                        Err(_) => Err(create_error),
                    }
                })
            }
            Err(e) => {
                Err(e).with_context(|| format!("reading the secret key file {}", file.display()))
            }
        }
    }

    fn create(file: &Path) -> anyhow::Result<Self> {
        use std::io::Write as _;
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the folder {}", dir.display()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options
            .open(file)
            .with_context(|| format!("creating the secret key file {}", file.display()))?;
        let (key, text) = Self::generate();
        out.write_all(format!("{text}\n").as_bytes())
            .and_then(|()| out.sync_all())
            .with_context(|| format!("writing the secret key file {}", file.display()))?;
        tracing::info!(file = %file.display(), "created a new secret key file");
        Ok(key)
    }

    /// `secret` sealed for `purpose`: text safe to store.
    pub fn seal(&self, purpose: &str, secret: &str) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let sealed = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce_bytes),
                Payload {
                    msg: secret.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .expect("AES-GCM seals any message under 64 GiB");
        let mut all = nonce_bytes.to_vec();
        all.extend_from_slice(&sealed);
        format!(
            "{VERSION}{}",
            base64::engine::general_purpose::STANDARD.encode(all)
        )
    }

    /// What [`seal`](Self::seal) sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<SecretString, Unsealable> {
        let bytes = sealed
            .strip_prefix(VERSION)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or(Unsealable)?;
        let (nonce, body) = bytes.split_at(12);
        let plain = self
            .0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| Unsealable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_purpose() {
        let (key, _) = SecretKey::generate();
        let sealed = key.seal("directory:CORP", "s3cret!");
        assert!(!sealed.contains("s3cret"));
        assert_eq!(
            key.open("directory:CORP", &sealed).unwrap().expose_secret(),
            "s3cret!"
        );
        assert!(key.open("directory:OTHER", &sealed).is_err());
        let (other, _) = SecretKey::generate();
        assert!(other.open("directory:CORP", &sealed).is_err());
        // Two seals of one secret differ (a fresh nonce each).
        assert_ne!(sealed, key.seal("directory:CORP", "s3cret!"));
        for broken in ["", "v1:", "v1:AAAA", "v2:abc", &sealed[..sealed.len() - 2]] {
            assert!(key.open("directory:CORP", broken).is_err(), "{broken}");
        }
    }

    #[test]
    fn a_key_is_32_bytes_of_base64_or_hex() {
        let (_, text) = SecretKey::generate();
        assert!(SecretKey::parse(&text).is_ok());
        assert!(SecretKey::parse(&"ab".repeat(32)).is_ok());
        for bad in ["", "short", &"ab".repeat(31), "not base64 at all !!"] {
            assert!(SecretKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_key_file_is_created_once_owner_only_and_read_again() {
        let dir = std::env::temp_dir().join(format!("crewdesk-key-{}", rand::random::<u64>()));
        let file = dir.join("crewdesk.key");
        let first = SecretKey::load(None, &file).unwrap();
        let sealed = first.seal("p", "value");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = SecretKey::load(None, &file).unwrap();
        assert_eq!(again.open("p", &sealed).unwrap().expose_secret(), "value");
        // The variable wins over the file.
        let (_, text) = SecretKey::generate();
        let from_env = SecretKey::load(Some(&text), &file).unwrap();
        assert!(from_env.open("p", &sealed).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
