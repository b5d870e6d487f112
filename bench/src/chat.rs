//! The chat workload, in rounds. N clients connect; in each round every
//! client sends one line at the same moment, and the round ends when every
//! client has received the N - 1 lines of the others. Then the next round
//! starts. Every client sends at once, so a server cannot look fast by
//! luck: it never finds a long run of one client's lines waiting in one
//! read, and the time a line waits is the time the server takes, not the
//! time a queue took to drain.
//!
//! Each line carries its sender, its round and the time it was sent:
//! `L <sender> <round> <nanoseconds>`, written in two pieces (a line cut in
//! two segments, as the network may cut it). A received line is a delivery
//! if it is exactly that (after the server's `<name> ` prefix, if any); any
//! other line that is not a `* ` notice is garbled. The same (receiver,
//! sender, round) counts once.
//!
//! One thread drives every client with `poll`, so 1000 clients cost 1000
//! sockets, not 1000 threads.

use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::server::Server;

/// A run ends early when no line has arrived for this long: the server is
/// stuck (a blocking send to a client that never reads, say).
pub const STALL: Duration = Duration::from_secs(3);

/// What a run does: how many clients, how many rounds, and whether one
/// more client joins that never reads.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub clients: usize,
    pub rounds: usize,
    pub non_reader: bool,
    /// End the run as soon as the server drops the client that never reads.
    pub stop_once_dropped: bool,
}

pub struct ChatRow {
    pub server: String,
    pub clients: usize,
    pub non_reader: bool,
    /// Rounds started; fewer than asked if the run stopped early.
    pub rounds_run: usize,
    /// No line arrived for [`STALL`]: the run gave up.
    pub froze: bool,
    pub expected: usize,
    pub delivered: usize,
    pub garbled: usize,
    pub deliveries_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The server's CPU time over the run's time: near 100 % means the
    /// server, not the benchmark's clients, set the pace.
    pub server_busy_percent: f64,
    pub peak_memory_mib: f64,
    /// The server told the room it dropped the client that never reads.
    pub non_reader_dropped: bool,
}

impl ChatRow {
    pub fn lost(&self) -> usize {
        self.expected - self.delivered
    }
}

impl fmt::Display for ChatRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>8} {:>4} clients{}: {:>9.0} deliveries/s, p50 {:>7.2} ms, p99 {:>7.2} ms, \
             lost {}, garbled {}, server busy {:.0} %, peak {:.1} MiB",
            self.server,
            self.clients,
            match (self.non_reader, self.non_reader_dropped) {
                (false, _) => "                         ",
                (true, false) => " + 1 not reading (kept)   ",
                (true, true) => " + 1 not reading (dropped)",
            },
            self.deliveries_per_second,
            self.p50_ms,
            self.p99_ms,
            self.lost(),
            self.garbled,
            self.server_busy_percent,
            self.peak_memory_mib
        )
    }
}

/// One client of the benchmark.
struct Client {
    stream: TcpStream,
    /// Received bytes not yet ending in `\n`.
    partial: Vec<u8>,
    /// This round's line; the bytes before `cut` go in a write of their own.
    outgoing: Vec<u8>,
    cut: usize,
    sent: usize,
    /// Lines (not notices) received this round, garbled ones included.
    arrived: usize,
    gone: bool,
}

impl Client {
    /// Writes what the socket takes now, the line's two pieces separately.
    fn send_some(&mut self) {
        while !self.gone && self.sent < self.outgoing.len() {
            let end = if self.sent < self.cut {
                self.cut
            } else {
                self.outgoing.len()
            };
            match self.stream.write(&self.outgoing[self.sent..end]) {
                Ok(n) => self.sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => self.gone = true,
            }
        }
    }

