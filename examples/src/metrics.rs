//! The chat's `/metrics`: the library's server-wide counters (feature `metrics` of
//! sansock-hyper; the book's "Deploying" chapter names them) in Prometheus' text format, from
//! `metrics-exporter-prometheus`' recorder, installed once per process (the facade has one
//! global recorder).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// The process's Prometheus recorder, installed on the first call; `None` if another recorder
/// was installed first.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .as_ref()
}

/// `GET /metrics`: every counter so far, as Prometheus scrapes them.
pub async fn page() -> Response {
    match recorder() {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "no metrics recorder").into_response(),
    }
}
