//! The client's stream types as transports of the [`Compio`] runtime: `sansock-client`'s
//! [`MaybeTls`] (plain or TLS, whichever it is) and [`TlsStream`] (the engine's stream inside),
//! and [`NoTls`], the TLS stream of a build without rustls (no value exists). Forwarding only.

use crate::Connector;
use crate::runtime::Compio;
use bytes::BytesMut;
use core::task::{Context, Poll};
use sansock_client::{MaybeTls, NoTls, TlsEngine, TlsStream};
use sansock_driver::Transport;
use std::io::{self, IoSlice};
use std::time::Instant;

/// Calls `$call` on whichever stream `$self` holds.
macro_rules! either {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            MaybeTls::Plain($s) => $call,
            MaybeTls::Tls($s) => {
                let $s = $s.as_mut();
                $call
            }
            _ => unreachable!("a client stream is plain or TLS"),
        }
    };
}

impl<P: Transport<Compio>, T: Transport<Compio>> Transport<Compio> for MaybeTls<P, T> {
    const READS_OWNED: bool = P::READS_OWNED || T::READS_OWNED;

    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_read_buf(cx, buf, deadline))
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_read_into(cx, buf, deadline))
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_write(cx, buf, deadline))
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        either!(self, s => s.poll_write_vectored(cx, bufs, deadline))
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_flush(cx, deadline))
    }

    fn poll_shutdown(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        either!(self, s => s.poll_shutdown(cx, deadline))
    }
}

impl<S> Transport<Compio> for TlsStream<S, Connector>
where
    <Connector as TlsEngine>::Stream<S>: Transport<Compio>,
{
    const READS_OWNED: bool =
        <<Connector as TlsEngine>::Stream<S> as Transport<Compio>>::READS_OWNED;

    fn poll_read_buf(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut BytesMut,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        Transport::<Compio>::poll_read_buf(self.get_mut(), cx, buf, deadline)
    }

    fn poll_read_into(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        Transport::<Compio>::poll_read_into(self.get_mut(), cx, buf, deadline)
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        Transport::<Compio>::poll_write(self.get_mut(), cx, buf, deadline)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
        deadline: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        Transport::<Compio>::poll_write_vectored(self.get_mut(), cx, bufs, deadline)
    }

    fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        Transport::<Compio>::poll_flush(self.get_mut(), cx, deadline)
    }

    fn poll_shutdown(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Option<Instant>,
    ) -> Poll<io::Result<()>> {
        Transport::<Compio>::poll_shutdown(self.get_mut(), cx, deadline)
    }
}

impl Transport<Compio> for NoTls {
    fn poll_read_buf(
        &mut self,
        _: &mut Context<'_>,
        _: &mut BytesMut,
        _: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        match *self {}
    }

    fn poll_read_into(
        &mut self,
        _: &mut Context<'_>,
        _: &mut [u8],
        _: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        match *self {}
    }

    fn poll_write(
        &mut self,
        _: &mut Context<'_>,
        _: &[u8],
        _: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        match *self {}
    }

    fn poll_write_vectored(
        &mut self,
        _: &mut Context<'_>,
        _: &[IoSlice<'_>],
        _: Option<Instant>,
    ) -> Poll<io::Result<usize>> {
        match *self {}
    }

    fn poll_flush(&mut self, _: &mut Context<'_>, _: Option<Instant>) -> Poll<io::Result<()>> {
        match *self {}
    }

    fn poll_shutdown(&mut self, _: &mut Context<'_>, _: Option<Instant>) -> Poll<io::Result<()>> {
        match *self {}
    }
}
