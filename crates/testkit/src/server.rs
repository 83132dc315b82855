use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::eventually;

/// A running `mimamori-server serve`, stopped with SIGTERM (then killed) when dropped.
pub struct ServerProcess {
    child: Option<Child>,
    pub port: u16,
}

impl ServerProcess {
    /// Starts the server binary on `port` with the database file `database` and the PWA in
    /// `static_dir`, and waits until `/api/v1/health` answers.
    pub async fn start(
        binary: &Path,
        port: u16,
        database: &Path,
        static_dir: &Path,
    ) -> anyhow::Result<Self> {
        let child = Command::new(binary)
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(format!("sqlite://{}", database.display()))
            .arg("--static")
            .arg(static_dir)
            .env("MIMAMORI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let server = Self {
            child: Some(child),
            port,
        };
        eventually(
            "the server to answer /api/v1/health",
            Duration::from_secs(60),
            || async { health_ok(port).await.then_some(()) },
        )
        .await?;
        Ok(server)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops the server as an operator would (SIGTERM) and waits for it to exit.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if let Some(pid) = child.id() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status()
                .await;
        }
        match tokio::time::timeout(Duration::from_secs(15), child.wait()).await {
            Ok(status) => {
                let status = status?;
                anyhow::ensure!(
                    status.success(),
                    "server exited with {status} after SIGTERM"
                );
            }
            Err(_) => {
                child.kill().await?;
                anyhow::bail!("server did not stop within 15 s of SIGTERM");
            }
        }
        Ok(())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
    }
}

/// A tiny HTTP/1.1 GET so that the harness needs no HTTP client of its own.
async fn health_ok(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)).await else {
        return false;
    };
    let request = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut response = Vec::new();
    let read = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response);
    matches!(
        tokio::time::timeout(Duration::from_secs(5), read).await,
        Ok(Ok(_))
    ) && response.starts_with(b"HTTP/1.1 200")
}

/// Copies a built PWA to `to`, for tests that change a build or serve two.
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut copied = Vec::new();
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copied.extend(copy_dir(&entry.path(), &target)?);
        } else {
            std::fs::copy(entry.path(), &target)?;
            copied.push(target);
        }
    }
    Ok(copied)
}
