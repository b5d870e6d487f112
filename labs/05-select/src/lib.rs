//! # Lab 05: select, one thread and many sockets
//!
//! Read chapter 5 of the book first. Then replace every `todo!()` below.
//! Check your work with `cargo lab check 5` (or `cargo test` in this
//! folder); `cargo lab hint 5` helps when you are stuck.
//!
//! `src/bin/select-echo-server.rs` is complete and calls [`serve`]: run it
//! inside this folder with `cargo run --bin select-echo-server --
//! 127.0.0.1:7000` and connect several `nc 127.0.0.1 7000` at once.
//! Keep every signature as it is.

// The stubs do not use their arguments (or fields) yet; your code will.
#![allow(unused_variables, dead_code)]

use std::io::{self, Write};
use std::net::TcpListener;

/// The most a connection may have waiting before you stop reading from it.
pub const MAX_PENDING: usize = 1 << 20;

/// Bytes waiting to be sent on one connection, and how far sending got.
/// The fields are yours to use as you like.
#[derive(Debug, Default)]
pub struct Outbox {
    pending: Vec<u8>,
    sent: usize,
}

impl Outbox {
    /// Queue `bytes` after whatever is still waiting.
    pub fn push(&mut self, bytes: &[u8]) {
        todo!()
    }

    /// How many bytes are still waiting.
    pub fn len(&self) -> usize {
        todo!()
    }

    /// Nothing left to send?
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// Send as much as `out` takes now, and return how many bytes went.
    ///
    /// Loop on `write`. A short write or `ErrorKind::WouldBlock` means "the
    /// kernel's buffer is full for now": stop, keep the rest queued (never
    /// drop it), and return `Ok`. Retry `Interrupted`. `Ok(0)` is an
    /// `ErrorKind::WriteZero` error; any other error is returned.
    /// Book: 5.4.
    pub fn flush_into(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        todo!()
    }
}

/// Echo every client's bytes back to it, all clients at once, on this one
/// thread, for ever.
///
/// - The listener and every accepted stream in non-blocking mode (accepted
///   streams are blocking, whatever the listener is). Book: 5.2.
/// - A master list of connections (a `HashMap` by raw fd), each with its
///   [`Outbox`]. Before *every* `nix::sys::select::select`, build new
///   `FdSet`s from it: select overwrites them. Pass `None` as nfds.
///   Book: 5.2 and 5.3.
/// - Readable: the listener (accept every waiting client) and each
///   connection whose outbox holds less than [`MAX_PENDING`]. Read once per
///   readiness. An error: drop the connection. 0 bytes: the client has
///   finished sending; stop reading from it and close it once its outbox
///   is empty (it may still be owed an echo). Book: 5.3.
/// - Writable: only connections with something in their outbox; otherwise
///   select returns at once, for ever (a busy loop). Book: 5.4.
/// - A client whose descriptor is >= `FD_SETSIZE` (1024) cannot go in an
///   `FdSet` (`insert` panics): refuse it, close it at once. Book: 5.5.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    todo!()
}
