//! Checks for chapter 4, "Blocking, non-blocking and timeouts".
//!
//! The grader holds the other end of every connection and decides when
//! bytes arrive, so each check can ask "what does your code do *now*, with
//! nothing there?" and "does it give up on time?". Time limits are generous
//! lower bounds (never earlier than the deadline), never a race.

use std::fmt::Debug;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, Type};

use crate::faults::pair;
use crate::harness::{Failure, Outcome, ensure, learner};
use crate::net::{
    announced_address, any_port_v4, outcome, quoted, read_exactly, returned_error, send,
};
use crate::proc_net::wait_until_queued;
use crate::snapshot;

/// The lab's functions and program, handed to the grader by `tests/grade.rs`.
/// `R` is the lab's `ReadNow` type.
pub struct Lab<R> {
    pub try_read_now: fn(&TcpStream, usize) -> io::Result<R>,
    pub read_with_deadline: fn(&TcpStream, &mut [u8], Duration) -> io::Result<usize>,
    pub try_accept: TryAccept,
    pub connect_with_timeout: fn(SocketAddr, Duration) -> io::Result<TcpStream>,
    pub run_duplex: RunDuplex,
    /// Path of the lab's `duplex-chat` program (`env!("CARGO_BIN_EXE_duplex-chat")`).
    pub duplex_chat_program: &'static str,
}

/// `try_accept(listener)`: a waiting client, or `None`.
pub type TryAccept = fn(&TcpListener) -> io::Result<Option<(TcpStream, SocketAddr)>>;

/// `run_duplex(stream, keyboard, screen)`.
pub type RunDuplex = fn(TcpStream, Box<dyn Read + Send>, Box<dyn Write + Send>) -> io::Result<()>;

/// A check of this chapter.
pub type Check<R> = fn(&Lab<R>) -> Outcome;

/// Every check of chapter 4, by name, in the order `grade.rs` lists them.
pub fn checks<R: Debug + Send + 'static>() -> Vec<(&'static str, Check<R>)> {
    vec![
        ("try_read_now_timeline", try_read_now_timeline),
        ("try_accept_timeline", try_accept_timeline),
        (
            "read_with_deadline_times_out_on_time",
            read_with_deadline_times_out_on_time,
        ),
        (
            "read_with_deadline_returns_data_in_time",
            read_with_deadline_returns_data_in_time,
        ),
        (
            "connect_with_timeout_connects",
            connect_with_timeout_connects,
        ),
        (
            "connect_with_timeout_reports_refused",
            connect_with_timeout_reports_refused,
        ),
        (
            "connect_with_timeout_gives_up_on_time",
            connect_with_timeout_gives_up_on_time,
        ),
        (
            "duplex_relays_both_ways_at_once",
            duplex_relays_both_ways_at_once,
        ),
        (
            "duplex_ends_when_the_peer_leaves",
            duplex_ends_when_the_peer_leaves,
        ),
        ("duplex_chat_programs_talk", duplex_chat_programs_talk),
    ]
}

fn failed(what: &str) -> impl Fn(io::Error) -> Failure + '_ {
    move |e| Failure::new(format!("the grader could not {what}: {e}"))
}

/// Waits (at most 2 s) until `stream` has something to read, or has
/// reached its end, without taking anything: a blocking `peek`.
fn wait_readable(stream: &TcpStream) -> Result<(), Failure> {
    stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_read_timeout(Some(crate::harness::LIMIT)))
        .and_then(|()| stream.peek(&mut [0u8; 1]))
        .map(|_| ())
        .map_err(failed("wait for the data to arrive"))
}

