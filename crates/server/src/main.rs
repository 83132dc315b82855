//! `mimamori-server`: see `mimamori-server --help`.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use mimamori_core::account::Role;
use mimamori_server::{admin, storage, ServeConfig};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "mimamori-server",
    version,
    about = "見守り手帳 (mimamori) server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the built PWA.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "MIMAMORI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Database URL: sqlite://path/to/file.db (created if missing).
        #[arg(
            long,
            env = "MIMAMORI_DATABASE",
            default_value = "sqlite://data/mimamori.db"
        )]
        database: String,
        /// Folder holding the built PWA (trunk's dist); without it only the API is served.
        #[arg(long = "static", env = "MIMAMORI_STATIC")]
        static_dir: Option<PathBuf>,
        /// Load demo data (Takasaki's districts) into an empty database.
        #[arg(long, env = "MIMAMORI_DEMO")]
        demo: bool,
        /// With --demo: the districts and accounts only, without the demo district's
        /// residents and visits (for a test that runs an older build against this server).
        #[arg(long, requires = "demo")]
        demo_accounts_only: bool,
        /// A proxy in front of this server (an address or network, e.g. 127.0.0.1 or
        /// 10.0.0.0/8; repeat the flag or separate with commas). Only from these is the
        /// client's address read from X-Forwarded-For, which the login throttle counts by.
        #[arg(
            long = "trusted-proxy",
            env = "MIMAMORI_TRUSTED_PROXIES",
            value_delimiter = ',',
            value_parser = mimamori_server::proxy::TrustedProxies::parse_one
        )]
        trusted_proxies: Vec<ipnet::IpNet>,
    },
    /// Manage districts, users and devices.
    Admin {
        /// Database URL, as for `serve`.
        #[arg(
            long,
            env = "MIMAMORI_DATABASE",
            default_value = "sqlite://data/mimamori.db"
        )]
        database: String,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Districts (第2層協議体).
    #[command(subcommand)]
    District(DistrictCommand),
    /// People with accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Signed-in phones and browsers.
    #[command(subcommand)]
    Device(DeviceCommand),
}

#[derive(Debug, Subcommand)]
enum DistrictCommand {
    /// Add a district.
    Create { name: String },
    /// List the districts with their numbers.
    List,
}

#[derive(Debug, Args)]
struct LoginArg {
    /// The user's login id.
    #[arg(long = "login")]
    login_id: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user and print a temporary password (shown once).
    Create {
        #[command(flatten)]
        login: LoginArg,
        /// Name as colleagues know it (e.g. 高崎 花子).
        #[arg(long)]
        name: String,
        /// volunteer, coordinator, city or admin.
        #[arg(long)]
        role: Role,
        /// A district by number or name; repeat for several.
        #[arg(long = "district")]
        districts: Vec<String>,
    },
    /// Change a user's role.
    SetRole {
        #[command(flatten)]
        login: LoginArg,
        #[arg(long)]
        role: Role,
    },
    /// Replace a user's districts.
    SetDistricts {
        #[command(flatten)]
        login: LoginArg,
        #[arg(long = "district")]
        districts: Vec<String>,
    },
    /// Give a user a new temporary password.
    ResetPassword {
        #[command(flatten)]
        login: LoginArg,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List devices, optionally of one district's people.
    List {
        #[arg(long)]
        district: Option<String>,
    },
    /// Revoke a device: it erases its data at its next contact.
    Revoke { id: i64 },
}

async fn run_admin(database: &str, command: AdminCommand) -> anyhow::Result<()> {
    let storage = storage::connect(database).await?;
    let store = storage.as_ref();
    let output = match command {
        AdminCommand::District(DistrictCommand::Create { name }) => {
            admin::create_district(store, &name).await
        }
        AdminCommand::District(DistrictCommand::List) => admin::list_districts(store).await,
        AdminCommand::User(UserCommand::Create {
            login,
            name,
            role,
            districts,
        }) => {
            let spec = admin::UserSpec {
                login_id: &login.login_id,
                display_name: &name,
                role,
                districts: &districts,
            };
            admin::create_user(store, spec, None).await
        }
        AdminCommand::User(UserCommand::SetRole { login, role }) => {
            admin::set_role(store, &login.login_id, role).await
        }
        AdminCommand::User(UserCommand::SetDistricts { login, districts }) => {
            admin::set_districts(store, &login.login_id, &districts).await
        }
        AdminCommand::User(UserCommand::ResetPassword { login }) => {
            admin::reset_password(store, &login.login_id).await
        }
        AdminCommand::Device(DeviceCommand::List { district }) => {
            admin::list_devices(store, district.as_deref()).await
        }
        AdminCommand::Device(DeviceCommand::Revoke { id }) => admin::revoke_device(store, id).await,
    };
    storage.close().await;
    println!("{}", output?);
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // One readable line (with its causes), not a backtrace: this is an operator's tool.
            eprintln!("mimamori-server: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("MIMAMORI_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match Cli::parse().command {
        Command::Serve {
            listen,
            database,
            static_dir,
            demo,
            demo_accounts_only,
            trusted_proxies,
        } => {
            mimamori_server::serve(ServeConfig {
                listen,
                database_url: database,
                static_dir,
                demo,
                demo_records: !demo_accounts_only,
                trusted_proxies: mimamori_server::proxy::TrustedProxies::new(trusted_proxies),
                limits: mimamori_server::connections::ConnectionLimits::default(),
            })
            .await
        }
        Command::Admin { database, command } => run_admin(&database, command).await,
    }
}
