//! Feature `tracing`: the handshake's outcome, a rejection with its status, the close with its
//! code and who closed, and a protocol error, as events a subscriber sees — inside the
//! connection's span where there is one.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{bind_local, silent_client};
use sansock_tokio::{Accept, CloseCode, Reject, ServerSettings};
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every event as one line: its level, the names of the spans it is in, its fields.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    spans: Arc<Mutex<Vec<String>>>,
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(span.metadata().name().to_string());
        span.record(&mut fields);
        let mut spans = self.spans.lock().unwrap();
        spans.push(fields.0);
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(event.metadata().level().to_string());
        if let Some(parent) = event.parent() {
            let spans = self.spans.lock().unwrap();
            let name = &spans[parent.into_u64() as usize - 1];
            let _ = write!(fields.0, " in [{name}]");
        }
        event.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }

    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn handshakes_rejections_closes_and_protocol_errors_are_traced() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (listener, url) = bind_local().await;
    let server = async {
        // One rejected, one accepted and closed by the client, one that breaks the protocol.
        for _ in 0..3 {
            let (tcp, _) = listener.accept().await.unwrap();
            let accepted = sansock_tokio::accept_with(tcp, ServerSettings::new(), async |r| {
                if r.path() == "/private" {
                    Err(Reject::new(403))
                } else {
                    Ok(Accept::new())
                }
            })
            .await;
            if let Ok(mut ws) = accepted {
                while let Some(Ok(_)) = ws.recv().await {}
            }
        }
    };
    let client = async {
        assert!(
            sansock_tokio::connect(&format!("{url}private"))
                .await
                .is_err()
        );
        let (mut ws, _) = sansock_tokio::connect(&format!("{url}room")).await.unwrap();
        ws.close(Some(CloseCode::NORMAL), "bye").await.unwrap();
        let mut raw = silent_client(&format!("{url}raw")).await;
        raw.write_all(&[0x81, 0x02, b'h', b'i']).await.unwrap(); // unmasked: 1002
        let mut rest = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut raw, &mut rest).await;
    };
    tokio::join!(server, client);

    let lines = recorder.lines.lock().unwrap().clone();
    let has = |needle: &[&str]| lines.iter().any(|l| needle.iter().all(|n| l.contains(n)));
    assert!(
        has(&[
            "INFO",
            "status=403",
            "path=\"/private\"",
            "upgrade refused: rejected by the application"
        ]),
        "{lines:#?}"
    );
    assert!(has(&["INFO", "websocket handshake failed"]), "{lines:#?}");
    assert!(
        has(&[
            "DEBUG in [websocket role=Server path=\"/room\"",
            "websocket open"
        ]),
        "{lines:#?}"
    );
    assert!(
        has(&[
            "DEBUG in [websocket role=Client path=\"/room\"",
            "websocket open"
        ]),
        "{lines:#?}"
    );
    assert!(
        has(&[
            "in [websocket role=Server",
            "code=1000",
            "initiator=Remote",
            "reason=\"bye\"",
            "websocket closed"
        ]),
        "{lines:#?}"
    );
    assert!(
        has(&[
            "in [websocket role=Client",
            "code=1000",
            "initiator=Local",
            "websocket closed"
        ]),
        "{lines:#?}"
    );
    assert!(
        has(&[
            "INFO in [websocket role=Server path=\"/raw\"",
            "code=1002",
            "protocol error"
        ]),
        "{lines:#?}"
    );
}
