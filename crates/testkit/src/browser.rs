use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::{eventually, free_port};

/// The flags Chromium needs here: it runs as root, headless, on a machine whose only network
/// is loopback (without the background-networking flags it keeps trying to reach Google).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--window-size=390,844",
    "--lang=ja",
];

/// The browser engines the tests drive. Chromium runs every test; WebKit (Safari's engine,
/// as WebKitGTK through Debian's `webkit2gtk-driver`) and Firefox ESR (through geckodriver)
/// run the smoke set. `MIMAMORI_BROWSER` (`chromium`, `webkit`, `firefox`) chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    WebKit,
    Firefox,
}

impl Engine {
    /// The engine `MIMAMORI_BROWSER` names (Chromium when unset).
    pub fn from_env() -> Self {
        match std::env::var("MIMAMORI_BROWSER").as_deref() {
            Ok("webkit") => Self::WebKit,
            Ok("firefox") => Self::Firefox,
            _ => Self::Chromium,
        }
    }
}

/// The phone's screen, as every engine is sized.
const PHONE_WIDTH: u32 = 390;
const PHONE_HEIGHT: u32 = 844;

/// How long a tap waits for its element to appear.
const TAP_PATIENCE: Duration = Duration::from_secs(30);

/// Errors a tap outlives by trying again: the element not drawn yet, or redrawn.
trait Transient {
    fn is_transient(&self) -> bool;
}

impl Transient for fantoccini::error::CmdError {
    fn is_transient(&self) -> bool {
        use fantoccini::error::ErrorStatus;
        match self {
            fantoccini::error::CmdError::Standard(e) => matches!(
                e.error,
                ErrorStatus::NoSuchElement
                    | ErrorStatus::StaleElementReference
                    | ErrorStatus::ElementNotInteractable
                    | ErrorStatus::ElementClickIntercepted
            ),
            _ => false,
        }
    }
}

/// A headless browser with a fresh profile, driven through its own WebDriver server
/// (ChromeDriver, WebKitWebDriver or geckodriver), on a phone-sized screen.
pub struct Browser {
    pub client: Client,
    pub engine: Engine,
    driver: Child,
    /// WebKitGTK draws on a display: its own virtual one (Xvfb), ended with the browser.
    display: Option<Child>,
    _profile: Option<tempfile::TempDir>,
}

impl Browser {
    /// A browser of the engine `MIMAMORI_BROWSER` names, with a fresh profile removed when
    /// the browser is dropped.
    pub async fn start() -> anyhow::Result<Self> {
        match Engine::from_env() {
            Engine::Chromium => {
                let profile = tempfile::tempdir()?;
                let mut browser = Self::start_with_profile(profile.path()).await?;
                browser._profile = Some(profile);
                Ok(browser)
            }
            Engine::WebKit => Self::start_webkit().await,
            Engine::Firefox => Self::start_firefox().await,
        }
    }

    /// WebKitGTK's MiniBrowser on a virtual display. Its automation sessions keep storage
    /// only for the session: a fresh profile every time.
    async fn start_webkit() -> anyhow::Result<Self> {
        let (display, display_name) = start_virtual_display().await?;
        let port = free_port();
        let driver = spawn_driver(
            ("WEBKITWEBDRIVER", "WebKitWebDriver"),
            &[format!("--port={port}")],
            &[("DISPLAY", display_name.as_str()), ("LANG", "ja_JP.UTF-8")],
            "is webkit2gtk-driver installed?",
        )?;
        let binary = std::env::var("MINIBROWSER")
            .unwrap_or_else(|_| "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser".into());
        let capabilities = json!({
            "browserName": "MiniBrowser",
            "webkitgtk:browserOptions": {
                "binary": binary,
                "args": ["--automation", "--geometry=390x844"],
            },
        });
        Self::connect(
            Engine::WebKit,
            port,
            capabilities,
            driver,
            Some(display),
            true,
        )
        .await
    }

    /// Firefox ESR, headless, through geckodriver.
    async fn start_firefox() -> anyhow::Result<Self> {
        let port = free_port();
        let driver = spawn_driver(
            ("GECKODRIVER", "geckodriver"),
            &["--port".to_owned(), port.to_string()],
            &[],
            "`cargo xtask test` installs geckodriver",
        )?;
        let binary = std::env::var("FIREFOX").unwrap_or_else(|_| "/usr/bin/firefox-esr".into());
        let capabilities = json!({
            "browserName": "firefox",
            "moz:firefoxOptions": {
                "binary": binary,
                "args": ["-headless", "--width=390", "--height=844"],
                "prefs": {
                    "intl.accept_languages": "ja",
                    "browser.shell.checkDefaultBrowser": false,
                    "app.update.enabled": false,
                    "datareporting.policy.dataSubmissionEnabled": false,
                    "toolkit.telemetry.enabled": false,
                    "network.captive-portal-service.enabled": false,
                    "network.connectivity-service.enabled": false,
                },
            },
        });
        Self::connect(Engine::Firefox, port, capabilities, driver, None, true).await
    }

