//! ChromeDriver's network emulation (`/session/{id}/chromium/network_conditions`).
//!
//! It makes the page believe it is offline (`navigator.onLine`, the `offline` event, failed
//! fetches) but does not reach the service worker's own fetches: to prove the app opens with
//! no network, stop the server instead.

use fantoccini::wd::WebDriverCompatibleCommand;
use http::Method;
use serde_json::json;
use url::{ParseError, Url};

#[derive(Debug)]
pub(crate) struct NetworkConditions {
    pub offline: bool,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/chromium/network_conditions"))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        if self.offline {
            let conditions = json!({
                "network_conditions": {
                    "offline": true,
                    "latency": 0,
                    "download_throughput": 0,
                    "upload_throughput": 0,
                }
            });
            (Method::POST, Some(conditions.to_string()))
        } else {
            (Method::DELETE, None)
        }
    }
}

/// A Chrome DevTools Protocol command through ChromeDriver.
#[derive(Debug)]
pub(crate) struct Cdp {
    pub command: String,
    pub params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &Url) -> (Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (Method::POST, Some(body.to_string()))
    }
}
