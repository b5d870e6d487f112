//! Lab 01, solved: creating sockets and reading their facts back.
//!
//! Book: chapter 1, "Creating a socket".

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

use socket2::{Domain, Protocol, Socket, Type};

// ANCHOR: tcp_v4
/// A TCP socket for IPv4: family `AF_INET`, type `SOCK_STREAM`, protocol TCP.
pub fn tcp_v4() -> io::Result<Socket> {
    Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
}
// ANCHOR_END: tcp_v4

/// A TCP socket for IPv6: family `AF_INET6`, type `SOCK_STREAM`, protocol TCP.
pub fn tcp_v6() -> io::Result<Socket> {
    Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))
}

// ANCHOR: udp_v4
/// A UDP socket for IPv4: family `AF_INET`, type `SOCK_DGRAM`, protocol UDP.
pub fn udp_v4() -> io::Result<Socket> {
    Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))
}
// ANCHOR_END: udp_v4

/// A UDP socket for IPv6: family `AF_INET6`, type `SOCK_DGRAM`, protocol UDP.
pub fn udp_v6() -> io::Result<Socket> {
    Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::UDP))
}

// ANCHOR: facts
/// What the kernel can tell us about a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketFacts {
    /// The file descriptor: the small number the kernel knows the socket by.
    pub fd: RawFd,
    /// The address family: `AF_INET` (IPv4) or `AF_INET6` (IPv6).
    pub domain: Domain,
    /// The socket type: `SOCK_STREAM` (a byte stream) or `SOCK_DGRAM` (datagrams).
    pub kind: Type,
    /// The protocol: `IPPROTO_TCP` or `IPPROTO_UDP`.
    pub protocol: Option<Protocol>,
    /// The local address, or `None` while the socket is not bound (port 0).
    pub local_addr: Option<SocketAddr>,
    /// Whether calls return `WouldBlock` instead of waiting.
    pub nonblocking: bool,
    /// Whether `SO_REUSEADDR` is on.
    pub reuse_address: bool,
    /// The size of the kernel's receive buffer (`SO_RCVBUF`), in bytes.
    pub recv_buffer_size: usize,
}
// ANCHOR_END: facts

// ANCHOR: describe
/// Asks the kernel for the facts of `socket`, one `getsockopt` (or
/// `getsockname`, or `fcntl`) at a time.
pub fn describe(socket: &Socket) -> io::Result<SocketFacts> {
    Ok(SocketFacts {
        fd: socket.as_raw_fd(),
        domain: socket.domain()?,
        kind: socket.r#type()?,
        protocol: socket.protocol()?,
        local_addr: bound_address(socket)?,
        nonblocking: socket.nonblocking()?,
        reuse_address: socket.reuse_address()?,
        recv_buffer_size: socket.recv_buffer_size()?,
    })
}

/// `getsockname` on a socket that was never bound reports port 0
/// (`0.0.0.0:0` or `[::]:0`): "no address yet".
fn bound_address(socket: &Socket) -> io::Result<Option<SocketAddr>> {
    let local = socket.local_addr()?.as_socket();
    Ok(local.filter(|addr| addr.port() != 0))
}
// ANCHOR_END: describe
