//! `sansock-conformance`: an RFC 6455 conformance tester for any WebSocket server or client.
//!
//! It works on raw TCP bytes with its own small frame codec and handshake ([`wire`],
//! [`handshake`]) — deliberately not on Sansock's core, so it cannot share its bugs. The
//! catalogue ([`cases`]) follows the groups of the Autobahn|Testsuite (with permessage-deflate,
//! [`deflate`], on the payloads of [`corpus`]); [`modes`] runs it against
//! an echo server — over HTTP/1.1, or over HTTP/2 as RFC 8441's extended CONNECT ([`http2`]) —
//! or a client that follows the testee protocol; [`runner`] judges each case OK,
//! NON-STRICT, INFORMATIONAL or FAILED; [`report`] writes JSON and markdown.

pub mod case;
pub mod cases;
pub mod corpus;
pub mod deflate;
pub mod handshake;
pub mod http2;
pub mod modes;
pub mod report;
pub mod runner;
pub mod wire;
