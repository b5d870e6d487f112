//! The classic chapter-6 mistakes, each rejected by the check meant for it,
//! with the lesson meant for it.

mod common;

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use common::assert_rejected;
use grader::ch06::{self, Lab};
use solution_06::lines::{LineBuffer, sanitize};
use solution_06::room::{Leave, Outgoing, Room};

/// The reference solution, to which each mistake changes one thing. The
/// programs are left out: only the lab's own tests can start them.
const SOLUTION: Lab<Room, Outgoing, LineBuffer> = Lab {
    new_room: Room::new,
    join: Room::join,
    line: Room::line,
    leave: |room, id| room.leave(id, Leave::Gone),
    new_line_buffer: LineBuffer::default,
    push: LineBuffer::push,
    sanitize,
    serve: solution_06::server::serve,
    server_program: "/nonexistent/chat-server",
    client_program: "/nonexistent/chat-client",
};

#[test]
fn the_solution_passes_every_check_but_the_programs() {
    for (name, check) in ch06::checks() {
        if name != "the_programs_talk" {
            assert_eq!(check(&SOLUTION), Ok(()), "{name}");
        }
    }
}

/// Relays a line to everyone, the sender included.
fn line_echoing_to_the_sender(room: &mut Room, id: u64, text: &str) -> Vec<Outgoing> {
    let mut out = room.line(id, text);
    if !text.starts_with('/')
        && !text.trim().is_empty()
        && let Some(line) = out.first().map(|o| o.line.clone())
    {
        out.push(Outgoing { to: id, line });
    }
    out
}

#[test]
fn a_line_echoed_to_its_sender() {
    let mistake = Lab {
        line: line_echoing_to_the_sender,
        ..SOLUTION
    };
    assert_rejected(
        ch06::a_line_is_never_sent_back_to_its_sender(&mistake),
        "relay to everyone but the sender",
    );
}

/// A thread-per-client server that makes both classic mistakes its
/// switches ask for: relaying raw chunks, or writing to every client with a
/// blocking `write_all` in the reader's thread.
fn wrong_serve(listener: TcpListener, raw_chunks: bool) -> io::Result<()> {
    type Clients = BTreeMap<u64, TcpStream>;
    let room = Arc::new(Mutex::new((Room::new(), Clients::new())));
    for (id, stream) in (1..).zip(listener.incoming()) {
        let stream = stream?;
        let broadcast = |state: &mut (Room, Clients), out: Vec<Outgoing>| {
            for Outgoing { to, line } in out {
                if let Some(client) = state.1.get_mut(&to) {
                    // Blocking: one client that does not read stops everyone.
                    let _ = client.write_all(format!("{line}\n").as_bytes());
                }
            }
        };
        {
            let mut state = room.lock().unwrap();
            state.1.insert(id, stream.try_clone()?);
            let out = state.0.join(id);
            broadcast(&mut state, out);
        }
        let room = Arc::clone(&room);
        thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            loop {
                let mut chunk = vec![0u8; 4096];
                let text = if raw_chunks {
                    match reader.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => sanitize(&chunk[..n]),
                    }
                } else {
                    let mut line = Vec::new();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => sanitize(&line),
                    }
                };
                let mut state = room.lock().unwrap();
                let out = state.0.line(id, &text);
                broadcast(&mut state, out);
            }
            let mut state = room.lock().unwrap();
            state.1.remove(&id);
            let out = state.0.leave(id, Leave::Gone);
            broadcast(&mut state, out);
        });
    }
    Ok(())
}

#[test]
fn raw_chunks_relayed_as_lines() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, true),
        ..SOLUTION
    };
    assert_rejected(
        ch06::a_line_in_pieces_arrives_whole(&mistake),
        "relay whole lines, not the chunks one read returns",
    );
}

#[test]
fn a_blocking_broadcast() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, false),
        ..SOLUTION
    };
    assert_rejected(
        ch06::a_slow_reader_does_not_stall_the_room(&mistake),
        "one client that never reads stalled the room",
    );
}

#[test]
fn lines_relayed_without_sanitising() {
    let mistake = Lab {
        sanitize: |raw| String::from_utf8_lossy(raw).into_owned(),
        ..SOLUTION
    };
    assert_rejected(
        ch06::sanitize_strips_what_drives_a_terminal(&mistake),
        "drop control characters",
    );
}

#[test]
fn a_line_buffer_without_a_cap() {
    #[derive(Default)]
    struct Unbounded(Vec<u8>);
    fn push(buffer: &mut Unbounded, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        for &byte in bytes {
            if byte == b'\n' {
                lines.push(std::mem::take(&mut buffer.0));
            } else {
                buffer.0.push(byte);
            }
        }
        lines
    }
    let mistake: Lab<Room, Outgoing, Unbounded> = Lab {
        new_room: Room::new,
        join: Room::join,
        line: Room::line,
        leave: |room, id| room.leave(id, Leave::Gone),
        new_line_buffer: Unbounded::default,
        push,
        sanitize,
        serve: solution_06::server::serve,
        server_program: SOLUTION.server_program,
        client_program: SOLUTION.client_program,
    };
    assert_rejected(
        ch06::line_buffer_reassembles_and_caps(&mistake),
        "cut a line at 512 bytes",
    );
}
