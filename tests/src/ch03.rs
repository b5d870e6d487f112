//! Checks for chapter 3, "send and recv: partial I/O and framing".
//!
//! Most checks hand the lab a [`Faulty`] stream: it moves a few bytes per
//! call and is sometimes interrupted, exactly as a socket may. The last ones
//! put a real TCP connection through a [`Proxy`] that cuts and joins the
//! bytes on the way.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use crate::alloc::largest_allocation;
use crate::faults::{Chunking, Endless, Faults, Faulty, Plan, Proxy, TakesNothing, pair};
use crate::harness::{Failure, Outcome, ensure, learner};
use crate::net::{
    accept, grader_listener, outcome, quoted, read_until_closed, returned_error, send,
};
use crate::snapshot;

/// The lab's functions, handed to the grader by `tests/grade.rs`. `M` is
/// the lab's message socket type.
pub struct Lab<M> {
    pub send_all: fn(&mut dyn Write, &[u8]) -> io::Result<()>,
    pub recv_exact: fn(&mut dyn Read, &mut [u8]) -> io::Result<()>,
    pub recv_until_closed: fn(&mut dyn Read, usize) -> io::Result<Vec<u8>>,
    pub read_line: fn(&mut dyn BufRead, usize) -> io::Result<Option<String>>,
    pub write_frame: fn(&mut dyn Write, &[u8]) -> io::Result<()>,
    pub read_frame: ReadFrame,
    pub request: fn(SocketAddr, &[u8], usize) -> io::Result<Vec<u8>>,
    pub message_socket: fn(TcpStream, usize) -> M,
    pub send_message: fn(&mut M, &[u8]) -> io::Result<()>,
    pub recv_message: fn(&mut M) -> io::Result<Option<Vec<u8>>>,
}

/// `read_frame(input, max_len)`: one frame, or `None` at a clean end.
pub type ReadFrame = fn(&mut dyn Read, usize) -> io::Result<Option<Vec<u8>>>;

/// A check of this chapter.
pub type Check<M> = fn(&Lab<M>) -> Outcome;

/// Every check of chapter 3, by name, in the order `grade.rs` lists them.
pub fn checks<M: Send + 'static>() -> Vec<(&'static str, Check<M>)> {
    vec![
        (
            "send_all_survives_short_writes",
            send_all_survives_short_writes,
        ),
        (
            "send_all_retries_when_interrupted",
            send_all_retries_when_interrupted,
        ),
        (
            "send_all_stops_on_a_stream_that_takes_nothing",
            send_all_stops_on_a_stream_that_takes_nothing,
        ),
        (
            "recv_exact_collects_the_pieces",
            recv_exact_collects_the_pieces,
        ),
        (
            "recv_exact_reports_an_early_close",
            recv_exact_reports_an_early_close,
        ),
        (
            "lines_arrive_whole_however_they_are_cut",
            lines_arrive_whole_however_they_are_cut,
        ),
        (
            "an_overlong_line_is_refused_without_buffering_it",
            an_overlong_line_is_refused_without_buffering_it,
        ),
        (
            "invalid_utf8_is_reported_and_skipped",
            invalid_utf8_is_reported_and_skipped,
        ),
        (
            "a_half_line_then_close_is_an_error",
            a_half_line_then_close_is_an_error,
        ),
        ("frames_round_trip", frames_round_trip),
        (
            "a_huge_length_header_is_refused_without_allocating",
            a_huge_length_header_is_refused_without_allocating,
        ),
        (
            "a_half_frame_then_close_is_an_error",
            a_half_frame_then_close_is_an_error,
        ),
        (
            "recv_until_closed_keeps_to_its_limit",
            recv_until_closed_keeps_to_its_limit,
        ),
        (
            "request_ends_with_a_half_close",
            request_ends_with_a_half_close,
        ),
        (
            "messages_survive_a_rechunking_proxy",
            messages_survive_a_rechunking_proxy,
        ),
        (
            "a_16_mib_message_survives_a_pausing_proxy",
            a_16_mib_message_survives_a_pausing_proxy,
        ),
        (
            "message_socket_refuses_an_oversized_message",
            message_socket_refuses_an_oversized_message,
        ),
    ]
}

