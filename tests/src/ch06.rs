//! Checks for chapter 6, "The chat room".
//!
//! First the room's logic alone (a pure state machine: events in, messages
//! out), then the server around it, played against by many raw TCP clients,
//! one of which may never read, reset, or send hostile bytes.

use std::fmt::{Debug, Write as _};
use std::io::{self, BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::faults::reset;
use crate::harness::{Failure, LIMIT, Outcome, Pending, ensure, learner};
use crate::net::{
    Chat, Program, announced_address, connect, is_timeout, send, serve_in_background,
};
use crate::proc_net::{tcp_buffer_limits, wait_until_read};
use crate::snapshot;

/// The lab's room, line handling, server and programs, handed to the
/// grader by `tests/grade.rs`. `R` is the room, `O` an outgoing message,
/// `B` the line buffer.
pub struct Lab<R, O, B> {
    pub new_room: fn() -> R,
    pub join: fn(&mut R, u64) -> Vec<O>,
    pub line: fn(&mut R, u64, &str) -> Vec<O>,
    pub leave: fn(&mut R, u64) -> Vec<O>,
    pub new_line_buffer: fn() -> B,
    pub push: fn(&mut B, &[u8]) -> Vec<Vec<u8>>,
    pub sanitize: fn(&[u8]) -> String,
    pub serve: fn(TcpListener) -> io::Result<()>,
    pub server_program: &'static str,
    pub client_program: &'static str,
}

/// A check of this chapter.
pub type Check<R, O, B> = fn(&Lab<R, O, B>) -> Outcome;

/// Every check of chapter 6, by name, in the order `grade.rs` lists them.
pub fn checks<R: Send + 'static, O: Debug + 'static, B: Send + 'static>()
-> Vec<(&'static str, Check<R, O, B>)> {
    vec![
        ("room_transcript", room_transcript),
        ("names_follow_the_rules", names_follow_the_rules),
        (
            "a_line_is_never_sent_back_to_its_sender",
            a_line_is_never_sent_back_to_its_sender,
        ),
        (
            "line_buffer_reassembles_and_caps",
            line_buffer_reassembles_and_caps,
        ),
        (
            "sanitize_strips_what_drives_a_terminal",
            sanitize_strips_what_drives_a_terminal,
        ),
        ("server_transcript", server_transcript),
        (
            "a_line_in_pieces_arrives_whole",
            a_line_in_pieces_arrives_whole,
        ),
        (
            "a_slow_reader_does_not_stall_the_room",
            a_slow_reader_does_not_stall_the_room,
        ),
        ("hostile_lines_are_cleaned", hostile_lines_are_cleaned),
        ("a_reset_client_is_announced", a_reset_client_is_announced),
        ("two_hundred_clients", two_hundred_clients),
        ("the_programs_talk", the_programs_talk),
    ]
}

/// Runs a script of room events and writes down every message sent.
fn room_script<R: Send + 'static, O: Debug + 'static, B>(
    lab: &Lab<R, O, B>,
    script: Vec<(&'static str, u64, &'static str)>,
) -> Result<String, Failure> {
    let (new_room, join, line, leave) = (lab.new_room, lab.join, lab.line, lab.leave);
    learner("Room").run(move || {
        let mut room = new_room();
        let mut transcript = String::new();
        for (event, id, text) in script {
            let out = match event {
                "join" => join(&mut room, id),
                "leave" => leave(&mut room, id),
                _ => line(&mut room, id, text),
            };
            let _ = writeln!(transcript, "{event} {id} {text:?}");
            for message in out {
                let _ = writeln!(transcript, "  {message:?}");
            }
        }
        transcript
    })
}

/// Joins, messages and departures: who hears what.
pub fn room_transcript<R: Send + 'static, O: Debug + 'static, B>(lab: &Lab<R, O, B>) -> Outcome {
    let transcript = room_script(
        lab,
        vec![
            ("join", 1, ""),
            ("join", 2, ""),
            ("line", 1, "hello, is anyone here?"),
            ("join", 3, ""),
            ("line", 2, "  yes, me  "),
            ("line", 3, ""),
            ("leave", 1, ""),
            ("line", 3, "/quit"),
            ("line", 2, "alone now"),
        ],
    )?;
    snapshot::matches(
        "ch06_room",
        &transcript,
        "the room sent other messages than expected: joins and departures go to everyone \
         else, a line to everyone but its sender - see 6.2",
    )
}

/// /nick: valid names are taken, taken names are refused, and everyone
/// hears a change.
pub fn names_follow_the_rules<R: Send + 'static, O: Debug + 'static, B>(
    lab: &Lab<R, O, B>,
) -> Outcome {
    let transcript = room_script(
        lab,
        vec![
            ("join", 1, ""),
            ("join", 2, ""),
            ("line", 1, "/nick alice"),
            ("line", 2, "/nick ALICE"),
            ("line", 2, "/nick bob smith"),
            ("line", 2, "/nick this-name-is-far-too-long"),
            ("line", 2, "/nick bob"),
            ("line", 2, "hi alice"),
            ("line", 1, "/dance"),
        ],
    )?;
    snapshot::matches(
        "ch06_names",
        &transcript,
        "/nick NAME went wrong: a name is 1 to 16 letters, digits, - or _, unique \
         (whatever the case); a refusal goes to the asker only - see 6.2",
    )
}

/// The `to: N` of a message's `Debug` text.
fn recipient(message: &str) -> Option<u64> {
    let at = message.find("to: ")? + 4;
    message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// With five people in the room, nobody's line comes back to them.
pub fn a_line_is_never_sent_back_to_its_sender<R: Send + 'static, O: Debug + 'static, B>(
    lab: &Lab<R, O, B>,
) -> Outcome {
    let (new_room, join, line) = (lab.new_room, lab.join, lab.line);
    let sent = learner("Room::line").run(move || {
        let mut room = new_room();
        for id in 1..=5 {
            join(&mut room, id);
        }
        (1..=5)
            .map(|id| {
                (
                    id,
                    line(&mut room, id, "a line")
                        .iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    })?;
    for (sender, messages) in sent {
        let to: Vec<u64> = messages.iter().filter_map(|m| recipient(m)).collect();
        ensure(!to.contains(&sender), || {
            format!(
                "client {sender}'s line was sent back to client {sender}: it already sees what \
                 it typed; relay to everyone but the sender - see 6.2"
            )
        })?;
        ensure(to.len() == 4, || {
            format!("client {sender}'s line went to {to:?}: it should reach the 4 others - see 6.2")
        })?;
    }
    Ok(())
}

/// Lines cut anywhere are put back together; a line past the limit is cut
/// at 512 bytes and the rest of it dropped.
pub fn line_buffer_reassembles_and_caps<R, O, B: Send + 'static>(lab: &Lab<R, O, B>) -> Outcome {
    let (new, push) = (lab.new_line_buffer, lab.push);
    let transcript = learner("LineBuffer::push").run(move || {
        let mut buffer = new();
        let long = vec![b'x'; 1500];
        let pieces: Vec<&[u8]> = vec![b"hel", b"lo\nwor", b"ld\n\nthree\nfo", &long, b"\nafter\n"];
        let mut transcript = String::new();
        for piece in pieces {
            let lines = push(&mut buffer, piece);
            let shown: Vec<String> = lines
                .iter()
                .map(|l| {
                    if l.len() > 20 {
                        format!("{} bytes", l.len())
                    } else {
                        format!("{:?}", String::from_utf8_lossy(l))
                    }
                })
                .collect();
            let _ = writeln!(
                transcript,
                "push {} bytes -> {}",
                piece.len(),
                shown.join(", ")
            );
        }
        transcript
    })?;
    snapshot::matches(
        "ch06_line_buffer",
        &transcript,
        "LineBuffer must return each complete line once, keep a partial one for later, and \
         cut a line at 512 bytes (dropping the rest of it) - see 6.4",
    )
}

/// Escape sequences, bells and invalid UTF-8 never reach another's screen.
pub fn sanitize_strips_what_drives_a_terminal<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let sanitize = lab.sanitize;
    let transcript = learner("sanitize").run(move || {
        let samples: [&[u8]; 5] = [
            b"plain text",
            b"\x1b[2J\x1b[Hcleared your screen",
            b"ding\x07 and\ttab\r",
            b"caf\xe9 \xff\xfe",
            "h\u{e9}llo \u{2713}".as_bytes(),
        ];
        samples
            .iter()
            .map(|raw| format!("{:?} -> {:?}", String::from_utf8_lossy(raw), sanitize(raw)))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    snapshot::matches(
        "ch06_sanitize",
        &transcript,
        "sanitize must drop control characters (ESC starts every terminal escape sequence), \
         turn a tab into a space and invalid UTF-8 into U+FFFD - see 6.4",
    )
}

/// The lab's server on its own thread.
fn start_server<R, O, B>(
    lab: &Lab<R, O, B>,
) -> Result<(SocketAddr, Pending<io::Result<()>>), Failure> {
    serve_in_background(lab.serve, "learner: serve")
}

/// A client of the grader's that reads the server's lines one by one.
struct Member {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Member {
    /// Connects and waits for the welcome line.
    fn join(server: SocketAddr) -> Result<(Member, String), Failure> {
        let writer = connect(server)?;
        let reader = BufReader::new(
            writer
                .try_clone()
                .map_err(|e| Failure::new(e.to_string()))?,
        );
        let mut member = Member { reader, writer };
        let welcome =
            member.next_line("no welcome line: a client that joins is greeted - see 6.2")?;
        Ok((member, welcome))
    }

    fn say(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        send(&mut self.writer, bytes)
    }

    /// The next line from the server (at most `LIMIT` away).
    fn next_line(&mut self, waiting_for: &str) -> Result<String, Failure> {
        let mut line = Vec::new();
        match self.reader.read_until(b'\n', &mut line) {
            Ok(0) => Err(Failure::new(format!(
                "the server closed the connection: {waiting_for}"
            ))),
            Ok(_) if line.ends_with(b"\n") => {
                line.pop();
                Ok(String::from_utf8_lossy(&line).into_owned())
            }
            Ok(_) => Err(Failure::new(format!(
                "half a line, then the end: {waiting_for}"
            ))),
            Err(e) if is_timeout(&e) => Err(Failure::new(format!(
                "no line within {} s: {waiting_for}",
                LIMIT.as_secs()
            ))),
            Err(e) => Err(Failure::new(format!(
                "reading from the server failed: {e} ({waiting_for})"
            ))),
        }
    }

    /// Reads lines until one equals `wanted`; returns the lines before it.
    fn wait_for(&mut self, wanted: &str, waiting_for: &str) -> Result<Vec<String>, Failure> {
        let mut before = Vec::new();
        loop {
            let line = self.next_line(waiting_for).map_err(|f| {
                Failure::new(format!("{f}\n(waiting for {wanted:?}; got {before:?})"))
            })?;
            if line == wanted {
                return Ok(before);
            }
            before.push(line);
        }
    }
}

/// Three clients talk; the transcript of what each one received.
pub fn server_transcript<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let (server, running) = start_server(lab)?;
    let talk = (|| {
        let mut log = String::new();
        let (mut ann, welcome) = Member::join(server)?;
        let _ = writeln!(log, "ann joins, reads: {welcome}");
        let (mut bob, welcome) = Member::join(server)?;
        let _ = writeln!(log, "bob joins, reads: {welcome}");
        let _ = writeln!(
            log,
            "ann reads: {}",
            ann.next_line("others hear a join - see 6.2")?
        );
        ann.say(b"/nick ann\n")?;
        let _ = writeln!(
            log,
            "ann reads: {}",
            ann.next_line("a rename is announced to everyone - see 6.2")?
        );
        let _ = writeln!(
            log,
            "bob reads: {}",
            bob.next_line("a rename is announced to everyone - see 6.2")?
        );
        bob.say(b"hi ann\n")?;
        let _ = writeln!(
            log,
            "ann reads: {}",
            ann.next_line("a line reaches the others - see 6.2")?
        );
        let (mut cid, welcome) = Member::join(server)?;
        let _ = writeln!(log, "cid joins, reads: {welcome}");
        let _ = writeln!(
            log,
            "ann reads: {}",
            ann.next_line("others hear a join - see 6.2")?
        );
        let _ = writeln!(
            log,
            "bob reads: {}",
            bob.next_line("others hear a join - see 6.2")?
        );
        drop(bob);
        let _ = writeln!(
            log,
            "ann reads: {}",
            ann.next_line("a departure is announced - see 6.2")?
        );
        let _ = writeln!(
            log,
            "cid reads: {}",
            cid.next_line("a departure is announced - see 6.2")?
        );
        cid.say(b"/quit\n")?;
        let _ = writeln!(
            log,
            "ann reads: {}",
            ann.next_line("/quit is a departure too - see 6.2")?
        );
        // A timeout is an error here: only a real end of stream counts.
        let mut rest = Vec::new();
        let closed = cid.reader.read_to_end(&mut rest).is_ok() && rest.is_empty();
        let _ = writeln!(log, "cid's connection is closed: {closed}");
        Ok(log)
    })();
    let log = running.blame(talk)?;
    snapshot::matches(
        "ch06_server",
        &log,
        "the conversation through your server differs from the expected one - see 6.3",
    )
}

/// A line sent in three pieces, with pauses, reaches the others whole.
pub fn a_line_in_pieces_arrives_whole<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let (server, running) = start_server(lab)?;
    let talk = (|| {
        let (mut ann, _) = Member::join(server)?;
        let (mut bob, _) = Member::join(server)?;
        ann.next_line("others hear a join - see 6.2")?;
        for piece in [&b"this line "[..], b"comes in ", b"three pieces\n"] {
            bob.say(piece)?;
            // Each piece is a read of its own on the server, however busy
            // the machine: the next goes out once the server has read this.
            ensure(wait_until_read(&bob.writer), || {
                format!(
                    "the server did not read bob's {:?} within {} s: select on every client, \
                     and read from each one that is readable - see 6.3",
                    String::from_utf8_lossy(piece),
                    LIMIT.as_secs()
                )
            })?;
        }
        let got = ann.next_line("a line sent in pieces never arrived - see 6.4")?;
        ensure(got == "<guest2> this line comes in three pieces", || {
            format!(
                "bob sent one line in three pieces; ann read {got:?}: relay whole lines, not \
                 the chunks one read returns - keep a line buffer per client - see 6.4"
            )
        })
    })();
    running.blame(talk)
}

/// One client never reads while another sends lines, in batches: a third
/// receives every batch before the next goes out, the slow one is dropped
/// and the room told, and the room goes on.
///
/// The talker waits for the watcher so that the watcher is never the one
/// that falls behind, however busy the machine. All told it sends up to
/// 4 MiB more than the server's socket to the slow one can hold (8 MiB on
/// most machines): a server that never drops anyone meets that bound.
pub fn a_slow_reader_does_not_stall_the_room<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    const BATCH: usize = 80;
    const LINE: usize = 401;
    let most_lines = (tcp_buffer_limits().send + (4 << 20)) / LINE;
    let (server, running) = start_server(lab)?;
    let talk = (|| {
        let (mut watcher, _) = Member::join(server)?;
        // The slow one: a tiny receive buffer, and it never reads.
        let slow = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .and_then(|s| s.set_recv_buffer_size(4096).map(|()| s))
            .and_then(|s| s.connect(&server.into()).map(|()| s))
            .map_err(|e| Failure::new(format!("the grader could not connect: {e}")))?;
        watcher.next_line("others hear a join - see 6.2")?;
        let (mut talker, _) = Member::join(server)?;
        watcher.next_line("others hear a join - see 6.2")?;
        let text = "z".repeat(LINE - 1);
        let batch = format!("{text}\n").repeat(BATCH);
        let expected = format!("<guest3> {text}");
        let mut received = 0;
        // How many lines the watcher had when it heard that guest2 was dropped.
        let mut dropped_at: Option<usize> = None;
        let started = Instant::now();
        // After the drop, three more batches show that the room goes on.
        while received < most_lines
            && dropped_at.is_none_or(|at| received < at + 3 * BATCH)
            && started.elapsed() < Duration::from_secs(60)
        {
            talker.say(batch.as_bytes())?;
            let mut in_batch = 0;
            while in_batch < BATCH {
                let line = watcher.next_line(
                    "one client that never reads stalled the room: never wait for a slow \
                     client - queue its messages (a bounded outbox) and drop it when the queue \
                     is full - see 6.3",
                )?;
                if line == expected {
                    in_batch += 1;
                } else if line.starts_with("* guest2") {
                    dropped_at = Some(received);
                }
            }
            received += in_batch;
        }
        drop(slow);
        ensure(dropped_at.is_some(), || {
            format!(
                "the client that never read was not dropped (or the room was not told) after \
                 {received} lines of {LINE} bytes: bound each client's queue, and when it \
                 overflows, drop the client and announce it - see 6.3"
            )
        })
    })();
    running.blame(talk)
}

/// Control characters, invalid UTF-8 and an over-long line: what the
/// others receive is clean and bounded.
pub fn hostile_lines_are_cleaned<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let (server, running) = start_server(lab)?;
    let talk = (|| {
        let (mut ann, _) = Member::join(server)?;
        let (mut mallory, _) = Member::join(server)?;
        ann.next_line("others hear a join - see 6.2")?;
        mallory.say(b"\x1b[2J\x1b[31mred alert\x07\n")?;
        mallory.say(b"caf\xe9 ok\n")?;
        let mut long = vec![b'y'; 3000];
        long.push(b'\n');
        mallory.say(&long)?;
        mallory.say(b"last\n")?;
        let mut log = String::new();
        for _ in 0..4 {
            let line = ann.next_line("a line from the other client never arrived - see 6.4")?;
            let shown = if line.len() > 40 {
                let start: String = line.chars().take(12).collect();
                format!("{} bytes of {start:?}", line.len())
            } else {
                format!("{line:?}")
            };
            let _ = writeln!(log, "ann reads: {shown}");
        }
        Ok(log)
    })();
    let log = running.blame(talk)?;
    snapshot::matches(
        "ch06_hostile",
        &log,
        "what one client sends must not drive another's terminal or grow without bound: \
         sanitize every line and cut long ones - see 6.4",
    )
}

/// A client that resets its connection is dropped and announced.
pub fn a_reset_client_is_announced<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let (server, running) = start_server(lab)?;
    let talk = (|| {
        let (mut ann, _) = Member::join(server)?;
        let (rude, _) = Member::join(server)?;
        ann.next_line("others hear a join - see 6.2")?;
        reset(rude.writer);
        drop(rude.reader);
        let line =
            ann.next_line("a client that reset its connection was not announced - see 6.3")?;
        ensure(line == "* guest2 left", || {
            format!("after guest2 reset its connection, ann read {line:?} - see 6.3")
        })?;
        let (_, welcome) = Member::join(server)?;
        ensure(welcome.contains("guest3"), || {
            format!("the next client was greeted with {welcome:?}")
        })
    })();
    running.blame(talk)
}

/// 200 clients at once: one line reaches the 199 others.
pub fn two_hundred_clients<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let (server, running) = start_server(lab)?;
    let talk = (|| {
        let mut members = Vec::new();
        for _ in 0..200 {
            members.push(Member::join(server)?.0);
        }
        members[0].say(b"hello, all 199 of you\n")?;
        for (i, member) in members.iter_mut().enumerate().skip(1) {
            member.wait_for(
                "<guest1> hello, all 199 of you",
                &format!("client {} of 200 never got the line - see 6.3", i + 1),
            )?;
        }
        Ok(())
    })();
    running.blame(talk)
}

