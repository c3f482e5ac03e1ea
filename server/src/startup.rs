//! Start-up as a library function: tests and `crewdesk serve` build the same application.

use crate::config::Settings;
use crate::{servlet, web};
use anyhow::Context;
use app::service::sign_in_limits::SignInLimits;
use app::service::{AppState, CredentialCache, Db};
use axum::Router;
use leptos::prelude::*;
use std::net::SocketAddr;
use std::sync::Arc;

pub struct Application {
    addr: SocketAddr,
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
    limits: crate::listener::Limits,
    proxies: crate::listener::TrustedProxies,
}

impl Application {
    /// Connects and migrates the database, then binds. Nothing is served until `run`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url).await?;
        app::service::migrate(&db).await?;
        app::service::send_limits::set_budgets(
            &db,
            settings.notify.sms_budget_per_hour,
            settings.notify.voice_budget_per_hour,
        )
        .await
        .context("writing the delivery budgets")?;
        app::service::directories::set_ldap_hosts(&db, &settings.ldap_allow)
            .await
            .context("writing the directory servers the console may reach")?;
        let webhook_hosts = app::domain::WebhookHosts::parse(&settings.notify.webhook_allow)
            .and_then(|hosts| hosts.with_signed(&settings.notify.signed_webhook_allow))
            .map_err(|e| anyhow::anyhow!(e))?;
        let clock = app::service::Clock::default();
        let secret_key = Arc::new(app::service::secret_box::SecretKey::load(
            settings
                .secret_key
                .as_ref()
                .map(secrecy::ExposeSecret::expose_secret),
            &settings.secret_key_file,
        )?);
        // Robot secrets stored before they were sealed are sealed now, once.
        let sealed = app::service::contact_points::seal_unsealed(&db, &secret_key, clock.now())
            .await
            .context("sealing the stored contact secrets")?;
        if sealed > 0 {
            tracing::info!(sealed, "contact secrets sealed under the server key");
        }
        let access = crate::directory::Access {
            key: secret_key.clone(),
            root: settings.directory_root.clone(),
        };
        let state = AppState {
            directories: Arc::new(access),
            secret_key,
            db,
            credentials: Arc::new(CredentialCache::new(settings.credential_cache_ttl)),
            sign_in: Arc::new(SignInLimits::new(settings.sign_in_limits)),
            clock,
            webhook_hosts: Arc::new(webhook_hosts),
            reach: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("binding {}", settings.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let public_url = settings
            .notify
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        crate::notify::spawn(state.clone(), &settings.notify, public_url)?;
        crate::maintenance::spawn(state.db.clone());
        tokio::spawn(app::service::reachability::refresh_while_used(
            state.reach.clone(),
            state.db.clone(),
            state.clock.clone(),
        ));
        let router = router(&settings, state.clone()).await?;
        let limits = crate::listener::Limits {
            header_deadline: settings.header_deadline,
            max_connections: settings.max_connections,
            // Every answer has its deadline; a little more lets the last ones be written.
            drain: settings.request_deadline + std::time::Duration::from_secs(5),
        };
        Ok(Self {
            addr,
            listener,
            router,
            state,
            limits,
            proxies: crate::listener::TrustedProxies::new(settings.trusted_proxies.clone()),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process is asked to stop (Ctrl-C or SIGTERM).
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        crate::listener::serve(self.listener, self.router, self.limits, self.proxies, stop).await;
        Ok(())
    }
}

async fn router(settings: &Settings, state: AppState) -> anyhow::Result<Router> {
    let options = LeptosOptions::builder()
        .output_name("crewdesk")
        .site_root(settings.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.addr)
        .build();
    let built = web::assets::Built::read(&settings.site_root, &options.site_pkg_dir)?;
    let console = web::console_router(
        options,
        &built,
        state.clone(),
        settings.secure_cookies,
        settings.request_deadline,
    );
    let console = web::sessions::layer(console, &state.db, settings.secure_cookies);
    let routes = Router::new()
        .merge(servlet::router(state.clone()))
        .merge(web::confirm::router(state.clone()))
        .merge(web::ack::router(state.clone()))
        .merge(web::api_v1::inbound::router(
            state.clone(),
            settings.notify.sms_gateway_token.clone(),
        ))
        .merge(web::api_v1::router(state))
        .merge(web::health::router())
        .merge(web::lang::router())
        .merge(console);
    Ok(web::edge::harden(routes, settings))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