/// `try_read_now` on a stream with nothing yet, then with 5 bytes, then
/// after the peer closed: would-block, data, closed.
pub fn try_read_now_timeline<R: Debug + Send + 'static>(lab: &Lab<R>) -> Outcome {
    let (lab_end, mut grader_end) = pair()?;
    let try_read_now = lab.try_read_now;
    let step = |lab_end: TcpStream| {
        learner("try_read_now")
            .waiting_for(
                "it waited for data: a read that must not wait needs the stream in \
                 non-blocking mode (set_nonblocking(true)) - see 4.2",
            )
            .run(move || {
                let result = try_read_now(&lab_end, 64);
                (outcome(&result), lab_end)
            })
    };
    let (nothing_yet, lab_end) = step(lab_end)?;
    send(&mut grader_end, b"hello")?;
    wait_readable(&lab_end)?;
    let (data, lab_end) = step(lab_end)?;
    grader_end
        .shutdown(Shutdown::Write)
        .map_err(failed("close"))?;
    wait_readable(&lab_end)?;
    let (closed, _) = step(lab_end)?;
    let transcript = format!(
        "nothing sent yet: {nothing_yet}\npeer sent \"hello\": {data}\npeer closed: {closed}"
    );
    snapshot::matches(
        "ch04_try_read_now",
        &transcript,
        "WouldBlock means \"nothing yet\" (not an error, not the end); 0 bytes means the \
         peer closed - see 4.2",
    )
}

/// `try_accept` with nobody waiting returns `None` at once; with a client
/// waiting, the client, on a non-blocking stream.
pub fn try_accept_timeline<R>(lab: &Lab<R>) -> Outcome {
    let listener = TcpListener::bind(any_port_v4()).map_err(failed("listen"))?;
    let addr = listener.local_addr().map_err(failed("listen"))?;
    let try_accept = lab.try_accept;
    let (nobody, listener) = learner("try_accept")
        .waiting_for("it waited for a client: put the listener in non-blocking mode - see 4.2")
        .run(move || (try_accept(&listener).map(|c| c.is_some()), listener))?;
    let client = TcpStream::connect(addr).map_err(failed("connect"))?;
    let client_addr = client.local_addr().map_err(failed("connect"))?;
    // The handshake completes in the kernel; give it a moment to queue.
    let accepted = learner("try_accept").run(move || {
        for _ in 0..200 {
            match try_accept(&listener) {
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                other => return other,
            }
        }
        Ok(None)
    })?;
    let mut transcript = format!("nobody waiting: {}\n", outcome(&nobody));
    match accepted {
        Ok(Some((stream, peer))) => {
            let nonblocking = SockRef::from(&stream).nonblocking().unwrap_or(false);
            transcript.push_str(&format!(
                "a client connected: Some (the right address: {})\n\
                 the accepted stream is non-blocking: {}",
                yes_no(peer == client_addr),
                yes_no(nonblocking)
            ));
        }
        other => transcript.push_str(&format!(
            "a client connected: {}",
            outcome(&other.map(|c| c.map(|(_, a)| a)))
        )),
    }
    snapshot::matches(
        "ch04_try_accept",
        &transcript,
        "try_accept: None when nobody waits, the client when one does; an accepted stream \
         is blocking even when the listener is not, so set it non-blocking - see 4.2",
    )
}

fn yes_no(answer: bool) -> &'static str {
    if answer { "yes" } else { "no" }
}

/// A peer that connects and sends nothing: `read_with_deadline` gives up
/// with `TimedOut`, after the deadline and not before.
pub fn read_with_deadline_times_out_on_time<R>(lab: &Lab<R>) -> Outcome {
    let (lab_end, _silent_peer) = pair()?;
    let read_with_deadline = lab.read_with_deadline;
    let deadline = Duration::from_millis(300);
    let (result, took) = learner("read_with_deadline")
        .waiting_for(
            "the peer sends nothing, and it waited for ever: set a read timeout \
             (set_read_timeout) - see 4.3",
        )
        .run(move || {
            let started = Instant::now();
            let result = read_with_deadline(&lab_end, &mut [0u8; 16], deadline);
            (result, started.elapsed())
        })?;
    match result {
        Err(e) if e.kind() == ErrorKind::TimedOut => ensure(took >= deadline / 2, || {
            format!(
                "read_with_deadline gave up after {took:?}, before its deadline of {deadline:?} \
                 - see 4.3"
            )
        }),
        Err(e) if e.kind() == ErrorKind::WouldBlock => Err(Failure::new(
            "read_with_deadline returned a WouldBlock error: on Unix an expired read timeout \
             comes back as WouldBlock, not TimedOut - report it as ErrorKind::TimedOut - see 4.3",
        )),
        other => Err(Failure::new(format!(
            "read_with_deadline returned {} when the peer sent nothing: expected an \
             ErrorKind::TimedOut error - see 4.3",
            outcome(&other)
        ))),
    }
}