    /// Reads everything waiting; returns false when nothing came.
    fn receive(&mut self, buffer: &mut [u8]) -> bool {
        let mut any = false;
        loop {
            match self.stream.read(buffer) {
                Ok(0) => {
                    self.gone = true;
                    return any;
                }
                Ok(n) => {
                    self.partial.extend_from_slice(&buffer[..n]);
                    any = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return any,
                Err(_) => {
                    self.gone = true;
                    return any;
                }
            }
        }
    }
}

/// What the clients received so far.
struct Tally {
    clients: usize,
    rounds: usize,
    seen: Vec<bool>,
    delivered: usize,
    garbled: usize,
    latencies_us: Vec<u32>,
    last_delivery: Duration,
    non_reader_dropped: bool,
}

impl Tally {
    /// Counts the complete lines in `client.partial`.
    fn take_lines(&mut self, receiver: usize, client: &mut Client, now: Duration) {
        let mut start = 0;
        while let Some(end) = client.partial[start..].iter().position(|&b| b == b'\n') {
            let line = &client.partial[start..start + end];
            start += end + 1;
            if line.starts_with(b"* ") {
                if line.ends_with(b"it stopped reading") {
                    self.non_reader_dropped = true;
                }
                continue;
            }
            client.arrived += 1;
            match parse(line) {
                Some((sender, round, sent))
                    if sender < self.clients && sender != receiver && round < self.rounds =>
                {
                    let slot = (receiver * self.clients + sender) * self.rounds + round;
                    if !self.seen[slot] {
                        self.seen[slot] = true;
                        self.delivered += 1;
                        let micros = now.as_nanos().saturating_sub(u128::from(sent)) / 1000;
                        self.latencies_us
                            .push(u32::try_from(micros).unwrap_or(u32::MAX));
                        self.last_delivery = now;
                    }
                }
                _ => self.garbled += 1,
            }
        }
        client.partial.drain(..start);
    }

    /// The latency below which a fraction `p` of the deliveries arrived.
    fn percentile_ms(&self, p: f64) -> f64 {
        let index = (self.latencies_us.len() as f64 * p) as usize;
        self.latencies_us
            .get(index.min(self.latencies_us.len().saturating_sub(1)))
            .map_or(f64::NAN, |&us| f64::from(us) / 1000.0)
    }
}

/// Lets this process open as many sockets as the workload needs.
fn allow_open_files() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let wanted = hard.min(16_384);
        if soft < wanted {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, wanted, hard);
        }
    }
}

fn connect_all(server: &Server, count: usize) -> Vec<Client> {
    allow_open_files();
    (0..count)
        .map(|_| {
            let stream = TcpStream::connect(server.addr).expect("connect");
            stream.set_nonblocking(true).expect("non-blocking");
            stream.set_nodelay(true).expect("no Nagle delay");
            Client {
                stream,
                partial: Vec::new(),
                outgoing: Vec::new(),
                cut: 0,
                sent: 0,
                arrived: 0,
                gone: false,
            }
        })
        .collect()
}

/// Reads and throws away whatever arrives until nothing has for `quiet`.
fn drain(clients: &mut [Client], quiet: Duration) {
    let mut last = Instant::now();
    let mut buffer = vec![0u8; 64 * 1024];
    let started = Instant::now();
    while last.elapsed() < quiet && started.elapsed() < Duration::from_secs(120) {
        for (client, ready) in wait_for(clients, Duration::from_millis(50)) {
            if ready && client.receive(&mut buffer) {
                client.partial.clear();
                last = Instant::now();
            }
        }
    }
}

/// Polls every client (for reading, and for writing while it has
/// something to send); returns each client with whether it is ready.
fn wait_for(
    clients: &mut [Client],
    timeout: Duration,
) -> impl Iterator<Item = (&mut Client, bool)> {
    let mut fds: Vec<PollFd> = clients
        .iter()
        .map(|c| {
            let mut flags = PollFlags::POLLIN;
            if c.sent < c.outgoing.len() {
                flags |= PollFlags::POLLOUT;
            }
            PollFd::new(c.stream.as_fd(), flags)
        })
        .collect();
    let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    let _ = poll(&mut fds, PollTimeout::from(millis));
    let ready: Vec<bool> = fds.iter().map(|fd| fd.any().unwrap_or(false)).collect();
    clients.iter_mut().zip(ready)
}

/// Parses `L <sender> <round> <ns>`, after an optional `<name> ` prefix.
fn parse(line: &[u8]) -> Option<(usize, usize, u64)> {
    let body = match line.strip_prefix(b"<") {
        Some(rest) => {
            let end = rest.windows(2).position(|w| w == b"> ")?;
            &rest[end + 2..]
        }
        None => line,
    };
    let mut words = body.strip_prefix(b"L ")?.split(|&b| b == b' ');
    let sender = number(words.next()?)?;
    let round = number(words.next()?)?;
    let sent = number(words.next()?)?;
    if words.next().is_some() {
        return None;
    }
    Some((
        usize::try_from(sender).ok()?,
        usize::try_from(round).ok()?,
        sent,
    ))
}

