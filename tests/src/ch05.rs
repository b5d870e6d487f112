//! Checks for chapter 5, "select: one thread, many sockets".
//!
//! The lab's `serve` runs on a thread of its own for the rest of the test
//! program; the grader plays many clients at once against it. Two checks
//! look at the server from outside through Linux's `/proc`: how much CPU
//! its thread used while every client was idle, and whether closed
//! connections were really closed (no socket left in CLOSE_WAIT).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::faults::{Faults, Faulty, reset};
use crate::harness::{Failure, LIMIT, Outcome, Pending, ensure, learner};
use crate::net::{
    Program, announced_address, connect, quoted, read_exactly, read_until_closed, send,
    serve_in_background,
};
use crate::proc_net::{both_ends, descriptor_of, tcp_buffer_limits, tcp_sockets};

/// The lab's outbox and server, handed to the grader by `tests/grade.rs`.
/// `O` is the lab's `Outbox` type.
pub struct Lab<O> {
    pub new_outbox: fn() -> O,
    pub push: fn(&mut O, &[u8]),
    pub len: fn(&O) -> usize,
    pub is_empty: fn(&O) -> bool,
    pub flush_into: fn(&mut O, &mut dyn Write) -> io::Result<usize>,
    pub serve: fn(TcpListener) -> io::Result<()>,
    /// Path of the lab's `select-echo-server` program.
    pub program: &'static str,
}

/// A check of this chapter.
pub type Check<O> = fn(&Lab<O>) -> Outcome;

/// Every check of chapter 5, by name, in the order `grade.rs` lists them.
pub fn checks<O: Send + 'static>() -> Vec<(&'static str, Check<O>)> {
    vec![
        (
            "outbox_keeps_what_a_short_write_left",
            outbox_keeps_what_a_short_write_left,
        ),
        (
            "outbox_keeps_order_across_pushes",
            outbox_keeps_order_across_pushes,
        ),
        ("serves_100_clients_at_once", serves_100_clients_at_once),
        (
            "a_stalled_client_does_not_delay_others",
            a_stalled_client_does_not_delay_others,
        ),
        (
            "a_slow_reader_gets_everything_back",
            a_slow_reader_gets_everything_back,
        ),
        ("idle_clients_cost_no_cpu", idle_clients_cost_no_cpu),
        (
            "vanished_clients_free_their_slot",
            vanished_clients_free_their_slot,
        ),
        (
            "refuses_a_connection_past_fd_setsize",
            refuses_a_connection_past_fd_setsize,
        ),
        ("the_program_echoes", the_program_echoes),
    ]
}

/// The check that fills the descriptor table runs alone; every other check
/// shares. Descriptors are per process, and one check's 1000 extra files
/// would push other checks' sockets past FD_SETSIZE.
static DESCRIPTORS: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    DESCRIPTORS.read().unwrap_or_else(|e| e.into_inner())
}

/// The byte at `offset` of the test pattern (251 is prime, so the pattern
/// does not line up with any power-of-two buffer size).
fn pattern_at(offset: usize) -> u8 {
    (offset % 251) as u8
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(pattern_at).collect()
}

/// The outbox sends everything through a stream that takes a few bytes
/// at a time and often says `WouldBlock`, one flush per "writable".
pub fn outbox_keeps_what_a_short_write_left<O: Send + 'static>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let (new, push, is_empty, flush_into) =
        (lab.new_outbox, lab.push, lab.is_empty, lab.flush_into);
    let (flushes, written) = learner("Outbox::flush_into").run(move || {
        let mut outbox = new();
        push(&mut outbox, &pattern(1000));
        let mut out = Faulty::new(
            Vec::new(),
            Faults {
                would_block_one_in: 3,
                interrupt_one_in: 7,
                ..Faults::short(9, 31)
            },
        );
        let mut flushes = Vec::new();
        for _ in 0..2000 {
            if is_empty(&outbox) {
                break;
            }
            let flushed = flush_into(&mut outbox, &mut out);
            let stop = flushed.is_err();
            flushes.push(flushed);
            if stop {
                break;
            }
        }
        (flushes, out.inner)
    })?;
    if let Some(Err(e)) = flushes.last() {
        return Err(Failure::new(if e.kind() == ErrorKind::WouldBlock {
            "flush_into returned a WouldBlock error: that only means the kernel's buffer is full \
             for now - keep the rest queued and return Ok - see 5.4"
                .to_string()
        } else {
            format!("flush_into returned an error: {e} - see 5.4")
        }));
    }
    ensure(written == pattern(1000), || {
        format!(
            "{} of the 1000 queued bytes went out{}: what a short write or WouldBlock left \
             must stay queued, in order, for the next flush - see 5.4",
            written.len(),
            if written.len() == 1000 {
                ", but not in order"
            } else {
                ""
            }
        )
    })
}

