//! The servers under test, each in a process of its own.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};

/// The chat servers compared.
pub const CHAT_SERVERS: [&str; 3] = ["select", "threaded", "python"];

/// `socklab-bench serve KIND`: runs one server on 127.0.0.1, port 0, and
/// prints its address first.
pub fn serve(kind: &str) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen on loopback");
    println!(
        "listening on {}",
        listener.local_addr().expect("an address")
    );
    std::io::stdout().flush().expect("stdout");
    let result = match kind {
        "echo" => select_server::serve(listener),
        "select" => chat_room::server::serve(listener),
        "threaded" => chat_room::threaded::serve_threaded(listener),
        other => panic!("unknown server {other}"),
    };
    if let Err(e) = result {
        eprintln!("{kind} server stopped: {e}");
    }
}

/// A running server process, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    pub fn start(kind: &str) -> Server {
        let mut command = if kind == "python" {
            let script =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python_chat_server.py");
            let mut command = Command::new("python3");
            command.arg(script).arg("0");
            command
        } else {
            let mut command = Command::new(std::env::current_exe().expect("this program"));
            command.args(["serve", kind]);
            command
        };
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server prints its address");
        let addr = line
            .trim()
            .rsplit(' ')
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Server { child, addr }
    }

    /// The server's peak resident memory (VmHWM), in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        proc_status_kib(self.child.id(), "VmHWM:")
    }

    /// CPU time used so far (user + system), in clock ticks (1/100 s).
    pub fn cpu_ticks(&self) -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        field(11) + field(12)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn proc_status_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