/// Bytes that are easy to tell apart: position `i` holds `i % 251`.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// `send_all` writes every byte to a stream that takes 1 to 7 per call.
pub fn send_all_survives_short_writes<M>(lab: &Lab<M>) -> Outcome {
    let data = pattern(1000);
    let send_all = lab.send_all;
    let (result, written) = learner("send_all")
        .waiting_for("is it looping on a write that returns 0?")
        .run(move || {
            let mut out = Faulty::new(Vec::new(), Faults::short(7, 11));
            let result = send_all(&mut out, &data);
            (result, out.inner)
        })?;
    result.map_err(|e| returned_error("send_all", e))?;
    ensure(written == pattern(1000), || {
        format!(
            "send_all wrote {} of 1000 bytes to a stream that takes a few bytes per write: \
             write returns how many bytes it took, often fewer than you gave it - loop until \
             every byte is written - see 3.1",
            written.len()
        )
    })
}

/// `send_all` retries a write that a signal interrupted.
pub fn send_all_retries_when_interrupted<M>(lab: &Lab<M>) -> Outcome {
    let send_all = lab.send_all;
    let (result, written) = learner("send_all").run(move || {
        let mut out = Faulty::new(Vec::new(), Faults::interrupted(64, 12));
        let result = send_all(&mut out, &pattern(1000));
        (result, out.inner)
    })?;
    match result {
        Err(e) if e.kind() == ErrorKind::Interrupted => Err(Failure::new(
            "send_all gave up on ErrorKind::Interrupted: a signal interrupted the call and \
             nothing went wrong - try the same write again - see 3.1",
        )),
        Err(e) => Err(returned_error("send_all", e)),
        Ok(()) => ensure(written == pattern(1000), || {
            format!("send_all wrote {} of 1000 bytes - see 3.1", written.len())
        }),
    }
}

/// `send_all` on a stream whose `write` returns `Ok(0)`: a `WriteZero`
/// error, not an endless loop.
pub fn send_all_stops_on_a_stream_that_takes_nothing<M>(lab: &Lab<M>) -> Outcome {
    let send_all = lab.send_all;
    let result = learner("send_all")
        .waiting_for(
            "write returned Ok(0): that stream will never take the rest; return an \
             ErrorKind::WriteZero error instead of trying for ever - see 3.1",
        )
        .run(move || send_all(&mut TakesNothing, b"hello"))?;
    match result {
        Err(e) if e.kind() == ErrorKind::WriteZero => Ok(()),
        other => Err(Failure::new(format!(
            "send_all returned {} on a stream that took none of the 5 bytes: \
             return an ErrorKind::WriteZero error - see 3.1",
            outcome(&other)
        ))),
    }
}

/// `recv_exact` fills its buffer from a stream that gives 1 to 7 bytes per
/// read, sometimes interrupted.
pub fn recv_exact_collects_the_pieces<M>(lab: &Lab<M>) -> Outcome {
    let recv_exact = lab.recv_exact;
    let (result, buffer) = learner("recv_exact").run(move || {
        let data = pattern(1000);
        let mut input = Faulty::new(&data[..], Faults::interrupted(7, 13));
        let mut buffer = vec![0u8; 1000];
        let result = recv_exact(&mut input, &mut buffer);
        (result, buffer)
    })?;
    match result {
        Err(e) if e.kind() == ErrorKind::Interrupted => Err(Failure::new(
            "recv_exact gave up on ErrorKind::Interrupted: nothing went wrong, read again - see 3.1",
        )),
        Err(e) => Err(returned_error("recv_exact", e)),
        Ok(()) => ensure(buffer == pattern(1000), || {
            "recv_exact returned Ok, but the buffer does not hold the 1000 bytes sent: one read \
             returns only what has arrived - keep reading into the rest of the buffer - see 3.1"
                .to_string()
        }),
    }
}

