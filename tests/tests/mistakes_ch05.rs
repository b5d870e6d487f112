//! The classic chapter-5 mistakes, each rejected by the check meant for it,
//! with the lesson meant for it.

mod common;

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, RawFd};

use common::assert_rejected;
use grader::ch05::{self, Lab};
use nix::sys::select::{FdSet, select};
use solution_05::Outbox;

/// The reference solution, to which each mistake changes one thing. The
/// program is left out: only the lab's own tests can start it.
const SOLUTION: Lab<Outbox> = Lab {
    new_outbox: Outbox::default,
    push: Outbox::push,
    len: Outbox::len,
    is_empty: Outbox::is_empty,
    flush_into: Outbox::flush_into,
    serve: solution_05::serve,
    program: "/nonexistent/select-echo-server",
};

#[test]
fn the_solution_passes_every_check_but_the_program() {
    for (name, check) in ch05::checks() {
        if name != "the_program_echoes" {
            assert_eq!(check(&SOLUTION), Ok(()), "{name}");
        }
    }
}

/// An outbox that forgets what a short write or WouldBlock left.
#[derive(Default)]
struct ForgetfulOutbox(Vec<u8>);

fn forgetful_push(outbox: &mut ForgetfulOutbox, bytes: &[u8]) {
    outbox.0.extend_from_slice(bytes);
}

fn forgetful_len(outbox: &ForgetfulOutbox) -> usize {
    outbox.0.len()
}

fn forgetful_is_empty(outbox: &ForgetfulOutbox) -> bool {
    outbox.0.is_empty()
}

fn forgetful_flush(outbox: &mut ForgetfulOutbox, out: &mut dyn Write) -> io::Result<usize> {
    let result = match out.write(&outbox.0) {
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(0),
        other => other,
    };
    outbox.0.clear();
    result
}

#[test]
fn a_partial_sends_remainder_dropped() {
    let mistake = Lab {
        new_outbox: ForgetfulOutbox::default,
        push: forgetful_push,
        len: forgetful_len,
        is_empty: forgetful_is_empty,
        flush_into: forgetful_flush,
        serve: solution_05::serve,
        program: SOLUTION.program,
    };
    assert_rejected(
        ch05::outbox_keeps_what_a_short_write_left(&mistake),
        "must stay queued, in order, for the next flush",
    );
}

/// The one thing a wrong server gets wrong.
#[derive(Clone, Copy, PartialEq)]
enum Wrong {
    AlwaysWritable,
    BlockingReads,
    KeepsClosedClients,
    NoFdSetsizeCheck,
    BlockingWrites,
}

/// A select echo server with one mistake switched on.
fn wrong_serve(listener: TcpListener, wrong: Wrong) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut clients: HashMap<RawFd, (TcpStream, Outbox, bool)> = HashMap::new();
    loop {
        let mut readable = FdSet::new();
        let mut writable = FdSet::new();
        readable.insert(listener.as_fd());
        for (stream, outbox, closed) in clients.values() {
            if !closed {
                readable.insert(stream.as_fd());
            }
            if wrong == Wrong::AlwaysWritable || !outbox.is_empty() {
                writable.insert(stream.as_fd());
            }
        }
        select(None, &mut readable, &mut writable, None, None)?;
        let ready: Vec<RawFd> = readable.fds(None).map(|fd| fd.as_raw_fd()).collect();
        let writes: Vec<RawFd> = writable.fds(None).map(|fd| fd.as_raw_fd()).collect();
        for fd in ready {
            if fd == listener.as_raw_fd() {
                while let Ok((stream, _)) = listener.accept() {
                    if wrong != Wrong::NoFdSetsizeCheck && stream.as_raw_fd() >= 1024 {
                        continue;
                    }
                    stream.set_nonblocking(wrong != Wrong::BlockingReads)?;
                    clients.insert(stream.as_raw_fd(), (stream, Outbox::default(), false));
                }
                continue;
            }
            let Some((stream, outbox, closed)) = clients.get_mut(&fd) else {
                continue;
            };
            let mut buffer = [0u8; 4096];
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) if wrong == Wrong::KeepsClosedClients => {
                        *closed = true;
                        break;
                    }
                    Ok(0) | Err(_) => {
                        clients.remove(&fd);
                        break;
                    }
                    // The echo with a blocking write_all: waits for as long
                    // as this client does not read.
                    Ok(n) if wrong == Wrong::BlockingWrites => {
                        stream.set_nonblocking(false)?;
                        let _ = stream.write_all(&buffer[..n]);
                        stream.set_nonblocking(true)?;
                    }
                    Ok(n) => outbox.push(&buffer[..n]),
                }
                // "Read until there is nothing left": on a blocking socket,
                // the read after the last byte waits.
                if wrong != Wrong::BlockingReads {
                    break;
                }
            }
        }
        for fd in writes {
            if let Some((stream, outbox, _)) = clients.get_mut(&fd) {
                let _ = outbox.flush_into(stream);
            }
        }
    }
}

#[test]
fn writable_interest_always_on() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, Wrong::AlwaysWritable),
        ..SOLUTION
    };
    assert_rejected(
        ch05::idle_clients_cost_no_cpu(&mistake),
        "ask for writable only while a connection has something to send",
    );
}

#[test]
fn a_blocking_read_after_readiness() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, Wrong::BlockingReads),
        ..SOLUTION
    };
    assert_rejected(
        ch05::a_stalled_client_does_not_delay_others(&mistake),
        "a second read that waits blocks every client",
    );
}

#[test]
fn closed_clients_kept_in_the_master_list() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, Wrong::KeepsClosedClients),
        ..SOLUTION
    };
    assert_rejected(
        ch05::vanished_clients_free_their_slot(&mistake),
        "are still open on the server (CLOSE_WAIT)",
    );
}

#[test]
fn no_check_against_fd_setsize() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, Wrong::NoFdSetsizeCheck),
        ..SOLUTION
    };
    assert_rejected(
        ch05::refuses_a_connection_past_fd_setsize(&mistake),
        "FdSet::insert panics past it",
    );
}

#[test]
fn a_blocking_write_to_a_slow_reader() {
    let mistake = Lab {
        serve: |listener| wrong_serve(listener, Wrong::BlockingWrites),
        ..SOLUTION
    };
    assert_rejected(
        ch05::a_slow_reader_gets_everything_back(&mistake),
        "a blocking write to the slow client stalls every client",
    );
}
