//! Reference data as the console lists it: sites, departments, groups and UDF definitions.

use super::roster::Site;
use serde::{Deserialize, Serialize};

/// A department or group and the site it belongs to (`None`: not associated to any site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefItem {
    pub id: i64,
    pub name: String,
    pub site: Option<String>,
}

/// A user-defined field: the API addresses it by `column`; `alias` is its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Udf {
    pub column: String,
    pub alias: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceData {
    pub sites: Vec<Site>,
    pub departments: Vec<RefItem>,
    pub groups: Vec<RefItem>,
    pub udfs: Vec<Udf>,
    /// The viewer may add to them (an SDAdmin).
    pub editable: bool,
}
