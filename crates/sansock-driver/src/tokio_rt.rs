//! The tokio runtime: any `tokio::io::AsyncRead + AsyncWrite + Unpin` is a [`Transport`], and
//! tokio's `Sleep` is the [`Timer`]. Reads go into the core's buffer's uninitialised spare
//! capacity (no zero-filling).

use crate::runtime::{Runtime, Timer, Transport};
use bytes::BytesMut;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::future::Future;
use std::io;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};

/// The tokio runtime marker.
#[derive(Debug, Clone, Copy)]
pub struct Tokio;

impl Runtime for Tokio {
    type Timer = TokioTimer;
}

/// tokio's timer, boxed so the driver stays `Unpin`.
#[derive(Debug)]
pub struct TokioTimer(Pin<Box<tokio::time::Sleep>>);

impl Timer for TokioTimer {
    fn at(deadline: Instant) -> Self {
        TokioTimer(Box::pin(tokio::time::sleep_until(deadline.into())))
    }

    fn reset(&mut self, deadline: Instant) {
        self.0.as_mut().reset(deadline.into());
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Transport<Tokio> for S {
    const READS_UNINIT: bool = true;

    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        tokio_util::io::poll_read_buf(Pin::new(self), cx, buf)
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        let mut read = tokio::io::ReadBuf::new(buf);
        AsyncRead::poll_read(Pin::new(self), cx, &mut read).map_ok(|()| read.filled().len())
    }

    crate::runtime::async_writes!(AsyncWrite, poll_shutdown);
}
