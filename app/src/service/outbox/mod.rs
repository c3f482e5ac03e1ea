//! The outbox: notifications written in their cause's transaction, then claimed by workers
//! with a lease, delivered, retried with backoff and finally delivered, dead or cancelled.
//!
//! Every state change of a delivery that a worker makes names the worker: a worker whose
//! lease ran out (it was killed, or stalled) finds its row taken over and records nothing.
//!
//! [`enqueue`] writes, [`claim`] leases, [`finish`] records; [`limits`] keeps each robot's
//! sends inside what its provider allows.

mod claim;
mod enqueue;
mod finish;
pub mod limits;

pub use claim::{claim, Claimed};
pub use enqueue::{add_deliveries, cancel_for_technician, commit, enqueue, enqueue_each, recent};
pub use finish::{finish, Outcome, Retries};
pub use limits::{purge_robot_sends, reserve_robot_send, RobotLimit};

use super::db::Db;
use super::error::ServiceError;
use crate::domain::Channel;

/// One delivery to write with a notification.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub technician_id: Option<i64>,
    pub channel: Channel,
    /// What the logs show: the number, the address, or the masked robot.
    pub recipient: String,
    /// (event, engineer, channel): never two rows with the same key.
    pub idempotency_key: String,
}

/// Why a notification was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Confirmation,
    Test,
    Api,
    /// A reachability drill's message, with its acknowledgement link.
    Drill,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmation => "confirmation",
            Self::Test => "test",
            Self::Api => "api",
            Self::Drill => "drill",
        }
    }
}

/// The Message log, newest first: for an SDAdmin only, since it holds confirmation links.
pub async fn messages(
    db: &Db,
    actor: &super::Actor,
    page: u32,
) -> Result<crate::domain::MessagePage, ServiceError> {
    use crate::domain::{audit::utc_text, CapturedMessage, MessagePage};
    actor.require_admin(crate::domain::AdminTask::ReadMessageLog)?;
    let per_page: u32 = 50;
    let page = page.max(1);
    let (total,): (i64,) = sqlx::query_as("SELECT count(*) FROM captured_messages")
        .fetch_one(db.reader())
        .await?;
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT created_at, channel, recipient, text FROM captured_messages \
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
    )
    .bind(i64::from(per_page))
    .bind(i64::from(per_page) * i64::from(page - 1))
    .fetch_all(db.reader())
    .await?;
    Ok(MessagePage {
        rows: rows
            .into_iter()
            .map(|(at, channel, recipient, text)| CapturedMessage {
                at: utc_text(at),
                channel,
                recipient,
                text,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

/// How long the Message log keeps a message: well past the 48 hours a link is valid.
pub const CAPTURED_KEPT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// Removes Message log entries older than [`CAPTURED_KEPT_MS`].
pub async fn purge_captured(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM captured_messages WHERE created_at < $1")
        .bind(now - CAPTURED_KEPT_MS)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// `text` with the token of every confirmation and acknowledgement link withheld: what a
/// notification keeps once its link went out, so the database holds no usable link.
pub fn withhold_links(text: &str) -> String {
    const MARKS: [&str; 2] = ["/confirm/", "/ack/"];
    let next = |rest: &str| {
        MARKS
            .iter()
            .filter_map(|mark| rest.find(mark).map(|at| (at, at + mark.len())))
            .min()
            .map(|(_, after)| after)
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(after) = next(rest) {
        out.push_str(&rest[..after]);
        out.push('…');
        let end = rest[after..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |i| after + i);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_links_keep_no_token() {
        assert_eq!(
            withhold_links("confirm: {public_url}/confirm/abcDEF123 (valid 48 h). /confirm/x"),
            "confirm: {public_url}/confirm/… (valid 48 h). /confirm/…"
        );
        assert_eq!(withhold_links("no link, ünïcödé"), "no link, ünïcödé");
        assert_eq!(withhold_links("end /confirm/"), "end /confirm/…");
        assert_eq!(
            withhold_links("drill: {public_url}/ack/0123abc then /confirm/x"),
            "drill: {public_url}/ack/… then /confirm/…"
        );
    }
}
