//! The futures-io runtimes (async-std, smol): any `futures_io::AsyncRead + AsyncWrite + Unpin`
//! is a [`Transport`], and async-io's timer — the reactor both async-std and smol run on — is the
//! [`Timer`].

use crate::runtime::{Runtime, Timer, Transport, read_into_spare};
use bytes::BytesMut;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_io::{AsyncRead, AsyncWrite};
use std::io;
use std::time::Instant;

/// The futures-io runtime marker (async-std and smol).
#[derive(Debug, Clone, Copy)]
pub struct FuturesIo;

impl Runtime for FuturesIo {
    type Timer = FuturesTimer;
}

/// async-io's timer.
#[derive(Debug)]
pub struct FuturesTimer(async_io::Timer);

impl Timer for FuturesTimer {
    fn at(deadline: Instant) -> Self {
        FuturesTimer(async_io::Timer::at(deadline))
    }

    fn reset(&mut self, deadline: Instant) {
        self.0.set_at(deadline);
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        futures_core::Stream::poll_next(Pin::new(&mut self.0), cx).map(|_| ())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Transport<FuturesIo> for S {
    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        read_into_spare(buf, |spare| AsyncRead::poll_read(Pin::new(self), cx, spare))
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        _deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        AsyncRead::poll_read(Pin::new(self), cx, buf)
    }

    crate::runtime::async_writes!(AsyncWrite, poll_close);
}
