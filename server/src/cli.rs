//! The operator's command line. Every subcommand fails with one line and a non-zero exit.

use crate::config::{
    default_site_root, Settings, DEFAULT_CREDENTIAL_CACHE_SECONDS, DEFAULT_DATABASE_URL,
    DEFAULT_MAX_CONNECTIONS,
};
use crate::operator::{cli_context, create_admin, one_line, service_message};
use crate::startup::Application;
use app::domain::{ShortText, SiteName, UdfColumn};
use app::service::{reference, sync, Actor, Db};
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "crewdesk",
    version,
    about = "The admin console for O&M engineers"
)]
pub struct Cli {
    /// sqlite:PATH or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "CREWDESK_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// The server key sealing stored secrets: 32 bytes as base64 or hex. When unset, the
    /// key file is used (and created on first start).
    #[arg(
        long,
        global = true,
        env = "CREWDESK_SECRET_KEY",
        hide_env_values = true,
        hide = true
    )]
    pub secret_key: Option<String>,
    /// Where the server key is kept when CREWDESK_SECRET_KEY is unset (default: crewdesk.key
    /// beside the SQLite database, or data/crewdesk.key).
    #[arg(long, global = true, env = "CREWDESK_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// The only folder whose files the console may name as directory files (default:
    /// directories/ beside the SQLite database, or data/directories).
    #[arg(long, global = true, env = "CREWDESK_DIRECTORY_ROOT")]
    pub directory_root: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the console and the XML API.
    Serve {
        #[arg(long, env = "CREWDESK_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// The folder with pkg/ (WASM, JS, CSS) and favicon.ico.
        #[arg(long, env = "CREWDESK_SITE_ROOT")]
        site_root: Option<PathBuf>,
        /// Crewdesk is reached over HTTPS: mark session cookies Secure and __Host-.
        #[arg(long, env = "CREWDESK_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Seconds a verified XML API credential is recognised without re-hashing (0: never).
        #[arg(long, env = "CREWDESK_CREDENTIAL_CACHE_SECONDS", default_value_t = DEFAULT_CREDENTIAL_CACHE_SECONDS)]
        credential_cache_seconds: u64,
        /// Connections served at once; more wait until one ends. Keep it under the process's
        /// open-file limit (`ulimit -n`).
        #[arg(long, env = "CREWDESK_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS,
              value_parser = clap::value_parser!(u32).range(1..))]
        max_connections: u32,
        /// Reverse proxies (addresses or networks, e.g. 127.0.0.1,10.0.0.0/8) whose
        /// X-Forwarded-For names the client for sign-in limits and the audit log.
        #[arg(long = "trusted-proxy", env = "CREWDESK_TRUSTED_PROXIES", value_delimiter = ',',
              value_parser = parse_network)]
        trusted_proxies: Vec<ipnet::IpNet>,
        /// Directory servers (host, or host:port) an SDAdmin may point a directory at in the
        /// console; without any, only the operator's CLI sets a directory's server.
        #[arg(
            long = "ldap-allow",
            env = "CREWDESK_LDAP_ALLOW",
            value_delimiter = ','
        )]
        ldap_allow: Vec<String>,
        #[command(flatten)]
        notify: NotifyArgs,
    },
    /// Create or update the database schema.
    Migrate,
    /// Administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Sites.
    Site {
        #[command(subcommand)]
        command: SiteCommand,
    },
    /// Departments.
    Department {
        #[command(subcommand)]
        command: DepartmentCommand,
    },
    /// Groups.
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// User-defined fields of technicians.
    Udf {
        #[command(subcommand)]
        command: UdfCommand,
    },
    /// Directories that feed the roster (Synchronize Engineer Info).
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// The consent ledger (every confirmation, STOP, START and cancellation) as CSV.
    Consent {
        #[command(subcommand)]
        command: ConsentCommand,
    },
    /// The roster as CSV.
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
    /// Keys of the notification API.
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Fill an empty database with demo sites, groups and engineers, and (re)set the `admin`
    /// account's password (CREWDESK_ADMIN_PASSWORD, or a new random one that is printed).
    Demo {
        /// Also add this many generated engineers (a large roster to try the console on).
        /// They cannot sign in and are sent no confirmations. Only into an empty database.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        engineers: Option<u32>,
    },
}

