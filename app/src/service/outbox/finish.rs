//! Recording how each attempt ended.

use super::Claimed;
use crate::service::contact_health::{self, Verdict};
use crate::service::db::{
    bind_values, insert_rows, placeholders, rows_per_statement, Db, Value, VALUES_PER_STATEMENT,
};
use crate::service::error::ServiceError;

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The provider accepted it; its answer.
    Delivered(String),
    /// No provider is configured: the message went to the Message log, as rendered here.
    Captured(String),
    /// Try again later: after `after_ms` if the provider said so, else after the backoff.
    Retry {
        answer: String,
        after_ms: Option<i64>,
    },
    /// The provider refused it for good, for a reason of its own or ours.
    Failed(String),
    /// The provider refused the contact itself for good (no such number, mailbox, robot or
    /// chat): the message is dead and the contact is marked failing.
    Refused(String),
    /// A per-robot limit is full: not an attempt; queued again until `until`.
    Deferred { until: i64 },
    /// Nothing to send to any more (the engineer or their webhook is gone).
    Cancelled(String),
}

/// How many attempts a delivery gets and how long it waits between them.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    pub max_attempts: i64,
    pub base_ms: i64,
    pub cap_ms: i64,
}

impl Default for Retries {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_ms: 2_000,
            cap_ms: 10 * 60 * 1000,
        }
    }
}

impl Retries {
    /// Exponential backoff with jitter: between half and all of `base · 2^(attempt-1)`,
    /// capped; `Retry-After` (capped at an hour) wins when it is longer.
    pub fn delay_ms(&self, attempt: i64, retry_after_ms: Option<i64>, jitter: f64) -> i64 {
        let exponent = u32::try_from(attempt.clamp(1, 30) - 1).unwrap_or(0);
        let full = self
            .base_ms
            .saturating_mul(1_i64 << exponent)
            .min(self.cap_ms);
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let backoff = (full as f64 * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))) as i64;
        let told = retry_after_ms.unwrap_or(0).clamp(0, 60 * 60 * 1000);
        backoff.max(told)
    }
}

/// Answers are kept short in the logs: a provider may answer a whole HTML page.
fn short(answer: &str) -> String {
    const LIMIT: usize = 500;
    if answer.len() <= LIMIT {
        return answer.to_owned();
    }
    let mut end = LIMIT;
    while !answer.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &answer[..end])
}