/// `recv_exact` on a stream that ends early: `UnexpectedEof`, at once.
pub fn recv_exact_reports_an_early_close<M>(lab: &Lab<M>) -> Outcome {
    let recv_exact = lab.recv_exact;
    let result = learner("recv_exact")
        .waiting_for(
            "read returned 0: the peer closed, for good - 0 never means \"no data yet\"; \
             return ErrorKind::UnexpectedEof - see 3.1",
        )
        .run(move || {
            let data = pattern(10);
            let mut input = Faulty::new(&data[..], Faults::short(3, 14));
            recv_exact(&mut input, &mut [0u8; 20])
        })?;
    match result {
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(()),
        other => Err(Failure::new(format!(
            "recv_exact wanted 20 bytes, the stream ended after 10, and it returned {}: \
             an incomplete message is an ErrorKind::UnexpectedEof error - see 3.1",
            outcome(&other)
        ))),
    }
}

/// Calls `read_line` until the end (or 12 times) on `input`, and writes
/// down what each call returned.
fn lines_transcript(
    read_line: fn(&mut dyn BufRead, usize) -> io::Result<Option<String>>,
    input: Vec<u8>,
    faults: Faults,
    max_len: usize,
) -> Result<String, Failure> {
    learner("read_line")
        .waiting_for("is it waiting for more after read returned 0 (the end)?")
        .run(move || {
            let mut reader = BufReader::with_capacity(8, Faulty::new(&input[..], faults));
            let mut transcript = String::new();
            for _ in 0..12 {
                let result = read_line(&mut reader, max_len);
                let _ = writeln!(transcript, "{}", outcome(&result));
                if matches!(result, Ok(None)) {
                    break;
                }
            }
            transcript
        })
}

/// Lines cut into random small pieces (and interrupted) come out whole,
/// `\r\n` and UTF-8 included.
pub fn lines_arrive_whole_however_they_are_cut<M>(lab: &Lab<M>) -> Outcome {
    let text = "hello\nworld\r\n\nsocklab speaks UTF-8: h\u{e9}llo \u{2713}\nlast line\n";
    let transcript = lines_transcript(
        lab.read_line,
        text.as_bytes().to_vec(),
        Faults::interrupted(5, 15),
        100,
    )?;
    snapshot::matches(
        "ch03_lines",
        &transcript,
        "read_line returned something else than the lines sent: collect bytes up to the \
         \\n, however many reads that takes - see 3.3",
    )
}

/// A line longer than the maximum is refused after `max_len + 1` bytes,
/// without buffering the rest (16 MiB of one line, here).
pub fn an_overlong_line_is_refused_without_buffering_it<M>(lab: &Lab<M>) -> Outcome {
    let read_line = lab.read_line;
    let (result, largest) =
        learner("read_line")
            .within(Duration::from_secs(10))
            .run(move || {
                let mut reader = BufReader::new(Endless {
                    byte: b'a',
                    left: 16 << 20,
                });
                largest_allocation(|| {
                    read_line(&mut reader, 1024).map(|line| line.map(|l| l.len()))
                })
            })?;
    ensure(largest < 1 << 20, || {
        format!(
            "read_line allocated {largest} bytes for one line when the limit is 1024: stop \
             after max_len + 1 bytes (Read::take) - a peer must not decide how much memory \
             you use - see 3.3"
        )
    })?;
    match result {
        Err(e) if e.kind() == ErrorKind::InvalidData => Ok(()),
        other => Err(Failure::new(format!(
            "read_line returned {} for a line longer than max_len (1024): that is an \
             ErrorKind::InvalidData error - see 3.3",
            outcome(&other)
        ))),
    }
}

/// A line that is not UTF-8 is an `InvalidData` error (no panic), and the
/// next line still reads.
pub fn invalid_utf8_is_reported_and_skipped<M>(lab: &Lab<M>) -> Outcome {
    let transcript = lines_transcript(
        lab.read_line,
        b"caf\xe9\nnext\n".to_vec(),
        Faults::short(3, 16),
        100,
    )?;
    snapshot::matches(
        "ch03_invalid_utf8",
        &transcript,
        "a line that is not UTF-8 is an ErrorKind::InvalidData error, and that line is \
         consumed, so the next call reads the next line - see 3.3",
    )
}

/// Half a line then the end is `UnexpectedEof`; a clean end is `Ok(None)`.
pub fn a_half_line_then_close_is_an_error<M>(lab: &Lab<M>) -> Outcome {
    let transcript = lines_transcript(
        lab.read_line,
        b"complete\npartial".to_vec(),
        Faults::short(4, 17),
        100,
    )?;
    snapshot::matches(
        "ch03_half_line",
        &transcript,
        "the stream ended in the middle of a line: that is an ErrorKind::UnexpectedEof \
         error, not a line - see 3.3",
    )
}

