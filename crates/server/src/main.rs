//! `mimamori-server`: see `mimamori-server --help`.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use mimamori_server::ServeConfig;
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
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
        } => {
            mimamori_server::serve(ServeConfig {
                listen,
                database_url: database,
                static_dir,
                demo,
            })
            .await
        }
    }
}
