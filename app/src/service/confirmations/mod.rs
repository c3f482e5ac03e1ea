//! Confirmation of the confirmable methods (SPEC §4): a request leaves the methods `pending`
//! with a single-use token, stored only as its SHA-256 hash, valid for 48 hours, and writes
//! the message carrying the link to the outbox in the same transaction. SMS and voice share
//! one link sent by SMS; email has its own. A changed contact starts over.

use super::actor::Actor;
use super::audit::{self, AuditContext, Entry};
use super::db::{by_many_ids, Db};
use super::error::ServiceError;
use super::ledger as consent;
use super::outbox::{self, Kind, NewDelivery};
use crate::domain::{Channel, Method, Outbound, Phone};
use crate::i18n::{Lang, Speak};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

mod link;

#[cfg(test)]
use link::token_hash_of;
pub use link::{confirm, inspect, Link};

/// How long a confirmation stays valid.
pub const CONFIRMATION_MS: i64 = 48 * 60 * 60 * 1000;

/// Where confirmation links point: replaced by the server's public address when a message
/// is sent, so the outbox needs no configuration.
pub const PUBLIC_URL: &str = "{public_url}";

/// A second confirmation for the same engineer and channel waits this long.
pub const RESEND_COOL_DOWN_MS: i64 = 60_000;
/// And no more than this many go out per engineer and channel in an hour.
pub const RESENDS_PER_HOUR: i64 = 5;

/// Refuses a confirmation sent too soon after the last one, or one too many in an hour.
pub(crate) async fn check_resend(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    channel: Channel,
    now: i64,
) -> Result<(), ServiceError> {
    let (count, last) =
        outbox::recent(tx, id, channel, Kind::Confirmation, now - 60 * 60 * 1000).await?;
    if let Some(last) = last.filter(|last| now - last < RESEND_COOL_DOWN_MS) {
        let seconds = (RESEND_COOL_DOWN_MS - (now - last)) / 1000 + 1;
        return Err(ServiceError::TooSoon(
            crate::domain::Refusal::ConfirmationTooSoon { channel, seconds },
        ));
    }
    if count >= RESENDS_PER_HOUR {
        return Err(ServiceError::TooSoon(
            crate::domain::Refusal::ConfirmationsPerHour {
                channel,
                count: RESENDS_PER_HOUR,
            },
        ));
    }
    Ok(())
}

/// Marks `methods` pending with one new token and queues the message carrying its link to
/// `to` (a number in E.164 for SMS and voice, an address for email).
pub(super) async fn start(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    name: &str,
    methods: &[Method],
    to: &str,
    now: i64,
    by: &Requested<'_>,
) -> Result<(), ServiceError> {
    start_many(
        tx,
        &[Start {
            id,
            name,
            methods,
            to,
        }],
        now,
        by,
    )
    .await
}

/// Who asked for confirmations, for the consent ledger.
pub(crate) struct Requested<'a> {
    pub actor: &'a str,
    pub how: consent::How,
    pub source_addr: Option<&'a str>,
}

impl Requested<'_> {
    /// Started by a save that changed the contact.
    fn contact_changed() -> Self {
        Self {
            actor: "",
            how: consent::How::ContactChanged,
            source_addr: None,
        }
    }
}

/// One confirmation to start: `methods` of engineer `id`, the link sent to `to`.
pub(crate) struct Start<'a> {
    pub id: i64,
    pub name: &'a str,
    pub methods: &'a [Method],
    pub to: &'a str,
}

/// Subscriptions written per statement: 4 values each.
const ROWS_PER_INSERT: usize = super::db::rows_per_statement(4);