/// Bytes pushed while earlier ones wait go out after them; `len` and
/// `is_empty` tell the truth throughout.
pub fn outbox_keeps_order_across_pushes<O: Send + 'static>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let (new, push, len, is_empty, flush_into) = (
        lab.new_outbox,
        lab.push,
        lab.len,
        lab.is_empty,
        lab.flush_into,
    );
    let transcript = learner("Outbox")
        .waiting_for("is flush_into looping on WouldBlock? stop and return Ok - see 5.4")
        .run(move || {
            let mut outbox = new();
            let mut lines = vec![format!(
                "new: len {}, empty {}",
                len(&outbox),
                is_empty(&outbox)
            )];
            push(&mut outbox, b"abc");
            let mut out = Faulty::new(Vec::new(), Faults::short(2, 32));
            let first = flush_into(&mut outbox, &mut Takes(2, &mut out));
            lines.push(format!(
                "push abc, flush into a socket that takes 2 bytes: {:?}, len {}",
                first.map_err(|e| e.kind()),
                len(&outbox)
            ));
            push(&mut outbox, b"def");
            lines.push(format!("push def: len {}", len(&outbox)));
            for _ in 0..20 {
                if is_empty(&outbox) {
                    break;
                }
                let _ = flush_into(&mut outbox, &mut out);
            }
            lines.push(format!(
                "flushed: {} went out, len {}, empty {}",
                quoted(&out.inner),
                len(&outbox),
                is_empty(&outbox)
            ));
            lines.join("\n")
        })?;
    crate::snapshot::matches(
        "ch05_outbox",
        &transcript,
        "the outbox lost track: bytes go out in the order they were pushed, and len counts \
         what is still waiting - see 5.4",
    )
}

/// A writer that takes `n` bytes in all, then says WouldBlock.
struct Takes<'a, W: Write>(usize, &'a mut W);

impl<W: Write> Write for Takes<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.0 == 0 {
            return Err(ErrorKind::WouldBlock.into());
        }
        let n = self.1.write(&bytes[..bytes.len().min(self.0)])?;
        self.0 -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Starts the lab's `serve` on a thread named `name` (the CPU check finds
/// it in /proc by that name).
fn start_server<O>(
    lab: &Lab<O>,
    name: &str,
) -> Result<(SocketAddr, Pending<io::Result<()>>), Failure> {
    serve_in_background(lab.serve, name)
}

/// 100 clients connected at once each get exactly their own bytes back.
pub fn serves_100_clients_at_once<O>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let (server, running) = start_server(lab, "learner: serve")?;
    let conversation = (|| {
        let mut clients = Vec::new();
        for i in 0..100 {
            clients.push(connect(server)?);
            let _ = i;
        }
        for (i, client) in clients.iter_mut().enumerate() {
            send(client, format!("client {i:03} says hello\n").as_bytes())?;
        }
        for (i, client) in clients.iter_mut().enumerate() {
            let expected = format!("client {i:03} says hello\n");
            let echo = read_exactly(
                client,
                expected.len(),
                "a client got no (or not all of its) echo while 99 others were connected: \
                 select over every connection, and serve each one that is ready - see 5.3",
            )?;
            ensure(echo == expected.as_bytes(), || {
                format!(
                    "client {i} sent {expected:?} and got back {}: each connection has its own \
                     outbox - see 5.3",
                    quoted(&echo)
                )
            })?;
        }
        Ok(())
    })();
    running.blame(conversation)
}

