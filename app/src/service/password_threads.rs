//! The threads argon2id runs on: one per core, started once, shared by hashing and checking.
//!
//! Each check takes about 19 MiB. On tokio's blocking pool every check may land on another
//! thread, and the allocator keeps a block in each thread's arena afterwards: a flood of
//! sign-ins left hundreds of megabytes behind even with the checks bounded. On a fixed set of
//! threads that memory is reused. (The pool is process-wide like the blocking pool it
//! replaces; how many checks may *wait* for it is the caller's limit, see `sign_in_limits`.)

use anyhow::Context;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Jobs waiting beyond this are refused rather than queued without bound.
const QUEUE: usize = 1024;

fn queue() -> &'static SyncSender<Job> {
    static JOBS: OnceLock<SyncSender<Job>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (sender, receiver) = sync_channel::<Job>(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2);
        for i in 0..threads {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&receiver));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "starting a password thread");
            }
        }
        sender
    })
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let receiver = receiver.lock().unwrap_or_else(|p| p.into_inner());
            match receiver.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        // A panicking job must not take the thread with it.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// Runs `f` on a password thread and answers its result.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(f());
    });
    match queue().try_send(job) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => anyhow::bail!("the password threads are saturated"),
        Err(TrySendError::Disconnected(_)) => anyhow::bail!("the password threads are gone"),
    }
    answer.await.context("a password thread dropped its job")
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn jobs_run_and_a_panicking_one_leaves_the_threads_working() {
        assert_eq!(super::run(|| 6 * 7).await.unwrap(), 42);
        let panicked = super::run(|| -> u8 { panic!("a job that panics") }).await;
        assert!(panicked.is_err());
        for _ in 0..8 {
            assert_eq!(super::run(|| 1).await.unwrap(), 1);
        }
    }
}