/// Data that arrives before the deadline is returned; a zero deadline has
/// already passed.
pub fn read_with_deadline_returns_data_in_time<R>(lab: &Lab<R>) -> Outcome {
    let (lab_end, mut grader_end) = pair()?;
    let read_with_deadline = lab.read_with_deadline;
    let reading = learner("read_with_deadline").spawn(move || {
        let mut buffer = [0u8; 16];
        let result = read_with_deadline(&lab_end, &mut buffer, Duration::from_secs(1));
        let zero = read_with_deadline(&lab_end, &mut buffer, Duration::ZERO);
        (result.map(|n| buffer[..n].to_vec()), zero)
    });
    std::thread::sleep(Duration::from_millis(50));
    reading.blame(send(&mut grader_end, b"hi"))?;
    let (result, zero) = reading.wait()?;
    ensure(matches!(&result, Ok(bytes) if bytes == b"hi"), || {
        format!(
            "the peer sent \"hi\" 50 ms into a 1 s deadline; read_with_deadline returned {} \
             - see 4.3",
            outcome(
                &result
                    .as_ref()
                    .map(|b| quoted(b))
                    .map_err(|e| io::Error::from(e.kind()))
            )
        )
    })?;
    ensure(
        matches!(&zero, Err(e) if e.kind() == ErrorKind::TimedOut),
        || {
            format!(
                "read_with_deadline with a zero deadline returned {}: set_read_timeout refuses \
             zero (InvalidInput); a zero deadline has already passed: TimedOut - see 4.3",
                outcome(&zero)
            )
        },
    )
}

/// `connect_with_timeout` connects to a listening server and hands back a
/// blocking stream.
pub fn connect_with_timeout_connects<R>(lab: &Lab<R>) -> Outcome {
    let listener = TcpListener::bind(any_port_v4()).map_err(failed("listen"))?;
    let addr = listener.local_addr().map_err(failed("listen"))?;
    let connect_with_timeout = lab.connect_with_timeout;
    let stream = learner("connect_with_timeout")
        .run(move || connect_with_timeout(addr, Duration::from_secs(1)))?
        .map_err(|e| returned_error("connect_with_timeout", e))?;
    ensure(stream.peer_addr().ok() == Some(addr), || {
        "connect_with_timeout returned a stream that is not connected to the server - see 4.4"
            .to_string()
    })?;
    ensure(
        !SockRef::from(&stream).nonblocking().unwrap_or(true),
        || {
            "connect_with_timeout returned a stream still in non-blocking mode: put it back in \
         blocking mode before returning it - see 4.4"
                .to_string()
        },
    )
}

/// A port nobody listens on: `ConnectionRefused`, read from `SO_ERROR`.
pub fn connect_with_timeout_reports_refused<R>(lab: &Lab<R>) -> Outcome {
    // Bound but not listening: connections are refused, and the port stays ours.
    let closed = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
        .and_then(|s| s.bind(&SockAddr::from(any_port_v4())).map(|()| s))
        .map_err(failed("bind"))?;
    let addr = closed
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .ok_or_else(|| Failure::new("the grader's socket has no address"))?;
    let connect_with_timeout = lab.connect_with_timeout;
    let result = learner("connect_with_timeout")
        .run(move || connect_with_timeout(addr, Duration::from_secs(1)))?;
    match result {
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => Ok(()),
        Ok(_) => Err(Failure::new(
            "connect_with_timeout returned a stream, but nobody listens on that port: once \
             the socket is writable, take_error() (SO_ERROR) says whether the handshake \
             failed - see 4.4",
        )),
        Err(e) => Err(Failure::new(format!(
            "connect_with_timeout to a port nobody listens on returned {:?} ({e}): expected \
             ConnectionRefused - see 4.4",
            e.kind()
        ))),
    }
}

