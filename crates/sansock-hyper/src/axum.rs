//! The axum 0.8 extractor (feature `axum`): [`WebSocketUpgrade`], used like
//! `axum::extract::ws::WebSocketUpgrade` — `protocols`, `on_upgrade` — with Sansock's stream,
//! its settings (permessage-deflate, limits) and a way to reject. It is [`Upgrade`] in an
//! extractor's clothes: the checks and the handover are there.

use crate::upgrade::asks_for_websocket;
use crate::{Upgrade, UpgradeError, WebSocket};
use axum_core::body::Body;
use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use core::future::Future;
use http::request::Parts;
use sansock_core::{Accept, Reject, UpgradeRequest};
use sansock_tokio::{HandshakeError, ServerSettings};

/// A WebSocket upgrade request, as an axum extractor. A request that is not a valid upgrade is
/// refused with the core's status (400, 405, 426, 431); as `Option<WebSocketUpgrade>`, a request
/// that does not ask for a WebSocket at all is `None` (serve a page on the same route).
///
/// ```no_run
/// use axum::{Router, routing::any, response::Response};
/// use sansock_hyper::axum::WebSocketUpgrade;
/// use sansock_hyper::{PerMessageDeflate, ServerSettings};
///
/// async fn chat(ws: WebSocketUpgrade) -> Response {
///     ws.settings(ServerSettings::new().deflate(PerMessageDeflate::default()))
///         .protocols(["chat.v2", "chat.v1"])
///         .on_upgrade(async |mut ws| {
///             while let Some(Ok(message)) = ws.recv().await {
///                 if ws.send(message).await.is_err() {
///                     break;
///                 }
///             }
///         })
/// }
/// let app: Router = Router::new().route("/chat", any(chat));
/// ```
#[derive(Debug)]
pub struct WebSocketUpgrade {
    upgrade: Result<Upgrade, UpgradeError>,
    accept: Accept,
}

impl<S: Send + Sync> FromRequestParts<S> for WebSocketUpgrade {
    type Rejection = UpgradeError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(WebSocketUpgrade {
            upgrade: Ok(Upgrade::from_parts(parts, ServerSettings::new())?),
            accept: Accept::new(),
        })
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for WebSocketUpgrade {
    type Rejection = UpgradeError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !asks_for_websocket(&parts.method, &parts.headers, &parts.extensions) {
            return Ok(None);
        }
        <Self as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

impl IntoResponse for UpgradeError {
    fn into_response(self) -> Response {
        UpgradeError::into_response(self).map(Body::new)
    }
}

impl WebSocketUpgrade {
    /// The request: path, headers, origin, offered subprotocols and extensions. `None` once
    /// new [`settings`](Self::settings) have refused it (the upgrade will answer 431).
    pub fn request(&self) -> Option<&UpgradeRequest> {
        self.upgrade.as_ref().ok().map(Upgrade::request)
    }

    /// The settings of this WebSocket (permessage-deflate, limits, timeouts). Default
    /// `ServerSettings::new()`. The request was read under the default head limits (64 fields,
    /// 16 KiB); the new ones are checked again.
    pub fn settings(mut self, settings: ServerSettings) -> Self {
        self.upgrade = self.upgrade.and_then(|u| u.with_settings(settings));
        self
    }

    /// The subprotocols this server speaks: the first the client offers (in its order of
    /// preference) that is among them is chosen, as axum's own extractor does.
    pub fn protocols<I>(mut self, protocols: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let ours: Vec<I::Item> = protocols.into_iter().collect();
        let chosen = self.request().and_then(|request| {
            request
                .protocols()
                .find(|offered| ours.iter().any(|p| p.as_ref() == *offered))
                .map(String::from)
        });
        self.accept.protocol = chosen;
        self
    }

    /// The subprotocol chosen by [`protocols`](Self::protocols) or [`accept`](Self::accept).
    pub fn selected_protocol(&self) -> Option<&str> {
        self.accept.protocol.as_deref()
    }

    /// Accepts with `accept`: a subprotocol (one the client offered) and extra response
    /// headers, replacing what [`protocols`](Self::protocols) chose.
    pub fn accept(mut self, accept: Accept) -> Self {
        self.accept = accept;
        self
    }

    /// Rejects: `reject`'s status, headers and body as the response.
    pub fn reject(self, reject: &Reject) -> Response {
        match self.upgrade {
            Ok(upgrade) => upgrade.reject(reject).map(Body::new),
            Err(e) => IntoResponse::into_response(e),
        }
    }

    /// Accepts, and runs `callback` with the WebSocket in a task of its own once axum has
    /// handed over the connection. The response is the 101 to return (or the refusal, when
    /// the settings or the accept were refused). A handover that fails or times out never
    /// reaches `callback`; it is traced (feature `tracing`). The task runs in the span current
    /// here (feature `tracing`): the connection's own span is its child.
    pub fn on_upgrade<F, Fut>(self, callback: F) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.on_upgrade_or(callback, |_| {})
    }

    /// As [`on_upgrade`](Self::on_upgrade), with `failed` called when the handover fails or
    /// times out.
    pub fn on_upgrade_or<F, Fut, E>(self, callback: F, failed: E) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
        E: FnOnce(HandshakeError) + Send + 'static,
    {
        let accepted = self.upgrade.and_then(|u| u.accept(&self.accept));
        let (response, websocket) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => return IntoResponse::into_response(e),
        };
        let task = async move {
            match websocket.await {
                Ok(ws) => callback(ws).await,
                Err(e) => {
                    #[cfg(feature = "tracing")]
                    tracing::info!("websocket upgrade failed: {e}");
                    failed(e);
                }
            }
        };
        // The caller's span (a request's, with its client address) is the connection's parent.
        #[cfg(feature = "tracing")]
        let task = tracing::Instrument::in_current_span(task);
        tokio::spawn(task);
        response.map(Body::new)
    }
}
