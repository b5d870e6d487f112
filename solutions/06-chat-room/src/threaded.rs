//! The same room with a thread per client: simpler control flow, one
//! thread (and its stack) per connection, and a lock around the room.
//!
//! Each client has a reader thread (its lines go through the room) and a
//! writer thread fed by a bounded channel: a client whose channel is full
//! is not reading, and is dropped rather than waited for.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::lines::{MAX_LINE, sanitize};
use crate::room::{ClientId, Leave, Outgoing, Room};

/// Lines that may wait for one client before it counts as not reading.
const MAX_QUEUED_LINES: usize = 4096;

// ANCHOR: threaded
/// The room, and every client's outgoing channel and socket.
#[derive(Default)]
struct Shared {
    room: Room,
    senders: HashMap<ClientId, (SyncSender<String>, TcpStream)>,
}

/// Runs the chat room on `listener`, a thread per client.
pub fn serve_threaded(listener: TcpListener) -> io::Result<()> {
    let shared = Arc::new(Mutex::new(Shared::default()));
    for (id, stream) in (1..).zip(listener.incoming()) {
        let stream = stream?;
        let (sender, outgoing) = mpsc::sync_channel::<String>(MAX_QUEUED_LINES);
        let mut writer = stream.try_clone()?;
        stream.set_nodelay(true)?;
        thread::spawn(move || {
            // Wait for a line, then take every line already queued with it:
            // one write for many lines.
            while let Ok(first) = outgoing.recv() {
                let mut batch = first.into_bytes();
                for line in outgoing.try_iter() {
                    batch.extend_from_slice(line.as_bytes());
                }
                if writer.write_all(&batch).is_err() {
                    break;
                }
            }
        });
        let joined = {
            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
            state.senders.insert(id, (sender, stream.try_clone()?));
            state.room.join(id)
        };
        deliver(&shared, joined);
        let shared = Arc::clone(&shared);
        thread::spawn(move || read_lines(id, stream, &shared));
    }
    Ok(())
}

/// One client's reader: every line goes through the room.
fn read_lines(id: ClientId, stream: TcpStream, shared: &Mutex<Shared>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = Vec::new();
        // At most MAX_LINE bytes per line; the rest of a longer one is cut.
        match (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
        {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        } else {
            let mut rest = Vec::new();
            if reader.read_until(b'\n', &mut rest).is_err() {
                break;
            }
        }
        let out = {
            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
            let out = state.room.line(id, &sanitize(&line));
            if state.room.name(id).is_none() {
                state.senders.remove(&id);
                drop(state);
                deliver(shared, out);
                return;
            }
            out
        };
        deliver(shared, out);
    }
    let out = {
        let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
        state.senders.remove(&id);
        state.room.leave(id, Leave::Gone)
    };
    deliver(shared, out);
}

/// Hands each message to its client's writer thread; a full channel means
/// the client is not reading: it is dropped.
fn deliver(shared: &Mutex<Shared>, out: Vec<Outgoing>) {
    let mut pending = out;
    while !pending.is_empty() {
        let mut dropped = Vec::new();
        {
            let state = shared.lock().unwrap_or_else(|e| e.into_inner());
            for Outgoing { to, line } in pending.drain(..) {
                if let Some((sender, _)) = state.senders.get(&to)
                    && let Err(TrySendError::Full(_)) = sender.try_send(format!("{line}\n"))
                {
                    dropped.push(to);
                }
            }
        }
        for id in dropped {
            let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, stream)) = state.senders.remove(&id) {
                let _ = stream.shutdown(Shutdown::Both);
                pending.extend(state.room.leave(id, Leave::TooSlow));
            }
        }
    }
}
// ANCHOR_END: threaded
