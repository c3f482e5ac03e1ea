//! What a page's render is still waiting for. Each resource names its fetch, so a render
//! stopped at its deadline can say which data never came (the server logs it).
//!
//! A page renders on one thread, start to end, and every fetch it starts is polled there
//! (see the server's render module): a thread's list is its render's.

use leptos::prelude::Resource;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// Page data in the page's HTML and in server functions' answers travels as postcard: the
/// browser's code then holds one small sequence decoder instead of a JSON decoder per type.
pub type Wire = codee::binary::PostcardCodec;

/// A resource whose value the server writes into the page in [`Wire`] form (base64 in the
/// HTML), for the browser to take up without asking again. Otherwise as `Resource::new`.
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Wire>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// Runs `fetch`, counted as awaited under `name` until it finishes or is dropped.
pub async fn named<T>(name: &'static str, fetch: impl Future<Output = T>) -> T {
    #[cfg(feature = "ssr")]
    let _awaiting = Awaiting::start(name);
    // In the browser a fetch is not counted.
    #[cfg(not(feature = "ssr"))]
    let _ = name;
    fetch.await
}

#[cfg(feature = "ssr")]
thread_local! {
    static AWAITED: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One fetch on this thread's list while it lives.
#[cfg(feature = "ssr")]
struct Awaiting(&'static str);

#[cfg(feature = "ssr")]
impl Awaiting {
    fn start(name: &'static str) -> Self {
        AWAITED.with(|a| a.borrow_mut().push(name));
        Self(name)
    }
}

#[cfg(feature = "ssr")]
impl Drop for Awaiting {
    fn drop(&mut self) {
        AWAITED.with(|a| {
            let mut awaited = a.borrow_mut();
            if let Some(i) = awaited.iter().position(|n| *n == self.0) {
                awaited.remove(i);
            }
        });
    }
}

/// The fetches of this thread still awaited, in the order they started.
#[cfg(feature = "ssr")]
pub fn still_awaited() -> Vec<&'static str> {
    AWAITED.with(|a| a.borrow().clone())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn a_fetch_is_awaited_until_it_ends_or_is_dropped() {
        let local = tokio::task::LocalSet::new();
        local
            .run_until(async {
                let stalled =
                    tokio::task::spawn_local(named("sites", std::future::pending::<()>()));
                let done = named("user", async { 1 }).await;
                assert_eq!(done, 1);
                tokio::task::yield_now().await;
                assert_eq!(still_awaited(), ["sites"]);
                stalled.abort();
                _ = stalled.await;
                assert_eq!(still_awaited(), Vec::<&str>::new());
            })
            .await;
    }
}
