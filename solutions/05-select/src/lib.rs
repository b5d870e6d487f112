//! Lab 05, solved: one thread, many sockets. An echo server built on
//! `select`: non-blocking sockets, one outbox per connection, partial sends
//! kept, writable interest only while there is something to send.
//!
//! Book: chapter 5, "select: one thread, many sockets".

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, RawFd};

use nix::sys::select::{FD_SETSIZE, FdSet, select};

// ANCHOR: outbox
/// Bytes waiting to be sent on one connection, and how far sending got.
#[derive(Debug, Default)]
pub struct Outbox {
    pending: Vec<u8>,
    sent: usize,
}

impl Outbox {
    /// Queues `bytes` after whatever is still waiting.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// How many bytes are still waiting.
    pub fn len(&self) -> usize {
        self.pending.len() - self.sent
    }

    /// Nothing left to send?
    pub fn is_empty(&self) -> bool {
        self.sent == self.pending.len()
    }

    /// Sends as much as `out` takes now. A short write or `WouldBlock`
    /// leaves the rest queued for the next time the socket is writable.
    /// Returns how many bytes went out.
    pub fn flush_into(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        let before = self.sent;
        while !self.is_empty() {
            match out.write(&self.pending[self.sent..]) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        if self.is_empty() {
            // Everything went: start again with an empty buffer.
            self.pending.clear();
            self.sent = 0;
        } else if self.sent >= 64 * 1024 {
            // Forget what went out, so a connection that never quite drains
            // does not keep every byte it ever sent.
            self.pending.drain(..self.sent);
            self.sent = 0;
        }
        Ok(self.sent.max(before) - before)
    }
}
// ANCHOR_END: outbox

/// The most a connection may have waiting before we stop reading from it.
pub const MAX_PENDING: usize = 1 << 20;

// ANCHOR: connection
/// One client: its non-blocking stream, its outbox, and whether it has
/// finished sending (then it is closed once its outbox is empty).
struct Connection {
    stream: TcpStream,
    outbox: Outbox,
    finished: bool,
}
// ANCHOR_END: connection

// ANCHOR: serve
/// Echoes every client's bytes back to it, all clients at once, on this one
/// thread. Runs until `select` or `accept` fails.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    // The master list: every connection, by file descriptor. The fd_sets
    // are built from it again before every select: select overwrites them.
    let mut connections: HashMap<RawFd, Connection> = HashMap::new();
    loop {
        let mut readable = FdSet::new();
        let mut writable = FdSet::new();
        readable.insert(listener.as_fd());
        for connection in connections.values() {
            // A client that sends but never reads would fill our memory
            // with its echo: stop reading from it until its outbox drains.
            if !connection.finished && connection.outbox.len() < MAX_PENDING {
                readable.insert(connection.stream.as_fd());
            }
            // Writable interest only while there is something to send: an
            // idle socket is always writable, and select would return at
            // once, for ever.
            if !connection.outbox.is_empty() {
                writable.insert(connection.stream.as_fd());
            }
        }
        // nfds: None lets nix compute it; never pass more than FD_SETSIZE.
        select(None, &mut readable, &mut writable, None, None)?;

        let ready_to_read: Vec<RawFd> = readable.fds(None).map(|fd| fd.as_raw_fd()).collect();
        let ready_to_write: Vec<RawFd> = writable.fds(None).map(|fd| fd.as_raw_fd()).collect();
        for fd in ready_to_read {
            if fd == listener.as_raw_fd() {
                accept_all(&listener, &mut connections)?;
            } else if let Some(connection) = connections.get_mut(&fd)
                && !receive(connection)
            {
                connections.remove(&fd);
            }
        }
        for fd in ready_to_write {
            if let Some(connection) = connections.get_mut(&fd)
                && connection
                    .outbox
                    .flush_into(&mut connection.stream)
                    .is_err()
            {
                connections.remove(&fd);
            }
        }
        // A client that finished sending is closed once its echo is out.
        connections.retain(|_, c| !(c.finished && c.outbox.is_empty()));
    }
}
// ANCHOR_END: serve

// ANCHOR: accept_all
/// Accepts every client that is waiting. A client whose descriptor would
/// not fit in an fd_set (>= FD_SETSIZE, 1024) is refused: closed at once.
fn accept_all(
    listener: &TcpListener,
    connections: &mut HashMap<RawFd, Connection>,
) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // A client that gave up while queued; the listener is fine.
            Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };
        let fd = stream.as_raw_fd();
        if fd as usize >= FD_SETSIZE {
            eprintln!("{peer}: refused, descriptor {fd} does not fit in select's fd_set");
            continue;
        }
        // Accepted sockets are blocking, whatever the listener is.
        stream.set_nonblocking(true)?;
        // Send each echo at once, even a small tail (Nagle's algorithm off).
        stream.set_nodelay(true)?;
        connections.insert(
            fd,
            Connection {
                stream,
                outbox: Outbox::default(),
                finished: false,
            },
        );
    }
}
// ANCHOR_END: accept_all

// ANCHOR: receive
/// Reads what is there and queues it to be echoed. False when the client
/// is gone (the connection broke) and must be dropped.
fn receive(connection: &mut Connection) -> bool {
    let mut buffer = [0u8; 16 * 1024];
    // One read per readiness: select said there is something; a second
    // read could find nothing, and that is WouldBlock, not a wait.
    match connection.stream.read(&mut buffer) {
        // The client has finished sending; it may still be owed an echo.
        Ok(0) => {
            connection.finished = true;
            true
        }
        Ok(n) => {
            connection.outbox.push(&buffer[..n]);
            // Try at once: usually the whole echo goes out now.
            connection.outbox.flush_into(&mut connection.stream).is_ok()
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => true,
        Err(_) => false,
    }
}
// ANCHOR_END: receive