/// Frames written through a short-writing stream read back through a
/// short-reading one, empty frames included; the header is big-endian.
pub fn frames_round_trip<M>(lab: &Lab<M>) -> Outcome {
    let (write_frame, read_frame) = (lab.write_frame, lab.read_frame);
    let payloads: Vec<Vec<u8>> = vec![b"hello".to_vec(), Vec::new(), pattern(300), b"bye".to_vec()];
    let to_write = payloads.clone();
    let written = learner("write_frame")
        .run(move || {
            let mut out = Faulty::new(Vec::new(), Faults::interrupted(5, 18));
            for payload in &to_write {
                write_frame(&mut out, payload)?;
            }
            Ok::<_, io::Error>(out.inner)
        })?
        .map_err(|e| returned_error("write_frame", e))?;
    let header: Vec<String> = written.iter().take(9).map(|b| format!("{b:02x}")).collect();
    let encoded = encode_frames(&payloads);

    let read = learner("read_frame").run(move || {
        let mut input = Faulty::new(&encoded[..], Faults::interrupted(3, 19));
        let mut frames = Vec::new();
        for _ in 0..6 {
            let frame = read_frame(&mut input, 1000);
            let done = !matches!(frame, Ok(Some(_)));
            frames.push(match frame {
                Ok(Some(bytes)) => format!("Ok(Some({}))", describe_payload(&bytes)),
                other => outcome(&other),
            });
            if done {
                break;
            }
        }
        frames
    })?;
    let mut transcript = format!("write_frame(\"hello\") starts with: {}\n", header.join(" "));
    let _ = writeln!(
        transcript,
        "write_frame wrote {} bytes for 4 frames",
        written.len()
    );
    for frame in &read {
        let _ = writeln!(transcript, "read_frame: {frame}");
    }
    snapshot::matches(
        "ch03_frames",
        &transcript,
        "frames did not survive the round trip: the header is the length as 4 bytes, \
         big-endian (u32::to_be_bytes), then the payload - see 3.4",
    )
}

/// The grader's own frame encoding: the reference for the lab's.
fn encode_frames(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for payload in payloads {
        bytes.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        bytes.extend_from_slice(payload);
    }
    bytes
}

fn describe_payload(bytes: &[u8]) -> String {
    if bytes.len() <= 16 {
        quoted(bytes)
    } else if bytes == pattern(bytes.len()) {
        format!("{} bytes, all correct", bytes.len())
    } else {
        format!("{} bytes, not the ones sent", bytes.len())
    }
}

/// A header that announces 4 GiB is an `InvalidData` error, and nothing
/// near that size is allocated; a frame of exactly the maximum is fine.
pub fn a_huge_length_header_is_refused_without_allocating<M>(lab: &Lab<M>) -> Outcome {
    let read_frame = lab.read_frame;
    let (result, largest) =
        learner("read_frame")
            .within(Duration::from_secs(10))
            .run(move || {
                let mut input: Vec<u8> = vec![0xff, 0xff, 0xff, 0xff];
                input.extend_from_slice(&pattern(100));
                largest_allocation(|| {
                    read_frame(&mut &input[..], 1 << 20).map(|f| f.map(|b| b.len()))
                })
            })?;
    ensure(largest < 2 << 20, || {
        format!(
            "read_frame allocated {largest} bytes because the header said 4 GiB (the limit is \
             1 MiB): compare the length with max_len before you allocate - a header is the \
             peer's claim, not a fact - see 3.4"
        )
    })?;
    match result {
        Err(e) if e.kind() == ErrorKind::InvalidData => {}
        other => {
            return Err(Failure::new(format!(
                "read_frame returned {} for a header announcing 4294967295 bytes with a limit \
                 of 1 MiB: that is an ErrorKind::InvalidData error - see 3.4",
                outcome(&other)
            )));
        }
    }
    let exactly_max = encode_frames(&[pattern(1000)]);
    let at_limit = learner("read_frame")
        .run(move || read_frame(&mut &exactly_max[..], 1000).map(|f| f.map(|b| b.len())))?;
    ensure(matches!(at_limit, Ok(Some(1000))), || {
        format!(
            "read_frame returned {} for a frame of exactly max_len (1000) bytes: max_len \
             itself is allowed - see 3.4",
            outcome(&at_limit)
        )
    })
}

