//! Group commit: one task takes the adds waiting for the writer and commits them in one
//! transaction. Each add's own rows are one insert (under a savepoint where needed), so a bad
//! add fails alone; the confirmations, snapshots and audit rows of the batch are written
//! together; every answer is sent after the commit, so a success is durable.

use super::*;
use tokio::sync::{mpsc, oneshot};

/// Adds in one transaction at most.
const BATCH: usize = 64;

struct Job {
    pending: Pending,
    actor: Actor,
    ctx: AuditContext,
    reply: oneshot::Sender<Result<i64, ServiceError>>,
}

pub(super) async fn add(
    db: &Db,
    actor: &Actor,
    ctx: &AuditContext,
    pending: Pending,
) -> Result<i64, ServiceError> {
    // The database's writer task, started with its first add.
    let queue = db
        .add_queue()
        .get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Job>(BATCH * 4);
            tokio::spawn(run(
                db.writer().clone(),
                db.backend(),
                db.outbox_ready_shared(),
                receiver,
            ));
            Box::new(sender)
        })
        .downcast_ref::<mpsc::Sender<Job>>()
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("the add queue has another type")))?;
    let (reply, answer) = oneshot::channel();
    let job = Job {
        pending,
        actor: actor.clone(),
        ctx: ctx.clone(),
        reply,
    };
    let stopped = || ServiceError::Internal(anyhow::anyhow!("the writer task has stopped"));
    queue.send(job).await.map_err(|_| stopped())?;
    answer.await.map_err(|_| stopped())?
}

async fn run(
    writer: sqlx::AnyPool,
    backend: Backend,
    ready: std::sync::Arc<tokio::sync::Notify>,
    mut receiver: mpsc::Receiver<Job>,
) {
    while let Some(first) = receiver.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let outcomes = match write(&writer, backend, &ready, &jobs).await {
            Ok(outcomes) => outcomes,
            Err(Failed::Spoiled(_)) if jobs.len() > 1 => {
                // One add spoiled the batch: each is written alone, so it fails alone.
                let mut outcomes = Vec::with_capacity(jobs.len());
                for job in &jobs {
                    outcomes.push(
                        match write(&writer, backend, &ready, std::slice::from_ref(job)).await {
                            Ok(mut one) => one.pop().unwrap_or_else(|| Err(lost())),
                            Err(Failed::Spoiled(e) | Failed::Batch(e)) => Err(e),
                        },
                    );
                }
                outcomes
            }
            Err(Failed::Spoiled(e)) => vec![Err(e)],
            Err(Failed::Batch(e)) => {
                tracing::error!(error = %e, adds = jobs.len(), "a batch of adds failed");
                jobs.iter()
                    .map(|_| Err(ServiceError::Internal(anyhow::anyhow!("{e}"))))
                    .collect()
            }
        };
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            // The caller may have gone (its client hung up): the add stands.
            _ = job.reply.send(outcome);
        }
    }
}

/// Why a batch was not written: nothing of it stands either way.
enum Failed {
    /// An add spoiled the transaction (see [`Inserted::Spoiled`]).
    Spoiled(ServiceError),
    /// The batch's own statements failed.
    Batch(ServiceError),
}

impl From<sqlx::Error> for Failed {
    fn from(e: sqlx::Error) -> Self {
        Self::Batch(e.into())
    }
}

impl From<ServiceError> for Failed {
    fn from(e: ServiceError) -> Self {
        Self::Batch(e)
    }
}

fn lost() -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("an add of a batch got no outcome"))
}

async fn write(
    writer: &sqlx::AnyPool,
    backend: Backend,
    ready: &tokio::sync::Notify,
    jobs: &[Job],
) -> Result<Vec<Result<i64, ServiceError>>, Failed> {
    let mut tx = crate::service::db::begin_write_on(writer, backend).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        match insert(&mut tx, backend, &job.pending).await {
            // A failed add takes back only itself: the batch goes on.
            Inserted::Done(outcome) => outcomes.push(outcome),
            // Dropped, the transaction is rolled back.
            Inserted::Spoiled(e) => return Err(Failed::Spoiled(e)),
        }
    }
    // The rest of the batch, for each caller (actor and address) at once.
    let mut done: Vec<usize> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if done.contains(&i) {
            continue;
        }
        let same: Vec<usize> = (i..jobs.len())
            .filter(|k| {
                jobs[*k].actor == job.actor
                    && jobs[*k].ctx.source == job.ctx.source
                    && jobs[*k].ctx.remote_addr == job.ctx.remote_addr
            })
            .collect();
        let added: Vec<(i64, &Pending)> = same
            .iter()
            .filter_map(|k| Some((*outcomes[*k].as_ref().ok()?, &jobs[*k].pending)))
            .collect();
        write_after_inserts(&mut tx, &job.actor, &job.ctx, &added).await?;
        done.extend(same);
    }
    tx.commit().await?;
    // Their confirmations are queued: the delivery workers need not wait for a poll.
    ready.notify_waiters();
    Ok(outcomes)
}
