//! # Lab 01: creating a socket
//!
//! Read chapter 1 of the book first (`cargo lab book`, or `mdbook serve book`).
//! Then replace every `todo!()` below. Check your work with
//! `cargo lab check 1` (or `cargo test` in this folder); `cargo lab hint 1`
//! helps when you are stuck.
//!
//! You may use anything from `socket2` and `std`. Keep every function's
//! signature as it is: the grader calls them.

// The stubs do not use their arguments yet; your code will.
#![allow(unused_variables)]

use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;

use socket2::{Domain, Protocol, Socket, Type};

/// Make a TCP socket for IPv4 with `Socket::new`.
///
/// Pick the three arguments yourself: the address family (`Domain::IPV4`),
/// the socket type (a byte stream) and the protocol (TCP).
/// Book: 1.1 "Family, type and protocol".
pub fn tcp_v4() -> io::Result<Socket> {
    todo!()
}

/// Make a TCP socket for IPv6. Like [`tcp_v4`], with the IPv6 family.
/// Book: 1.1.
pub fn tcp_v6() -> io::Result<Socket> {
    todo!()
}

/// Make a UDP socket for IPv4: a datagram socket with the UDP protocol.
/// Book: 1.1.
pub fn udp_v4() -> io::Result<Socket> {
    todo!()
}

/// Make a UDP socket for IPv6. Book: 1.1.
pub fn udp_v6() -> io::Result<Socket> {
    todo!()
}

/// What the kernel can tell us about a socket. This struct is complete:
/// fill it in [`describe`].
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

/// Ask the kernel for every fact in [`SocketFacts`] about `socket`.
///
/// - `fd`: the raw file descriptor (the `AsRawFd` trait). Book: 1.3.
/// - `domain`, `kind`, `protocol`: socket2 has a getter for each. Book: 1.4.
/// - `local_addr`: `socket.local_addr()` gives a `SockAddr`; turn it into a
///   `SocketAddr` with `as_socket()`. A socket that was never bound reports
///   port 0: return `None` for it. Book: 1.4.
/// - `nonblocking`, `reuse_address`, `recv_buffer_size`: read each option
///   from the socket; never assume its default. Book: 1.4.
pub fn describe(socket: &Socket) -> io::Result<SocketFacts> {
    todo!()
}