    /// Opens the WebDriver session once the driver listens; `size_window` gives it a
    /// phone-sized window (Chromium is sized by its own flag).
    async fn connect(
        engine: Engine,
        port: u16,
        capabilities: Value,
        driver: Child,
        display: Option<Child>,
        size_window: bool,
    ) -> anyhow::Result<Self> {
        let capabilities = capabilities
            .as_object()
            .cloned()
            .context("capabilities are an object")?;
        let url = format!("http://127.0.0.1:{port}");
        let client = eventually(
            &format!("{engine:?}'s WebDriver to start a session"),
            Duration::from_secs(60),
            || {
                let url = url.clone();
                let capabilities = capabilities.clone();
                async move {
                    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                        .capabilities(capabilities)
                        .connect(&url)
                        .await
                        .ok()
                }
            },
        )
        .await?;
        let browser = Self {
            client,
            engine,
            driver,
            display,
            _profile: None,
        };
        // The window's outer size: the page gets what the engine's frame leaves of it.
        if size_window {
            browser
                .client
                .set_window_size(PHONE_WIDTH, PHONE_HEIGHT)
                .await?;
        }
        Ok(browser)
    }

    /// A browser on the profile folder `profile`, which outlives it: start another on the
    /// same folder to reopen "the same phone" after [`Browser::kill`].
    pub async fn start_with_profile(profile: &std::path::Path) -> anyhow::Result<Self> {
        let port = free_port();
        let driver = spawn_driver(
            ("CHROMEDRIVER", "chromedriver"),
            &[format!("--port={port}")],
            &[],
            "is chromium-driver installed?",
        )?;
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": binary, "args": args },
        });
        Self::connect(Engine::Chromium, port, capabilities, driver, None, false).await
    }

    /// Runs `script` (a function body; `arguments` are its arguments) in the page.
    pub async fn js(&self, script: &str) -> anyhow::Result<Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// Runs an async script: its last argument is the callback that returns the result.
    pub async fn js_async(&self, script: &str) -> anyhow::Result<Value> {
        Ok(self.client.execute_async(script, Vec::new()).await?)
    }

    /// Awaits the promise the JavaScript expression `promise` evaluates to and returns what
    /// it resolved to (typed arrays as plain arrays), or its rejection as an error. Waits at
    /// most `timeout`.
    pub async fn await_js(&self, promise: &str, timeout: Duration) -> anyhow::Result<Value> {
        self.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(timeout),
                None,
                None,
            ))
            .await?;
        let script = format!(
            "const done = arguments[arguments.length - 1];\
             Promise.resolve().then(() => {promise}).then(\
               (v) => done({{ ok: ArrayBuffer.isView(v) ? Array.from(v) : (v === undefined ? null : v) }}),\
               (e) => done({{ error: String(e && e.message || e) }}));"
        );
        let answer = self.js_async(&script).await?;
        match answer.get("error") {
            Some(error) => anyhow::bail!("{promise} failed: {}", error.as_str().unwrap_or("?")),
            None => Ok(answer.get("ok").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Sends a Chrome DevTools Protocol command (ChromeDriver's `goog/cdp/execute`).
    pub async fn cdp(&self, command: &str, params: Value) -> anyhow::Result<Value> {
        Ok(self
            .client
            .issue_cmd(crate::network::Cdp {
                command: command.to_owned(),
                params,
            })
            .await?)
    }

    /// The page's visible text.
    pub async fn body_text(&self) -> anyhow::Result<String> {
        Ok(self
            .js("return document.body ? document.body.innerText : '';")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Waits until the visible text contains `needle`.
    pub async fn wait_for_text(&self, needle: &str, timeout: Duration) -> anyhow::Result<()> {
        eventually(&format!("the page to show {needle:?}"), timeout, || async {
            self.body_text()
                .await
                .ok()
                .filter(|text| text.contains(needle))
                .map(|_| ())
        })
        .await
    }

    /// Waits until the app has mounted (its bottom navigation is on the page).
    pub async fn wait_for_app(&self, timeout: Duration) -> anyhow::Result<()> {
        eventually("the app to mount", timeout, || async {
            let script = "return !!document.querySelector('nav.bottom-nav');";
            self.js(script)
                .await
                .ok()
                .filter(|v| v == &Value::Bool(true))
                .map(|_| ())
        })
        .await
    }

    /// Waits until a service worker controls the page, i.e. the app is cached for offline.
    pub async fn wait_for_service_worker(&self, timeout: Duration) -> anyhow::Result<()> {
        eventually("a service worker to control the page", timeout, || async {
            let script = "return !!(navigator.serviceWorker && navigator.serviceWorker.controller \
                          && navigator.serviceWorker.controller.state === 'activated');";
            self.js(script)
                .await
                .ok()
                .filter(|v| v == &Value::Bool(true))
                .map(|_| ())
        })
        .await
    }

    /// Waits for the element to be there (a screen still reading shows it a moment later;
    /// a list redrawn after a sync replaces it), scrolls it to the middle of the screen, as
    /// a person would before tapping it (ChromeDriver's own scrolling may leave it under
    /// the fixed bottom navigation), and clicks it.
    pub async fn tap(&self, css: &str) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + TAP_PATIENCE;
        loop {
            match self.try_tap(css).await {
                Ok(()) => return Ok(()),
                Err(error) if std::time::Instant::now() < deadline && error.is_transient() => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => {
                    return Err(anyhow::Error::new(error).context(format!("tapping {css}")))
                }
            }
        }
    }

    async fn try_tap(&self, css: &str) -> Result<(), fantoccini::error::CmdError> {
        let element = self.client.find(fantoccini::Locator::Css(css)).await?;
        let script = "arguments[0].scrollIntoView({block: 'center'});";
        self.client
            .execute(
                script,
                vec![serde_json::to_value(&element).unwrap_or_default()],
            )
            .await?;
        element.click().await?;
        Ok(())
    }

    /// Switches the page's network off or back on (see `network.rs` for what it reaches).
    /// Chromium only: the smoke set for other engines stops the server instead.
    pub async fn set_offline(&self, offline: bool) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.engine == Engine::Chromium,
            "set_offline needs ChromeDriver; stop the server instead in {:?}",
            self.engine
        );
        self.client
            .issue_cmd(crate::network::NetworkConditions { offline })
            .await?;
        Ok(())
    }

    /// Ends the browser abruptly, as the system ending an app (or a flat battery, short of
    /// losing what the disk already has): every process of the browser is killed at once,
    /// without closing anything.
    pub async fn kill(mut self, profile: &std::path::Path) -> anyhow::Result<()> {
        self.kill_group();
        // A backstop for any process of this profile outside the group. `--`: the pattern
        // itself starts with dashes. pkill exits 1 when nothing matched, which is the hope.
        let pattern = format!("--user-data-dir={}", profile.display());
        let status = Command::new("pkill")
            .args(["-KILL", "-f", "--", &pattern])
            .status()
            .await?;
        anyhow::ensure!(
            matches!(status.code(), Some(0 | 1)),
            "pkill failed: {status}"
        );
        let _ = self.driver.wait().await;
        eventually(
            "every process of the killed browser to end",
            Duration::from_secs(10),
            || async {
                let left = Command::new("pgrep")
                    .args(["-f", "--", &pattern])
                    .stdout(Stdio::null())
                    .status()
                    .await
                    .ok()?;
                (left.code() == Some(1)).then_some(())
            },
        )
        .await?;
        // A killed Chromium leaves its profile lock behind; a restarted phone has none.
        // (IndexedDB's own LOCK files are released by the kernel; they must stay.)
        for lock in ["SingletonLock", "SingletonSocket", "SingletonCookie"] {
            let _ = std::fs::remove_file(profile.join(lock));
        }
        Ok(())
    }

    pub async fn close(mut self) -> anyhow::Result<()> {
        let result = self.client.clone().close().await;
        self.kill_group();
        let _ = self.driver.wait().await;
        result.map_err(Into::into)
    }

    /// Kills the WebDriver server and every browser process it started (they share its
    /// group), and the virtual display if there is one.
    fn kill_group(&mut self) {
        if let Some(group) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
        if let Some(display) = self.display.as_mut() {
            let _ = display.start_kill();
        }
    }
}

impl Drop for Browser {
    /// A failed test must not leave its browser running (killing only ChromeDriver would).
    fn drop(&mut self) {
        self.kill_group();
    }
}

/// An X display of its own for one browser, and its name. Xvfb chooses a free display
/// number itself and says which on its standard output (`-displayfd 1`): no guessing, no race
/// with another test's display.
async fn start_virtual_display() -> anyhow::Result<(Child, String)> {
    use tokio::io::AsyncBufReadExt as _;
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1024x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting Xvfb (is xvfb installed?)")?;
    let stdout = child.stdout.take().context("Xvfb's standard output")?;
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        tokio::io::BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .context("Xvfb did not say its display within 30 s")??;
    let number: u32 = line.trim().parse().context("Xvfb's display number")?;
    Ok((child, format!(":{number}")))
}

/// Starts a WebDriver server: the program the environment variable names, else `default`.
/// In its own process group, which the browser it starts joins: killing the group ends every
/// process of this browser and no other test's.
fn spawn_driver(
    (variable, default): (&str, &str),
    args: &[String],
    envs: &[(&str, &str)],
    hint: &str,
) -> anyhow::Result<Child> {
    let program = std::env::var(variable).unwrap_or_else(|_| default.into());
    Command::new(&program)
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {program} ({hint})"))
}