/// [`start`] for many, a few statements in all. No engineer and method twice.
pub(crate) async fn start_many(
    tx: &mut Transaction<'_, Any>,
    starts: &[Start<'_>],
    now: i64,
    by: &Requested<'_>,
) -> Result<(), ServiceError> {
    let mut subscriptions: Vec<(i64, Method, &str, String)> = Vec::new();
    let mut messages = Vec::with_capacity(starts.len());
    let ids: Vec<i64> = starts.iter().map(|s| s.id).collect();
    let languages = languages_of(tx, &ids).await?;
    for start in starts {
        let token: [u8; 32] = rand::random();
        let token = hex::encode(token);
        let token_hash = hash_token(&token);
        for method in start.methods {
            subscriptions.push((start.id, *method, start.to, token_hash.clone()));
        }
        let channel = if start.methods.contains(&Method::Email) {
            Channel::Email
        } else {
            Channel::Sms
        };
        let lang = languages.get(&start.id).copied().unwrap_or_default();
        let text = Outbound::Confirmation {
            methods: start.methods.to_vec(),
            name: super::send_limits::message_name(start.name),
            link: format!("{PUBLIC_URL}/confirm/{token}"),
        }
        .say(lang);
        let id = start.id;
        messages.push((
            text,
            lang,
            NewDelivery {
                technician_id: Some(id),
                channel,
                recipient: start.to.to_owned(),
                idempotency_key: format!("confirm:{}:{id}:{}", &token_hash[..16], channel.as_str()),
            },
        ));
    }
    for chunk in subscriptions.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = i * 4;
                format!(
                    "(${}, ${}, ${}, 'pending', ${}, $1, $2)",
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO subscriptions (technician_id, method, contact, state, token_hash, \
             requested_at, expires_at) VALUES {} \
             ON CONFLICT (technician_id, method) DO UPDATE SET contact = excluded.contact, \
             state = 'pending', token_hash = excluded.token_hash, \
             requested_at = excluded.requested_at, expires_at = excluded.expires_at, \
             confirmed_at = NULL",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(now).bind(now + CONFIRMATION_MS);
        for (id, method, to, token_hash) in chunk {
            query = query
                .bind(*id)
                .bind(method.as_str())
                .bind(*to)
                .bind(token_hash);
        }
        query.execute(&mut **tx).await?;
    }
    outbox::enqueue_each(tx, Kind::Confirmation, &messages, now).await?;
    let steps: Vec<consent::Step> = starts
        .iter()
        .flat_map(|s| {
            s.methods.iter().map(move |method| consent::Step {
                technician_id: s.id,
                engineer: s.name,
                method: *method,
                address: s.to,
                event: "requested",
                how: by.how,
                actor: by.actor,
                source_addr: by.source_addr,
            })
        })
        .collect();
    consent::record(tx, &steps, now).await?;
    Ok(())
}

/// The language each of `ids` is written to in: its own, else its site's, else English.
pub(crate) async fn languages_of(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Lang>, sqlx::Error> {
    let rows: Vec<(i64, Option<String>, Option<String>)> = by_many_ids(
        conn,
        "SELECT t.id, t.language, s.language FROM technicians t \
         LEFT JOIN sites s ON s.id = t.site_id WHERE t.id IN ({})",
        ids,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, own, site)| {
            let lang = own
                .or(site)
                .and_then(|code| Lang::parse_setting(&code).ok())
                .unwrap_or_default();
            (id, lang)
        })
        .collect())
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The contact methods of an engineer before and after a save.
#[derive(Debug, Clone, Default)]
pub struct Contacts<'a> {
    pub mobile: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Two numbers are the same when they dial the same: `+86 138…` and `0086138…` are one.
fn same_number(a: Option<&str>, b: Option<&str>) -> bool {
    let dial = |n: Option<&str>| {
        n.map(|n| Phone::parse(n).map_or_else(|_| n.to_owned(), |p| p.e164().to_owned()))
    };
    dial(a) == dial(b)
}

fn same_address(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(crate::domain::fold) == b.map(crate::domain::fold)
}

/// After a save (SPEC §4, the seed's "after the mobile number is saved"): a subscription
/// belongs to the contact it was made for, so a changed contact cancels the old ones, and a
/// new mobile starts SMS (and voice, when that beta channel is on) while a new email starts
/// email, each with its confirmation message in this transaction.
pub async fn contacts_saved(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    name: &str,
    before: Contacts<'_>,
    after: Contacts<'_>,
    now: i64,
) -> Result<(), ServiceError> {
    contacts_saved_many(
        tx,
        &[Saved {
            id,
            name,
            before,
            after,
        }],
        now,
    )
    .await
}

/// One engineer's save, for [`contacts_saved_many`].
#[derive(Debug, Clone)]
pub struct Saved<'a> {
    pub id: i64,
    pub name: &'a str,
    pub before: Contacts<'a>,
    pub after: Contacts<'a>,
}

