//! The chat workload: N clients connect, then all of them send their lines
//! at once; every line must reach the N - 1 others. One thread drives every
//! client with `poll`, so 1000 clients cost 1000 sockets, not 1000 threads.
//!
//! Each line carries its sender, its number and the time it was sent:
//! `L <sender> <seq> <nanoseconds>`, written in two pieces (a line cut in
//! two segments, as the network may cut it). A received line is a delivery if it
//! is exactly that (after the server's `<name> ` prefix, if any); any other
//! non-notice line is garbled. The same (receiver, sender, seq) counts once.

use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::server::Server;

pub struct ChatRow {
    pub server: String,
    pub clients: usize,
    pub non_reader: bool,
    pub expected: usize,
    pub delivered: usize,
    pub garbled: usize,
    pub deliveries_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub peak_memory_mib: f64,
}

impl fmt::Display for ChatRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>8} {:>4} clients{}: {:>9.0} deliveries/s, p50 {:>7.2} ms, p99 {:>7.2} ms, \
             lost {}, garbled {}, peak {:.1} MiB",
            self.server,
            self.clients,
            if self.non_reader {
                " + 1 not reading"
            } else {
                "                 "
            },
            self.deliveries_per_second,
            self.p50_ms,
            self.p99_ms,
            self.expected - self.delivered,
            self.garbled,
            self.peak_memory_mib
        )
    }
}

/// One client of the benchmark.
struct Client {
    stream: TcpStream,
    partial: Vec<u8>,
    outgoing: Vec<u8>,
    next_line: usize,
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
                next_line: 0,
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
        let mut fds: Vec<PollFd> = clients
            .iter()
            .map(|c| PollFd::new(c.stream.as_fd(), PollFlags::POLLIN))
            .collect();
        let _ = poll(&mut fds, PollTimeout::from(50u8));
        let ready: Vec<bool> = fds.iter().map(|fd| fd.any().unwrap_or(false)).collect();
        drop(fds);
        for (client, ready) in clients.iter_mut().zip(ready) {
            while ready && matches!(client.stream.read(&mut buffer), Ok(n) if n > 0) {
                last = Instant::now();
            }
        }
    }
}

/// Parses `L <sender> <seq> <ns>` (after an optional `<name> ` prefix).
fn parse(line: &[u8]) -> Option<(usize, usize, u64)> {
    let text = std::str::from_utf8(line).ok()?;
    let body = match text.strip_prefix('<') {
        Some(rest) => rest.split_once("> ")?.1,
        None => text,
    };
    let mut words = body.strip_prefix("L ")?.split(' ');
    let sender = words.next()?.parse().ok()?;
    let seq = words.next()?.parse().ok()?;
    let sent = words.next()?.parse().ok()?;
    words.next().is_none().then_some((sender, seq, sent))
}

pub fn run(kind: &str, count: usize, lines_each: usize, non_reader: bool) -> ChatRow {
    let server = Server::start(kind);
    let _silent = non_reader.then(|| {
        let socket = nix_small_buffer_socket(&server);
        std::thread::sleep(Duration::from_millis(50));
        socket
    });
    let mut clients = connect_all(&server, count);
    drain(&mut clients, Duration::from_millis(500));

    let expected = count * lines_each * (count - 1);
    let mut seen = vec![false; count * count * lines_each];
    let mut delivered = 0usize;
    let mut garbled = 0usize;
    let mut latencies_us: Vec<u32> = Vec::with_capacity(expected);
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let mut last_delivery = Duration::ZERO;
    let mut buffer = vec![0u8; 64 * 1024];
    while delivered < expected && last_progress.elapsed() < Duration::from_secs(5) {
        // Every client with nothing pending queues its next line.
        for (index, client) in clients.iter_mut().enumerate() {
            if client.outgoing.is_empty() && client.next_line < lines_each {
                let now = started.elapsed().as_nanos();
                client.outgoing = format!("L {index} {} {now}\n", client.next_line).into_bytes();
                client.next_line += 1;
            }
            // Each line goes out in two writes (two segments, no Nagle),
            // as lines do on real networks: a server must put them together.
            while !client.outgoing.is_empty() {
                let piece = if client.outgoing.ends_with(b"\n") && client.outgoing.len() > 8 {
                    client.outgoing.len() / 2
                } else {
                    client.outgoing.len()
                };
                match client.stream.write(&client.outgoing[..piece]) {
                    Ok(n) => {
                        client.outgoing.drain(..n);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        client.outgoing.clear();
                        client.next_line = lines_each;
                    }
                }
            }
        }
        let mut fds: Vec<PollFd> = clients
            .iter()
            .map(|c| PollFd::new(c.stream.as_fd(), PollFlags::POLLIN))
            .collect();
        let _ = poll(&mut fds, PollTimeout::from(20u8));
        let ready: Vec<bool> = fds.iter().map(|fd| fd.any().unwrap_or(false)).collect();
        drop(fds);
        for ((receiver, client), ready) in clients.iter_mut().enumerate().zip(ready) {
            if !ready {
                continue;
            }
            while let Ok(n) = client.stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                client.partial.extend_from_slice(&buffer[..n]);
            }
            let now = started.elapsed();
            let mut start = 0;
            while let Some(end) = client.partial[start..].iter().position(|&b| b == b'\n') {
                let line = &client.partial[start..start + end];
                start += end + 1;
                if line.starts_with(b"* ") {
                    continue;
                }
                match parse(line) {
                    Some((sender, seq, sent)) if sender < count && seq < lines_each => {
                        let slot = (receiver * count + sender) * lines_each + seq;
                        if !seen[slot] && sender != receiver {
                            seen[slot] = true;
                            delivered += 1;
                            let micros = (now.as_nanos().saturating_sub(u128::from(sent))) / 1000;
                            latencies_us.push(u32::try_from(micros).unwrap_or(u32::MAX));
                            last_delivery = now;
                            last_progress = Instant::now();
                        }
                    }
                    _ => garbled += 1,
                }
            }
            client.partial.drain(..start);
        }
    }
    latencies_us.sort_unstable();
    let percentile = |p: f64| {
        latencies_us
            .get(
                ((latencies_us.len() as f64 * p) as usize)
                    .min(latencies_us.len().saturating_sub(1)),
            )
            .map_or(f64::NAN, |&us| f64::from(us) / 1000.0)
    };
    ChatRow {
        server: kind.to_string(),
        clients: count,
        non_reader,
        expected,
        delivered,
        garbled,
        deliveries_per_second: delivered as f64 / last_delivery.as_secs_f64().max(1e-9),
        p50_ms: percentile(0.50),
        p99_ms: percentile(0.99),
        peak_memory_mib: server.peak_memory_kib() as f64 / 1024.0,
    }
}

/// A client with a tiny receive buffer that never reads.
fn nix_small_buffer_socket(server: &Server) -> TcpStream {
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
    }
}
