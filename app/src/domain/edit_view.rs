//! What the Edit dialog is filled with.

use super::roster::BetaChannels;
use super::webhook::WebhookHosts;
use serde::{Deserialize, Serialize};

/// Robot credentials as the console may show them: masked, or `None` when not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskedRobots {
    pub wecom_webhook: Option<String>,
    pub dingtalk_webhook: Option<String>,
    pub dingtalk_secret: Option<String>,
    pub lark_webhook: Option<String>,
    pub lark_secret: Option<String>,
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
    pub robots: MaskedRobots,
    pub beta: BetaChannels,
    /// Where webhooks may point, so the browser checks them as the server will.
    pub webhook_hosts: WebhookHosts,
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
