//! The notification API: an alert from another system, to engineers and groups, over the
//! channels each has usable, once per idempotency key.

use super::*;

/// A request to the notification API (SPEC §8), as parsed from its JSON.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRequest {
    pub to: ApiRecipients,
    pub channels: Option<Vec<String>>,
    pub text: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRecipients {
    /// Ids (numbers) or login names (strings).
    #[serde(default)]
    pub engineers: Vec<serde_json::Value>,
    /// `site-group`.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiDelivery {
    pub engineer: i64,
    pub channel: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiAnswer {
    pub id: i64,
    pub deliveries: Vec<ApiDelivery>,
}

/// Most recipients (engineers plus groups) one request may name.
pub const API_MAX_RECIPIENTS: usize = 1000;
/// Longest text, in characters.
pub const API_MAX_TEXT: usize = 4000;

fn invalid(field: &str, problem: FieldProblem) -> ServiceError {
    ServiceError::invalid(field, problem)
}

/// Checks the request and names its channels; nothing is read yet.
fn checked(request: &ApiRequest) -> Result<Vec<Channel>, ServiceError> {
    let text = request.text.trim();
    if text.is_empty() {
        return Err(invalid("text", FieldProblem::Required));
    }
    if text.chars().count() > API_MAX_TEXT {
        return Err(invalid("text", FieldProblem::TooLong { max: API_MAX_TEXT }));
    }
    let key = &request.idempotency_key;
    if key.is_empty() || key.chars().count() > 200 || key.chars().any(char::is_control) {
        return Err(invalid(
            "idempotency_key",
            FieldProblem::PlainTextBetween { min: 1, max: 200 },
        ));
    }
    let named = request.to.engineers.len() + request.to.groups.len();
    if named == 0 {
        return Err(invalid("to", FieldProblem::NoRecipient));
    }
    if named > API_MAX_RECIPIENTS {
        return Err(invalid(
            "to",
            FieldProblem::TooManyRecipients {
                max: API_MAX_RECIPIENTS,
            },
        ));
    }
    match &request.channels {
        None => Ok(Channel::ALL.to_vec()),
        Some(list) if list.is_empty() => Err(invalid("channels", FieldProblem::NoChannel)),
        Some(list) => {
            let mut channels = Vec::new();
            for raw in list {
                let channel = Channel::parse(raw).ok_or_else(|| {
                    invalid(
                        "channels",
                        FieldProblem::NotAChannel {
                            given: Some(raw.chars().take(64).collect()),
                        },
                    )
                })?;
                if !channels.contains(&channel) {
                    channels.push(channel);
                }
            }
            Ok(channels)
        }
    }
}

/// The engineers a request names, each once, in the order named.
async fn recipients(db: &Db, to: &ApiRecipients) -> Result<Vec<i64>, ServiceError> {
    let mut ids: Vec<i64> = Vec::new();
    let add = |id: i64, ids: &mut Vec<i64>| {
        if !ids.contains(&id) {
            ids.push(id);
        }
    };
    for engineer in &to.engineers {
        let found: Vec<(i64,)> = match engineer {
            serde_json::Value::Number(n) => {
                let id = n.as_i64().ok_or_else(|| {
                    invalid(
                        "to.engineers",
                        FieldProblem::NotAnEngineerId {
                            given: n.to_string(),
                        },
                    )
                })?;
                sqlx::query_as("SELECT id FROM technicians WHERE id = $1")
                    .bind(id)
                    .fetch_all(db.reader())
                    .await?
            }
            serde_json::Value::String(login) => {
                sqlx::query_as("SELECT id FROM technicians WHERE login_key = $1")
                    .bind(match login.split_once('\\') {
                        Some((domain, name)) => crate::domain::login_key(name, domain),
                        None => crate::domain::login_key(login, ""),
                    })
                    .fetch_all(db.reader())
                    .await?
            }
            other => {
                return Err(invalid(
                    "to.engineers",
                    FieldProblem::NotIdOrLogin {
                        given: other.to_string().chars().take(64).collect(),
                    },
                ))
            }
        };
        match found.as_slice() {
            [(id,)] => add(*id, &mut ids),
            [] => {
                return Err(invalid(
                    "to.engineers",
                    FieldProblem::NoSuchEngineer {
                        engineer: engineer.to_string().chars().take(200).collect(),
                    },
                ))
            }
            _ => {
                return Err(invalid(
                    "to.engineers",
                    FieldProblem::LoginInSeveralDomains {
                        engineer: engineer.to_string(),
                    },
                ))
            }
        }
    }
    for group in &to.groups {
        let Some((group_id, _)) = crate::service::reference::find_group(db, group).await? else {
            return Err(invalid(
                "to.groups",
                FieldProblem::NoSuchGroup {
                    group: group.chars().take(200).collect(),
                },
            ));
        };
        let members: Vec<(i64,)> = sqlx::query_as(
            "SELECT technician_id FROM technician_groups WHERE group_id = $1 ORDER BY technician_id",
        )
        .bind(group_id)
        .fetch_all(db.reader())
        .await?;
        for (id,) in members {
            add(id, &mut ids);
        }
    }
    Ok(ids)
}

/// The answer for notification `id`, made by key `api_key_id`.
pub async fn api_status(db: &Db, api_key_id: i64, id: i64) -> Result<ApiAnswer, ServiceError> {
    let owned: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM notifications WHERE id = $1 AND api_key_id = $2")
            .bind(id)
            .bind(api_key_id)
            .fetch_optional(db.reader())
            .await?;
    if owned.is_none() {
        return Err(ServiceError::NotFound(Refusal::NoNotification { id }));
    }
    type Row = (Option<i64>, String, String, i64, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT technician_id, channel, status, attempts, last_answer FROM deliveries \
         WHERE notification_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?;
    let mut deliveries: Vec<ApiDelivery> = rows
        .into_iter()
        .map(
            |(engineer, channel, status, attempts, answer)| ApiDelivery {
                engineer: engineer.unwrap_or(0),
                channel,
                status,
                reason: None,
                attempts: Some(attempts),
                last_answer: answer,
            },
        )
        .collect();
    let skipped: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT technician_id, channel, reason FROM skipped_deliveries WHERE notification_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.reader())
    .await?;
    deliveries.extend(
        skipped
            .into_iter()
            .map(|(engineer, channel, reason)| ApiDelivery {
                engineer,
                channel,
                status: "skipped".into(),
                reason: Some(reason),
                attempts: None,
                last_answer: None,
            }),
    );
    Ok(ApiAnswer { id, deliveries })
}

/// The notification key `key_id` made with `idempotency_key`, if any.
async fn existing(db: &Db, key_id: i64, idempotency_key: &str) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM notifications WHERE api_key_id = $1 AND idempotency_key = $2",
    )
    .bind(key_id)
    .bind(idempotency_key)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(id,)| id))
}

