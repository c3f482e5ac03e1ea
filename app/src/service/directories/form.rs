//! A directory as the console or the operator asks for it, checked and settled against the
//! stored one before anything is written.

use super::*;

/// The most a typed bind password may be.
const MAX_PASSWORD_BYTES: usize = 1024;

impl NewDirectory {
    /// The console's form, every field checked.
    pub fn parse(form: &DirectoryForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take("name", DirectoryName::parse(&form.name));
        let preset = errors.take("preset", Preset::parse(&form.preset));
        let overrides: Vec<(String, String)> = form
            .map
            .split([',', '\n'])
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .filter_map(|m| match m.split_once('=') {
                Some((f, a)) => Some((f.trim().to_owned(), a.trim().to_owned())),
                None => {
                    errors.push(
                        "map",
                        FieldProblem::NotAMapping {
                            entry: m.chars().take(200).collect(),
                        },
                    );
                    None
                }
            })
            .collect();
        let mapping = preset.and_then(|p| {
            p.mapping()
                .with_overrides(&overrides)
                .map_err(|e| errors.push("map", e))
                .ok()
        });
        let source = match form.kind.as_str() {
            "ldap" => ldap_source(
                &form.ldap_url,
                form.starttls.as_deref() == Some("true"),
                &form.bind_dn,
                &form.base_dn,
                &form.filter,
            )
            .map(Source::Ldap)
            .map_err(|more| errors.0.extend(more.0))
            .ok(),
            "file" => {
                let path = form.file.trim();
                if path.is_empty() || path.chars().any(char::is_control) {
                    errors.push("file", FieldProblem::NotAFilePath);
                    None
                } else {
                    Some(Source::File {
                        path: path.to_owned(),
                    })
                }
            }
            _ => {
                errors.push("kind", FieldProblem::NotAKind);
                None
            }
        };
        let typed = form.bind_password.as_str();
        if typed.len() > MAX_PASSWORD_BYTES {
            errors.push(
                "bind_password",
                FieldProblem::TooManyBytes {
                    max: MAX_PASSWORD_BYTES,
                },
            );
        }
        let typed_password =
            (form.kind == "ldap" && !typed.is_empty()).then(|| SecretString::from(typed));
        match (name, preset, mapping, source) {
            (Some(name), Some(preset), Some(mapping), Some(source)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    source,
                    preset,
                    mapping,
                    typed_password,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A directory to add, or the new settings of one to change.
#[derive(Debug)]
pub struct NewDirectory {
    pub name: DirectoryName,
    pub source: Source,
    pub preset: Preset,
    pub mapping: Mapping,
    /// A bind password typed in the console, sealed before it is stored.
    pub typed_password: Option<SecretString>,
}

/// `new`'s source as it may be stored for `actor`, given the directory as it was
/// (`before`): the console's rules of the module docs applied, a typed password sealed.
pub(super) fn settle(
    actor: &Actor,
    before: Option<&Directory>,
    new: &NewDirectory,
    key: &SecretKey,
    ldap_hosts: &[String],
) -> Result<Source, ServiceError> {
    let before_ldap = before.and_then(|b| match &b.source {
        Source::Ldap(l) => Some(l),
        Source::File { .. } => None,
    });
    match &new.source {
        Source::File { path } => {
            let unchanged =
                matches!(before.map(|b| &b.source), Some(Source::File { path: p }) if p == path);
            if !actor.is_operator() && !unchanged {
                console_file_path(path).map_err(|e| ServiceError::invalid("file", e))?;
            }
            Ok(new.source.clone())
        }
        Source::Ldap(asked) => {
            let mut ldap = asked.clone();
            if !actor.is_operator() {
                if matches!(asked.password, BindPassword::Env(_)) || asked.allow_plain {
                    return Err(ServiceError::NotAuthorized(Refusal::OperatorOnly));
                }
                // Users' own passwords go wherever the URL points (AD_AUTH): the console may
                // point a directory only at a server the operator listed.
                let same_server = before_ldap
                    .is_some_and(|b| b.url.trim().eq_ignore_ascii_case(asked.url.trim()));
                if !same_server && !ldap_host_allowed(&asked.url, ldap_hosts) {
                    return Err(ServiceError::invalid(
                        "ldap_url",
                        FieldProblem::LdapNotAllowed {
                            url: asked.url.chars().take(200).collect(),
                        },
                    ));
                }
                let same = before_ldap.filter(|b| b.same_connection(asked));
                ldap.allow_plain = same.is_some_and(|b| b.allow_plain);
                ldap.password = match (&new.typed_password, same, before_ldap) {
                    (Some(_), _, _) => BindPassword::Missing,
                    (None, Some(b), _) => b.password.clone(),
                    (None, None, Some(b)) if matches!(b.password, BindPassword::Env(_)) => {
                        return Err(ServiceError::invalid(
                            "bind_password",
                            FieldProblem::BindPasswordRetype,
                        ))
                    }
                    (None, None, _) => BindPassword::Missing,
                };
            }
            if let Some(typed) = &new.typed_password {
                ldap.password = BindPassword::Sealed(
                    key.seal(&password_purpose(new.name.as_str()), typed.expose_secret()),
                );
            }
            Ok(Source::Ldap(ldap))
        }
    }
}