/// A server whose accept queue is full ignores the handshake:
/// `connect_with_timeout` gives up with `TimedOut`, after its timeout.
pub fn connect_with_timeout_gives_up_on_time<R>(lab: &Lab<R>) -> Outcome {
    // listen(0) keeps one connection in the queue; with it taken, Linux
    // drops new handshakes: the client hears nothing.
    let full = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
        .and_then(|s| s.bind(&SockAddr::from(any_port_v4())).map(|()| s))
        .and_then(|s| s.listen(0).map(|()| s))
        .map_err(failed("listen"))?;
    let addr = full
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .ok_or_else(|| Failure::new("the grader's socket has no address"))?;
    let _queued =
        TcpStream::connect_timeout(&addr, crate::harness::LIMIT).map_err(failed("connect"))?;
    // Only once it is in the queue is the queue full.
    if !wait_until_queued(addr.port(), 1) {
        return Err(Failure::new(
            "the grader's own connection did not reach the accept queue within 2 s: the \
             machine is too busy to run this check - run it again",
        ));
    }
    let connect_with_timeout = lab.connect_with_timeout;
    let timeout = Duration::from_millis(300);
    let (result, took) = learner("connect_with_timeout")
        .waiting_for(
            "nobody answers the handshake, and it waited: a plain connect can wait for \
             minutes - wait at most `timeout` for the socket to become writable - see 4.4",
        )
        .run(move || {
            let started = Instant::now();
            let result = connect_with_timeout(addr, timeout);
            (result, started.elapsed())
        })?;
    match result {
        Err(e) if e.kind() == ErrorKind::TimedOut => ensure(took >= timeout / 2, || {
            format!(
                "connect_with_timeout gave up after {took:?}, before its timeout of {timeout:?} - see 4.4"
            )
        }),
        other => Err(Failure::new(format!(
            "connect_with_timeout to a server that never answers returned {}: expected an \
             ErrorKind::TimedOut error after {timeout:?} - see 4.4",
            outcome(&other.map(|_| "a stream"))
        ))),
    }
}

/// A keyboard the grader types on: each `Vec` sent is one read; dropping
/// the sender is the end of input (Ctrl-D).
struct Keyboard(Receiver<Vec<u8>>);

impl Read for Keyboard {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self.0.recv() {
            Ok(bytes) => {
                let n = bytes.len().min(buffer.len());
                buffer[..n].copy_from_slice(&bytes[..n]);
                Ok(n)
            }
            Err(_) => Ok(0),
        }
    }
}

/// A screen the grader reads: every write arrives on a channel.
struct Screen(Sender<Vec<u8>>);

impl Write for Screen {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let _ = self.0.send(bytes.to_vec());
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Collects what reaches the screen until `expected` has been shown, or
/// 2 s have passed.
fn screen_shows(
    screen: &Receiver<Vec<u8>>,
    expected: &[u8],
    waiting_for: &str,
) -> Result<(), Failure> {
    let deadline = Instant::now() + crate::harness::LIMIT;
    let mut shown = Vec::new();
    while shown.len() < expected.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match screen.recv_timeout(left) {
            Ok(bytes) => shown.extend_from_slice(&bytes),
            Err(_) => {
                return Err(Failure::new(format!(
                    "the screen showed {} within 2 s, expected {}: {waiting_for}",
                    quoted(&shown),
                    quoted(expected)
                )));
            }
        }
    }
    ensure(shown == expected, || {
        format!(
            "the screen showed {}, expected {} - see 4.5",
            quoted(&shown),
            quoted(expected)
        )
    })
}