/// Where notifications go. A provider left unset captures its messages in the Message log.
#[derive(Debug, clap::Args)]
pub struct NotifyArgs {
    /// The address in confirmation links (default: http:// + the listen address).
    #[arg(long, env = "CREWDESK_PUBLIC_URL")]
    public_url: Option<String>,
    /// smtp://[USER:PASS@]HOST[:PORT][?tls=required|opportunistic] or smtps://…
    #[arg(long, env = "CREWDESK_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of email, e.g. "Crewdesk <noreply@example.com>".
    #[arg(long, env = "CREWDESK_MAIL_FROM")]
    mail_from: Option<String>,
    /// The SMS and voice gateway (SPEC §4 contract).
    #[arg(long, env = "CREWDESK_SMS_GATEWAY_URL")]
    sms_gateway_url: Option<String>,
    #[arg(long, env = "CREWDESK_SMS_GATEWAY_TOKEN", hide_env_values = true)]
    sms_gateway_token: Option<String>,
    /// The Telegram bot that sends to engineers' chats (its token from @BotFather);
    /// without it, Telegram messages go to the Message log.
    #[arg(long, env = "CREWDESK_TELEGRAM_BOT_TOKEN", hide_env_values = true)]
    telegram_bot_token: Option<String>,
    /// The Telegram Bot API's address (default https://api.telegram.org).
    #[arg(long, env = "CREWDESK_TELEGRAM_API_URL")]
    telegram_api_url: Option<String>,
    /// Replaces the robot host allowlist (repeatable); http://127.0.0.1:9001 also permits
    /// plain http to that address.
    #[arg(long, env = "CREWDESK_WEBHOOK_ALLOW", value_delimiter = ',')]
    webhook_allow: Vec<String>,
    /// Where signed webhooks may point (repeatable): a URL prefix such as
    /// https://hooks.example.com/crewdesk/; without one, signed webhooks cannot be saved.
    #[arg(long, env = "CREWDESK_SIGNED_WEBHOOK_ALLOW", value_delimiter = ',')]
    signed_webhook_allow: Vec<String>,
    /// How long a provider may take to answer one message, in seconds.
    #[arg(long, env = "CREWDESK_PROVIDER_TIMEOUT", value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    provider_timeout: u64,
    /// How long deliveries claimed by an instance stay its own, in seconds: when an instance
    /// dies mid-delivery, another takes its deliveries over after this long. Must be longer
    /// than --provider-timeout, so a slow answer is never sent twice.
    #[arg(long, env = "CREWDESK_DELIVERY_LEASE", value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(2..=3600))]
    delivery_lease: u64,
    /// Confirmations and test messages the whole server sends by SMS in an hour; more wait
    /// (held, never lost) until the hour allows them.
    #[arg(long, env = "CREWDESK_SMS_BUDGET_PER_HOUR", default_value_t = app::service::send_limits::DEFAULT_SMS_BUDGET,
          value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
    sms_budget_per_hour: i64,
    /// The same for voice calls.
    #[arg(long, env = "CREWDESK_VOICE_BUDGET_PER_HOUR", default_value_t = app::service::send_limits::DEFAULT_VOICE_BUDGET,
          value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
    voice_budget_per_hour: i64,
}

