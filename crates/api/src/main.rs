//! The `tenure` binary: `serve`, `migrate`, `seed`, `user add` and `openapi`.
//!
//! It reads configuration, wires the store into the HTTP app and gets out of the way; no
//! business rule lives here.

use std::io::Read;
use std::net::TcpListener;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tenure_api::config::Config;
use tenure_api::{DEMO_LOGINS, DEMO_PASSWORD, app, auth, state::AppState, telemetry};
use tenure_domain::permission::Role;
use tenure_store::Store;
use tenure_store::seed::DemoSpec;
use tenure_store::user::NewUser;

#[derive(Parser)]
#[command(name = "tenure", version, about = "Tenure, the customer-success CRM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the SPA) on TENURE_BIND; migrates the database first.
    Serve {
        /// Seed the demo organisations on first start and print the demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Add generated customers to an organisation (created if missing), fast, for benchmarks.
    Seed {
        #[arg(long, default_value_t = 1000)]
        customers: u64,
        #[arg(long, default_value = "Bench Co")]
        org: String,
        /// Random seed; the same seed makes the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input (never from arguments).
    Add {
        /// Organisation name or slug (created if missing).
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "staff")]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        let document = tenure_api::openapi::document();
        println!("{}", document.to_pretty_json()?);
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(&config.log, config.log_json);
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                redact(&config.database_url)
            )
        })?
        .with_job_lease(config.job_lease);
    store
        .migrate()
        .await
        .context("migrating the database failed")?;
    match cli.command {
        Command::Serve { demo } => serve(config, store, demo).await,
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::Seed {
            customers,
            org,
            seed,
        } => {
            let org = match store.organization_by_slug_or_name(&org).await? {
                Some(org) => org,
                None => store.create_organization(&org, Some("US"), "USD").await?,
            };
            let started = std::time::Instant::now();
            let n = store
                .bulk_insert_customers(org.id, customers, seed, &[])
                .await?;
            println!(
                "seeded {n} customers into {} ({}) in {:.1}s",
                org.name,
                org.slug,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    org,
                    email,
                    role,
                    name,
                },
        } => add_user(&store, &org, &email, &role, name.as_deref()).await,
        Command::Openapi => Ok(()),
    }
}

async fn serve(config: Config, store: Store, demo: bool) -> anyhow::Result<()> {
    if demo {
        let hash = auth::password::hash(DEMO_PASSWORD)?;
        let outcome = store
            .seed_demo(&DemoSpec {
                password_hash: &hash,
                customers: 2_000,
            })
            .await?;
        if outcome.created {
            let duplicated = tenure_api::demo::seed_duplicates(&store, &outcome.demo).await?;
            tracing::info!(duplicated, "seeded the demo organisations");
        }
    }
    let state = AppState::new(store, config.jwt_secret.as_deref())
        .await?
        .with_trusted_proxies(config.trusted_proxies.clone())
        .with_demo(demo)
        .with_data_dir(&config.data_dir)?;
    let listener = TcpListener::bind(config.bind)
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    println!("Tenure is running at http://{address}  (API docs: http://{address}/docs/)");
    if demo {
        println!("Demo logins (password \"{DEMO_PASSWORD}\"):");
        for (email, role) in DEMO_LOGINS {
            println!("  {email:<22} {role}");
        }
    }
    app::serve(listener, state, config.workers)?.await?;
    Ok(())
}

async fn add_user(
    store: &Store,
    org: &str,
    email: &str,
    role: &str,
    name: Option<&str>,
) -> anyhow::Result<()> {
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {}", e.message))?;
    let email = tenure_domain::values::Email::parse(email)
        .map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.chars().count() < 8 {
        anyhow::bail!("the password (from standard input) must be at least 8 characters");
    }
    let org = match store.organization_by_slug_or_name(org).await? {
        Some(org) => org,
        None => store.create_organization(org, None, "USD").await?,
    };
    let hash = auth::password::hash(password)?;
    let user = store
        .create_user(NewUser {
            organization_id: org.id,
            email: email.as_str(),
            name: name.unwrap_or(email.as_str()),
            role,
            password_hash: &hash,
        })
        .await
        .map_err(|e| match e {
            tenure_store::StoreError::Conflict { .. } => {
                anyhow::anyhow!("{} already has a user with this email", org.name)
            }
            other => anyhow::Error::new(other),
        })?;
    println!(
        "added {} ({}) to {}",
        user.email,
        user.role.as_str(),
        org.name
    );
    Ok(())
}

/// The database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
