//! Echo throughput: each connection sends a message and waits for its echo,
//! again and again, for a fixed time.

use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::server::Server;

pub struct EchoRow {
    pub connections: usize,
    pub size: usize,
    pub messages_per_second: f64,
    pub mib_per_second: f64,
}

impl fmt::Display for EchoRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>4} connections, {:>6} B messages: {:>10.0} echoes/s, {:>8.1} MiB/s",
            self.connections, self.size, self.messages_per_second, self.mib_per_second
        )
    }
}

pub fn run(connections: usize, size: usize, duration: Duration) -> EchoRow {
    let server = Server::start("echo");
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let addr = server.addr;
            thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let message = vec![7u8; size];
                let mut echo = vec![0u8; size];
                let mut count = 0u64;
                while started.elapsed() < duration {
                    stream.write_all(&message).expect("send");
                    stream.read_exact(&mut echo).expect("echo");
                    count += 1;
                }
                count
            })
        })
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().expect("worker")).sum();
    let seconds = started.elapsed().as_secs_f64();
    EchoRow {
        connections,
        size,
        messages_per_second: total as f64 / seconds,
        mib_per_second: (total as f64 * size as f64 * 2.0) / seconds / (1024.0 * 1024.0),
    }
}
