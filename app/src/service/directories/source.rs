//! Where engineers come from: a directory (an LDAP server, a CSV or JSON file) read whole,
//! and asked whether a password is right. The service owns this trait; the server
//! implements it (it holds the network, the files and the key the bind passwords are sealed
//! under), and start-up hands the implementation to the state.

use super::Directory;
use crate::domain::directory::Entry;

#[async_trait::async_trait]
pub trait DirectorySource: Send + Sync + std::fmt::Debug {
    /// Every entry of `directory`, or why it could not be read (the directory's own words).
    async fn entries(&self, directory: &Directory) -> Result<Vec<Entry>, String>;

    /// Binds to `directory` as the user `login` with `password` (AD_AUTH): `Ok(true)` right,
    /// `Ok(false)` wrong or no such user, `Err` it did not answer, with why.
    async fn verify(
        &self,
        directory: &Directory,
        login: &str,
        password: &str,
    ) -> Result<bool, String>;
}