/// Records how each attempt ended, in one transaction of a few statements for the whole
/// batch. A row whose lease this worker no longer holds is left alone.
pub async fn finish(
    db: &Db,
    worker: &str,
    retries: Retries,
    results: &[(Claimed, Outcome)],
    now: i64,
) -> Result<(), ServiceError> {
    // What each row becomes: (status, answer, next attempt, attempts given back, logged as).
    type Ending = (&'static str, String, i64, i64, &'static str);
    let mut endings: Vec<(&Claimed, &Outcome, Ending)> = Vec::with_capacity(results.len());
    for (claimed, outcome) in results {
        let (status, answer, next, attempts_back, logged) = match outcome {
            Outcome::Delivered(answer) => ("delivered", short(answer), now, 0, "delivered"),
            Outcome::Captured(_) => (
                "delivered",
                "no provider configured: captured in the Message log".to_owned(),
                now,
                0,
                "captured",
            ),
            Outcome::Retry { answer, after_ms } if claimed.budget_used() < retries.max_attempts => {
                let delay =
                    retries.delay_ms(claimed.budget_used(), *after_ms, rand::random::<f64>());
                ("retrying", short(answer), now + delay, 0, "retry")
            }
            Outcome::Retry { answer, .. } => (
                "dead",
                format!(
                    "{} (gave up after {} attempts)",
                    short(answer),
                    claimed.budget_used()
                ),
                now,
                0,
                "dead",
            ),
            Outcome::Failed(answer) | Outcome::Refused(answer) => {
                ("dead", short(answer), now, 0, "failed")
            }
            Outcome::Deferred { until } => ("queued", String::new(), *until, 1, ""),
            Outcome::Cancelled(reason) => ("cancelled", short(reason), now, 0, "cancelled"),
        };
        endings.push((
            claimed,
            outcome,
            (status, answer, next, attempts_back, logged),
        ));
    }
    let mut tx = db.begin_write().await?;
    // Rows that end alike are updated together (a batch of captured messages: one statement).
    let mut alike: Vec<(&Ending, Vec<i64>)> = Vec::new();
    for (claimed, _, ending) in &endings {
        match alike.iter_mut().find(|(e, _)| *e == ending) {
            Some((_, ids)) => ids.push(claimed.id),
            None => alike.push((ending, vec![claimed.id])),
        }
    }
    let mut ours: Vec<i64> = Vec::with_capacity(endings.len());
    for ((status, answer, next, attempts_back, _), ids) in alike {
        for part in ids.chunks(VALUES_PER_STATEMENT - 6) {
            let sql = format!(
                "UPDATE deliveries SET status = $1, \
                 last_answer = CASE WHEN $2 = '' THEN last_answer ELSE $2 END, \
                 next_attempt_at = $3, attempts = attempts - $4, lease_owner = NULL, \
                 lease_until = NULL, updated_at = $5 \
                 WHERE lease_owner = $6 AND status = 'sending' AND id IN ({}) RETURNING id",
                placeholders(7, part.len())
            );
            let mut query = sqlx::query_as::<_, (i64,)>(&sql)
                .bind(*status)
                .bind(answer.as_str())
                .bind(*next)
                .bind(*attempts_back)
                .bind(now)
                .bind(worker);
            for id in part {
                query = query.bind(*id);
            }
            ours.extend(query.fetch_all(&mut *tx).await?.into_iter().map(|(id,)| id));
        }
    }
    let verdicts: Vec<contact_health::Learnt<'_>> = endings
        .iter()
        .filter(|(claimed, ..)| ours.contains(&claimed.id))
        .filter_map(|(claimed, outcome, (_, answer, ..))| {
            let verdict = match outcome {
                Outcome::Delivered(_) => Verdict::Worked,
                Outcome::Refused(_) => Verdict::Refused(answer.clone()),
                // A provider that says how long to wait is pacing us, not failing the contact.
                Outcome::Retry {
                    after_ms: Some(_), ..
                } => return None,
                // Given up on or still to be tried: either way, trouble for now.
                Outcome::Retry { .. } => Verdict::Trouble(answer.clone()),
                _ => return None,
            };
            Some(contact_health::Learnt {
                technician_id: claimed.technician_id?,
                channel: claimed.channel,
                recipient: &claimed.recipient,
                verdict,
            })
        })
        .collect();
    contact_health::learn(&mut tx, &verdicts, now).await?;
    let mut attempts = Vec::new();
    let mut texts = Vec::new();
    let mut captured = Vec::new();
    for (claimed, outcome, (_, answer, _, _, logged)) in &endings {
        if logged.is_empty() || !ours.contains(&claimed.id) {
            continue;
        }
        attempts.push(vec![
            Value::Int(claimed.id),
            Value::Int(claimed.attempt),
            Value::Text(worker.to_owned()),
            Value::Int(now),
            Value::Text((*logged).to_owned()),
            Value::Text(answer.clone()),
        ]);
        if matches!(claimed.kind.as_str(), "confirmation" | "drill")
            && matches!(outcome, Outcome::Delivered(_) | Outcome::Captured(_))
        {
            texts.push(vec![
                Value::Int(claimed.notification_id),
                Value::Text(super::withhold_links(&claimed.text)),
            ]);
        }
        if let Outcome::Captured(text) = outcome {
            captured.push(vec![
                Value::Int(claimed.id),
                Value::Text(claimed.channel.as_str().to_owned()),
                Value::Text(claimed.recipient.clone()),
                Value::Text(text.clone()),
                Value::Int(now),
            ]);
        }
    }
    insert_rows(
        &mut tx,
        "delivery_attempts (delivery_id, attempt, worker, at, outcome, answer)",
        "",
        &attempts,
    )
    .await?;
    insert_rows(
        &mut tx,
        "captured_messages (delivery_id, channel, recipient, text, created_at)",
        "ON CONFLICT (delivery_id) DO NOTHING",
        &captured,
    )
    .await?;
    // The texts of confirmations sent: `CASE id WHEN $1 THEN $2 …` for a few at a time.
    for part in texts.chunks(rows_per_statement(2)) {
        let whens: Vec<String> = (0..part.len())
            .map(|i| format!("WHEN ${} THEN ${}", 2 * i + 1, 2 * i + 2))
            .collect();
        let ids: Vec<String> = (0..part.len()).map(|i| format!("${}", 2 * i + 1)).collect();
        let sql = format!(
            "UPDATE notifications SET text = CASE id {} END WHERE id IN ({})",
            whens.join(" "),
            ids.join(", ")
        );
        bind_values(sqlx::query(&sql), part.iter().flatten())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_stops_at_the_cap() {
        let r = Retries {
            max_attempts: 8,
            base_ms: 1_000,
            cap_ms: 10_000,
        };
        assert_eq!(r.delay_ms(1, None, 1.0), 1_000);
        assert_eq!(r.delay_ms(1, None, 0.0), 500);
        assert_eq!(r.delay_ms(3, None, 1.0), 4_000);
        assert_eq!(r.delay_ms(20, None, 1.0), 10_000);
        assert_eq!(r.delay_ms(1, Some(30_000), 0.5), 30_000);
        assert_eq!(r.delay_ms(1, Some(i64::MAX), 0.5), 3_600_000);
    }

    #[test]
    fn long_answers_are_cut_on_a_character_boundary() {
        let answer = "é".repeat(400);
        let cut = short(&answer);
        assert!(cut.ends_with('…'));
        assert!(cut.len() <= 504);
    }
}
