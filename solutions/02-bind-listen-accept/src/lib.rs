//! Lab 02, solved: a listener, a greeting server and its client, an
//! iterative echo server and its client, and `connect_ex`.
//!
//! Book: chapter 2, "Bind, listen, accept and connect".

use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

// ANCHOR: listen_on
/// Makes a TCP socket that listens on `addr` with room for `backlog`
/// connections waiting to be accepted.
pub fn listen_on(addr: SocketAddr, backlog: i32) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // Before bind: lets a restarted server take the port back at once, even
    // while connections of the previous run still wait in TIME_WAIT.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(socket)
}
// ANCHOR_END: listen_on

// ANCHOR: greet_one
/// Accepts one client, sends it `greeting`, and closes the connection.
/// Returns the client's address, as `accept` reported it.
pub fn greet_one(listener: &Socket, greeting: &[u8]) -> io::Result<SocketAddr> {
    let (connection, client) = listener.accept()?;
    (&connection).write_all(greeting)?;
    // `connection` is dropped here: the kernel closes the socket and the
    // client reads the end of the stream.
    socket_addr(client)
}
// ANCHOR_END: greet_one

// ANCHOR: fetch_greeting
/// Connects to a greeting server and returns everything it sends before it
/// closes the connection.
pub fn fetch_greeting(server: SocketAddr) -> io::Result<Vec<u8>> {
    let socket = Socket::new(
        Domain::for_address(server),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.connect(&server.into())?;
    let mut greeting = Vec::new();
    // Reads until `read` returns 0: the server closed the connection.
    (&socket).read_to_end(&mut greeting)?;
    Ok(greeting)
}
// ANCHOR_END: fetch_greeting

// ANCHOR: echo_connection
/// Sends back everything a connected client sends, until the client closes
/// its side. Returns how many bytes were echoed.
pub fn echo_connection(connection: &Socket) -> io::Result<u64> {
    let mut buffer = [0u8; 4096];
    let mut echoed = 0;
    loop {
        let received = (&*connection).read(&mut buffer)?;
        if received == 0 {
            // 0 bytes means the client closed: there will never be more.
            return Ok(echoed);
        }
        (&*connection).write_all(&buffer[..received])?;
        echoed += received as u64;
    }
}
// ANCHOR_END: echo_connection

// ANCHOR: serve_echo
/// Serves echo clients one after another, forever. A client that fails
/// (resets, say) is logged and dropped; the server goes on with the next.
/// Returns only if `accept` itself fails.
pub fn serve_echo(listener: &Socket) -> io::Result<()> {
    loop {
        let (connection, client) = listener.accept()?;
        let client = socket_addr(client)?;
        eprintln!("{client} connected");
        match echo_connection(&connection) {
            Ok(echoed) => eprintln!("{client} left after {echoed} bytes"),
            Err(error) => eprintln!("{client} failed: {error}"),
        }
    }
}
// ANCHOR_END: serve_echo

// ANCHOR: echo_once
/// Connects to an echo server, sends `message`, and returns the echo: as
/// many bytes as were sent.
pub fn echo_once(server: SocketAddr, message: &[u8]) -> io::Result<Vec<u8>> {
    let socket = Socket::new(
        Domain::for_address(server),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.connect(&server.into())?;
    (&socket).write_all(message)?;
    let mut echo = vec![0; message.len()];
    // One `read` may return only part of the echo: `read_exact` loops.
    (&socket).read_exact(&mut echo)?;
    Ok(echo)
}
// ANCHOR_END: echo_once

// ANCHOR: connect_ex
/// Tries to connect to `server`. Returns 0 on success, or the OS error
/// number (`errno`) of the failure, like Python's `connect_ex`.
pub fn connect_ex(server: SocketAddr) -> i32 {
    let attempt = Socket::new(
        Domain::for_address(server),
        Type::STREAM,
        Some(Protocol::TCP),
    )
    .and_then(|socket| socket.connect(&server.into()));
    match attempt {
        Ok(()) => 0,
        Err(error) => error.raw_os_error().unwrap_or(-1),
    }
}
// ANCHOR_END: connect_ex

/// socket2 addresses can be IPv4, IPv6 or Unix paths; TCP gives the first two.
fn socket_addr(addr: SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not an IP address"))
}

// ANCHOR: resolve
/// Turns `"127.0.0.1:7000"`, `"[::1]:7000"` or `"localhost:7000"` into a
/// socket address (the first one a name resolves to).
pub fn resolve(text: &str) -> io::Result<SocketAddr> {
    text.to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{text} has no address")))
}
// ANCHOR_END: resolve
