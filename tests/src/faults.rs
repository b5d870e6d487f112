//! Fault injection: streams and peers that behave the way real networks do
//! on a bad day, on purpose and deterministically (seeded, never relying on
//! the scheduler's luck).
//!
//! - [`Faulty`]: a `Read`/`Write` wrapper that moves at most a few bytes per
//!   call and now and then fails with `Interrupted` or `WouldBlock`.
//! - [`Endless`], [`TakesNothing`]: a stream that never ends a line, and one
//!   that refuses every byte.
//! - [`Proxy`]: a loopback proxy that re-chunks a TCP byte stream (one byte
//!   at a time, messages joined, a header split, a pause).
//! - [`pair`], [`reset`]: a connected pair of sockets whose grader end is a
//!   peer that never sends or never reads, and a close that sends RST.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use crate::harness::Failure;
use crate::net::{any_port_v4, with_timeouts};

/// A small deterministic random number generator (xorshift64*): the same
/// seed gives the same faults on every run and every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `1..=max`.
    pub fn upto(&mut self, max: usize) -> usize {
        1 + (self.next_u64() % max.max(1) as u64) as usize
    }

    /// True one time in `n` (never when `n` is 0).
    pub fn one_in(&mut self, n: u32) -> bool {
        n != 0 && self.next_u64().is_multiple_of(u64::from(n))
    }
}

/// Which faults a [`Faulty`] stream injects.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Each call moves between 1 and this many bytes.
    pub max_chunk: usize,
    /// One call in this many fails with `Interrupted` (0: never).
    pub interrupt_one_in: u32,
    /// One call in this many fails with `WouldBlock` (0: never).
    pub would_block_one_in: u32,
    pub seed: u64,
}

impl Faults {
    /// Short reads and writes only.
    pub fn short(max_chunk: usize, seed: u64) -> Faults {
        Faults {
            max_chunk,
            interrupt_one_in: 0,
            would_block_one_in: 0,
            seed,
        }
    }

    /// Short calls, and an `Interrupted` now and then.
    pub fn interrupted(max_chunk: usize, seed: u64) -> Faults {
        Faults {
            interrupt_one_in: 3,
            ..Faults::short(max_chunk, seed)
        }
    }
}

/// A stream that moves few bytes per call and sometimes fails harmlessly.
pub struct Faulty<S> {
    pub inner: S,
    faults: Faults,
    rng: Rng,
}

impl<S> Faulty<S> {
    pub fn new(inner: S, faults: Faults) -> Faulty<S> {
        Faulty {
            inner,
            faults,
            rng: Rng::new(faults.seed),
        }
    }

    /// Decides the fate of the next call: an injected error, or how many
    /// bytes (out of `wanted`) it may move.
    fn next_call(&mut self, wanted: usize) -> io::Result<usize> {
        if wanted == 0 {
            return Ok(0);
        }
        if self.rng.one_in(self.faults.interrupt_one_in) {
            return Err(io::Error::new(
                ErrorKind::Interrupted,
                "injected: interrupted by a signal",
            ));
        }
        if self.rng.one_in(self.faults.would_block_one_in) {
            return Err(io::Error::new(
                ErrorKind::WouldBlock,
                "injected: would block",
            ));
        }
        Ok(self.rng.upto(self.faults.max_chunk).min(wanted))
    }
}

impl<S: Read> Read for Faulty<S> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let allowed = self.next_call(buffer.len())?;
        self.inner.read(&mut buffer[..allowed])
    }
}

impl<S: Write> Write for Faulty<S> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let allowed = self.next_call(bytes.len())?;
        self.inner.write(&bytes[..allowed])
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A stream of `len` copies of one byte, with no newline: a line that goes
/// on far longer than anyone should buffer.
pub struct Endless {
    pub byte: u8,
    pub left: usize,
}

impl Read for Endless {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = buffer.len().min(self.left);
        buffer[..n].fill(self.byte);
        self.left -= n;
        Ok(n)
    }
}

/// A stream that accepts no byte at all: `write` returns `Ok(0)` for ever.
pub struct TakesNothing;

