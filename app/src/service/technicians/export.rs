//! The roster as a table for a spreadsheet: every attribute the XML API knows, UDFs by
//! column name, for the engineers a view shows that the exporter reaches (an SDAdmin all,
//! an SDSiteAdmin those wholly within its sites). Read a page at a time through the roster's
//! keyset, so any size is exported in constant memory.

use super::details::read_many;
use super::list::list_technicians;
use crate::domain::{ListQuery, Refusal, Verb};
use crate::service::actor::Actor;
use crate::service::db::Db;
use crate::service::error::ServiceError;

/// The attributes every row has, in the API's order, before the UDF columns.
pub const ATTRIBUTES: [&str; 19] = [
    "name",
    "alias",
    "employeeId",
    "email",
    "phone",
    "mobile",
    "smsMailId",
    "costPerHr",
    "jobTitle",
    "techSiteName",
    "departmentName",
    "associateSites",
    "associateGroups",
    "associateRols",
    "approvePurchaseOrder",
    "enableLogin",
    "loginName",
    "userDomainName",
    "language",
];

/// Engineers read per page.
const PAGE: u32 = 200;

/// An export under way: [`Export::header`] once, then [`Export::next_rows`] until `None`.
pub struct Export {
    db: Db,
    actor: Actor,
    query: ListQuery,
    udfs: Vec<String>,
    done: bool,
}

impl Export {
    /// Starts an export of the engineers `query` shows; only administrators export.
    pub async fn start(db: &Db, actor: &Actor, query: &ListQuery) -> Result<Self, ServiceError> {
        if !(actor.is_admin() || actor.is_site_admin()) {
            return Err(ServiceError::NotAuthorized(Refusal::AdminsOnly {
                verb: Verb::Export,
            }));
        }
        let udfs = crate::service::reference::list_udfs(db)
            .await?
            .into_iter()
            .map(|u| u.column)
            .collect();
        let mut query = query.clone();
        query.per_page = PAGE;
        query.page = 1;
        query.before.clear();
        Ok(Self {
            db: db.clone(),
            actor: actor.clone(),
            query,
            udfs,
            done: false,
        })
    }

    /// The column names: `id`, the attributes, the UDF columns.
    pub fn header(&self) -> Vec<String> {
        std::iter::once("id".to_owned())
            .chain(ATTRIBUTES.iter().map(|a| (*a).to_owned()))
            .chain(self.udfs.iter().cloned())
            .collect()
    }

    /// The next page of rows, in the header's order; `None` when all were given.
    pub async fn next_rows(&mut self) -> Result<Option<Vec<Vec<String>>>, ServiceError> {
        if self.done {
            return Ok(None);
        }
        let page = list_technicians(&self.db, &self.actor, &self.query).await?;
        match page.next_cursor {
            Some(cursor) if page.has_next => self.query.after = cursor,
            _ => self.done = true,
        }
        let ids: Vec<i64> = page
            .rows
            .iter()
            .filter(|r| self.actor.is_admin() || r.manageable)
            .map(|r| r.id)
            .collect();
        let mut conn = self.db.reader().acquire().await?;
        let mut found = read_many(&mut conn, &ids).await?;
        let rows = ids
            .iter()
            .filter_map(|id| found.remove(id).map(|(details, _)| (*id, details)))
            .map(|(id, details)| {
                std::iter::once(id.to_string())
                    .chain(
                        ATTRIBUTES
                            .iter()
                            .copied()
                            .chain(self.udfs.iter().map(String::as_str))
                            .map(|name| details.get(name).unwrap_or("").to_owned()),
                    )
                    .collect()
            })
            .collect();
        Ok(Some(rows))
    }
}
