//! Case folding, done once and in Rust: SQLite's `lower()` folds ASCII only while PostgreSQL
//! folds by its locale, so a rule that folds in SQL ("login names are unique whatever their
//! case") would hold differently on each backend. Values are folded here and stored folded.

/// The folded form of `text`: Unicode lower case, so `ÉVA` and `éva` are one name. NUL,
/// which no stored name holds and PostgreSQL refuses in text, becomes U+FFFD, so a lookup
/// of a hostile name finds nothing instead of failing.
pub fn fold(text: &str) -> String {
    text.to_lowercase().replace('\0', "\u{FFFD}")
}

/// The stored key of a login: domain and login name, each trimmed and folded. Login names
/// are unique per domain under this key.
pub fn login_key(login: &str, domain: &str) -> String {
    format!("{}\\{}", fold(domain.trim()), fold(login.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_covers_letters_beyond_ascii() {
        assert_eq!(fold("ÉVA"), "éva");
        assert_eq!(fold("ΣΟΦΙΑ"), fold("σοφια"));
        assert_eq!(fold("Straße"), "straße");
        assert_eq!(fold("张伟"), "张伟");
        assert_eq!(fold("a\0b"), "a\u{FFFD}b");
    }
}
