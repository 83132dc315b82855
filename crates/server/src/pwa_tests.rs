//! Serving a build: headers, encodings, revalidation, routes and the written service worker.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use super::*;
use crate::http::{router, AppState};
use crate::storage::SqliteStorage;

const HASHED_JS: &str = "/mimamori-0123456789abcdef.js";

fn write_build(dir: &Path, marker: &str) {
    std::fs::create_dir_all(dir.join("icons")).unwrap();
    let index = format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><title>見守り手帳</title>\
         <link rel=\"icon\" href=\"/icons/icon-192.png\">\
         <script type=\"module\" src=\"{HASHED_JS}\"></script></head><body>{marker}</body></html>"
    );
    std::fs::write(dir.join("index.html"), index.repeat(20)).unwrap();
    std::fs::write(
        dir.join(&HASHED_JS[1..]),
        "console.log('見守り');\n".repeat(200),
    )
    .unwrap();
    std::fs::write(dir.join("icons/icon-192.png"), [0x89, b'P', b'N', b'G']).unwrap();
    // Named by the manifest only: fetched when the app is installed.
    std::fs::write(dir.join("icons/icon-512.png"), [0x89, b'P', b'N', b'G', 0]).unwrap();
}

async fn app_for(dir: &Path) -> (axum::Router, Arc<Pwa>) {
    let pwa = Arc::new(Pwa::load(dir).unwrap());
    pwa.compress_all();
    let storage = Arc::new(SqliteStorage::connect("sqlite::memory:").await.unwrap());
    (router(AppState::new(storage, Some(pwa.clone()))), pwa)
}