/// `POST /api/v1/notifications`: queues what can be sent and says why the rest is skipped.
/// The same idempotency key (per API key) answers the first notification again and queues
/// nothing.
pub async fn api_send(
    db: &Db,
    api_key: (i64, &str),
    request: &ApiRequest,
    now: i64,
) -> Result<(ApiAnswer, bool), ServiceError> {
    let (key_id, key_name) = api_key;
    let channels = checked(request)?;
    if let Some(id) = existing(db, key_id, &request.idempotency_key).await? {
        return Ok((api_status(db, key_id, id).await?, false));
    }
    let ids = recipients(db, &request.to).await?;
    let beta = settings::beta_channels(db).await?;
    let mut queued: Vec<NewDelivery> = Vec::new();
    let mut skipped: Vec<(i64, Channel, String)> = Vec::new();
    let mut failing = {
        let mut conn = db.reader().acquire().await?;
        crate::service::contact_health::failing_of(&mut conn, &ids).await?
    };
    for id in &ids {
        let failing = failing.remove(id).unwrap_or_default();
        let technician = {
            let mut conn = db.reader().acquire().await?;
            stored::load(&mut conn, *id).await?
        };
        let Some(technician) = technician else {
            continue;
        };
        let confirmed = confirmed(db, *id).await?;
        for channel in &channels {
            let health = failing.iter().find(|h| h.channel == *channel);
            match (reach(&technician, &confirmed, &beta, *channel), health) {
                // Sent on, it would fail as the last one did: the caller hears why now.
                (Ok(_), Some(h)) => skipped.push((
                    *id,
                    *channel,
                    format!("the contact is failing since {} UTC: {}", h.since, h.answer),
                )),
                (Ok(recipient), None) => queued.push(NewDelivery {
                    technician_id: Some(*id),
                    channel: *channel,
                    recipient,
                    idempotency_key: String::new(),
                }),
                (Err(why), _) => skipped.push((*id, *channel, why.describe().to_owned())),
            }
        }
    }
    let mut tx = db.begin_write().await?;
    let id = match outbox::enqueue(
        &mut tx,
        Kind::Api,
        // The caller's own words, in whatever language it wrote them; what a channel adds
        // around them is English.
        (request.text.trim(), crate::i18n::Lang::En),
        Some((key_id, &request.idempotency_key)),
        &[],
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(e) if crate::service::db::is_unique_violation(&e, "notifications_idempotency") => {
            // The same request, sent twice at once: the first one answers both.
            drop(tx);
            let id = existing(db, key_id, &request.idempotency_key)
                .await?
                .ok_or_else(|| ServiceError::Conflict(Refusal::NotificationPending))?;
            return Ok((api_status(db, key_id, id).await?, false));
        }
        Err(e) => return Err(e.into()),
    };
    for delivery in &mut queued {
        delivery.idempotency_key = format!(
            "api:{id}:{}:{}",
            delivery.technician_id.unwrap_or(0),
            delivery.channel.as_str()
        );
    }
    outbox::add_deliveries(&mut tx, Kind::Api, id, &queued, now).await?;
    for (engineer, channel, reason) in &skipped {
        sqlx::query(
            "INSERT INTO skipped_deliveries (notification_id, technician_id, channel, reason) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(engineer)
        .bind(channel.as_str())
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    }
    let actor = Actor {
        id: None,
        name: format!("API key '{key_name}'"),
        roles: Vec::new(),
        site_ids: Vec::new(),
        must_change_password: false,
    };
    audit::record(
        &mut tx,
        &actor,
        &AuditContext::new(crate::service::audit::Source::Api, None),
        Entry {
            action: "notification.send",
            technician_id: None,
            before: None,
            after: Some(
                json!({ "notification": id, "queued": queued.len(), "skipped": skipped.len() }),
            ),
        },
    )
    .await?;
    crate::service::outbox::commit(db, tx).await?;
    let mut deliveries: Vec<ApiDelivery> = queued
        .iter()
        .map(|d| ApiDelivery {
            engineer: d.technician_id.unwrap_or(0),
            channel: d.channel.as_str().into(),
            status: "queued".into(),
            reason: None,
            attempts: None,
            last_answer: None,
        })
        .collect();
    deliveries.extend(
        skipped
            .iter()
            .map(|(engineer, channel, reason)| ApiDelivery {
                engineer: *engineer,
                channel: channel.as_str().into(),
                status: "skipped".into(),
                reason: Some(reason.clone()),
                attempts: None,
                last_answer: None,
            }),
    );
    Ok((ApiAnswer { id, deliveries }, true))
}
