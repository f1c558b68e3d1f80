//! The code the book (`docs/src`) shows. Chapters include regions of these files between
//! `ANCHOR: name` and `ANCHOR_END: name` markers, never line ranges; every region is compiled by
//! `cargo build` and run by `cargo test`, so a listing cannot drift from the library.
//!
//! One module per chapter that has code: [`protocol`] (handshake, frames, masking,
//! fragmentation, control frames, closing), [`run_loop`] (the sans-IO design), [`adapters`]
//! (the same echo server on each adapter), [`in_axum`] (inside axum and hyper), [`http2`] (WebSocket over HTTP/2), [`reconnecting`] (staying connected), [`broadcasting`] (publish once to many), [`deflate`] (permessage-deflate) and [`own_adapter`]
//! (an adapter written from scratch).
//! `tests/state_diagram.rs` checks the book's state diagram against the code's states.

pub mod adapters;
pub mod broadcasting;
pub mod deflate;
pub mod http2;
pub mod in_axum;
pub mod own_adapter;
pub mod protocol;
pub mod reconnecting;
pub mod run_loop;