async fn get(app: &axum::Router, path: &str, headers: &[(&str, &str)]) -> axum::response::Response {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn text(response: axum::response::Response) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn entry_points_revalidate_and_hashed_files_are_immutable() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let (app, _) = app_for(dir.path()).await;
    for path in ["/", "/index.html", "/sw.js", "/icons/icon-192.png"] {
        let response = get(&app, path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
    }
    let response = get(&app, HASHED_JS, &[]).await;
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
}

#[tokio::test]
async fn brotli_or_gzip_as_the_client_accepts_and_png_as_is() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let (app, _) = app_for(dir.path()).await;
    let br = get(&app, HASHED_JS, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(br.headers()[header::VARY], "accept-encoding");
    let gz = get(&app, HASHED_JS, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
    let plain = get(&app, HASHED_JS, &[]).await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(text(plain).await.starts_with("console.log('見守り');"));
    let png = get(&app, "/icons/icon-192.png", &[("accept-encoding", "br")]).await;
    assert!(png.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn a_matching_etag_gets_304() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let (app, _) = app_for(dir.path()).await;
    let first = get(&app, "/index.html", &[]).await;
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    let again = get(&app, "/index.html", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let other = get(&app, "/index.html", &[("if-none-match", "\"stale\"")]).await;
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn app_routes_get_the_shell_and_missing_files_get_404() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let (app, _) = app_for(dir.path()).await;
    let route = get(&app, "/settings", &[]).await;
    assert_eq!(route.status(), StatusCode::OK);
    assert!(text(route).await.contains("見守り手帳"));
    assert_eq!(
        get(&app, "/missing-0123456789abcdef.js", &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/api/v1/nothing", &[]).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_service_worker_lists_exactly_the_build_and_is_named_for_it() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let (app, pwa) = app_for(dir.path()).await;
    let script = text(get(&app, "/sw.js", &[]).await).await;
    assert!(script.contains(&format!("const BUILD = \"{}\";", pwa.build_id())));
    let listed = script
        .lines()
        .find_map(|l| l.strip_prefix("const PRECACHE = "))
        .unwrap();
    let listed: Vec<String> = serde_json::from_str(listed.trim_end_matches(';')).unwrap();
    assert_eq!(listed, ["/icons/icon-192.png", "/index.html", HASHED_JS]);
    let precached: Vec<&str> = pwa.precached_paths().collect();
    assert_eq!(precached, listed);
    // An icon only the installation uses is served, not precached.
    assert_eq!(
        get(&app, "/icons/icon-512.png", &[]).await.status(),
        StatusCode::OK
    );

    // A changed file is a new build with a new cache name; the same files are the same build.
    let same = tempfile::tempdir().unwrap();
    write_build(same.path(), "first");
    assert_eq!(Pwa::load(same.path()).unwrap().build_id(), pwa.build_id());
    let changed = tempfile::tempdir().unwrap();
    write_build(changed.path(), "second");
    assert_ne!(
        Pwa::load(changed.path()).unwrap().build_id(),
        pwa.build_id()
    );
}

#[test]
fn a_folder_without_index_html_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = Pwa::load(dir.path()).unwrap_err().to_string();
    assert!(error.contains("index.html"), "{error}");
}

#[tokio::test]
async fn dot_files_and_folders_are_neither_served_nor_precached() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    // What trunk leaves while it builds, and what an editor leaves behind.
    std::fs::create_dir_all(dir.path().join(".stage")).unwrap();
    std::fs::write(
        dir.path().join(".stage/mimamori-1111111111111111_bg.wasm"),
        [0; 64],
    )
    .unwrap();
    std::fs::write(dir.path().join(".index.html.swp"), "x").unwrap();
    let (app, pwa) = app_for(dir.path()).await;
    assert!(
        pwa.precached_paths().all(|p| !p.contains("/.")),
        "{:?}",
        pwa.precached_paths().collect::<Vec<_>>()
    );
    for path in [
        "/.stage/mimamori-1111111111111111_bg.wasm",
        "/.index.html.swp",
    ] {
        assert_eq!(
            get(&app, path, &[]).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[test]
fn a_build_whose_index_names_missing_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let index = format!(
        "<script type=\"module\">import init from '{HASHED_JS}'; init({{ module_or_path: '/mimamori-0123456789abcdef_bg.wasm' }});</script>"
    );
    std::fs::write(dir.path().join("index.html"), index).unwrap();
    let error = Pwa::load(dir.path()).unwrap_err().to_string();
    assert!(
        error.contains("_bg.wasm") && error.contains("incomplete"),
        "{error}"
    );
    std::fs::write(
        dir.path().join("mimamori-0123456789abcdef_bg.wasm"),
        [0, b'a', b's', b'm'],
    )
    .unwrap();
    assert!(Pwa::load(dir.path()).is_ok());
}

#[tokio::test]
async fn only_the_builds_own_scripts_may_run() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let inline = "import init from '/mimamori-0123456789abcdef.js'; await init();";
    std::fs::write(
        dir.path().join("index.html"),
        format!("<html><head><script type=\"module\">{inline}</script><script src=\"{HASHED_JS}\"></script></head></html>"),
    )
    .unwrap();
    let (app, _) = app_for(dir.path()).await;
    for path in ["/", "/visits/new", HASHED_JS] {
        let response = get(&app, path, &[]).await;
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        use base64::Engine as _;
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(inline.as_bytes()));
        assert!(
            policy.contains(&format!("'sha256-{hash}'")),
            "{path}: {policy}"
        );
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(
            policy.matches("sha256-").count(),
            1,
            "the src script needs no hash: {policy}"
        );
    }
}

#[tokio::test]
async fn the_coordinators_build_answers_under_sc_and_is_not_precached() {
    let dir = tempfile::tempdir().unwrap();
    write_build(dir.path(), "first");
    let sc_js = "/mimamori-2222222222222222.js";
    std::fs::write(dir.path().join(&sc_js[1..]), "console.log('sc');").unwrap();
    std::fs::write(
        dir.path().join("sc.html"),
        format!("<!DOCTYPE html><html lang=\"ja\"><head><title>見守り手帳 SC</title><script type=\"module\">import('{sc_js}');</script></head><body></body></html>"),
    )
    .unwrap();
    let (app, pwa) = app_for(dir.path()).await;
    for (path, shell) in [
        ("/sc/desk", "見守り手帳 SC"),
        ("/sc", "見守り手帳 SC"),
        ("/desk", "first"),
    ] {
        let page = text(get(&app, path, &[]).await).await;
        assert!(page.contains(shell), "{path}: {page}");
    }
    // Precached: the volunteers' build only; the worker knows the coordinators' files.
    assert!(pwa.precached_paths().all(|p| p != "/sc.html" && p != sc_js));
    let script = text(get(&app, "/sw.js", &[]).await).await;
    assert!(
        script.contains(&format!("const COORDINATORS = [\"{sc_js}\",\"/sc.html\"];")),
        "{script}"
    );
    // Both pages' inline scripts may run.
    let response = get(&app, "/sc/desk", &[]).await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(policy.matches("'sha256-").count(), 1, "{policy}");
}
