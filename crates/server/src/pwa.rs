//! The built PWA, loaded into memory once at start.
//!
//! Loading it whole lets the server (1) compress each file once, with brotli and gzip, instead
//! of on every request, (2) answer `If-None-Match` from a content hash, and (3) write the
//! service worker from the exact list of files the page loads, under a cache named for the build.
//! A build is a few megabytes at most, so memory is not a concern.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{bail, Context as _};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};

use crate::http::error::ApiError;
use crate::http::AppState;

const SERVICE_WORKER_PATH: &str = "/sw.js";
/// The coordinators' build's page: every path under /sc/ is answered with it.
const COORDINATORS_PAGE: &str = "/sc.html";
const SERVICE_WORKER_TEMPLATE: &str = include_str!("service-worker.js");

/// How a browser may cache a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// Revalidate every time: the entry points whose names never change.
    NoCache,
    /// A file whose name carries its content hash never changes.
    Immutable,
}

impl CachePolicy {
    fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::NoCache => "no-cache",
            Self::Immutable => "public, max-age=31536000, immutable",
        })
    }
}

#[derive(Debug)]
struct Asset {
    content_type: &'static str,
    cache: CachePolicy,
    etag: HeaderValue,
    identity: Bytes,
    /// Filled by [`Pwa::compress_all`]; until then the file is served as it is.
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

#[derive(Debug)]
pub struct Pwa {
    assets: HashMap<String, Asset>,
    /// What the service worker downloads when it installs, sorted.
    precache: Vec<String>,
    build_id: String,
    /// Sent with every file: only this build's own scripts run.
    content_security_policy: HeaderValue,
}

impl Pwa {
    /// Reads every file under `dir` (a `trunk build` output) and writes the service worker.
    /// Compression is separate ([`Pwa::compress_all`]) so that the server starts at once.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut files = BTreeMap::new();
        collect_files(dir, dir, &mut files)
            .with_context(|| format!("reading the PWA in {}", dir.display()))?;
        let Some(index) = files.get("/index.html") else {
            bail!(
                "{} has no index.html: is it the output of `trunk build`?",
                dir.display()
            );
        };
        // A build read while trunk was writing it names files that are not there yet.
        if let Some(missing) = named_files(index).find(|name| !files.contains_key(*name)) {
            bail!(
                "{}: index.html names {missing}, which is missing: the build is incomplete \
                 (was it read while being written?)",
                dir.display()
            );
        }
        // The coordinators' build, if this build has one (`sc.html`, served under /sc/).
        let coordinators = files.get(COORDINATORS_PAGE).cloned();
        if let Some(page) = &coordinators {
            if let Some(missing) = named_files(page).find(|name| !files.contains_key(*name)) {
                bail!(
                    "{}: sc.html names {missing}, which is missing: the build is incomplete",
                    dir.display()
                );
            }
        }
        let content_security_policy = content_security_policy(&[
            index.as_slice(),
            coordinators.as_deref().unwrap_or_default(),
        ])?;
        // The page and what it names; not the manifest's other icons, which a browser
        // fetches only when the app is installed (9 KB a phone would otherwise download
        // on its first visit for nothing).
        let mut precache: Vec<String> = named_files(index).map(str::to_owned).collect();
        precache.push("/index.html".to_owned());
        precache.sort_unstable();
        precache.dedup();
        files.remove(SERVICE_WORKER_PATH);

        let mut build_hash = Sha256::new();
        for (path, bytes) in &files {
            build_hash.update(path.as_bytes());
            build_hash.update(Sha256::digest(bytes));
        }
        let build_id = hex(&build_hash.finalize()[..8]);

        // The coordinators' build is not precached: a volunteer's phone never loads it. The
        // worker keeps its files as they are first fetched, and precaches them on an update
        // of a phone that had them.
        let mut coordinators_files: Vec<String> = coordinators
            .as_deref()
            .map(|page| named_files(page).map(str::to_owned).collect())
            .unwrap_or_default();
        if coordinators.is_some() {
            coordinators_files.push(COORDINATORS_PAGE.to_owned());
        }
        coordinators_files.sort_unstable();
        coordinators_files.dedup();
        let service_worker = SERVICE_WORKER_TEMPLATE
            .replace("__MIMAMORI_BUILD__", &build_id)
            .replace("__MIMAMORI_PRECACHE__", &serde_json::to_string(&precache)?)
            .replace(
                "__MIMAMORI_COORDINATORS__",
                &serde_json::to_string(&coordinators_files)?,
            );
        files.insert(SERVICE_WORKER_PATH.to_owned(), service_worker.into_bytes());

