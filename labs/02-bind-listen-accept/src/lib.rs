//! # Lab 02: bind, listen, accept and connect
//!
//! Read chapter 2 of the book first. Then replace every `todo!()` below.
//! Check your work with `cargo lab check 2` (or `cargo test` in this
//! folder); `cargo lab hint 2` helps when you are stuck.
//!
//! Two programs in `src/bin/` are already written and call these functions:
//! `cargo run --bin echo-server -- 127.0.0.1:7000` and, in another terminal,
//! `cargo run --bin echo-client -- 127.0.0.1:7000 hello`.
//!
//! Use `socket2` for the sockets (`Socket::new`, `bind`, `listen`, `accept`,
//! `connect`), and `(&socket).read(..)` / `(&socket).write_all(..)` to move
//! bytes (the `Read` and `Write` traits are implemented for `&Socket`).
//! Keep every signature as it is: the grader calls these functions.

// The stubs do not use their arguments yet; your code will.
#![allow(unused_variables)]

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use socket2::Socket;

/// Make a TCP socket that listens on `addr` with the given `backlog`.
///
/// 1. Create a stream socket whose family fits `addr` (`Domain::for_address`).
/// 2. Turn `SO_REUSEADDR` on, *before* binding, so a restarted server can
///    take its port back at once. Book: 2.4.
/// 3. `bind` to `addr` (`addr.into()` makes a `SockAddr`), then `listen`.
///    Book: 2.1 and 2.3.
pub fn listen_on(addr: SocketAddr, backlog: i32) -> io::Result<Socket> {
    todo!()
}

/// Accept one client on `listener`, send it `greeting` (all of it), then
/// close the connection (drop the accepted socket).
///
/// Return the client's address as `accept` reports it (a `SockAddr`: use
/// `as_socket()`). Book: 2.1 and 2.2.
pub fn greet_one(listener: &Socket, greeting: &[u8]) -> io::Result<SocketAddr> {
    todo!()
}

/// Connect to the greeting server at `server` and return everything it
/// sends, up to the moment it closes the connection (`read` returns 0).
/// Book: 2.1.
pub fn fetch_greeting(server: SocketAddr) -> io::Result<Vec<u8>> {
    todo!()
}

/// Echo everything the client on `connection` sends, until it closes its
/// side; then return how many bytes you echoed.
///
/// Read into a buffer and write back what you read, in a loop: a client may
/// send many times over one connection. `read` returning 0 means the client
/// closed: stop there. Book: 2.6.
pub fn echo_connection(connection: &Socket) -> io::Result<u64> {
    todo!()
}

/// Serve echo clients one after another, forever: accept a client, echo it
/// with [`echo_connection`], accept the next.
///
/// One client's error (a reset, say) must not stop the server: report it
/// with `eprintln!` and go on. Return only if `accept` fails. Book: 2.6.
pub fn serve_echo(listener: &Socket) -> io::Result<()> {
    todo!()
}

/// Connect to the echo server at `server`, send `message`, and return the
/// echo: exactly as many bytes as you sent. Book: 2.6.
pub fn echo_once(server: SocketAddr, message: &[u8]) -> io::Result<Vec<u8>> {
    todo!()
}

/// Try to connect to `server` and return 0 on success, or the OS error
/// number on failure (`io::Error::raw_os_error`), like Python's
/// `connect_ex`. Book: 2.5.
pub fn connect_ex(server: SocketAddr) -> i32 {
    todo!()
}

/// Turns `"127.0.0.1:7000"`, `"[::1]:7000"` or `"localhost:7000"` into a
/// socket address. Provided for you: the programs in `src/bin` use it.
pub fn resolve(text: &str) -> io::Result<SocketAddr> {
    text.to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{text} has no address")))
}
