//! What the Edit dialog is filled with.

use super::roster::BetaChannels;
use super::webhook::WebhookHosts;
use serde::{Deserialize, Serialize};

/// Contact-point fields as the console may show them, by form field name: masked webhooks
/// and secrets, chat ids as they are. A field not listed is not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedContacts(pub Vec<(String, String)>);

impl MaskedContacts {
    pub fn get(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditView {
    pub id: i64,
    pub version: i64,
    pub name: String,
    /// Every technician field; otherwise only the engineer's own contact methods.
    pub full: bool,
    pub can_grant_roles: bool,
    /// Current values by API attribute name.
    pub values: Vec<(String, String)>,
    pub contacts: MaskedContacts,
    pub beta: BetaChannels,
    /// Where webhooks may point, so the browser checks them as the server will.
    pub webhook_hosts: WebhookHosts,
    /// The contacts delivery found failing, in the order of `Channel::ALL`.
    pub failing: Vec<super::ContactHealth>,
}

impl EditView {
    pub fn value(&self, attribute: &str) -> String {
        self.values
            .iter()
            .find(|(k, _)| k == attribute)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}
