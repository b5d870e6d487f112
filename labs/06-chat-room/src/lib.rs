//! # Lab 06: the chat room
//!
//! Read chapter 6 of the book first. Then replace every `todo!()` in the
//! three modules below, in this order:
//!
//! - [`room`]: the room's logic, a pure state machine (no sockets).
//! - [`lines`]: bytes to clean lines: reassembled, capped, sanitised.
//! - [`server`]: the select loop that drives the room.
//!
//! Check your work with `cargo lab check 6` (or `cargo test` in this
//! folder); `cargo lab hint 6` helps when you are stuck. The programs in
//! `src/bin/` are complete: `cargo run --bin chat-server` in this folder,
//! then join with `nc 127.0.0.1 7000` or `cargo run --bin chat-client --
//! 127.0.0.1:7000`. Keep every signature as it is.

pub mod lines;
pub mod room;
pub mod server;
