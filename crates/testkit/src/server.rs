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
        Self::start_with(binary, port, database, static_dir, &[]).await
    }

    /// As [`ServerProcess::start`], with more arguments for `serve` (e.g. `--demo`).
    pub async fn start_with(
        binary: &Path,
        port: u16,
        database: &Path,
        static_dir: &Path,
        extra: &[&str],
    ) -> anyhow::Result<Self> {
        let child = Command::new(binary)
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database")
            .arg(format!("sqlite://{}", database.display()))
            .arg("--static")
            .arg(static_dir)
            .args(extra)
            .env(
                "MIMAMORI_LOG",
                std::env::var("MIMAMORI_TEST_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
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

    /// Waits until `path` is served brotli-compressed: the server compresses its files on a
    /// background thread after it starts, and measurements of a first visit need them ready.
    pub async fn wait_for_compression(&self, path: &str) -> anyhow::Result<()> {
        eventually(
            "the server to finish compressing",
            Duration::from_secs(120),
            || async {
                let response =
                    raw_request(self.port, "HEAD", path, &[("Accept-Encoding", "br")]).await?;
                response
                    .to_ascii_lowercase()
                    .contains("content-encoding: br")
                    .then_some(())
            },
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Freezes the server (SIGSTOP): the kernel still accepts connections and buffers
    /// requests, but nothing is answered until [`ServerProcess::resume`]. A request in
    /// flight at a chosen moment, without timing luck.
    pub async fn pause(&self) -> anyhow::Result<()> {
        self.signal("-STOP").await
    }

    pub async fn resume(&self) -> anyhow::Result<()> {
        self.signal("-CONT").await
    }

    async fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let pid = self
            .child
            .as_ref()
            .and_then(|c| c.id())
            .context("the server is not running")?;
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .await?;
        anyhow::ensure!(status.success(), "kill {signal} {pid} failed");
        Ok(())
    }

    /// How many bytes clients have sent that the server has not read yet (the receive
    /// queues of its established connections, from /proc/net/tcp): with the server
    /// paused, more than zero means a request is waiting for it.
    pub fn unread_request_bytes(&self) -> u64 {
        ["/proc/net/tcp", "/proc/net/tcp6"]
            .iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .flat_map(|table| table.lines().skip(1).map(str::to_owned).collect::<Vec<_>>())
            .filter_map(|line| {
                // sl local_address rem_address st tx_queue:rx_queue ...
                let fields: Vec<&str> = line.split_whitespace().collect();
                let local_port = fields.get(1)?.rsplit(':').next()?;
                let established = *fields.get(3)? == "01";
                let rx_queue = fields.get(4)?.split(':').nth(1)?;
                (established && u16::from_str_radix(local_port, 16).ok()? == self.port)
                    .then(|| u64::from_str_radix(rx_queue, 16).ok())
                    .flatten()
            })
            .sum()
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

/// A tiny HTTP/1.1 request, so that the harness needs no HTTP client of its own.
/// Returns the raw response (head and body) or `None` if the server did not answer.
pub async fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut response = Vec::new();
    let read = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response);
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&response).into_owned())
}

async fn health_ok(port: u16) -> bool {
    raw_request(port, "GET", "/api/v1/health", &[])
        .await
        .is_some_and(|response| response.starts_with("HTTP/1.1 200"))
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

/// Copies a kept build (`tests/fixtures/…`) to `to`, unzipping its `.gz` files (kept
/// compressed in the repository).
pub fn unpack_build(fixture: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(fixture)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() {
            unpack_build(&path, &to.join(&name))?;
        } else if let Some(plain) = name.strip_suffix(".gz") {
            let mut unzipped = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(&path)?),
                &mut unzipped,
            )?;
            std::fs::write(to.join(plain), unzipped)?;
        } else if name != "README.md" {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}
