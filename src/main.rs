//! The `huma` binary: reads the configuration, starts logging, opens the
//! configured store and either serves (`huma serve`, the default) or
//! manages keys (`huma keys create|list|revoke`). `huma check-config`
//! prints the effective configuration (secrets masked) and `huma
//! healthcheck` asks a running server's `/healthz` (the container's
//! HEALTHCHECK: slim images have no curl); neither opens the store.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use huma::api::admin::{self, KeySpec};
use huma::app::{quota_month, unix_secs, App};
use huma::config::Config;
use huma::keys::{KeyKind, Plan};
use huma::store::breaker::Breaker;
use huma::store::{EmbeddedStore, RedisStore, Store};
use huma::{server, telemetry, wire};
use ring::rand::SystemRandom;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "huma",
    version,
    about = "Tells humans from bots and AI agents by how they move, type and scroll."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Manage API keys in the configured store.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Validate the environment and print the effective configuration,
    /// secrets masked (exit 2 on an invalid value).
    CheckConfig,
    /// GET http://127.0.0.1:<HUMA_LISTEN port>/healthz: exit 0 on 200, 1 otherwise.
    Healthcheck,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key and print it once.
    Create {
        #[arg(long, default_value = "pro", value_parser = ["trial", "starter", "pro", "enterprise"])]
        plan: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long, default_value = "live", value_parser = ["live", "publishable", "test"])]
        kind: String,
        /// Allowed Origin of a publishable key (repeatable).
        #[arg(long = "origin")]
        origins: Vec<String>,
        #[arg(long)]
        monthly_limit: Option<u64>,
        #[arg(long)]
        burst_per_minute: Option<u32>,
        /// RFC 3339 end date.
        #[arg(long)]
        expires_at: Option<String>,
        /// Id of the live key whose account this key joins.
        #[arg(long)]
        account: Option<String>,
    },
    /// List keys with this month's usage.
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("huma: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Some(Command::CheckConfig) => {
            for (var, value) in config.effective() {
                println!("{var}={value}");
            }
            return ExitCode::SUCCESS;
        }
        Some(Command::Healthcheck) => return healthcheck(&config),
        _ => {}
    }
    telemetry::init();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("huma: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let command = cli.command.unwrap_or(Command::Serve);
        let result = match &config.redis_url {
            Some(url) => match RedisStore::connect_with(
                url,
                config.redis_pool_size,
                config.redis_timeout,
                Breaker::new(config.redis_breaker_failures, config.redis_breaker_cooldown),
            )
            .await
            {
                Ok(store) => run(command, config, store, false).await,
                Err(e) => Err(format!("cannot reach Redis at REDIS_URL: {e}")),
            },
            None => match EmbeddedStore::open(&config.data_dir, config.flush_interval) {
                Ok(store) => run(command, config, store, true).await,
                Err(e) => Err(format!("cannot open the embedded store in HUMA_DATA_DIR: {e}")),
            },
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("huma: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn run<S: Store>(command: Command, config: Config, store: S, embedded: bool) -> Result<(), String> {
    match command {
        Command::Serve => serve(config, store, embedded).await,
        Command::Keys(k) => keys(k, config, store).await,
        Command::CheckConfig | Command::Healthcheck => unreachable!("answered before the store opens"),
    }
}

/// One `GET /healthz` over loopback with a 2 s budget, no HTTP client needed.
fn healthcheck(config: &Config) -> ExitCode {
    use std::io::{Read, Write};
    let ip = if config.listen.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        config.listen.ip()
    };
    let addr = std::net::SocketAddr::new(ip, config.listen.port());
    let budget = std::time::Duration::from_secs(2);
    let ok = (|| -> std::io::Result<bool> {
        let mut s = std::net::TcpStream::connect_timeout(&addr, budget)?;
        s.set_read_timeout(Some(budget))?;
        s.set_write_timeout(Some(budget))?;
        s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200"))
    })();
    match ok {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("huma: {addr}/healthz did not answer 200");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("huma: cannot reach {addr}/healthz: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve<S: Store>(config: Config, store: S, embedded: bool) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot bind HUMA_LISTEN={}: {e}", config.listen))?;
    let started = App::start(config, store, embedded).await.map_err(|e| e.to_string())?;
    if let Some(key) = &started.created_key {
        // The one time this key is ever shown; it is not logged.
        eprintln!("huma: created a pro live key for this store (shown once, keep it): {key}");
    }
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let shutdown = server::shutdown_signal();
    tracing::info!(%addr, store = if embedded { "embedded" } else { "redis" }, "listening");
    server::run(Arc::new(started.app), listener, shutdown).await;
    Ok(())
}

async fn keys<S: Store>(cmd: KeysCommand, config: Config, store: S) -> Result<(), String> {
    match cmd {
        KeysCommand::Create {
            plan,
            name,
            kind,
            origins,
            monthly_limit,
            burst_per_minute,
            expires_at,
            account,
        } => {
            let expires_at = match expires_at {
                None => None,
                Some(s) => Some(
                    time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                        .map_err(|_| format!("--expires-at must be RFC 3339, like 2026-12-31T00:00:00Z; got {s}"))?
                        .unix_timestamp(),
                ),
            };
            let spec = KeySpec {
                plan: Plan::from_name(&plan).ok_or("unknown plan")?,
                name,
                kind: KeyKind::from_name(&kind).ok_or("unknown kind")?,
                origins,
                monthly_limit,
                burst_per_minute,
                expires_at,
                account,
            };
            let (rec, key) = admin::create_key(&store, &SystemRandom::new(), &config.plans, spec)
                .await
                .map_err(|e| e.message())?;
            store.flush().await.map_err(|e| e.to_string())?;
            println!(
                "id:      {}\nkey:     {key}\nkind:    {}\nplan:    {}\naccount: {}",
                rec.id,
                rec.kind.as_str(),
                rec.plan.as_str(),
                rec.account
            );
            if let Some(t) = rec.expires_at {
                println!("expires: {}", wire::rfc3339(t));
            }
        }
        KeysCommand::List => {
            let month = quota_month(unix_secs());
            println!(
                "{:<22} {:<12} {:<11} {:<8} {:>10}  name",
                "id", "kind", "plan", "revoked", "this month"
            );
            for k in store.keys_list().await.map_err(|e| e.to_string())? {
                let used = store.quota_get(&k.account, &month).await.map_err(|e| e.to_string())?;
                println!(
                    "{:<22} {:<12} {:<11} {:<8} {:>10}  {}",
                    k.id,
                    k.kind.as_str(),
                    k.plan.as_str(),
                    k.revoked,
                    used,
                    k.name
                );
            }
        }
        KeysCommand::Revoke { id } => {
            if !admin::revoke_key(&store, &id).await.map_err(|e| e.message())? {
                return Err(format!("there is no key with id {id}"));
            }
            store.flush().await.map_err(|e| e.to_string())?;
            println!("revoked {id}");
        }
    }
    Ok(())
}
