//! The echo server behind `examples/echo_server.rs`, on axum: one [`router`] serves the test page
//! at `/`, 404 to other plain requests, and a WebSocket on any path to a request that offers the
//! `echo-protocol` subprotocol from an allowed origin (400 without the subprotocol, 403 from
//! another origin). Text is echoed as text, binary as binary; connections, rejections and closes
//! are logged.

use crate::ECHO_PAGE;
use crate::shutdown::{REASON, Shutdown};
use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use sansock_hyper::axum::WebSocketUpgrade;
use sansock_hyper::{
    Accept, Carrier, CloseCode, Reject, ServerSettings, UpgradeRequest, WebSocket,
};
use std::net::SocketAddr;
use std::sync::Arc;

/// What every request of the echo server shares.
#[derive(Clone)]
struct Echo {
    allowed: Arc<Vec<String>>,
    settings: ServerSettings,
    shutdown: Shutdown,
}

/// The echo server's routes: `allowed` origins, `settings` for every WebSocket, `shutdown` to
/// close them all with 1001.
pub fn router(allowed: Vec<String>, settings: ServerSettings, shutdown: Shutdown) -> Router {
    let state = Echo {
        allowed: Arc::new(allowed),
        settings,
        shutdown,
    };
    Router::new().fallback(any_path).with_state(state)
}

/// Runs the echo server on `listener` (HTTPS with `tls`) until `signal`, then closes every
/// WebSocket with 1001 and waits for the closes.
///
/// # Errors
/// When the listener fails.
pub async fn run(
    listener: tokio::net::TcpListener,
    allowed: Vec<String>,
    settings: ServerSettings,
    tls: Option<crate::serve::Tls>,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let shutdown = Shutdown::new();
    let app = router(allowed, settings, shutdown.clone());
    crate::serve::serve(listener, app, tls, shutdown, signal).await
}

async fn any_path(
    State(echo): State<Echo>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    ws: Option<WebSocketUpgrade>,
) -> Response {
    let Some(ws) = ws else {
        let path = uri.path();
        let response = if method != Method::GET && method != Method::HEAD {
            // Not a page request (a CONNECT without `:protocol` would be a tunnel).
            StatusCode::METHOD_NOT_ALLOWED.into_response()
        } else if path == "/" {
            Html(ECHO_PAGE).into_response()
        } else {
            (StatusCode::NOT_FOUND, "not found").into_response()
        };
        tracing::info!("{peer}: HTTP GET {path}: {}", response.status().as_u16());
        return response;
    };
    let ws = ws.settings(echo.settings.clone());
    let Some(request) = ws.request() else {
        return ws.reject(&Reject::new(431));
    };
    let over = request.carrier();
    match decide(request, &echo.allowed, peer) {
        Ok(accept) => {
            let open = echo.shutdown.open();
            ws.accept(accept).on_upgrade(async move |ws| {
                serve(ws, peer, over, echo.shutdown).await;
                drop(open);
            })
        }
        Err(reject) => ws.reject(&reject),
    }
}

/// The upgrade policy: an allowed origin (or none), and the `echo-protocol` subprotocol.
fn decide(
    request: &UpgradeRequest,
    allowed: &[String],
    peer: SocketAddr,
) -> Result<Accept, Reject> {
    if let Some(origin) = request.origin() {
        if !allowed.iter().any(|a| a == origin) {
            tracing::info!("{peer}: rejected: origin {origin} is not allowed (403)");
            return Err(Reject::new(403).with_body("origin not allowed"));
        }
    }
    if !request.protocols().any(|p| p == "echo-protocol") {
        tracing::info!("{peer}: rejected: the echo-protocol subprotocol was not offered (400)");
        return Err(Reject::new(400).with_body("the echo-protocol subprotocol is required"));
    }
    Ok(Accept::new().with_protocol("echo-protocol"))
}

/// Echoes until the peer closes, or until the shutdown, which closes with 1001.
async fn serve(mut ws: WebSocket, peer: SocketAddr, over: Carrier, shutdown: Shutdown) {
    tracing::info!(
        "{peer}: connected (extensions: {}) over {}",
        ws.extensions().unwrap_or("none"),
        crate::carrier_name(over)
    );
    let stop = shutdown.begun();
    tokio::pin!(stop);
    loop {
        let next = tokio::select! {
            () = &mut stop => {
                let _ = ws.close(Some(CloseCode::GOING_AWAY), REASON).await;
                break;
            }
            next = ws.recv() => next,
        };
        let Some(next) = next else { break };
        if let Err(e) = async { ws.send(next?).await }.await {
            tracing::info!("{peer}: {e}");
            break;
        }
    }
    match ws.closed() {
        Some(c) => tracing::info!(
            "{peer}: disconnected, close code {} {:?}",
            c.code,
            c.reason.as_str()
        ),
        None => tracing::info!("{peer}: disconnected"),
    }
}
