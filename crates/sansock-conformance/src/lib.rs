//! `sansock-conformance`: an RFC 6455 conformance tester for any WebSocket server or client.
//!
//! It works on raw TCP bytes with its own small frame codec and handshake ([`wire`],
//! [`handshake`]) — deliberately not on Sansock's core, so it cannot share its bugs. The
//! catalogue ([`cases`]) is the Autobahn|Testsuite's 517 cases under its ids (with
//! permessage-deflate, [`deflate`], on the payloads of [`corpus`]), and the tester's own under
//! `x` ids; [`modes`] runs them against an echo server — over HTTP/1.1, or over HTTP/2 as RFC
//! 8441's extended CONNECT ([`http2`]) — or a client that follows the testee protocol;
//! [`runner`] judges each case by Autobahn's rules (and by a stricter reading, apart);
//! [`report`] writes JSON and markdown, [`autobahn`] Autobahn's report shape and spec files.

pub mod autobahn;
pub mod case;
pub mod cases;
pub mod corpus;
pub mod deflate;
pub mod handshake;
pub mod http2;
pub mod modes;
pub mod receiver;
pub mod report;
pub mod runner;
pub mod traffic;
pub mod wire;