/// Starts the lab's `run_duplex` on one end of a connection; returns the
/// keyboard, the screen, the grader's end and the pending call.
type Duplex = (
    Sender<Vec<u8>>,
    Receiver<Vec<u8>>,
    TcpStream,
    crate::harness::Pending<io::Result<()>>,
);

fn start_duplex<R>(lab: &Lab<R>) -> Result<Duplex, Failure> {
    let (lab_end, grader_end) = pair()?;
    let (keys, keyboard) = mpsc::channel();
    let (screen, shown) = mpsc::channel();
    let run_duplex = lab.run_duplex;
    let running = learner("run_duplex")
        .within(Duration::from_secs(10))
        .waiting_for("the peer closed: run_duplex should return when it reads the end - see 4.5")
        .spawn(move || {
            run_duplex(
                lab_end,
                Box::new(Keyboard(keyboard)),
                Box::new(Screen(screen)),
            )
        });
    Ok((keys, shown, grader_end, running))
}

/// The peer's line reaches the screen while the keyboard is silent, and the
/// keyboard's line reaches the peer while the peer is silent.
pub fn duplex_relays_both_ways_at_once<R>(lab: &Lab<R>) -> Outcome {
    let (keys, shown, mut peer, running) = start_duplex(lab)?;
    let conversation = (|| {
        send(&mut peer, b"hello from the peer\n")?;
        screen_shows(
            &shown,
            b"hello from the peer\n",
            "the peer's line did not reach the screen while the keyboard was silent: the two \
             directions must not wait for each other (one thread each) - see 4.5",
        )?;
        let _ = keys.send(b"hello from the keyboard\n".to_vec());
        read_exactly(
            &mut peer,
            24,
            "the keyboard's line did not reach the peer while the peer was silent: the two \
             directions must not wait for each other - see 4.5",
        )?;
        send(&mut peer, b"second line\n")?;
        screen_shows(
            &shown,
            b"second line\n",
            "the peer's second line did not reach the screen - see 4.5",
        )
    })();
    running.blame(conversation)
}

/// The keyboard's end shuts down the sending side (the peer reads the
/// end); the peer's end makes `run_duplex` return.
pub fn duplex_ends_when_the_peer_leaves<R>(lab: &Lab<R>) -> Outcome {
    let (keys, shown, mut peer, running) = start_duplex(lab)?;
    drop(keys);
    let ended = (|| {
        let mut rest = Vec::new();
        match peer.read_to_end(&mut rest) {
            Ok(_) if rest.is_empty() => {}
            Ok(_) => {
                return Err(Failure::new(format!(
                    "the peer received {} - see 4.5",
                    quoted(&rest)
                )));
            }
            Err(_) => {
                return Err(Failure::new(
                    "the keyboard ended, but the peer never read the end of the stream: shut \
                     down the sending side (shutdown(Shutdown::Write)) when the keyboard ends \
                     - see 4.5",
                ));
            }
        }
        send(&mut peer, b"last words\n")?;
        peer.shutdown(Shutdown::Write).map_err(failed("close"))?;
        screen_shows(
            &shown,
            b"last words\n",
            "after our keyboard ended, the peer can still talk: keep showing what it sends - \
             see 4.5",
        )
    })();
    running.blame(ended)?;
    running.wait()?.map_err(|e| returned_error("run_duplex", e))
}

/// Two `duplex-chat` programs, one listening, one connecting, exchange
/// lines both ways.
pub fn duplex_chat_programs_talk<R>(lab: &Lab<R>) -> Outcome {
    use crate::net::Chat;
    let mut listening = Chat::start(lab.duplex_chat_program, &["listen", "127.0.0.1:0"])?;
    let addr = announced_address(&listening.announcement, "duplex-chat", "standard error")?;
    let mut connecting = Chat::start(lab.duplex_chat_program, &["connect", &addr.to_string()])?;
    connecting.type_line("hello from the connecting side")?;
    listening.expect_line("hello from the connecting side")?;
    listening.type_line("hello from the listening side")?;
    connecting.expect_line("hello from the listening side")?;
    Ok(())
}