/// A decimal number made of digits only.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

/// Runs `workload` against a fresh server of `kind`.
pub fn run(kind: &str, workload: Workload) -> ChatRow {
    let Workload {
        clients: count,
        rounds,
        non_reader,
        stop_once_dropped,
    } = workload;
    let server = Server::start(kind);
    let _silent = non_reader.then(|| {
        let socket = small_buffer_socket(&server);
        std::thread::sleep(Duration::from_millis(50));
        socket
    });
    let mut clients = connect_all(&server, count);
    drain(&mut clients, Duration::from_millis(500));

    let mut tally = Tally {
        clients: count,
        rounds,
        seen: vec![false; count * count * rounds],
        delivered: 0,
        garbled: 0,
        latencies_us: Vec::with_capacity(count * (count - 1) * rounds),
        last_delivery: Duration::ZERO,
        non_reader_dropped: false,
    };
    let mut buffer = vec![0u8; 64 * 1024];
    let cpu_before = server.cpu_ticks();
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let mut rounds_run = 0;
    let mut froze = false;
    'rounds: for round in 0..rounds {
        if stop_once_dropped && tally.non_reader_dropped {
            break;
        }
        rounds_run += 1;
        for (index, client) in clients.iter_mut().enumerate() {
            let now = started.elapsed().as_nanos();
            client.outgoing = format!("L {index} {round} {now}\n").into_bytes();
            client.cut = client.outgoing.len() / 2;
            client.sent = 0;
            client.arrived = 0;
            client.send_some();
        }
        // The round is over when every client has its count - 1 lines.
        while clients.iter().any(|c| !c.gone && c.arrived < count - 1) {
            if last_progress.elapsed() > STALL {
                froze = true;
                break 'rounds;
            }
            for (receiver, (client, ready)) in
                wait_for(&mut clients, Duration::from_millis(20)).enumerate()
            {
                if !ready {
                    continue;
                }
                client.send_some();
                if client.receive(&mut buffer) {
                    last_progress = Instant::now();
                    tally.take_lines(receiver, client, started.elapsed());
                }
            }
        }
    }
    let elapsed = started.elapsed();
    let server_seconds = (server.cpu_ticks() - cpu_before) as f64 / 100.0;
    tally.latencies_us.sort_unstable();
    ChatRow {
        server: kind.to_string(),
        clients: count,
        non_reader,
        rounds_run,
        froze,
        expected: count * (count - 1) * rounds_run,
        delivered: tally.delivered,
        garbled: tally.garbled,
        deliveries_per_second: tally.delivered as f64 / tally.last_delivery.as_secs_f64().max(1e-9),
        p50_ms: tally.percentile_ms(0.50),
        p99_ms: tally.percentile_ms(0.99),
        server_busy_percent: 100.0 * server_seconds / elapsed.as_secs_f64(),
        peak_memory_mib: server.peak_memory_kib() as f64 / 1024.0,
        non_reader_dropped: tally.non_reader_dropped,
    }
}

/// A client with a tiny receive buffer that never reads.
fn small_buffer_socket(server: &Server) -> TcpStream {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let _ = socket.set_recv_buffer_size(4096);
    socket.connect(&server.addr.into()).expect("connect");
    socket.into()
}

/// The server's CPU use, in percent of one core, with `count` idle clients.
pub fn idle_cpu(kind: &str, count: usize, duration: Duration) -> f64 {
    let server = Server::start(kind);
    let mut clients = connect_all(&server, count);
    drain(&mut clients, Duration::from_millis(500));
    let before = server.cpu_ticks();
    std::thread::sleep(duration);
    let after = server.cpu_ticks();
    (after - before) as f64 / duration.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_or_without_a_name() {
        assert_eq!(parse(b"L 3 7 12345"), Some((3, 7, 12345)));
        assert_eq!(parse(b"<guest4> L 3 7 12345"), Some((3, 7, 12345)));
        assert_eq!(parse(b"L 3 7 123L 4 1 5"), None);
        assert_eq!(parse(b"L 3 7"), None);
        assert_eq!(parse(b"L 3 7 1 2"), None);
        assert_eq!(parse(b"<guest4 L 3 7 1"), None);
        assert_eq!(parse(b"L 3 -7 1"), None);
    }
}