impl Write for TakesNothing {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Ok(0)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A connected pair of loopback sockets: (one for the lab, one for the
/// grader). The grader's end has timeouts; the lab's end is left as a new
/// socket is: blocking, no timeouts. Used as a peer that never sends, or
/// never reads, simply by not doing so.
pub fn pair() -> Result<(TcpStream, TcpStream), Failure> {
    let failed =
        |e: io::Error| Failure::new(format!("the grader could not make a connection: {e}"));
    let listener = TcpListener::bind(any_port_v4()).map_err(failed)?;
    let lab_end = TcpStream::connect(listener.local_addr().map_err(failed)?).map_err(failed)?;
    let (grader_end, _) = listener.accept().map_err(failed)?;
    Ok((lab_end, with_timeouts(grader_end)?))
}

/// Closes `stream` with a reset (RST) instead of a clean close (FIN):
/// `SO_LINGER` with a zero timeout, then drop.
pub fn reset(stream: TcpStream) {
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// How a [`Proxy`] cuts the stream it forwards.
#[derive(Debug, Clone)]
pub enum Chunking {
    /// Every byte its own write (with TCP_NODELAY: its own segment).
    OneByte,
    /// Waits a moment to gather what follows, then forwards it all in one
    /// write: several messages arrive as one.
    Coalesce,
    /// Forwards the stream in pieces cut at these offsets (e.g. inside a
    /// length header), a moment apart.
    CutAt(Vec<usize>),
    /// Random pieces of 1 to `max` bytes (seeded).
    Random { max: usize, seed: u64 },
}

/// A plan for one direction of a [`Proxy`].
#[derive(Debug, Clone)]
pub struct Plan {
    pub chunking: Chunking,
    /// After this many bytes, stop forwarding for a while: the reader on
    /// the other side sees nothing, then everything at once.
    pub pause: Option<(usize, Duration)>,
}

impl Plan {
    pub fn new(chunking: Chunking) -> Plan {
        Plan {
            chunking,
            pause: None,
        }
    }
}

/// A loopback proxy for one connection: the lab connects to `addr`, the
/// proxy connects to the upstream server and forwards both ways, each by
/// its plan. It stops when both sides have closed.
pub struct Proxy {
    pub addr: SocketAddr,
}

impl Proxy {
    pub fn start(
        upstream: SocketAddr,
        to_upstream: Plan,
        to_client: Plan,
    ) -> Result<Proxy, Failure> {
        let failed = |e: io::Error| Failure::new(format!("the grader's proxy failed: {e}"));
        let listener = TcpListener::bind(any_port_v4()).map_err(failed)?;
        let addr = listener.local_addr().map_err(failed)?;
        thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else {
                return;
            };
            let Ok(server) = TcpStream::connect(upstream) else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (Ok(client_in), Ok(server_in)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            thread::spawn(move || forward(client_in, server, to_upstream));
            forward(server_in, client, to_client);
        });
        Ok(Proxy { addr })
    }
}

/// Copies `from` to `to` following `plan`, then passes the end of stream on.
fn forward(mut from: TcpStream, mut to: TcpStream, plan: Plan) {
    let mut rng = match plan.chunking {
        Chunking::Random { seed, .. } => Rng::new(seed),
        _ => Rng::new(1),
    };
    let mut offset = 0usize;
    let mut paused = false;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut data = buffer[..n].to_vec();
        if matches!(plan.chunking, Chunking::Coalesce) {
            // Gather whatever follows within a moment.
            let _ = from.set_read_timeout(Some(Duration::from_millis(30)));
            let mut more = vec![0u8; 64 * 1024];
            while let Ok(m) = from.read(&mut more) {
                if m == 0 {
                    break;
                }
                data.extend_from_slice(&more[..m]);
            }
            let _ = from.set_read_timeout(None);
        }
        let mut at = 0;
        while at < data.len() {
            let piece = match &plan.chunking {
                Chunking::OneByte => 1,
                Chunking::Coalesce => data.len() - at,
                Chunking::Random { max, .. } => rng.upto(*max),
                Chunking::CutAt(cuts) => cuts
                    .iter()
                    .find(|&&cut| cut > offset)
                    .map_or(data.len() - at, |&cut| cut - offset),
            }
            .min(data.len() - at);
            let piece = match plan.pause {
                Some((after, _)) if !paused && offset < after => piece.min(after - offset),
                _ => piece,
            };
            if to.write_all(&data[at..at + piece]).is_err() {
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
            at += piece;
            offset += piece;
            if matches!(plan.chunking, Chunking::CutAt(_)) {
                // Separate segments: the reader sees each piece on its own.
                thread::sleep(Duration::from_millis(20));
            }
            if let Some((after, pause)) = plan.pause
                && !paused
                && offset >= after
            {
                paused = true;
                thread::sleep(pause);
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let a: Vec<u64> = (0..5)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..5)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn faulty_reads_are_short_and_sometimes_interrupted() {
        let mut stream = Faulty::new(&[7u8; 100][..], Faults::interrupted(3, 42));
        let (mut got, mut interrupted) = (0, 0);
        let mut buffer = [0u8; 50];
        while got < 100 {
            match stream.read(&mut buffer) {
                Ok(n) => {
                    assert!((1..=3).contains(&n));
                    got += n;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => interrupted += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(interrupted > 0);
    }

    #[test]
    fn the_proxy_delivers_every_byte_in_order() {
        let echo = TcpListener::bind(any_port_v4()).unwrap();
        let upstream = echo.local_addr().unwrap();
        thread::spawn(move || {
            let (mut conn, _) = echo.accept().unwrap();
            let mut all = Vec::new();
            conn.read_to_end(&mut all).unwrap();
            conn.write_all(&all).unwrap();
        });
        let plan = Plan {
            chunking: Chunking::Random { max: 100, seed: 3 },
            pause: Some((500, Duration::from_millis(50))),
        };
        let proxy = Proxy::start(upstream, plan, Plan::new(Chunking::OneByte)).unwrap();
        let mut client = TcpStream::connect(proxy.addr).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let sent: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
        client.write_all(&sent).unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut back = Vec::new();
        client.read_to_end(&mut back).unwrap();
        assert_eq!(back, sent);
    }
}
