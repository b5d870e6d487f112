//! What Linux says about this machine's TCP sockets, read from `/proc`.
//!
//! Some checks must know something a socket call cannot tell them: whether
//! the learner's server really closed a connection, whether it has read
//! what a client sent, how much the kernel could buffer on the way. The
//! kernel shows all of it in text files, one socket a line.

use std::net::TcpStream;
use std::time::Instant;

use crate::harness::LIMIT;

/// The most the kernel lets one TCP socket's buffers grow to, in bytes:
/// the last figures of `/proc/sys/net/ipv4/tcp_rmem` and `tcp_wmem`
/// (32 MiB and 4 MiB on many machines; they differ from machine to machine).
/// A check that must fill a connection sends more than these hold, so that
/// it does not depend on this machine's settings.
pub struct TcpBufferLimits {
    pub receive: usize,
    pub send: usize,
}

pub fn tcp_buffer_limits() -> TcpBufferLimits {
    let most = |name: &str, otherwise: usize| -> usize {
        std::fs::read_to_string(format!("/proc/sys/net/ipv4/{name}"))
            .ok()
            .and_then(|text| text.split_whitespace().last()?.parse().ok())
            .unwrap_or(otherwise)
    };
    TcpBufferLimits {
        receive: most("tcp_rmem", 32 << 20),
        send: most("tcp_wmem", 4 << 20),
    }
}

/// One line of `/proc/net/tcp` or `tcp6`: one TCP socket on this machine.
pub struct TcpSocket {
    pub local_port: u16,
    pub remote_port: u16,
    /// `01` ESTABLISHED, `08` CLOSE_WAIT (the peer closed, this side did
    /// not yet), `0A` LISTEN, ...
    pub state: u8,
    /// Bytes sent but not yet acknowledged by the peer.
    pub unacknowledged: usize,
    /// Bytes received but not yet read by the program.
    pub unread: usize,
    /// The kernel's number for the socket: `/proc/PID/fd/N` of the process
    /// that holds it links to `socket:[inode]`.
    pub inode: u64,
}

/// Every TCP socket (IPv4 and IPv6) on this machine.
pub fn tcp_sockets() -> Vec<TcpSocket> {
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|text| {
            // Skip the header line.
            text.lines().skip(1).filter_map(parse).collect::<Vec<_>>()
        })
        .collect()
}

/// `  0: 0100007F:1F90 0100007F:D2C4 01 00000000:00000004 ...`: local and
/// remote address (hex, the port after the colon), state, then the two
/// queues.
fn parse(line: &str) -> Option<TcpSocket> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let port = |field: &str| u16::from_str_radix(field.rsplit(':').next()?, 16).ok();
    let (tx, rx) = fields.get(4)?.split_once(':')?;
    Some(TcpSocket {
        local_port: port(fields.get(1)?)?,
        remote_port: port(fields.get(2)?)?,
        state: u8::from_str_radix(fields.get(3)?, 16).ok()?,
        unacknowledged: usize::from_str_radix(tx, 16).ok()?,
        unread: usize::from_str_radix(rx, 16).ok()?,
        inode: fields.get(9)?.parse().ok()?,
    })
}

/// How many connections wait in the accept queue of the listening socket
/// on `port` (for a listener, the kernel shows that in the "unread" column).
pub fn accept_queue_len(port: u16) -> Option<usize> {
    tcp_sockets()
        .into_iter()
        .find(|s| s.local_port == port && s.state == 0x0A)
        .map(|s| s.unread)
}

/// Waits until `count` connections wait in the accept queue on `port`: a
/// client's `connect` returns when it sent the last ACK of the handshake,
/// and a busy machine may queue the connection a moment later. False if
/// that did not happen within `LIMIT`.
pub fn wait_until_queued(port: u16, count: usize) -> bool {
    poll_until(|| accept_queue_len(port) == Some(count))
}

/// Asks `done` every 2 ms until it says yes (true) or `LIMIT` passes (false).
fn poll_until(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + LIMIT;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// The descriptor under which this process holds the TCP socket with
/// these two ports (a server's socket for one client: the server's port,
/// the client's port), if it holds it.
pub fn descriptor_of(local_port: u16, remote_port: u16) -> Option<i32> {
    let socket = tcp_sockets()
        .into_iter()
        .find(|s| s.local_port == local_port && s.remote_port == remote_port)?;
    let wanted = format!("socket:[{}]", socket.inode);
    std::fs::read_dir("/proc/self/fd")
        .ok()?
        .flatten()
        .find(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|link| link.as_os_str() == wanted.as_str())
        })?
        .file_name()
        .to_str()?
        .parse()
        .ok()
}

/// Waits until everything `client` sent has reached the server and the
/// server has read it: the client has nothing unacknowledged and the
/// server's socket holds nothing unread. False if that did not happen
/// within `LIMIT` (a server that never reads is for the check to catch,
/// not for this wait).
///
/// A check that sends a line in pieces uses it so that each piece really
/// is a read of its own, however busy the machine is.
pub fn wait_until_read(client: &TcpStream) -> bool {
    poll_until(|| {
        both_ends(client)
            .is_some_and(|(sent, received)| sent.unacknowledged == 0 && received.unread == 0)
    })
}

/// Both ends of a loopback connection as the kernel shows them: `stream`'s
/// own socket, and the peer's (the one with the two ports swapped).
pub fn both_ends(stream: &TcpStream) -> Option<(TcpSocket, TcpSocket)> {
    let (local, peer) = (stream.local_addr().ok()?, stream.peer_addr().ok()?);
    let mut sockets = tcp_sockets();
    let mine = sockets
        .iter()
        .position(|s| s.local_port == local.port() && s.remote_port == peer.port())?;
    let mine = sockets.swap_remove(mine);
    let theirs = sockets
        .into_iter()
        .find(|s| s.local_port == peer.port() && s.remote_port == local.port())?;
    Some((mine, theirs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_proc_net_tcp() {
        let line = "   3: 0100007F:1F90 0100007F:D2C4 08 0000002A:00000010 00:00000000 \
                    00000000  1000        0 12345 1 0000000000000000 20 4 30 10 -1";
        let socket = parse(line).expect("a well-formed line");
        assert_eq!(
            (
                socket.local_port,
                socket.remote_port,
                socket.state,
                socket.unacknowledged,
                socket.unread
            ),
            (8080, 53956, 8, 42, 16)
        );
        assert_eq!(socket.inode, 12345);
    }

    #[test]
    fn the_descriptor_of_an_accepted_socket() {
        use std::os::fd::AsRawFd;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let ports = (
            listener.local_addr().unwrap().port(),
            client.local_addr().unwrap().port(),
        );
        assert_eq!(descriptor_of(ports.0, ports.1), Some(server.as_raw_fd()));
        drop(server);
        assert_eq!(descriptor_of(ports.0, ports.1), None);
    }

    #[test]
    fn a_connection_waits_in_the_accept_queue_until_accepted() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(accept_queue_len(port), Some(0));
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        assert!(wait_until_queued(port, 1));
        let _accepted = listener.accept().unwrap();
        assert_eq!(accept_queue_len(port), Some(0));
    }

    #[test]
    fn bytes_are_read_only_once_the_server_reads_them() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(b"hello").unwrap();
        assert!(!wait_until_read(&client), "nobody read the 5 bytes yet");
        let mut buffer = [0u8; 5];
        server.read_exact(&mut buffer).unwrap();
        assert!(wait_until_read(&client), "the server read all 5 bytes");
    }
}