/// A client that sent a few bytes and then stalls does not hold up others.
pub fn a_stalled_client_does_not_delay_others<O>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let (server, running) = start_server(lab, "learner: serve")?;
    let conversation = (|| {
        let mut stalled = connect(server)?;
        send(&mut stalled, b"half a mess")?;
        read_exactly(
            &mut stalled,
            11,
            "the first client's bytes were not echoed: after select says readable, read once, \
             on a non-blocking socket; a second read that waits blocks every client - see 5.3",
        )?;
        let mut other = connect(server)?;
        send(&mut other, b"hello\n")?;
        read_exactly(
            &mut other,
            6,
            "while one client stalls, another got no echo: after select says readable, read \
             once, on a non-blocking socket; a second read that waits blocks every client - see 5.3",
        )?;
        Ok(())
    })();
    running.blame(conversation)
}

/// A client's sending half that writes the pattern on a thread of its own,
/// without reading, until it is stopped or has sent `limit` bytes.
struct Flood {
    state: Arc<FloodState>,
    started: Instant,
}

/// What the flooding thread and the check share.
#[derive(Default)]
struct FloodState {
    /// Bytes the socket has taken so far.
    sent: AtomicUsize,
    /// Raised by the check: the thread stops after its current write.
    stop: AtomicBool,
    /// Raised by the thread when it has stopped.
    done: AtomicBool,
    /// Milliseconds after `started` when a write last took bytes.
    last_progress: AtomicU64,
}

impl Flood {
    fn start(stream: &TcpStream, limit: usize) -> Result<Flood, Failure> {
        let mut writer = stream
            .try_clone()
            .and_then(|w| {
                w.set_write_timeout(Some(Duration::from_millis(100)))
                    .map(|()| w)
            })
            .map_err(|e| Failure::new(format!("the grader could not clone its socket: {e}")))?;
        let flood = Flood {
            state: Arc::default(),
            started: Instant::now(),
        };
        let (state, started) = (flood.state.clone(), flood.started);
        thread::spawn(move || {
            let mut chunk = vec![0u8; 64 << 10];
            let mut offset = 0;
            while offset < limit && !state.stop.load(Ordering::SeqCst) {
                let len = chunk.len().min(limit - offset);
                for (i, byte) in chunk[..len].iter_mut().enumerate() {
                    *byte = pattern_at(offset + i);
                }
                // A write that times out took nothing: look at `stop` and try again.
                match writer.write(&chunk[..len]) {
                    Ok(n) => {
                        offset += n;
                        state.sent.store(offset, Ordering::SeqCst);
                        let now = started.elapsed().as_millis() as u64;
                        state.last_progress.store(now, Ordering::SeqCst);
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                        ) => {}
                    Err(_) => break,
                }
            }
            state.done.store(true, Ordering::SeqCst);
        });
        Ok(flood)
    }

    /// True once the flood has sent everything, or the server is no longer
    /// reading from this client: no write has taken a byte for `quiet`,
    /// and bytes wait unread in the server's socket (so the quiet is not
    /// just this thread waiting for a core on a busy machine).
    fn held_back(&self, stream: &TcpStream, quiet: Duration) -> bool {
        let last = Duration::from_millis(self.state.last_progress.load(Ordering::SeqCst));
        self.state.done.load(Ordering::SeqCst)
            || (self.started.elapsed().saturating_sub(last) >= quiet
                && both_ends(stream).is_some_and(|(_, server)| server.unread > 0))
    }
}

/// How many bytes the flooding client sends at most: more than the socket
/// buffers at both ends of both directions can hold, so a server that
/// stops reading from it (as it must, or as a blocked server does) stops it.
fn flood_limit() -> usize {
    let most = tcp_buffer_limits();
    2 * (most.receive + most.send) + (16 << 20)
}

