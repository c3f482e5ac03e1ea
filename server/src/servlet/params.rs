//! The request parameters of a servlet call, from a form-urlencoded or multipart body (and
//! the query string). Names are case-sensitive; the first occurrence of a name wins.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{header, Request};

pub const BODY_LIMIT: usize = 64 * 1024;

/// The parameters that carry a secret or name whose secret it is.
const CREDENTIALS: [&str; 2] = ["username", "password"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Present and not blank.
    pub fn given(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    pub fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Reads the whole request; a body over 64 KiB or a broken multipart body is refused
    /// with a message for the envelope.
    pub async fn read(req: Request<Body>) -> Result<Self, String> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|e| {
            let too_long = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_long {
                "The request body exceeds 64 KiB.".to_owned()
            } else {
                "The request body could not be read: it stopped arriving or was cut off.".to_owned()
            }
        })?;
        let mut pairs: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        // A URL is written to proxy and access logs: credentials there are refused, not used.
        if let Some((name, _)) = pairs
            .iter()
            .find(|(k, _)| CREDENTIALS.contains(&k.as_str()))
        {
            return Err(format!(
                "'{name}' may not be sent in the URL, where proxies and access logs record it; send the credentials in the form body."
            ));
        }
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let req = Request::from_parts(parts, Body::from(bytes));
            let mut multipart = Multipart::from_request(req, &())
                .await
                .map_err(|e| format!("The multipart body could not be read: {e}."))?;
            let mut body_pairs = Vec::new();
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| format!("The multipart body could not be read: {e}."))?
            {
                let name = field.name().unwrap_or_default().to_owned();
                let value = field
                    .text()
                    .await
                    .map_err(|e| format!("The multipart field '{name}' could not be read: {e}."))?;
                body_pairs.push((name, value));
            }
            // Body parameters take precedence over the query string.
            body_pairs.append(&mut pairs);
            return Ok(Self(body_pairs));
        }
        let mut body_pairs: Vec<(String, String)> =
            form_urlencoded::parse(&bytes).into_owned().collect();
        body_pairs.append(&mut pairs);
        Ok(Self(body_pairs))
    }
}
