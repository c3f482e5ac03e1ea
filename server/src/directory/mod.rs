//! The directories Crewdesk reads, as the service's [`DirectorySource`]: LDAP servers and
//! CSV or JSON files, with the key their stored bind passwords are sealed under. The sync
//! itself (runs, batches, the rules) is `app::service::sync`.

pub mod file;
pub mod ldap;

use app::domain::directory::Entry;
use app::service::directories::{self, BindPassword, Directory, LdapSource, Source};
use app::service::secret_box::SecretKey;
use app::service::sync::DirectorySource;
use secrecy::SecretString;

/// What reading a directory needs from the server: the key its stored bind password is
/// sealed under, and the folder the console's directory files lie in.
#[derive(Debug, Clone)]
pub struct Access {
    pub key: std::sync::Arc<SecretKey>,
    pub root: std::path::PathBuf,
}

impl Access {
    /// The bind password of `directory`'s source.
    pub fn bind_password(
        &self,
        directory: &Directory,
        source: &LdapSource,
    ) -> Result<SecretString, String> {
        match &source.password {
            BindPassword::Env(variable) => {
                std::env::var(variable)
                    .map(SecretString::from)
                    .map_err(|_| {
                        format!("the bind password variable ${variable} is not set for this server")
                    })
            }
            BindPassword::Sealed(sealed) => self
                .key
                .open(&directories::password_purpose(&directory.name), sealed)
                .map_err(|e| format!("the bind password of {}: {e}", directory.name)),
            BindPassword::Missing => Err(format!(
                "no bind password is stored for the directory {}: type it in its Edit form",
                directory.name
            )),
        }
    }
}

/// Reads a directory whole.
async fn entries_of(directory: &Directory, access: &Access) -> Result<Vec<Entry>, String> {
    match &directory.source {
        Source::File { path } => file::read(path, &access.root, &directory.mapping).await,
        Source::Ldap(source) => {
            source.check_plain(&directory.name)?;
            let password = access.bind_password(directory, source)?;
            ldap::read(source, &password, directory.preset, &directory.mapping).await
        }
    }
}

#[async_trait::async_trait]
impl DirectorySource for Access {
    async fn entries(&self, directory: &Directory) -> Result<Vec<Entry>, String> {
        entries_of(directory, self).await
    }

    async fn verify(
        &self,
        directory: &Directory,
        login: &str,
        password: &str,
    ) -> Result<bool, String> {
        match &directory.source {
            Source::Ldap(source) => {
                // The user's own password would cross the network in clear.
                source.check_plain(&directory.name)?;
                let bind = self.bind_password(directory, source)?;
                ldap::verify_user(
                    source,
                    &bind,
                    directory.preset,
                    &directory.mapping,
                    login,
                    password,
                )
                .await
            }
            Source::File { .. } => Ok(false),
        }
    }
}