/// Half a frame then the end is `UnexpectedEof`, inside the header or
/// inside the payload; a clean end is `Ok(None)`.
pub fn a_half_frame_then_close_is_an_error<M>(lab: &Lab<M>) -> Outcome {
    let read_frame = lab.read_frame;
    let cases: [(&str, Vec<u8>); 3] = [
        ("no bytes at all", Vec::new()),
        ("2 bytes of a header", vec![0, 0]),
        ("a header for 10 bytes, then 4 bytes", {
            let mut bytes = 10u32.to_be_bytes().to_vec();
            bytes.extend_from_slice(b"abcd");
            bytes
        }),
    ];
    let transcript = learner("read_frame")
        .waiting_for("is it waiting for more after read returned 0 (the end)?")
        .run(move || {
            let mut transcript = String::new();
            for (what, bytes) in cases {
                let mut input = Faulty::new(&bytes[..], Faults::short(2, 20));
                let result = read_frame(&mut input, 1000).map(|f| f.map(|b| b.len()));
                let _ = writeln!(transcript, "{what}, then the end: {}", outcome(&result));
            }
            transcript
        })?;
    snapshot::matches(
        "ch03_half_frame",
        &transcript,
        "a stream that ends inside a header or a payload is an ErrorKind::UnexpectedEof \
         error; one that ends between frames gives Ok(None) - see 3.4",
    )
}

/// `recv_until_closed` returns everything up to the end, in pieces and
/// interrupted, and refuses a stream longer than its limit.
pub fn recv_until_closed_keeps_to_its_limit<M>(lab: &Lab<M>) -> Outcome {
    let recv_until_closed = lab.recv_until_closed;
    let (within, over) = learner("recv_until_closed")
        .waiting_for("read returned 0: the peer closed, for good - return what you have - see 3.5")
        .run(move || {
            let data = pattern(1000);
            let within = recv_until_closed(
                &mut Faulty::new(&data[..], Faults::interrupted(50, 23)),
                1000,
            );
            let over = recv_until_closed(&mut Faulty::new(&data[..], Faults::short(50, 24)), 999);
            (within, over)
        })?;
    match within {
        Ok(bytes) if bytes == pattern(1000) => {}
        Ok(bytes) => {
            return Err(Failure::new(format!(
                "recv_until_closed returned {}, the stream held 1000 bytes and then ended: keep \
                 reading until read returns 0 - see 3.5",
                describe_payload(&bytes)
            )));
        }
        Err(e) => {
            return Err(returned_error(
                "recv_until_closed (1000 bytes, limit 1000)",
                e,
            ));
        }
    }
    ensure(
        matches!(&over, Err(e) if e.kind() == ErrorKind::InvalidData),
        || {
            format!(
                "recv_until_closed with a limit of 999 returned {} for a 1000-byte stream: more \
                 than the limit is an ErrorKind::InvalidData error - never grow without a bound \
                 - see 3.5",
                outcome(
                    &over
                        .as_ref()
                        .map(|b| b.len())
                        .map_err(|e| io::Error::from(e.kind()))
                )
            )
        },
    )
}

