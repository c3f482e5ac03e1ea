//! The XML answer of every servlet request, success or failure.

use app::service::{AuthError, ServiceError};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

/// The machine-readable reason of a Failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    AuthFailed,
    NotAuthorized,
    SiteRestricted,
    LoginNameExists,
    AmbiguousTechnician,
    TechnicianNotFound,
    ProtectedAdmin,
    InvalidInput,
    UnknownOperation,
    RateLimited,
    /// The account's password is still its login name: change it in the console first.
    PasswordChangeRequired,
    /// Not in the published list: the server failed, and said nothing more.
    InternalError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthFailed => "AUTH_FAILED",
            Self::NotAuthorized => "NOT_AUTHORIZED",
            Self::SiteRestricted => "SITE_RESTRICTED",
            Self::LoginNameExists => "LOGIN_NAME_EXISTS",
            Self::AmbiguousTechnician => "AMBIGUOUS_TECHNICIAN",
            Self::TechnicianNotFound => "TECHNICIAN_NOT_FOUND",
            Self::ProtectedAdmin => "PROTECTED_ADMIN",
            Self::InvalidInput => "INVALID_INPUT",
            Self::UnknownOperation => "UNKNOWN_OPERATION",
            Self::RateLimited => "RATE_LIMITED",
            Self::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub operation: String,
    pub outcome: Result<Success, Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Success {
    pub message: String,
    pub userid: i64,
    pub details: Option<Vec<(String, String)>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Envelope {
    pub fn success(operation: &str, message: impl Into<String>, userid: i64) -> Self {
        Self {
            operation: operation.to_owned(),
            outcome: Ok(Success {
                message: message.into(),
                userid,
                details: None,
            }),
        }
    }

    /// GetTechnician's answer: the attributes in a `Details` element.
    pub fn with_details(
        operation: &str,
        message: impl Into<String>,
        userid: i64,
        details: Vec<(String, String)>,
    ) -> Self {
        Self {
            operation: operation.to_owned(),
            outcome: Ok(Success {
                message: message.into(),
                userid,
                details: Some(details),
            }),
        }
    }

    pub fn failure(operation: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            operation: operation.to_owned(),
            outcome: Err(Failure {
                code,
                message: message.into(),
            }),
        }
    }

    pub fn from_service_error(operation: &str, err: ServiceError) -> Self {
        let (code, message) = match err {
            ServiceError::NotAuthorized(m) => (ErrorCode::NotAuthorized, m.to_string()),
            ServiceError::SiteRestricted(m) => (ErrorCode::SiteRestricted, m.to_string()),
            ServiceError::LoginNameExists(login) => (
                ErrorCode::LoginNameExists,
                format!("The login name '{login}' is already taken in that domain."),
            ),
            ServiceError::Ambiguous(m) => (ErrorCode::AmbiguousTechnician, m.to_string()),
            ServiceError::NotFound(m) => (ErrorCode::TechnicianNotFound, m.to_string()),
            ServiceError::ProtectedAdmin(m) => (ErrorCode::ProtectedAdmin, m.to_string()),
            ServiceError::Invalid(errors) => (ErrorCode::InvalidInput, errors.to_string()),
            ServiceError::Conflict(m) => (ErrorCode::InvalidInput, m.to_string()),
            ServiceError::TooSoon(m) => (ErrorCode::RateLimited, m.to_string()),
            ServiceError::Internal(e) => {
                tracing::error!(error = ?e, operation, "servlet operation failed");
                (
                    ErrorCode::InternalError,
                    "The server could not complete the operation; it has been logged.".to_owned(),
                )
            }
        };
        Self::failure(operation, code, message)
    }

    pub fn from_auth_error(operation: &str, err: AuthError) -> Self {
        let code = match err {
            AuthError::RateLimited { .. }
            | AuthError::AddressThrottled { .. }
            | AuthError::Busy => ErrorCode::RateLimited,
            AuthError::Internal(ref e) => {
                tracing::error!(error = ?e, "authentication failed internally");
                ErrorCode::InternalError
            }
            AuthError::Failed
            | AuthError::DirectoryUnavailable
            | AuthError::DirectoryDown(_)
            | AuthError::PlainLdap(_) => ErrorCode::AuthFailed,
        };
        let message = match err {
            AuthError::Internal(_) => {
                "The server could not check the credentials; it has been logged.".to_owned()
            }
            other => format!("Authentication failed: {other}."),
        };
        Self::failure(operation, code, message)
    }

    pub fn to_xml(&self) -> String {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing into a Vec cannot fail; the results are checked for form's sake.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        let _ = writer
            .create_element("operation")
            .with_attribute(("name", xml_safe(&self.operation).as_ref()))
            .write_inner_content(|w| {
                let text = |w: &mut Writer<Vec<u8>>, tag: &str, value: &str| {
                    w.create_element(tag)
                        .write_text_content(BytesText::new(&xml_safe(value)))
                        .map(|_| ())
                };
                match &self.outcome {
                    Ok(success) => {
                        text(w, "operationstatus", "Success")?;
                        text(w, "message", &success.message)?;
                        text(w, "userid", &success.userid.to_string())?;
                        if let Some(details) = &success.details {
                            w.create_element("Details").write_inner_content(|w| {
                                for (key, value) in details {
                                    w.create_element("propname")
                                        .with_attribute(("key", xml_safe(key).as_ref()))
                                        .write_text_content(BytesText::new(&xml_safe(value)))?;
                                }
                                Ok(())
                            })?;
                        }
                    }
                    Err(failure) => {
                        text(w, "operationstatus", "Failure")?;
                        text(w, "message", &failure.message)?;
                        text(w, "errorcode", failure.code.as_str())?;
                    }
                }
                Ok(())
            });
        let mut xml = String::from_utf8(writer.into_inner()).unwrap_or_default();
        xml.push('\n');
        xml
    }
}

