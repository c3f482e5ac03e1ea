//! Each robot's sends kept inside what its provider allows, across instances.

use crate::service::db::Db;
use crate::service::error::ServiceError;

/// The sends a robot allows: per minute, and per second when the provider says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RobotLimit {
    pub per_minute: usize,
    pub per_second: Option<usize>,
}

/// Reserves a send to the robot `robot_key` now, or answers when the next one is allowed.
/// The robot's row is locked by updating it, so instances sharing a database never
/// reserve more than the limit between them.
pub async fn reserve_robot_send(
    db: &Db,
    robot_key: &str,
    limit: RobotLimit,
    now: i64,
) -> Result<Option<i64>, ServiceError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO robot_windows (robot_key, touched_at) VALUES ($1, $2) \
         ON CONFLICT (robot_key) DO UPDATE SET touched_at = $2",
    )
    .bind(robot_key)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let sent: Vec<(i64,)> = sqlx::query_as(
        "SELECT sent_at FROM robot_sends WHERE robot_key = $1 AND sent_at > $2 ORDER BY sent_at",
    )
    .bind(robot_key)
    .bind(now - 60_000)
    .fetch_all(&mut *tx)
    .await?;
    let sent: Vec<i64> = sent.into_iter().map(|(at,)| at).collect();
    if let Some(until) = next_allowed(&sent, limit, now) {
        tx.commit().await?;
        return Ok(Some(until));
    }
    sqlx::query("INSERT INTO robot_sends (robot_key, sent_at) VALUES ($1, $2)")
        .bind(robot_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(None)
}

/// `sent`: the sends of the last minute, oldest first. `None` when one more fits now.
fn next_allowed(sent: &[i64], limit: RobotLimit, now: i64) -> Option<i64> {
    let mut until = None;
    if sent.len() >= limit.per_minute {
        // The send that must leave the window first.
        until = Some(sent[sent.len() - limit.per_minute] + 60_001);
    }
    if let Some(per_second) = limit.per_second {
        let recent: Vec<i64> = sent
            .iter()
            .copied()
            .filter(|at| *at > now - 1_000)
            .collect();
        if recent.len() >= per_second {
            let second = recent[recent.len() - per_second] + 1_001;
            until = Some(until.map_or(second, |u: i64| u.max(second)));
        }
    }
    until
}

/// Forgets robot sends older than any window.
pub async fn purge_robot_sends(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM robot_sends WHERE sent_at < $1")
        .bind(now - 120_000)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_robot_window_answers_when_the_oldest_send_leaves_it() {
        let wecom = RobotLimit {
            per_minute: 3,
            per_second: None,
        };
        assert_eq!(next_allowed(&[1, 2], wecom, 10), None);
        assert_eq!(next_allowed(&[1, 2, 3], wecom, 10), Some(60_002));
        let lark = RobotLimit {
            per_minute: 100,
            per_second: Some(2),
        };
        assert_eq!(next_allowed(&[9_500], lark, 10_000), None);
        assert_eq!(next_allowed(&[9_500, 9_600], lark, 10_000), Some(10_501));
    }
}