/// A client that keeps sending and reads nothing back fills the server's
/// socket to it. Meanwhile another client is still served (a blocking write
/// to the first would stall it). Then the first client reads, and gets back
/// everything it sent, in order: what a partial send left stays queued
/// until the socket is writable.
pub fn a_slow_reader_gets_everything_back<O>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let (server, running) = start_server(lab, "learner: serve")?;
    let exchange = (|| {
        let mut slow = connect(server)?;
        let flood = Flood::start(&slow, flood_limit())?;
        // The slow client reads nothing yet. Another client keeps asking for
        // echoes until the flood is held back (the server stopped reading
        // from the slow client, or a server holding everything got it all),
        // and three more times after that.
        let mut other = connect(server)?;
        let mut held_back_pings = 0;
        let started = Instant::now();
        while held_back_pings < 3 && started.elapsed() < Duration::from_secs(10) {
            if flood.held_back(&slow, Duration::from_millis(300)) {
                held_back_pings += 1;
            } else {
                held_back_pings = 0;
            }
            send(&mut other, b"ping")?;
            let echo = read_exactly(
                &mut other,
                4,
                "while one client was not reading its echo, another client got none: a \
                 blocking write to the slow client stalls every client - queue what does not \
                 fit, and send it when select says writable - see 5.4",
            )?;
            ensure(echo == b"ping", || {
                format!("a client sent \"ping\" and got back {}", quoted(&echo))
            })?;
            thread::sleep(Duration::from_millis(20));
        }
        // Now the slow client reads everything back while the flood ends.
        flood.state.stop.store(true, Ordering::SeqCst);
        let mut back = vec![0u8; 64 << 10];
        let mut got = 0;
        let (done, sent) = (&flood.state.done, &flood.state.sent);
        while !(done.load(Ordering::SeqCst) && got == sent.load(Ordering::SeqCst)) {
            let n = match slow.read(&mut back) {
                Ok(0) => 0,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => 0,
            };
            let sent = sent.load(Ordering::SeqCst);
            ensure(n > 0, || {
                format!(
                    "a client sent {sent} bytes before reading; only {got} came back: when a \
                     send is partial or would block, keep the rest in the outbox and send it \
                     when select says writable - see 5.4"
                )
            })?;
            if let Some(i) = (0..n).find(|&i| back[i] != pattern_at(got + i)) {
                return Err(Failure::new(format!(
                    "a client sent {sent} bytes before reading; the echo differs from them at \
                     byte {}: what a partial send left must go out next, in order - see 5.4",
                    got + i
                )));
            }
            got += n;
        }
        Ok(())
    })();
    running.blame(exchange)
}

/// How long the thread of this process named `name` has been running or
/// ready to run (waiting for a core another thread had), from /proc.
///
/// A thread that loops spends all of its wall time one way or the other,
/// however busy the machine; one that sleeps in `select` spends almost
/// none. CPU time alone would not do: on a loaded machine a looping thread
/// gets only its share of a core.
fn thread_cpu_demand(name: &str) -> Option<Duration> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        // Other checks' threads come and go meanwhile: one that ended
        // between the listing and this read is simply not the one.
        let Ok(comm) = std::fs::read_to_string(task.path().join("comm")) else {
            continue;
        };
        if comm.trim_end() != name {
            continue;
        }
        // "nanoseconds running, nanoseconds waiting to run, time slices".
        if let Ok(schedstat) = std::fs::read_to_string(task.path().join("schedstat")) {
            let mut fields = schedstat.split_whitespace().map(|f| f.parse::<u64>().ok());
            let (running, waiting) = (fields.next()??, fields.next()??);
            return Some(Duration::from_nanos(running + waiting));
        }
        // A kernel built without schedstat: CPU time (user + system, in
        // ticks of 10 ms) from `stat`, after the command name in parentheses.
        let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        return Some(Duration::from_millis(10 * ticks));
    }
    None
}