impl NotifyArgs {
    fn into_settings(self) -> Result<crate::notify::NotifySettings, String> {
        if let Some(url) = &self.public_url {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| format!("--public-url '{url}' is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(format!(
                    "--public-url '{url}' must be an http:// or https:// address"
                ));
            }
        }
        if self.delivery_lease <= self.provider_timeout {
            return Err(format!(
                "--delivery-lease ({} s) must be longer than --provider-timeout ({} s): \
                 a delivery still waiting for its answer would be sent again by another instance",
                self.delivery_lease, self.provider_timeout
            ));
        }
        Ok(crate::notify::NotifySettings {
            public_url: self.public_url,
            smtp_url: self.smtp_url.map(Into::into),
            mail_from: self.mail_from,
            sms_gateway_url: self.sms_gateway_url,
            sms_gateway_token: self.sms_gateway_token.map(Into::into),
            telegram_bot_token: self.telegram_bot_token.map(Into::into),
            telegram_api_url: self.telegram_api_url,
            webhook_allow: self.webhook_allow,
            signed_webhook_allow: self.signed_webhook_allow,
            http_timeout: std::time::Duration::from_secs(self.provider_timeout),
            lease: std::time::Duration::from_secs(self.delivery_lease),
            sms_budget_per_hour: self.sms_budget_per_hour,
            voice_budget_per_hour: self.voice_budget_per_hour,
            ..Default::default()
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an SDAdmin who can sign in.
    Create {
        #[arg(long)]
        login: String,
        #[arg(long, env = "CREWDESK_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "")]
        domain: String,
        /// Display name; the login name when omitted.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Add a directory named NAME (its engineers sign in with domain NAME) that reads a
    /// CSV file with a header row or a JSON array of objects.
    Add {
        name: String,
        /// A directory file: CSV with a header row, or a JSON array of objects.
        #[arg(
            long,
            required_unless_present = "ldap_url",
            conflicts_with = "ldap_url"
        )]
        file: Option<String>,
        /// ldap://HOST[:PORT] or ldaps://HOST[:PORT].
        #[arg(long, requires_all = ["bind_dn", "bind_password_env", "base_dn"])]
        ldap_url: Option<String>,
        /// Upgrade ldap:// with StartTLS.
        #[arg(long, requires = "ldap_url")]
        starttls: bool,
        /// The service account, e.g. cn=crewdesk,ou=services,dc=corp,dc=example.
        #[arg(long, requires = "ldap_url")]
        bind_dn: Option<String>,
        /// The environment variable holding the bind password (it is never stored).
        #[arg(long, requires = "ldap_url")]
        bind_password_env: Option<String>,
        #[arg(long, requires = "ldap_url")]
        base_dn: Option<String>,
        /// Allow binds over ldap:// without StartTLS, which carry passwords in clear.
        #[arg(long, requires = "ldap_url")]
        allow_plain_ldap: bool,
        /// An LDAP filter (default: the preset's people).
        #[arg(long, requires = "ldap_url")]
        filter: Option<String>,
        /// The attribute names: openldap (uid, cn, mail, mobile, telephoneNumber, title,
        /// employeeNumber, department, entryUUID) or ad (sAMAccountName, displayName, …,
        /// objectGUID).
        #[arg(long, default_value = "openldap")]
        preset: String,
        /// Map a field to another attribute, e.g. --map mobile=pager (repeatable).
        #[arg(long = "map", value_name = "FIELD=ATTRIBUTE")]
        map: Vec<String>,
    },
    /// Change what only the operator may set for directory NAME.
    Change {
        name: String,
        /// Read the bind password from this environment variable of the server.
        #[arg(long)]
        bind_password_env: Option<String>,
        /// Allow binds over ldap:// without StartTLS (passwords in clear).
        #[arg(long, conflicts_with = "deny_plain_ldap")]
        allow_plain_ldap: bool,
        /// Take that allowance back.
        #[arg(long)]
        deny_plain_ldap: bool,
        /// Read this file (any path on the server).
        #[arg(long)]
        file: Option<String>,
    },
    /// Every directory and where it reads from.
    List,
    /// Remove a directory; its engineers stay.
    Remove { name: String },
    /// Synchronize every directory, or NAME; prints one line of counts.
    Sync { name: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Every step, oldest first, as CSV on standard output.
    Export,
}

#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Every engineer (or those the filters name) as CSV on standard output: every attribute
    /// the XML API knows, UDFs by column name.
    Export {
        /// Matched against name, alias, login, email and mobile.
        #[arg(long)]
        q: Option<String>,
        /// A site id, or `none` for engineers without one.
        #[arg(long)]
        site: Option<String>,
        /// SDAdmin, SDSiteAdmin or none.
        #[arg(long)]
        role: Option<String>,
        /// Start with the byte order mark Excel needs to read UTF-8.
        #[arg(long)]
        bom: bool,
    },
    /// Read a roster CSV (an export's columns): each row matched by loginName and
    /// userDomainName, else email. Prints what each row would do (create, update, unchanged
    /// or the field and its problem) as CSV; changes nothing without --apply.
    Import {
        file: std::path::PathBuf,
        /// Create and update the rows without problems; rows with problems change nothing.
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key; it is printed once and only its hash is kept.
    Create {
        name: String,
        /// The engineer the key acts for, with their roles and sites (login name).
        #[arg(long)]
        owner: Option<String>,
        /// The owner's login domain, for a directory's engineer.
        #[arg(long, default_value = "")]
        domain: String,
        /// What the key may do: technicians:read, technicians:write, notify, directories:sync
        /// (repeat it; without an owner only notify, the default).
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    /// Every key: name, first characters, created, last used, revoked.
    List,
    /// Revoke the live key NAME: requests with it are refused at once.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    Add { name: String },
}

#[derive(Debug, Subcommand)]
pub enum DepartmentCommand {
    /// Without --site the department is "Not associated to any site".
    Add {
        name: String,
        #[arg(long)]
        site: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    Add { site: String, name: String },
}

#[derive(Debug, Subcommand)]
pub enum UdfCommand {
    /// Define a field: the XML API addresses it by COLUMN (e.g. UDF_CHAR1); ALIAS is its label.
    Add { column: String, alias: String },
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("crewdesk: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CREWDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// An address (one host) or a network in CIDR form.
fn parse_network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| "not an address or a network such as 10.0.0.0/8".to_owned())
}

/// Runs one command; the error is the one line the operator sees.
pub async fn execute(cli: Cli) -> Result<(), String> {
    let url = cli.database_url;
    let defaults = Settings::new(url.clone());
    let secret_key = cli.secret_key.map(secrecy::SecretString::from);
    let secret_key_file = cli.secret_key_file.unwrap_or(defaults.secret_key_file);
    let directory_root = cli.directory_root.unwrap_or(defaults.directory_root);
    let access = || -> Result<crate::directory::Access, String> {
        let key = app::service::secret_box::SecretKey::load(
            secret_key
                .as_ref()
                .map(secrecy::ExposeSecret::expose_secret),
            &secret_key_file,
        )
        .map_err(one_line)?;
        Ok(crate::directory::Access {
            key: std::sync::Arc::new(key),
            root: directory_root.clone(),
        })
    };
    match cli.command {
        Command::Serve {
            addr,
            site_root,
            secure_cookies,
            credential_cache_seconds,
            max_connections,
            trusted_proxies,
            ldap_allow,
            notify,
        } => {
            let settings = Settings {
                addr,
                site_root: site_root.unwrap_or_else(default_site_root),
                secure_cookies,
                credential_cache_ttl: Duration::from_secs(credential_cache_seconds),
                max_connections,
                trusted_proxies,
                notify: notify.into_settings()?,
                secret_key: secret_key.clone(),
                secret_key_file: secret_key_file.clone(),
                directory_root: directory_root.clone(),
                ldap_allow,
                ..Settings::new(url)
            };
            let app = Application::build(settings).await.map_err(one_line)?;
            println!("Crewdesk is listening on http://{}", app.addr());
            app.run().await.map_err(one_line)
        }
        Command::Migrate => {
            open(&url).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    login,
                    password,
                    domain,
                    name,
                },
        } => {
            let db = open(&url).await?;
            let id = create_admin(&db, &login, &password, &domain, name.as_deref()).await?;
            println!("Created SDAdmin '{login}' (userid {id}).");
            Ok(())
        }
        Command::Site {
            command: SiteCommand::Add { name },
        } => {
            let db = open(&url).await?;
            let name = site_name("site", &name)?;
            reference::add_site(&db, &Actor::operator(), &cli_context(), &name)
                .await
                .map_err(service_message)?;
            println!("Added site '{name}'.");
            Ok(())
        }
        Command::Department {
            command: DepartmentCommand::Add { name, site },
        } => {
            let db = open(&url).await?;
            let name = site_name("department", &name)?;
            let site = site.map(|s| site_name("site", &s)).transpose()?;
            reference::add_department(
                &db,
                &Actor::operator(),
                &cli_context(),
                &name,
                site.as_ref(),
            )
            .await
            .map_err(service_message)?;
            println!("Added department '{name}'.");
            Ok(())
        }
        Command::Group {
            command: GroupCommand::Add { site, name },
        } => {
            let db = open(&url).await?;
            let site = site_name("site", &site)?;
            let name = site_name("group", &name)?;
            reference::add_group(&db, &Actor::operator(), &cli_context(), &site, &name)
                .await
                .map_err(service_message)?;
            println!("Added group '{name}' to site '{site}'.");
            Ok(())
        }
        Command::Udf {
            command: UdfCommand::Add { column, alias },
        } => {
            let db = open(&url).await?;
            add_udf(&db, &column, &alias).await?;
            println!("Defined the field {} ('{}').", column.trim(), alias.trim());
            Ok(())
        }
        Command::Consent {
            command: ConsentCommand::Export,
        } => {
            let db = open(&url).await?;
            consent_export(&db).await
        }
        Command::Roster {
            command: RosterCommand::Import { file, apply },
        } => {
            let db = open(&url).await?;
            let key = if apply { Some(access()?.key) } else { None };
            import_roster(&db, &file, key.as_deref()).await
        }
        Command::Roster { command } => {
            let db = open(&url).await?;
            roster(&db, command).await
        }
        Command::Apikey { command } => {
            let db = open(&url).await?;
            apikey(&db, command).await
        }
        Command::Directory { command } => {
            let db = open(&url).await?;
            directory(&db, &access()?, command).await
        }
        Command::Demo { engineers } => {
            let db = open(&url).await?;
            crate::demo::seed(&db, &access()?, engineers).await
        }
    }
}

async fn roster(db: &Db, command: RosterCommand) -> Result<(), String> {
    use std::io::Write;
    let RosterCommand::Export { q, site, role, bom } = command else {
        return Err("roster import is run by its own arm".to_owned());
    };
    let query = crate::roster_csv::query(|name| match name {
        "q" => q.clone(),
        "site" => site.clone(),
        "role" => role.clone(),
        _ => None,
    });
    let (first, mut export) = crate::roster_csv::start(db, &Actor::operator(), &query, bom)
        .await
        .map_err(service_message)?;
    let mut out = std::io::stdout().lock();
    let written = |e: std::io::Error| format!("writing the roster: {e}");
    out.write_all(&first).map_err(written)?;
    while let Some(rows) = export.next_rows().await.map_err(service_message)? {
        out.write_all(&crate::roster_csv::lines(&rows))
            .map_err(written)?;
    }
    out.flush().map_err(written)
}

async fn consent_export(db: &Db) -> Result<(), String> {
    use std::io::Write;
    let actor = Actor::operator();
    let mut export = crate::roster_csv::ConsentExport::new();
    let mut out = std::io::stdout().lock();
    let written = |e: std::io::Error| format!("writing the ledger: {e}");
    out.write_all(&export.header()).map_err(written)?;
    while let Some(lines) = export
        .next_lines(db, &actor)
        .await
        .map_err(service_message)?
    {
        out.write_all(&lines).map_err(written)?;
    }
    out.flush().map_err(written)
}

/// Previews (or, with a key, applies) a roster CSV: the report on standard output, the
/// counts on standard error; rows with problems make the command fail after the rest.
async fn import_roster(
    db: &Db,
    file: &std::path::Path,
    key: Option<&app::service::secret_box::SecretKey>,
) -> Result<(), String> {
    use app::domain::import::Counts;
    use app::service::technicians::import;
    use std::io::{Read, Write};
    let shown = file.display();
    let opened = std::fs::File::open(file).map_err(|e| format!("{shown}: {e}"))?;
    let mut bytes = Vec::new();
    let limit = crate::roster_csv::MAX_BYTES as u64;
    opened
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}"))?;
    let sheet = crate::roster_csv::read(&bytes).map_err(|e| format!("{shown} {e}"))?;
    let actor = Actor::operator();
    let reports = match key {
        Some(key) => import::apply(db, key, &actor, &crate::operator::cli_context(), &sheet).await,
        None => import::preview(db, &actor, &sheet).await,
    }
    .map_err(|e| match e {
        // The file as a whole: its columns, its size.
        app::service::ServiceError::Invalid(errors) => {
            let problems: Vec<String> = errors.0.iter().map(|e| e.problem.to_string()).collect();
            format!("{shown} {}", problems.join("; "))
        }
        other => format!("{shown}: {}", service_message(other)),
    })?;
    let mut out = std::io::stdout().lock();
    out.write_all(&crate::roster_csv::report(&reports, app::i18n::Lang::En))
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing the report: {e}"))?;
    let c = Counts::of(&reports);
    let summary = if key.is_some() {
        format!(
            "{} rows: {} created, {} updated, {} unchanged, {} with problems (changed nothing).",
            reports.len(),
            c.create,
            c.update,
            c.unchanged,
            c.error
        )
    } else {
        format!(
            "{} rows: {} to create, {} to update, {} unchanged, {} with problems. Nothing was \
             changed; run again with --apply to import.",
            reports.len(),
            c.create,
            c.update,
            c.unchanged,
            c.error
        )
    };
    if c.error > 0 {
        return Err(summary);
    }
    eprintln!("{summary}");
    Ok(())
}

async fn apikey(db: &Db, command: ApikeyCommand) -> Result<(), String> {
    use app::service::api_keys;
    let now = app::service::now_ms();
    match command {
        ApikeyCommand::Create {
            name,
            owner,
            domain,
            scopes,
        } => {
            let mut parsed = Vec::new();
            for raw in &scopes {
                let scope = app::domain::Scope::parse(raw).ok_or_else(|| {
                    let names: Vec<&str> =
                        app::domain::Scope::ALL.iter().map(|s| s.as_str()).collect();
                    format!(
                        "--scope '{}' is not a scope; use {}",
                        raw.chars().take(40).collect::<String>(),
                        names.join(", ")
                    )
                })?;
                parsed.push(scope);
            }
            let new = api_keys::NewKey {
                name: &name,
                owner: owner.as_deref().map(|o| (o, domain.as_str())),
                scopes: parsed,
            };
            let key = api_keys::create(db, &Actor::operator(), &cli_context(), new, now)
                .await
                .map_err(service_message)?;
            println!("{key}");
            eprintln!(
                "Created API key '{}'. It is shown only this once: keep it now.",
                name.trim()
            );
        }
        ApikeyCommand::List => {
            let keys = api_keys::list(db).await.map_err(service_message)?;
            if keys.is_empty() {
                println!("No API keys. Create one with: crewdesk apikey create NAME");
            }
            for key in keys {
                println!(
                    "{}\t{}…\t{}\towner {}\tcreated {}\tlast used {}\t{}",
                    key.name,
                    key.prefix,
                    app::domain::Scope::list_text(&key.scopes),
                    key.owner.as_deref().unwrap_or("none"),
                    key.created,
                    key.last_used.as_deref().unwrap_or("never"),
                    key.revoked
                        .map_or_else(|| "live".to_owned(), |at| format!("revoked {at}")),
                );
            }
        }
        ApikeyCommand::Revoke { name } => {
            api_keys::revoke(db, &Actor::operator(), &cli_context(), &name, now)
                .await
                .map_err(service_message)?;
            println!("Revoked API key '{}'.", name.trim());
        }
    }
    Ok(())
}

async fn directory(
    db: &Db,
    access: &crate::directory::Access,
    command: DirectoryCommand,
) -> Result<(), String> {
    use app::domain::directory::{DirectoryName, Preset};
    use app::service::directories::{self, BindPassword, Source};
    let operator = Actor::operator();
    let now = app::service::now_ms();
    match command {
        DirectoryCommand::Add {
            name,
            file,
            ldap_url,
            starttls,
            bind_dn,
            bind_password_env,
            base_dn,
            filter,
            preset,
            map,
            allow_plain_ldap,
        } => {
            let name = DirectoryName::parse(&name).map_err(|e| format!("NAME {e}"))?;
            let preset = Preset::parse(&preset).map_err(|e| format!("--preset: {e}"))?;
            let overrides = map
                .iter()
                .map(|m| {
                    m.split_once('=')
                        .map(|(f, a)| (f.to_owned(), a.to_owned()))
                        .ok_or_else(|| format!("--map '{m}' must be FIELD=ATTRIBUTE"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mapping = preset
                .mapping()
                .with_overrides(&overrides)
                .map_err(|e| format!("--map: {e}"))?;
            let source = match (file, ldap_url) {
                (Some(path), _) => operator_file(&path)?,
                (None, Some(url)) => {
                    let mut ldap = ldap_source(
                        url,
                        starttls,
                        bind_dn.unwrap_or_default(),
                        base_dn.unwrap_or_default(),
                        filter.unwrap_or_default(),
                    )?;
                    ldap.password = BindPassword::Env(
                        directories::password_variable(&bind_password_env.unwrap_or_default())
                            .map_err(|e| format!("--bind-password-env {e}"))?,
                    );
                    ldap.allow_plain = allow_plain_ldap;
                    Source::Ldap(ldap)
                }
                (None, None) => return Err("give --file PATH or --ldap-url URL".into()),
            };
            let new = directories::NewDirectory {
                name,
                source,
                preset,
                mapping,
                typed_password: None,
            };
            let added = directories::add(db, &operator, &cli_context(), new, &access.key, now)
                .await
                .map_err(service_message)?;
            println!("Added directory '{}' ({}).", added.name, added.describe());
        }
        DirectoryCommand::Change {
            name,
            bind_password_env,
            allow_plain_ldap,
            deny_plain_ldap,
            file,
        } => {
            let Some(before) = directories::find(db, &name)
                .await
                .map_err(service_message)?
            else {
                return Err(format!(
                    "there is no directory named '{}'",
                    name.chars().take(64).collect::<String>()
                ));
            };
            let mut source = match file {
                Some(path) => operator_file(&path)?,
                None => before.source.clone(),
            };
            let wants_ldap = bind_password_env.is_some() || allow_plain_ldap || deny_plain_ldap;
            match &mut source {
                Source::Ldap(ldap) => {
                    if let Some(variable) = bind_password_env {
                        ldap.password = BindPassword::Env(
                            directories::password_variable(&variable)
                                .map_err(|e| format!("--bind-password-env {e}"))?,
                        );
                    }
                    if allow_plain_ldap || deny_plain_ldap {
                        ldap.allow_plain = allow_plain_ldap;
                    }
                }
                Source::File { .. } if wants_ldap => {
                    return Err(format!(
                        "the directory '{}' reads a file, not LDAP",
                        before.name
                    ));
                }
                Source::File { .. } => {}
            }
            let changed = directories::NewDirectory {
                name: DirectoryName::parse(&before.name).map_err(|e| format!("NAME {e}"))?,
                source,
                preset: before.preset,
                mapping: before.mapping.clone(),
                typed_password: None,
            };
            let after =
                directories::change(db, &operator, &cli_context(), changed, &access.key, now)
                    .await
                    .map_err(service_message)?;
            println!("Changed directory '{}' ({}).", after.name, after.describe());
        }
        DirectoryCommand::List => {
            let all = directories::list(db).await.map_err(service_message)?;
            if all.is_empty() {
                println!("No directories. Add one with: crewdesk directory add NAME --file PATH");
            }
            for d in all {
                println!("{}\t{}\t{}", d.name, d.describe(), d.preset.as_str());
            }
        }
        DirectoryCommand::Remove { name } => {
            directories::remove(db, &operator, &cli_context(), &name)
                .await
                .map_err(service_message)?;
            println!("Removed directory '{}'; its engineers stay.", name.trim());
        }
        DirectoryCommand::Sync { name } => {
            let clock = app::service::Clock::default();
            let ctx = app::service::AuditContext::new(app::service::Source::Sync, None);
            let (run, chosen) = sync::begin_run(db, &clock, &operator, &ctx, name.as_deref())
                .await
                .map_err(sync_message)?;
            let runner = sync::Runner {
                db,
                clock: &clock,
                source: access,
                actor: &operator,
                ctx: &ctx,
            };
            let summary = sync::run(&runner, run, &chosen)
                .await
                .map_err(sync_message)?;
            println!("{}", summary.line());
        }
    }
    Ok(())
}

/// The LDAP settings of `directory add`, checked by the rules the console uses; the first
/// problem, named by its option.
fn ldap_source(
    url: String,
    starttls: bool,
    bind_dn: String,
    base_dn: String,
    filter: String,
) -> Result<app::service::directories::LdapSource, String> {
    app::service::directories::ldap_source(&url, starttls, &bind_dn, &base_dn, &filter).map_err(
        |errors| {
            errors
                .0
                .first()
                .map(|e| format!("--{} {}", e.field.replace('_', "-"), e.problem))
                .unwrap_or_default()
        },
    )
}

/// A directory file the operator names: any file, kept as an absolute path (a relative path
/// stored would be read inside the console's directory folder instead).
fn operator_file(path: &str) -> Result<app::service::directories::Source, String> {
    if path.trim().is_empty() || path.chars().any(char::is_control) {
        return Err("--file must be a path".into());
    }
    let absolute =
        std::path::absolute(path.trim()).map_err(|e| format!("--file {}: {e}", path.trim()))?;
    Ok(app::service::directories::Source::File {
        path: absolute.display().to_string(),
    })
}

fn sync_message(err: sync::SyncError) -> String {
    match err {
        sync::SyncError::Service(e) => service_message(e),
        other => other.to_string(),
    }
}

async fn open(url: &str) -> Result<Db, String> {
    let db = Db::connect(url).await.map_err(one_line)?;
    app::service::migrate(&db).await.map_err(one_line)?;
    Ok(db)
}

/// Defines a UDF as the operator.
pub async fn add_udf(db: &Db, column: &str, alias: &str) -> Result<i64, String> {
    let column = UdfColumn::parse(column).map_err(|e| format!("the column {e}"))?;
    let alias = ShortText::parse(alias).map_err(|e| format!("the alias {e}"))?;
    reference::add_udf(db, &Actor::operator(), &cli_context(), &column, &alias)
        .await
        .map_err(service_message)
}

fn site_name(what: &str, raw: &str) -> Result<SiteName, String> {
    SiteName::parse(raw).map_err(|e| format!("the {what} name {e}"))
}