/// XML 1.0 allows no control characters but tab, newline and carriage return, and neither
/// U+FFFE nor U+FFFF; anything echoed from a request may hold them, so they become U+FFFD.
fn xml_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

impl IntoResponse for Envelope {
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            self.to_xml(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_is_the_documented_envelope() {
        let xml = Envelope::success("AddTechnician", "Technician added successfully", 42).to_xml();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <operation name=\"AddTechnician\">\n  \
             <operationstatus>Success</operationstatus>\n  \
             <message>Technician added successfully</message>\n  \
             <userid>42</userid>\n\
             </operation>\n"
        );
    }

    #[test]
    fn details_are_one_propname_per_attribute() {
        let details = vec![
            ("name".to_owned(), "Ada & Co".to_owned()),
            ("departmentName".to_owned(), String::new()),
        ];
        let xml = Envelope::with_details(
            "GetTechnician",
            "Technician details fetched successfully",
            7,
            details,
        )
        .to_xml();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <operation name=\"GetTechnician\">\n  \
             <operationstatus>Success</operationstatus>\n  \
             <message>Technician details fetched successfully</message>\n  \
             <userid>7</userid>\n  \
             <Details>\n    \
             <propname key=\"name\">Ada &amp; Co</propname>\n    \
             <propname key=\"departmentName\"></propname>\n  \
             </Details>\n\
             </operation>\n"
        );
    }

    #[test]
    fn characters_xml_cannot_carry_are_replaced() {
        let xml = Envelope::failure(
            "Add\u{1}",
            ErrorCode::InvalidInput,
            "bad \u{0}\u{1b} value\u{FFFF}",
        )
        .to_xml();
        assert!(xml.contains("name=\"Add\u{FFFD}\""), "{xml}");
        assert!(
            xml.contains("<message>bad \u{FFFD}\u{FFFD} value\u{FFFD}</message>"),
            "{xml}"
        );
    }

    #[test]
    fn a_failure_carries_its_code_and_escapes_text() {
        let xml = Envelope::failure("Add<&>", ErrorCode::InvalidInput, "name: <b>&</b>").to_xml();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <operation name=\"Add&lt;&amp;&gt;\">\n  \
             <operationstatus>Failure</operationstatus>\n  \
             <message>name: &lt;b&gt;&amp;&lt;/b&gt;</message>\n  \
             <errorcode>INVALID_INPUT</errorcode>\n\
             </operation>\n"
        );
    }
}
