//! # Lab 04: blocking, non-blocking and timeouts
//!
//! Read chapter 4 of the book first. Then replace every `todo!()` below.
//! Check your work with `cargo lab check 4` (or `cargo test` in this
//! folder); `cargo lab hint 4` helps when you are stuck.
//!
//! The program `src/bin/duplex-chat.rs` is already written and calls these
//! functions: in one terminal `cargo run --bin duplex-chat -- listen
//! 127.0.0.1:7000`, in another `cargo run --bin duplex-chat -- connect
//! 127.0.0.1:7000` (run both inside this folder). Keep every signature.

// The stubs do not use their arguments yet; your code will.
#![allow(unused_variables)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// What a read that must not wait found. This enum is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadNow {
    /// Bytes that had already arrived.
    Data(Vec<u8>),
    /// Nothing yet; the connection is still open. Try again later.
    WouldBlock,
    /// The peer closed: nothing will ever come again.
    Closed,
}

/// Read whatever has already arrived on `stream` (at most `max` bytes)
/// without waiting.
///
/// Switch the stream to non-blocking mode first (`set_nonblocking(true)`).
/// Then one `read`: `Ok(0)` is [`ReadNow::Closed`], `Ok(n)` is
/// [`ReadNow::Data`] with those `n` bytes, and an error of kind
/// `ErrorKind::WouldBlock` is [`ReadNow::WouldBlock`]: neither an error nor
/// the end. Retry on `Interrupted`. Book: 4.2.
pub fn try_read_now(stream: &TcpStream, max: usize) -> io::Result<ReadNow> {
    todo!()
}

/// Wait at most `timeout` for data on `stream` (blocking mode) and read it
/// into `buffer`. If nothing comes in time, return an error of kind
/// `ErrorKind::TimedOut`.
///
/// `set_read_timeout` does the waiting. Careful: on Unix an expired read
/// timeout comes back as `WouldBlock`, not `TimedOut`. A zero `timeout`
/// is refused by `set_read_timeout`: treat it as already expired.
/// Book: 4.3.
pub fn read_with_deadline(
    stream: &TcpStream,
    buffer: &mut [u8],
    timeout: Duration,
) -> io::Result<usize> {
    todo!()
}

/// Accept a waiting client if there is one, without waiting: `Ok(None)` if
/// nobody is waiting. Make the accepted stream non-blocking too: accepted
/// sockets do not inherit the listener's mode. Book: 4.2.
pub fn try_accept(listener: &TcpListener) -> io::Result<Option<(TcpStream, SocketAddr)>> {
    todo!()
}

/// Connect to `server`, giving up after `timeout` with an error of kind
/// `ErrorKind::TimedOut`.
///
/// By hand, as the kernel sees it: a socket2 socket in non-blocking mode;
/// `connect` fails at once with `EINPROGRESS` (compare `raw_os_error()` with
/// `nix::errno::Errno::EINPROGRESS as i32`); wait until the socket is
/// writable with `nix::poll::poll` (`PollFlags::POLLOUT`) for at most
/// `timeout`; then `take_error()` tells whether the handshake failed
/// (connection refused, say). Back to blocking mode before you return.
/// Book: 4.4.
pub fn connect_with_timeout(server: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    todo!()
}

/// A one-to-one chat: copy `keyboard` to the peer and the peer to `screen`,
/// both at once.
///
/// Two threads: one copies keyboard -> socket (a `try_clone` of the
/// stream) and, when the keyboard ends, shuts down the sending side; the
/// other (this one) copies socket -> screen, flushing after every piece,
/// and returns when the peer closes. Never wait for one direction before
/// serving the other. Book: 4.5.
pub fn run_duplex(
    stream: TcpStream,
    keyboard: Box<dyn Read + Send>,
    screen: Box<dyn Write + Send>,
) -> io::Result<()> {
    todo!()
}
