//! The echo of `examples/axum_echo.rs` as a router for the tests and benchmarks: an axum
//! [`router`] that accepts a WebSocket upgrade on any path (so a tester can pick its paths) and
//! echoes every message (text as text, binary as binary), agrees to permessage-deflate when the
//! client offers it, and answers a plain `GET` with a short page. It is what the conformance
//! tester, the interop peers and the benchmarks run against on the axum path; it runs the loop
//! the docs teach, with the example's settings.

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{PerMessageDeflate, ServerSettings, WebSocket};

/// The page a plain `GET` gets.
pub const PAGE: &str = "Sansock echo on axum: open a WebSocket on any path and it echoes.\n";

/// The routes: an echo WebSocket on any path, the page to a plain `GET` (or `HEAD`), 405 to
/// anything else — a `CONNECT` without `:protocol` is a tunnel request, which this server
/// refuses rather than answer 200 (RFC 8441 §4).
pub fn router() -> Router {
    let settings = ServerSettings::new().deflate(PerMessageDeflate::default());
    Router::new().fallback(
        move |method: Method, ws: Option<WebSocketUpgrade>| async move {
            match ws {
                Some(ws) => ws.settings(settings).on_upgrade(echo),
                None if method == Method::GET || method == Method::HEAD => PAGE.into_response(),
                None => StatusCode::METHOD_NOT_ALLOWED.into_response(),
            }
        },
    )
}

/// The loop the docs teach.
async fn echo(mut ws: WebSocket) {
    while let Some(Ok(message)) = ws.recv().await {
        if ws.send(message).await.is_err() {
            break;
        }
    }
}