/// 10 connected clients that send nothing for a second cost the server
/// (almost) no CPU: select sleeps until something happens.
pub fn idle_clients_cost_no_cpu<O>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    // A name of its own: other checks' servers may be running meanwhile.
    static SERVERS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("idle-serve-{}", SERVERS.fetch_add(1, Ordering::Relaxed));
    let (server, running) = start_server(lab, &name)?;
    let measured = (|| {
        let mut clients = Vec::new();
        for _ in 0..10 {
            clients.push(connect(server)?);
        }
        // One echo, so the server is surely up and has accepted everyone.
        send(&mut clients[0], b"ping")?;
        read_exactly(&mut clients[0], 4, "no echo - see 5.3")?;
        let before = thread_cpu_demand(&name).ok_or_else(|| {
            Failure::new("the grader could not find the server's thread in /proc")
        })?;
        let idle = Instant::now();
        thread::sleep(Duration::from_secs(1));
        let after = thread_cpu_demand(&name).ok_or_else(|| {
            Failure::new("the server's thread ended while 10 clients were connected")
        })?;
        Ok((after - before).as_secs_f64() / idle.elapsed().as_secs_f64())
    })();
    let busy = running.blame(measured)?;
    if running.finished_within(Duration::ZERO) {
        return running.blame(Err(Failure::new(
            "serve returned while 10 clients were connected: it should serve for ever - see 5.3",
        )));
    }
    // A server asleep in select is busy ~0% of the time; a loop, ~100%.
    ensure(busy < 0.1, || {
        format!(
            "with 10 idle clients the server was busy {:.0}% of a whole second: \
             select returned at once, again and again - ask for writable only while a \
             connection has something to send - see 5.4",
            busy * 100.0
        )
    })
}

/// Connected sockets on our side of `port` (ESTABLISHED, or CLOSE_WAIT:
/// the peer closed, we did not). Counting ESTABLISHED too means a peer's
/// close still on its way is waited for, not taken for a closed socket.
fn open_server_sockets(port: u16) -> usize {
    tcp_sockets()
        .iter()
        .filter(|s| s.local_port == port && matches!(s.state, 0x01 | 0x08))
        .count()
}

/// Clients that close or reset are dropped by the server (their sockets
/// closed), and the server goes on serving.
pub fn vanished_clients_free_their_slot<O>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let (server, running) = start_server(lab, "learner: serve")?;
    let vanished = (|| {
        let mut clients = Vec::new();
        for _ in 0..20 {
            let mut client = connect(server)?;
            send(&mut client, b"hi")?;
            read_exactly(&mut client, 2, "no echo - see 5.3")?;
            clients.push(client);
        }
        for (i, client) in clients.into_iter().enumerate() {
            if i % 2 == 0 {
                drop(client);
            } else {
                reset(client);
            }
        }
        let deadline = Instant::now() + LIMIT;
        while open_server_sockets(server.port()) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        let left = open_server_sockets(server.port());
        ensure(left == 0, || {
            format!(
                "20 clients left, and {left} of their connections are still open on the \
                 server (CLOSE_WAIT): read returning 0 or an error means the client is gone - \
                 remove it from the master list, which closes its socket - see 5.3"
            )
        })?;
        let mut next = connect(server)?;
        send(&mut next, b"still there?")?;
        read_exactly(
            &mut next,
            12,
            "after 20 clients left, a new client got no echo - see 5.3",
        )?;
        Ok(())
    })();
    running.blame(vanished)
}

/// Raises this process's soft limit on open files to at least `wanted`.
fn allow_open_files(wanted: u64) -> Result<(), Failure> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)
        .map_err(|e| Failure::new(format!("the grader could not read RLIMIT_NOFILE: {e}")))?;
    if soft >= wanted {
        return Ok(());
    }
    if hard < wanted {
        return Err(Failure::new(format!(
            "the grader needs {wanted} open files for this check, and this machine allows {hard} \
             (ulimit -Hn)"
        )));
    }
    setrlimit(Resource::RLIMIT_NOFILE, wanted, hard)
        .map_err(|e| Failure::new(format!("the grader could not raise RLIMIT_NOFILE: {e}")))
}

/// Opens /dev/null until the next descriptor would be 1023: then every
/// descriptor below 1023 is taken, and the next socket gets the last one
/// under FD_SETSIZE (1024).
fn take_descriptors_below_fd_setsize() -> Result<Vec<std::fs::File>, Failure> {
    let mut fillers = Vec::new();
    loop {
        let file = std::fs::File::open("/dev/null")
            .map_err(|e| Failure::new(format!("the grader could not open /dev/null: {e}")))?;
        if file.as_raw_fd() >= 1023 {
            return Ok(fillers);
        }
        fillers.push(file);
    }
}

