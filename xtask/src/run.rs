//! `cargo xtask run`: the app with demo data, as a newcomer first sees it.

use std::process::{ExitCode, Stdio};

use anyhow::Context as _;

use crate::build::{build_pwa, Profile};
use crate::{root, xtask_dir};

/// Builds the PWA into a folder of its own and moves it to where the server reads it only
/// once trunk has finished, so the server never reads a build half-written (by this run,
/// or by a `cargo xtask dist` into `./dist` at the same moment).
fn build_for_serving() -> anyhow::Result<std::path::PathBuf> {
    let served = xtask_dir().join("run-dist");
    let partial = xtask_dir().join("run-dist.partial");
    if partial.exists() {
        std::fs::remove_dir_all(&partial)?;
    }
    build_pwa(Profile::Release, &partial)?;
    if served.exists() {
        std::fs::remove_dir_all(&served)?;
    }
    std::fs::rename(&partial, &served)
        .with_context(|| format!("moving the build to {}", served.display()))?;
    Ok(served)
}

pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let port = parse_port(args)?;
    let dist = build_for_serving()?;
    let server = crate::build_server(&[])?.join("mimamori-server");
    let data = root().join("data");
    std::fs::create_dir_all(&data)?;

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut child = tokio::process::Command::new(&server)
            .current_dir(root())
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(format!("sqlite://{}", data.join("mimamori.db").display()))
            .arg("--static")
            .arg(&dist)
            .arg("--demo")
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", server.display()))?;

        let url = format!("http://127.0.0.1:{port}/");
        let ready = mimamori_testkit::eventually(
            "the server to start",
            std::time::Duration::from_secs(60),
            || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()
            },
        );
        tokio::select! {
            result = ready => { result?; }
            status = child.wait() => anyhow::bail!("the server stopped at once: {}", status?),
        }
        println!();
        println!("  見守り手帳 is running. Open {url} in a browser.");
        println!(
            "  Data: {}   Stop: Ctrl-C",
            data.join("mimamori.db").display()
        );
        println!("  Demo: 26 districts of Takasaki; demo logins are listed above (password mimamori-demo).");
        println!();

        tokio::select! {
            status = child.wait() => {
                let status = status?;
                anyhow::ensure!(status.success(), "the server exited with {status}");
            }
            _ = tokio::signal::ctrl_c() => {
                // The terminal sent SIGINT to the server too; make sure, then let it finish.
                if let Some(pid) = child.id() {
                    let _ = tokio::process::Command::new("kill")
                        .args(["-TERM", &pid.to_string()])
                        .status()
                        .await;
                }
                child.wait().await?;
                println!("見守り手帳 stopped.");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn parse_port(args: &[String]) -> anyhow::Result<u16> {
    let mut port = 8080;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = match arg.strip_prefix("--port=") {
            Some(value) => value.to_owned(),
            None if arg == "--port" => args.next().cloned().context("--port needs a number")?,
            None => anyhow::bail!("unknown argument {arg:?}: expected --port N"),
        };
        port = value
            .parse()
            .with_context(|| format!("--port {value:?} is not a port number"))?;
    }
    Ok(port)
}