        let assets = files
            .into_iter()
            .map(|(path, bytes)| (path.clone(), Asset::new(&path, bytes)))
            .collect();
        Ok(Self {
            assets,
            precache,
            build_id,
            content_security_policy,
        })
    }

    /// Compresses every compressible file with gzip, then brotli. Brotli at its best setting
    /// takes seconds per megabyte, so the server calls this on a background thread and
    /// serves each encoding as soon as it exists.
    pub fn compress_all(&self) {
        for asset in self.assets.values() {
            asset.gzip.get_or_init(|| {
                asset
                    .compressible()
                    .then(|| gzip(&asset.identity))
                    .flatten()
            });
        }
        for asset in self.assets.values() {
            asset.brotli.get_or_init(|| {
                asset
                    .compressible()
                    .then(|| brotli(&asset.identity))
                    .flatten()
            });
        }
    }

    /// A short hash naming this build: the service worker's cache is `mimamori-<build_id>`.
    pub fn build_id(&self) -> &str {
        &self.build_id
    }

    /// The file paths the service worker precaches.
    pub fn precached_paths(&self) -> impl Iterator<Item = &str> {
        self.precache.iter().map(String::as_str)
    }

    fn lookup(&self, path: &str) -> Option<&Asset> {
        match path {
            "/" => self.assets.get("/index.html"),
            _ => self.assets.get(path).or_else(|| {
                // A path without a file extension is one of the app's own routes
                // (e.g. /visits/new opened from a bookmark): answer with the shell, the
                // coordinators' under /sc/ when this build has it.
                let last = path.rsplit('/').next().unwrap_or_default();
                if last.contains('.') {
                    return None;
                }
                let coordinators = path == "/sc" || path.starts_with("/sc/");
                coordinators
                    .then(|| self.assets.get(COORDINATORS_PAGE))
                    .flatten()
                    .or_else(|| self.assets.get("/index.html"))
            }),
        }
    }
}

impl Asset {
    fn new(path: &str, identity: Vec<u8>) -> Self {
        let etag = format!("\"{}\"", hex(&Sha256::digest(&identity)[..12]));
        Self {
            content_type: content_type(path),
            cache: cache_policy(path),
            etag: HeaderValue::from_str(&etag).expect("hex is a valid header"),
            identity: identity.into(),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// PNG is compressed already; everything else the PWA holds is text or wasm.
    fn compressible(&self) -> bool {
        !self.content_type.starts_with("image/png")
    }

    fn encoded(&self, encoding: Encoding) -> Option<(&'static str, Bytes)> {
        let ready = |cell: &OnceLock<Option<Bytes>>| cell.get().cloned().flatten();
        match encoding {
            Encoding::Brotli => ready(&self.brotli)
                .map(|b| ("br", b))
                .or_else(|| ready(&self.gzip).map(|g| ("gzip", g))),
            Encoding::Gzip => ready(&self.gzip).map(|g| ("gzip", g)),
            Encoding::Identity => None,
        }
    }
}

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path: PathBuf = entry.path();
        // Dot-files and dot-folders are never part of the app: trunk stages a whole second
        // build in `.stage` while it works, and editors leave `.swp` files.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let relative = path
                .strip_prefix(root)?
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(format!("/{relative}"), std::fs::read(&path)?);
        }
    }
    Ok(())
}

/// A policy that lets the page run only what this build holds: its own files, the inline
/// module trunk writes to start the wasm (allowed by its hash), and the wasm itself. Names
/// and notes typed by other people are shown on these screens: should one ever slip past
/// the escaping as markup, it still could not run a script or send data elsewhere.
/// The one policy for every file: scripts of this build only, the inline scripts of its
/// pages (`index.html`, and `sc.html` when there is one) allowed by their hashes.
fn content_security_policy(pages: &[&[u8]]) -> anyhow::Result<HeaderValue> {
    let mut hashes = String::new();
    for page in pages {
        inline_script_hashes(page, &mut hashes)?;
    }
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    Ok(HeaderValue::from_str(&policy)?)
}

fn inline_script_hashes(page: &[u8], hashes: &mut String) -> anyhow::Result<()> {
    use base64::Engine as _;
    let html = std::str::from_utf8(page).context("a page of the build is not UTF-8")?;
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let open_end = after.find('>').context("an unclosed <script> tag")?;
        let tag = &after[..open_end];
        let body_and_rest = &after[open_end + 1..];
        let close = body_and_rest
            .find("</script>")
            .context("a <script> without </script>")?;
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_rest.as_bytes()[..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push_str(&format!(" 'sha256-{encoded}'"));
        }
        rest = &body_and_rest[close..];
    }
    Ok(())
}