/// With every descriptor below 1024 taken, the next client cannot go in an
/// fd_set: the server refuses it (closes it) instead of panicking, and
/// serves the next client once descriptors are free again.
pub fn refuses_a_connection_past_fd_setsize<O>(lab: &Lab<O>) -> Outcome {
    let _alone = DESCRIPTORS.write().unwrap_or_else(|e| e.into_inner());
    allow_open_files(2048)?;
    let (server, running) = start_server(lab, "learner: serve")?;
    let mut before = connect(server)?;
    running.blame(send(&mut before, b"ok?").and_then(|()| {
        read_exactly(
            &mut before,
            3,
            "no echo before the descriptors ran out - see 5.3",
        )
        .map(drop)
    }))?;

    let refused = (|| {
        for _ in 0..5 {
            let fillers = take_descriptors_below_fd_setsize()?;
            // The grader's socket takes descriptor 1023, the last one free
            // below 1024: the server's socket for this client is past it.
            let mut late = connect(server)?;
            let late_addr = late.local_addr().map_err(|e| Failure::new(e.to_string()))?;
            let _ = late.write_all(b"too late");
            let mut buffer = [0u8; 16];
            let answer = late.read(&mut buffer);
            drop(fillers);
            return match answer {
                Ok(0) => Ok(()),
                Err(e) if e.kind() == ErrorKind::ConnectionReset => Ok(()),
                Ok(_)
                    if descriptor_of(server.port(), late_addr.port())
                        .is_some_and(|fd| fd < 1024) =>
                {
                    // Another check's server closed a socket after the table
                    // was filled, and this client got its descriptor: below
                    // FD_SETSIZE, serving it was right. Fill and try again.
                    continue;
                }
                Ok(n) => Err(Failure::new(format!(
                    "a client whose descriptor is past FD_SETSIZE got {} back: select cannot \
                     watch it, so refuse it (close it) - see 5.5",
                    quoted(&buffer[..n])
                ))),
                Err(_) => Err(Failure::new(
                    "a client whose descriptor is past FD_SETSIZE was neither served nor \
                     refused: close it at once - see 5.5",
                )),
            };
        }
        Err(Failure::new(
            "the grader could not keep every descriptor below FD_SETSIZE taken: other sockets \
             kept closing",
        ))
    })();
    // A panic here is FdSet::insert refusing a descriptor past FD_SETSIZE.
    let lesson = |f: Failure| {
        if f.message.contains("panicked") {
            Failure::new(format!(
                "{}\nselect's fd_set holds descriptors below 1024 (FD_SETSIZE); FdSet::insert \
                 panics past it - refuse such a client instead - see 5.5",
                f.message
            ))
        } else {
            f
        }
    };
    running.blame(refused).map_err(lesson)?;
    let after = (|| {
        let mut client = connect(server)?;
        send(&mut client, b"back again")?;
        read_exactly(
            &mut client,
            10,
            "after refusing one client, the server stopped serving - see 5.5",
        )
        .map(drop)
    })();
    running.blame(after).map_err(lesson)
}

/// `select-echo-server` serves clients at once.
pub fn the_program_echoes<O>(lab: &Lab<O>) -> Outcome {
    let _shared = shared();
    let program = Program::start(lab.program, &["127.0.0.1:0"])?;
    let addr = announced_address(&program.first_line, "select-echo-server", "standard output")?;
    let mut program = program;
    let conversation = (|| {
        let mut first = connect(addr)?;
        let mut second = connect(addr)?;
        send(&mut second, b"second\n")?;
        read_exactly(&mut second, 7, "the program did not echo - see 5.3")?;
        send(&mut first, b"first\n")?;
        read_exactly(
            &mut first,
            6,
            "the program did not echo the first client - see 5.3",
        )?;
        drop(first);
        second
            .shutdown(std::net::Shutdown::Write)
            .map_err(|e| Failure::new(e.to_string()))?;
        let rest = read_until_closed(
            &mut second,
            "the program should close a connection its client closed",
        )?;
        ensure(rest.is_empty(), || {
            format!("unexpected bytes: {}", quoted(&rest))
        })
    })();
    program.blame(conversation)
}
