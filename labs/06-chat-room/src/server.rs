//! The chat server: one thread, `select`, the room in the middle. Book: 6.3.

// The stubs do not use their arguments yet; your code will.
#![allow(unused_variables)]

use std::io;
use std::net::TcpListener;

/// The most bytes a client may have waiting to be sent to it. A client
/// that lets more pile up is not reading: drop it, and tell the room
/// (`Leave::TooSlow`).
pub const MAX_QUEUED: usize = 256 * 1024;

/// Run the chat room on `listener`, for ever, on this one thread.
///
/// Your select echo server from lab 5 is the skeleton; per client keep a
/// `TcpStream`, a [`LineBuffer`](crate::lines::LineBuffer) and an outbox.
/// - A new client: `room.join(id)` (ids 1, 2, 3, ... in accept order).
/// - Bytes from a client: every complete line, `sanitize`d, goes to
///   `room.line(id, ..)`. After a `/quit` the client is no longer in the
///   room (`room.name(id)` is `None`): close it.
/// - 0 bytes or an error: close it, `room.leave(id, Leave::Gone)`.
/// - Every `Outgoing` the room returns: append `line` and `\n` to that
///   client's outbox. Once per turn of the loop, send from every outbox
///   what goes now. Never wait for a client: one whose outbox still passes
///   [`MAX_QUEUED`] after that is dropped (`Leave::TooSlow`).
/// - Writable interest only for clients with something queued.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    todo!()
}