/// `request` half-closes after sending, and reads the reply to the end.
pub fn request_ends_with_a_half_close<M>(lab: &Lab<M>) -> Outcome {
    let listener = grader_listener()?;
    let server = listener
        .local_addr()
        .map_err(|e| Failure::new(e.to_string()))?;
    let request = lab.request;
    let asked = learner("request")
        .waiting_for("is it reading the reply until the server closes?")
        .spawn(move || request(server, b"GET /time", 1000));
    let served = (|| {
        let mut connection = accept(&listener, "did request connect to the server?")?;
        let received = read_until_closed(
            &mut connection,
            "the server is still waiting for the end of your request: shut down your sending \
             side (stream.shutdown(Shutdown::Write)) so that it reads 0 - see 3.5",
        )?;
        // Errors are ignored here: what the lab received tells the story.
        for piece in [&b"it is "[..], b"half past ", b"ten"] {
            let _ = connection.write_all(piece);
            thread::sleep(Duration::from_millis(10));
        }
        Ok(received)
    })();
    let received = asked.blame(served)?;
    // Shutdown::Both loses the reply one of two ways, depending on which
    // comes first: the lab's read (it returns 0 at once) or the reply (the
    // kernel answers bytes for a socket that stopped reading with a reset).
    let both = "Shutdown::Both also ends your reading side, so the reply is lost - shut down \
                only the sending side, Shutdown::Write";
    let reply = asked.wait()?.map_err(|e| {
        if e.kind() == io::ErrorKind::ConnectionReset {
            Failure::new(format!(
                "request returned an error: {e}: the server's reply reached a socket that no \
                 longer reads. {both} - see 3.5"
            ))
        } else {
            returned_error("request", e)
        }
    })?;
    ensure(received == b"GET /time", || {
        format!(
            "the server received {}, not \"GET /time\" - see 3.5",
            quoted(&received)
        )
    })?;
    ensure(reply == b"it is half past ten", || {
        format!(
            "request returned {}, the server sent \"it is half past ten\" in three pieces, \
             then closed: read until read returns 0{} - see 3.5",
            quoted(&reply),
            if reply.is_empty() {
                format!(" ({both})")
            } else {
                String::new()
            }
        )
    })
}

/// Runs the grader's frame echo server: it answers every frame with the
/// same frame, until the client closes.
fn frame_echo_server() -> Result<SocketAddr, Failure> {
    let listener = TcpListener::bind(crate::net::any_port_v4())
        .map_err(|e| Failure::new(format!("the grader could not listen: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::new(e.to_string()))?;
    thread::spawn(move || {
        if let Ok((mut connection, _)) = listener.accept() {
            let mut header = [0u8; 4];
            while connection.read_exact(&mut header).is_ok() {
                let mut payload = vec![0u8; u32::from_be_bytes(header) as usize];
                if connection.read_exact(&mut payload).is_err()
                    || connection.write_all(&header).is_err()
                    || connection.write_all(&payload).is_err()
                {
                    break;
                }
            }
        }
    });
    Ok(addr)
}

/// Sends `messages` through a message socket connected to `server`, then
/// receives as many; returns what came back.
fn exchange_messages<M: Send + 'static>(
    lab: &Lab<M>,
    server: SocketAddr,
    messages: Vec<Vec<u8>>,
    max_len: usize,
    limit: Duration,
) -> Result<Vec<io::Result<Option<Vec<u8>>>>, Failure> {
    let stream = TcpStream::connect(server)
        .map_err(|e| Failure::new(format!("the grader could not connect: {e}")))?;
    let (new, send_message, recv_message) =
        (lab.message_socket, lab.send_message, lab.recv_message);
    learner("MessageSocket")
        .within(limit)
        .waiting_for(
            "recv is still waiting: did an earlier recv take more than one message in one \
             read? one read is not one message - read the 4-byte header, then exactly that \
             many bytes - see 3.6",
        )
        .run(move || {
            let mut socket = new(stream, max_len);
            for message in &messages {
                if let Err(e) = send_message(&mut socket, message) {
                    return vec![Err(e)];
                }
            }
            messages.iter().map(|_| recv_message(&mut socket)).collect()
        })
}

/// Messages arrive whole and in order through a proxy that forwards one
/// byte at a time, joins several messages into one segment, or splits a
/// length header.
pub fn messages_survive_a_rechunking_proxy<M: Send + 'static>(lab: &Lab<M>) -> Outcome {
    let messages: Vec<Vec<u8>> = vec![
        b"first".to_vec(),
        b"second message".to_vec(),
        Vec::new(),
        pattern(40),
        b"last".to_vec(),
    ];
    let plans = [
        ("one byte at a time", Chunking::OneByte),
        ("messages joined", Chunking::Coalesce),
        ("header split", Chunking::CutAt(vec![2, 7, 11, 29])),
    ];
    let mut transcript = String::new();
    for (name, chunking) in plans {
        let proxy = Proxy::start(
            frame_echo_server()?,
            Plan::new(chunking.clone()),
            Plan::new(chunking),
        )?;
        let back = exchange_messages(
            lab,
            proxy.addr,
            messages.clone(),
            1000,
            Duration::from_secs(5),
        )?;
        let _ = writeln!(transcript, "{name}:");
        for message in &back {
            let shown = match message {
                Ok(Some(bytes)) => format!("Ok(Some({}))", describe_payload(bytes)),
                other => outcome(other),
            };
            let _ = writeln!(transcript, "  {shown}");
        }
    }
    snapshot::matches(
        "ch03_message_socket_proxy",
        &transcript,
        "messages came back cut, joined or out of order: one read is not one message - read \
         the 4-byte header, then exactly that many bytes - see 3.6",
    )
}

/// A 16 MiB message echoes back byte for byte through a proxy that cuts it
/// into random pieces and pauses in the middle.
pub fn a_16_mib_message_survives_a_pausing_proxy<M: Send + 'static>(lab: &Lab<M>) -> Outcome {
    const SIZE: usize = 16 << 20;
    let plan = |seed| Plan {
        chunking: Chunking::Random {
            max: 64 * 1024,
            seed,
        },
        pause: Some((SIZE / 2, Duration::from_millis(300))),
    };
    let proxy = Proxy::start(frame_echo_server()?, plan(21), plan(22))?;
    let back = exchange_messages(
        lab,
        proxy.addr,
        vec![pattern(SIZE)],
        32 << 20,
        Duration::from_secs(60),
    )?;
    match back.into_iter().next() {
        Some(Ok(Some(bytes))) if bytes.len() == SIZE && bytes == pattern(SIZE) => Ok(()),
        Some(Ok(Some(bytes))) => Err(Failure::new(format!(
            "a 16 MiB message came back as {}: keep reading until the whole payload is \
             there - see 3.6",
            describe_payload(&bytes)
        ))),
        Some(other) => Err(Failure::new(format!(
            "sending and receiving a 16 MiB message gave {} - see 3.6",
            outcome(&other)
        ))),
        None => Err(Failure::new(
            "recv returned nothing for the 16 MiB message - see 3.6",
        )),
    }
}

