//! The chat server: one thread, `select`, the room in the middle.

use std::collections::{HashMap, HashSet};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, RawFd};

use nix::sys::select::{FD_SETSIZE, FdSet, select};

use crate::lines::{LineBuffer, sanitize};
use crate::room::{ClientId, Leave, Outgoing, Room};

/// The most bytes a client may have waiting to be sent to it. A client
/// that lets more pile up is not reading: it is dropped, and the room told.
pub const MAX_QUEUED: usize = 256 * 1024;

// ANCHOR: client
/// One connected client: its socket, the line it is typing, and what is
/// waiting to be sent to it.
struct Client {
    stream: TcpStream,
    lines: LineBuffer,
    outbox: Vec<u8>,
    sent: usize,
}

impl Client {
    fn queued(&self) -> usize {
        self.outbox.len() - self.sent
    }

    /// Sends what the socket takes now; the rest waits for "writable".
    fn flush(&mut self) -> io::Result<()> {
        while self.sent < self.outbox.len() {
            match self.stream.write(&self.outbox[self.sent..]) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.outbox.clear();
        self.sent = 0;
        Ok(())
    }
}
// ANCHOR_END: client

// ANCHOR: serve
/// Runs the chat room on `listener` until `select` or `accept` fails.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut room = Room::new();
    let mut clients: HashMap<ClientId, Client> = HashMap::new();
    let mut next_id: ClientId = 1;
    loop {
        let mut readable = FdSet::new();
        let mut writable = FdSet::new();
        readable.insert(listener.as_fd());
        for client in clients.values() {
            readable.insert(client.stream.as_fd());
            if client.queued() > 0 {
                writable.insert(client.stream.as_fd());
            }
        }
        select(None, &mut readable, &mut writable, None, None)?;
        // The sets borrow the sockets: note what is ready, so the clients
        // can be changed below.
        let can_read: HashSet<RawFd> = readable.fds(None).map(|fd| fd.as_raw_fd()).collect();
        let can_write: HashSet<RawFd> = writable.fds(None).map(|fd| fd.as_raw_fd()).collect();

        if can_read.contains(&listener.as_raw_fd()) {
            accept_all(&listener, &mut room, &mut clients, &mut next_id)?;
        }
        let ids: Vec<ClientId> = clients.keys().copied().collect();
        for id in ids {
            let Some(client) = clients.get_mut(&id) else {
                continue;
            };
            let fd = client.stream.as_raw_fd();
            let (can_read, can_write) = (can_read.contains(&fd), can_write.contains(&fd));
            let mut gone = can_write && client.flush().is_err();
            if can_read && !gone {
                match receive(client) {
                    Some(lines) => {
                        for line in lines {
                            let out = room.line(id, &sanitize(&line));
                            deliver(out, &mut clients);
                        }
                        // /quit takes the client out of the room.
                        gone = room.name(id).is_none();
                    }
                    None => gone = true,
                }
            }
            if gone {
                disconnect(id, Leave::Gone, &mut room, &mut clients);
            }
        }
        flush_all(&mut room, &mut clients);
    }
}
// ANCHOR_END: serve

// ANCHOR: accept_all
/// Accepts every waiting client into the room. A descriptor that cannot
/// go in an fd_set (>= FD_SETSIZE) is refused: closed at once.
fn accept_all(
    listener: &TcpListener,
    room: &mut Room,
    clients: &mut HashMap<ClientId, Client>,
    next_id: &mut ClientId,
) -> io::Result<()> {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Interrupted | ErrorKind::ConnectionAborted
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e),
        };
        if stream.as_raw_fd() as usize >= FD_SETSIZE {
            continue;
        }
        stream.set_nonblocking(true)?;
        // Chat lines are small and should go at once: no Nagle delay.
        stream.set_nodelay(true)?;
        let id = *next_id;
        *next_id += 1;
        clients.insert(
            id,
            Client {
                stream,
                lines: LineBuffer::default(),
                outbox: Vec::new(),
                sent: 0,
            },
        );
        let out = room.join(id);
        deliver(out, clients);
    }
}
// ANCHOR_END: accept_all

// ANCHOR: receive
/// Reads once; returns the lines completed, or `None` if the client is
/// gone (end of stream or an error).
fn receive(client: &mut Client) -> Option<Vec<Vec<u8>>> {
    let mut buffer = [0u8; 64 * 1024];
    match client.stream.read(&mut buffer) {
        Ok(0) => None,
        Ok(n) => Some(client.lines.push(&buffer[..n])),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
            Some(Vec::new())
        }
        Err(_) => None,
    }
}
// ANCHOR_END: receive

// ANCHOR: deliver
/// Queues each message in its client's outbox. Nothing is written yet:
/// [`flush_all`] sends every outbox once per turn of the loop, so a client
/// gets one `write` for many lines, not one per line.
fn deliver(out: Vec<Outgoing>, clients: &mut HashMap<ClientId, Client>) {
    for Outgoing { to, line } in out {
        if let Some(client) = clients.get_mut(&to) {
            client.outbox.extend_from_slice(line.as_bytes());
            client.outbox.push(b'\n');
        }
    }
}

/// Sends what each socket takes now. A client whose outbox passes
/// [`MAX_QUEUED`] is dropped, never waited for: one slow reader must not
/// stall the room. Dropping one tells the others, so repeat until calm.
fn flush_all(room: &mut Room, clients: &mut HashMap<ClientId, Client>) {
    loop {
        let mut leaving = Vec::new();
        for (&id, client) in clients.iter_mut() {
            if client.queued() == 0 {
                continue;
            }
            if client.flush().is_err() {
                leaving.push((id, Leave::Gone));
            } else if client.queued() > MAX_QUEUED {
                leaving.push((id, Leave::TooSlow));
            }
        }
        if leaving.is_empty() {
            return;
        }
        for (id, why) in leaving {
            disconnect(id, why, room, clients);
        }
    }
}

/// Closes a client's connection and tells the room.
fn disconnect(id: ClientId, why: Leave, room: &mut Room, clients: &mut HashMap<ClientId, Client>) {
    clients.remove(&id);
    let out = room.leave(id, why);
    deliver(out, clients);
}
// ANCHOR_END: deliver
