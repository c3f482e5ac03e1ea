//! Reads the servlet envelope back, checking it is well-formed as it goes.

use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub raw: String,
    pub operation: String,
    pub operationstatus: String,
    pub message: String,
    pub errorcode: Option<String>,
    pub userid: Option<i64>,
    pub details: Vec<(String, String)>,
}

impl Answer {
    pub async fn read(response: reqwest::Response) -> Self {
        let (status, content_type, raw) = parts(response).await.expect("body");
        let mut answer = parse(&raw).unwrap_or_else(|e| panic!("malformed envelope ({e}): {raw}"));
        answer.status = status;
        answer.content_type = content_type;
        answer.raw = raw;
        answer
    }

    pub fn is_success(&self) -> bool {
        self.operationstatus == "Success"
    }

    pub fn code(&self) -> &str {
        self.errorcode.as_deref().unwrap_or("")
    }

    pub fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Status, content type and body of an answer.
pub async fn parts(response: reqwest::Response) -> Result<(u16, String, String), reqwest::Error> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok((status, content_type, response.text().await?))
}

/// Parses an envelope; any XML error or a missing root `operation` element is an error.
pub fn parse(raw: &str) -> Result<Answer, String> {
    let mut reader = Reader::from_str(raw);
    let mut answer = Answer::default();
    let mut path: Vec<String> = Vec::new();
    let mut key = String::new();
    let mut saw_root = false;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                if path.is_empty() {
                    if name != "operation" {
                        return Err(format!("root element is {name}"));
                    }
                    saw_root = true;
                    for attr in e.attributes() {
                        let attr = attr.map_err(|e| e.to_string())?;
                        if attr.key.as_ref() == b"name" {
                            answer.operation = attr
                                .unescape_value()
                                .map_err(|e| e.to_string())?
                                .to_string();
                        }
                    }
                }
                if name == "propname" {
                    key.clear();
                    for attr in e.attributes() {
                        let attr = attr.map_err(|e| e.to_string())?;
                        if attr.key.as_ref() == b"key" {
                            key = attr
                                .unescape_value()
                                .map_err(|e| e.to_string())?
                                .to_string();
                        }
                    }
                    answer.details.push((key.clone(), String::new()));
                }
                path.push(name);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| e.to_string())?.to_string();
                match path.last().map(String::as_str) {
                    Some("operationstatus") => answer.operationstatus = text,
                    Some("message") => answer.message = text,
                    Some("errorcode") => answer.errorcode = Some(text),
                    Some("userid") => answer.userid = text.trim().parse().ok(),
                    Some("propname") => {
                        if let Some(last) = answer.details.last_mut() {
                            last.1 = text;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root || !path.is_empty() {
        return Err("no complete operation element".into());
    }
    Ok(answer)
}