/// A message over the limit is refused before anything is sent, and an
/// incoming frame over the limit is an error.
pub fn message_socket_refuses_an_oversized_message<M: Send + 'static>(lab: &Lab<M>) -> Outcome {
    let (lab_end, mut grader_end) = pair()?;
    let (new, send_message, recv_message) =
        (lab.message_socket, lab.send_message, lab.recv_message);
    let socket = learner("MessageSocket::send").run(move || {
        let mut socket = new(lab_end, 100);
        let result = send_message(&mut socket, &pattern(101));
        (result, socket)
    })?;
    let (sent, mut socket) = socket;
    ensure(
        matches!(&sent, Err(e) if e.kind() == ErrorKind::InvalidInput),
        || {
            format!(
                "send of a 101-byte message on a socket limited to 100 returned {}: refuse it \
                 with an ErrorKind::InvalidInput error - see 3.6",
                outcome(&sent)
            )
        },
    )?;
    grader_end
        .set_read_timeout(Some(Duration::from_millis(300)))
        .map_err(|e| Failure::new(e.to_string()))?;
    let mut leaked = [0u8; 1];
    ensure(grader_end.read(&mut leaked).is_err(), || {
        "send refused the message but still sent bytes of it: check the size before \
         writing anything - see 3.6"
            .to_string()
    })?;
    let mut oversized = 101u32.to_be_bytes().to_vec();
    oversized.extend_from_slice(&pattern(101));
    send(&mut grader_end, &oversized)?;
    grader_end
        .shutdown(Shutdown::Write)
        .map_err(|e| Failure::new(e.to_string()))?;
    let received = learner("MessageSocket::recv").run(move || recv_message(&mut socket))?;
    ensure(
        matches!(&received, Err(e) if e.kind() == ErrorKind::InvalidData),
        || {
            format!(
                "recv of a 101-byte frame on a socket limited to 100 returned {}: that is an \
                 ErrorKind::InvalidData error - see 3.6",
                outcome(&received.map(|m| m.map(|b| b.len())))
            )
        },
    )
}