/// [`contacts_saved`] for many engineers (a sync's batch), a few statements in all. Each
/// engineer at most once.
pub async fn contacts_saved_many(
    tx: &mut Transaction<'_, Any>,
    saves: &[Saved<'_>],
    now: i64,
) -> Result<(), ServiceError> {
    let mobile_changed: Vec<&Saved> = saves
        .iter()
        .filter(|s| !same_number(s.before.mobile, s.after.mobile))
        .collect();
    let email_changed: Vec<&Saved> = saves
        .iter()
        .filter(|s| !same_address(s.before.email, s.after.email))
        .collect();
    // What delivery learnt was about the contact as it was.
    for (changed, channels) in [
        (&mobile_changed, &[Channel::Sms, Channel::Voice][..]),
        (&email_changed, &[Channel::Email][..]),
    ] {
        let ids: Vec<i64> = changed.iter().map(|s| s.id).collect();
        crate::service::contact_health::forget(tx, &ids, channels).await?;
    }
    // A subscription belongs to the contact it was made for; an engineer that had none
    // has nothing to cancel.
    for (changed, methods) in [
        (&mobile_changed, "'sms', 'voice'"),
        (&email_changed, "'email'"),
    ] {
        let ids: Vec<i64> = changed
            .iter()
            .filter(|s| s.before.mobile.is_some() || s.before.email.is_some())
            .map(|s| s.id)
            .collect();
        let sql = format!(
            "UPDATE subscriptions SET state = 'cancelled', token_hash = NULL \
             WHERE technician_id IN ({{}}) AND method IN ({methods}) AND state <> 'cancelled' \
             RETURNING technician_id, method, contact"
        );
        let cancelled: Vec<(i64, String, String)> = by_many_ids(tx, &sql, &ids).await?;
        let steps: Vec<consent::Step> = cancelled
            .iter()
            .filter_map(|(id, method, contact)| {
                Some(consent::Step {
                    technician_id: *id,
                    engineer: saves.iter().find(|s| s.id == *id)?.name,
                    method: Method::ALL.into_iter().find(|m| m.as_str() == method)?,
                    address: contact,
                    event: "cancelled",
                    how: consent::How::ContactChanged,
                    actor: "",
                    source_addr: None,
                })
            })
            .collect();
        consent::record(tx, &steps, now).await?;
    }
    let mut starts = Vec::new();
    let mut new_mobiles: Vec<(&Saved, Phone)> = Vec::new();
    for (saved, mobile) in mobile_changed
        .iter()
        .filter_map(|s| Some((*s, Phone::parse(s.after.mobile?).ok()?)))
    {
        // A number that replied STOP gets no confirmation until it replies START.
        if !consent::opted_out(tx, mobile.e164()).await? {
            new_mobiles.push((saved, mobile));
        }
    }
    if !new_mobiles.is_empty() {
        let voice: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = 'beta.voice'")
                .fetch_optional(&mut **tx)
                .await?;
        let methods: &[Method] = if voice.is_some_and(|(v,)| v == "on") {
            &[Method::Sms, Method::Voice]
        } else {
            &[Method::Sms]
        };
        starts.extend(new_mobiles.iter().map(|(s, mobile)| Start {
            id: s.id,
            name: s.name,
            methods,
            to: mobile.e164(),
        }));
    }
    starts.extend(email_changed.iter().filter_map(|s| {
        Some(Start {
            id: s.id,
            name: s.name,
            methods: &[Method::Email],
            to: s.after.email?,
        })
    }));
    start_many(tx, &starts, now, &Requested::contact_changed()).await
}

/// `+86•••••••8000`, `a•••@example.com`: enough to recognise, not enough to harvest.
pub fn mask_contact(contact: &str) -> String {
    if let Some((local, domain)) = contact.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}•••@{domain}");
    }
    let chars: Vec<char> = contact.chars().collect();
    if chars.len() <= 6 {
        return "•".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "•".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_what_they_dial() {
        assert!(same_number(
            Some("+86 138 0013 8000"),
            Some("0086-138-0013-8000")
        ));
        assert!(!same_number(
            Some("+86 138 0013 8000"),
            Some("+86 138 0013 8001")
        ));
        assert!(!same_number(None, Some("+86 138 0013 8000")));
        assert!(same_number(None, None));
        assert!(same_address(
            Some("Ann@Example.com"),
            Some("ann@example.com")
        ));
    }

    #[test]
    fn contacts_are_masked_on_the_page_without_sign_in() {
        assert_eq!(mask_contact("+8613800138000"), "+86•••••••8000");
        assert_eq!(mask_contact("ann@example.com"), "a•••@example.com");
        assert_eq!(mask_contact("12"), "••");
    }

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        assert!(token_hash_of(&"a".repeat(64)).is_some());
        assert!(token_hash_of(&"A".repeat(64)).is_none());
        assert!(token_hash_of(&"a".repeat(63)).is_none());
        assert!(token_hash_of("../../etc/passwd").is_none());
        assert!(token_hash_of(&"é".repeat(32)).is_none());
    }
}