/// The site paths `index.html` refers to in quotes (`"/app-<hash>.js"`, `'/app_bg.wasm'`).
fn named_files(index: &[u8]) -> impl Iterator<Item = &str> {
    std::str::from_utf8(index)
        .unwrap_or_default()
        .split(['"', '\''])
        .filter(|part| {
            part.starts_with('/')
                && !part.starts_with("//")
                && [".js", ".wasm", ".css", ".webmanifest", ".png", ".svg"]
                    .iter()
                    .any(|ext| part.ends_with(ext))
        })
}

/// Trunk names built files `name-<16 hex digits>.ext` (the wasm `name-<hex>_bg.wasm`);
/// such a name changes whenever its content does.
fn cache_policy(path: &str) -> CachePolicy {
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end_matches("_bg");
    let hashed = stem
        .rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if hashed {
        CachePolicy::Immutable
    } else {
        CachePolicy::NoCache
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `Some` only when compression makes the file smaller.
fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    smaller(bytes, encoder.finish().expect("writing to memory"))
}

/// Larger than any release build's file; smaller than a debug build's wasm.
const RELEASE_SIZED: usize = 6 * 1024 * 1024;

fn brotli(bytes: &[u8]) -> Option<Bytes> {
    // Quality 11 for release-sized files (a 1.5 MB release wasm takes a few seconds, once,
    // in the background, and comes out 10 % smaller than at 7); the 15 MB unoptimised wasm
    // of a debug build gets a quicker setting. Window 22 is the format's default.
    let quality = if bytes.len() <= RELEASE_SIZED { 11 } else { 7 };
    let mut out = Vec::new();
    let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
    writer.write_all(bytes).expect("writing to memory");
    drop(writer);
    smaller(bytes, out)
}

fn smaller(original: &[u8], compressed: Vec<u8>) -> Option<Bytes> {
    (compressed.len() < original.len()).then(|| compressed.into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The best encoding the client accepts: brotli, then gzip. `q=0` means "not acceptable".
fn preferred_encoding(headers: &HeaderMap) -> Encoding {
    let accepted = |name: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|value| {
                value.split(',').any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let token = parts.next().unwrap_or_default();
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0)
                    });
                    token.eq_ignore_ascii_case(name) && !refused
                })
            })
    };
    if accepted("br") {
        Encoding::Brotli
    } else if accepted("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The fallback handler: every path outside the API is a file of the PWA or one of its routes.
pub async fn serve(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path == "/api" {
        return ApiError::NotFound.into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return ApiError::MethodNotAllowed.into_response();
    }
    let Some(asset) = state.pwa.as_deref().and_then(|pwa| pwa.lookup(path)) else {
        return ApiError::NotFound.into_response();
    };

    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    if let Some(pwa) = state.pwa.as_deref() {
        response_headers.insert(
            header::CONTENT_SECURITY_POLICY,
            pwa.content_security_policy.clone(),
        );
    }
    response_headers.insert(header::CACHE_CONTROL, asset.cache.header_value());
    response_headers.insert(header::ETAG, asset.etag.clone());
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));

    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == asset.etag));
    if not_modified {
        return (StatusCode::NOT_MODIFIED, response_headers).into_response();
    }

    let body = match asset.encoded(preferred_encoding(&headers)) {
        Some((encoding, bytes)) => {
            response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            bytes
        }
        None => asset.identity.clone(),
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(body)
    };
    (StatusCode::OK, response_headers, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_trunk_names_are_immutable_and_entry_points_are_not() {
        assert_eq!(
            cache_policy("/mimamori-1a2b3c4d5e6f7a8b_bg.wasm"),
            CachePolicy::Immutable
        );
        assert_eq!(
            cache_policy("/mimamori-1a2b3c4d5e6f7a8b.js"),
            CachePolicy::Immutable
        );
        assert_eq!(
            cache_policy("/main-00ff00ff00ff00ff.css"),
            CachePolicy::Immutable
        );
        assert_eq!(cache_policy("/index.html"), CachePolicy::NoCache);
        assert_eq!(cache_policy("/sw.js"), CachePolicy::NoCache);
        assert_eq!(cache_policy("/icons/icon-192.png"), CachePolicy::NoCache);
    }

    #[test]
    fn accept_encoding_prefers_brotli_and_honours_q_zero() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br"),
        );
        assert_eq!(preferred_encoding(&headers), Encoding::Brotli);
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br;q=0, gzip"),
        );
        assert_eq!(preferred_encoding(&headers), Encoding::Gzip);
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        assert_eq!(preferred_encoding(&headers), Encoding::Identity);
    }
}

#[cfg(test)]
#[path = "pwa_tests.rs"]
mod serving_tests;