/// `chat-server` with a raw client (as `nc` would be) and `chat-client`.
pub fn the_programs_talk<R, O, B>(lab: &Lab<R, O, B>) -> Outcome {
    let mut server = Program::start(lab.server_program, &["127.0.0.1:0"])?;
    let addr = announced_address(&server.first_line, "chat-server", "standard output")?;
    let talk = (|| {
        let (mut raw, _) = Member::join(addr)?;
        let mut client = Chat::start_quiet(lab.client_program, &[&addr.to_string()])?;
        raw.next_line("others hear a join - see 6.2")?;
        client.expect_line_containing("welcome, guest2")?;
        raw.say(b"hello from nc\n")?;
        client.expect_line("<guest1> hello from nc")?;
        client.type_line("hello from chat-client")?;
        let line = raw.next_line("chat-client's line never arrived - see 6.5")?;
        ensure(line == "<guest2> hello from chat-client", || {
            format!("the raw client read {line:?} - see 6.5")
        })?;
        Ok(client)
    })();
    let mut client = server.blame(talk)?;
    drop(server.stderr_after_kill());
    client.expect_line("* the server closed the connection")?;
    client.expect_exit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_read_from_debug_text() {
        assert_eq!(recipient("Outgoing { to: 12, line: \"x\" }"), Some(12));
        assert_eq!(recipient("nothing"), None);
    }
}
