//! The grader's own side of every conversation: clients and servers with
//! timeouts on every call, so that no check can hang, and helpers that turn
//! I/O errors into messages a learner can act on.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use crate::harness::{Failure, LIMIT};

/// 127.0.0.1 port 0: the kernel picks a free port, so checks never collide.
pub fn any_port_v4() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

/// [::1] port 0.
pub fn any_port_v6() -> SocketAddr {
    SocketAddr::from((Ipv6Addr::LOCALHOST, 0))
}

/// A loopback listener of the grader's own, with port 0.
pub fn grader_listener() -> Result<TcpListener, Failure> {
    TcpListener::bind(any_port_v4())
        .map_err(|e| Failure::new(format!("the grader could not listen on 127.0.0.1: {e}")))
}

/// Connects to `addr` as a client with timeouts on connect, read and write.
pub fn connect(addr: SocketAddr) -> Result<TcpStream, Failure> {
    let stream = TcpStream::connect_timeout(&addr, LIMIT)
        .map_err(|e| Failure::new(format!("the grader could not connect to {addr}: {e}")))?;
    with_timeouts(stream)
}

/// Sets read and write timeouts on a stream the grader uses.
pub fn with_timeouts(stream: TcpStream) -> Result<TcpStream, Failure> {
    stream
        .set_read_timeout(Some(LIMIT))
        .and_then(|()| stream.set_write_timeout(Some(LIMIT)))
        .map_err(|e| Failure::new(format!("the grader could not set timeouts: {e}")))?;
    Ok(stream)
}

/// Accepts one connection on the grader's listener, giving up after `LIMIT`.
pub fn accept(listener: &TcpListener, waiting_for: &str) -> Result<TcpStream, Failure> {
    listener
        .set_nonblocking(true)
        .map_err(|e| Failure::new(format!("the grader could not poll its listener: {e}")))?;
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream
                    .set_nonblocking(false)
                    .map_err(|e| Failure::new(format!("the grader's socket failed: {e}")))?;
                return with_timeouts(stream);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if std::time::Instant::now() >= deadline {
                    return Err(Failure::new(format!(
                        "no connection arrived within {} s: {waiting_for}",
                        LIMIT.as_secs()
                    )));
                }
                thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => return Err(Failure::new(format!("the grader's accept failed: {e}"))),
        }
    }
}

/// Did this read or write fail because its timeout expired? On Unix an
/// expired timeout is `WouldBlock`, not `TimedOut`; accept both.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Reads until the peer closes the connection.
pub fn read_until_closed(stream: &mut TcpStream, waiting_for: &str) -> Result<Vec<u8>, Failure> {
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) => Ok(received),
        Err(e) if is_timeout(&e) => Err(Failure::new(format!(
            "waited {} s for the connection to close after {} bytes ({:?}): {waiting_for}",
            LIMIT.as_secs(),
            received.len(),
            String::from_utf8_lossy(&received)
        ))),
        Err(e) => Err(Failure::new(format!(
            "reading failed after {} bytes: {e}",
            received.len()
        ))),
    }
}

/// Reads exactly `len` bytes, or says what arrived instead.
pub fn read_exactly(
    stream: &mut TcpStream,
    len: usize,
    waiting_for: &str,
) -> Result<Vec<u8>, Failure> {
    let mut received = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match stream.read(&mut received[filled..]) {
            Ok(0) => {
                return Err(Failure::new(format!(
                    "the connection closed after {filled} of {len} bytes: {waiting_for}"
                )));
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                return Err(Failure::new(format!(
                    "waited {} s but only {filled} of {len} bytes arrived: {waiting_for}",
                    LIMIT.as_secs()
                )));
            }
            Err(e) => {
                return Err(Failure::new(format!(
                    "reading failed after {filled} of {len} bytes: {e} ({waiting_for})"
                )));
            }
        }
    }
    Ok(received)
}

/// Writes all of `bytes` from the grader's side.
pub fn send(stream: &mut TcpStream, bytes: &[u8]) -> Result<(), Failure> {
    stream.write_all(bytes).map_err(|e| {
        Failure::new(format!(
            "the grader could not send {} bytes: {e} (did your side close the connection?)",
            bytes.len()
        ))
    })
}

/// Describes bytes for a transcript: printable text in quotes.
pub fn quoted(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// Starts a learner's server (`serve(listener)`, which should run for
/// ever) on a fresh loopback listener, on a thread named `thread_name` (a
/// name shows in /proc). Returns its address and the running call.
pub fn serve_in_background(
    serve: fn(TcpListener) -> io::Result<()>,
    thread_name: &str,
) -> Result<(SocketAddr, crate::harness::Pending<io::Result<()>>), Failure> {
    let listener = grader_listener()?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::new(e.to_string()))?;
    let running = crate::harness::learner("serve")
        .thread_name(thread_name)
        .within(std::time::Duration::from_secs(3600))
        .spawn(move || serve(listener));
    Ok((addr, running))
}

/// Describes an `io::Result` for a transcript: the value, or the error kind
/// (the kind, not the message: messages differ between systems).
pub fn outcome<T: std::fmt::Debug>(result: &io::Result<T>) -> String {
    match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({:?})", error.kind()),
    }
}

/// Turns an error returned by learner code into a failure.
pub fn returned_error(function: &str, error: io::Error) -> Failure {
    Failure::new(format!("{function} returned an error: {error}"))
}

/// A program started by a check, killed when the check ends.
pub struct Program {
    child: Child,
    pub first_line: String,
}

impl Program {
    /// Starts `path` with `args` and waits (at most `LIMIT`) for the first
    /// line it prints on standard output.
    pub fn start(path: &str, args: &[&str]) -> Result<Program, Failure> {
        let name = program_name(path);
        let mut child = spawn_piped(path, args)?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (line_tx, line_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = line_tx.send(line);
        });
        let mut program = Program {
            child,
            first_line: String::new(),
        };
        match line_rx.recv_timeout(LIMIT) {
            Ok(line) if !line.is_empty() => {
                program.first_line = line.trim_end().to_string();
                Ok(program)
            }
            Ok(_) => {
                let stderr = program.stderr_after_kill();
                if stderr.contains("not yet implemented") {
                    return Err(Failure::new(format!(
                        "not implemented yet: {name} reached a todo!() in your lab\n{stderr}"
                    )));
                }
                Err(Failure::new(format!(
                    "{name} {} exited without printing its address: {stderr}",
                    args.join(" ")
                )))
            }
            Err(_) => Err(Failure::new(format!(
                "{name} {} printed nothing within {} s; it should print the address it listens on first",
                args.join(" "),
                LIMIT.as_secs()
            ))),
        }
    }

    /// When the grader's side of a conversation with the program fails, the
    /// program may have died: then its own words (a todo!() it reached, a
    /// panic) are the failure to report.
    pub fn blame<R>(&mut self, grader_side: Result<R, Failure>) -> Result<R, Failure> {
        let Err(failure) = grader_side else {
            return grader_side;
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            return Err(failure);
        }
        let stderr = self.stderr_after_kill();
        if stderr.contains("not yet implemented") {
            Err(Failure::new(format!(
                "not implemented yet: the program reached a todo!() in your lab\n{stderr}"
            )))
        } else {
            Err(Failure::new(format!(
                "{failure}\nthe program stopped:\n{stderr}"
            )))
        }
    }

    /// Stops the program and returns what it wrote on standard error.
    pub fn stderr_after_kill(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut text = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut text);
        }
        // The hint about RUST_BACKTRACE is noise in a lesson.
        let text: Vec<&str> = text
            .lines()
            .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE"))
            .collect();
        let text = text.join("\n");
        let text = text.trim();
        if text.is_empty() {
            "(nothing on stderr)".to_string()
        } else {
            text.to_string()
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a program to completion, giving up after `LIMIT`; returns its
/// standard output, or a failure that shows its standard error.
pub fn run_program(path: &str, args: &[&str]) -> Result<String, Failure> {
    let name = program_name(path);
    let mut child = spawn_piped(path, args)?;
    let stdout = read_in_background(child.stdout.take().expect("stdout is piped"));
    let stderr = read_in_background(child.stderr.take().expect("stderr is piped"));
    let deadline = std::time::Instant::now() + LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                thread::sleep(std::time::Duration::from_millis(5));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::new(format!(
                    "{name} {} did not exit within {} s",
                    args.join(" "),
                    LIMIT.as_secs()
                )));
            }
            Err(e) => return Err(Failure::new(format!("could not wait for {name}: {e}"))),
        }
    };
    let stdout = stdout.recv_timeout(LIMIT).unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        Err(Failure::new(format!(
            "{name} {} failed ({status}): {}",
            args.join(" "),
            stderr.recv_timeout(LIMIT).unwrap_or_default().trim()
        )))
    }
}

/// Reads a pipe to its end on a thread of its own.
fn read_in_background(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (text_tx, text_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = text_tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    text_rx
}

/// Starts a program with no input and both outputs piped to the check.
fn spawn_piped(path: &str, args: &[&str]) -> Result<Child, Failure> {
    Command::new(path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::new(format!("could not start {}: {e}", program_name(path))))
}

/// The address at the end of a program's first line, such as
/// `echo-server listening on 127.0.0.1:7000`. `program` names the program
/// and `output` where it prints that line (for the failure message).
pub fn announced_address(line: &str, program: &str, output: &str) -> Result<SocketAddr, Failure> {
    line.rsplit(' ')
        .next()
        .and_then(|word| word.parse().ok())
        .ok_or_else(|| {
            Failure::new(format!(
                "{program} should first print \"{program} listening on ADDR\" on {output}, \
                 e.g. \"{program} listening on 127.0.0.1:7000\"; it printed {line:?}"
            ))
        })
}

fn program_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An interactive program (a chat client): the check types lines on its
/// standard input and reads the lines it prints. Its first line on standard
/// error is its announcement (the address it listens on, say). Killed when
/// the check ends.
pub struct Chat {
    child: Child,
    name: String,
    pub announcement: String,
    lines: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Chat {
    /// Starts the program and waits (at most `LIMIT`) for its first line
    /// on standard error.
    pub fn start(path: &str, args: &[&str]) -> Result<Chat, Failure> {
        let mut chat = Chat::start_quiet(path, args)?;
        let deadline = std::time::Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match chat.stderr.recv_timeout(left) {
                Ok(line) if line.trim().is_empty() => continue,
                Ok(line) if !line.contains("panicked") => {
                    chat.announcement = line;
                    return Ok(chat);
                }
                Ok(line) => return Err(chat.failed(&line)),
                Err(_) => {
                    return Err(Failure::new(format!(
                        "{} printed nothing on standard error within {} s",
                        chat.name,
                        LIMIT.as_secs()
                    )));
                }
            }
        }
    }

    /// Explains why the program stopped, from what it wrote on stderr.
    fn failed(&mut self, first: &str) -> Failure {
        // Let it finish dying (a panic on another thread may leave it
        // running: then stop it), and read its stderr to the end, so its
        // whole message is there, not just the lines read so far.
        let deadline = std::time::Instant::now() + LIMIT;
        while matches!(self.child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut rest = Vec::new();
        while let Ok(line) = self
            .stderr
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        {
            if !line.starts_with("note: run with `RUST_BACKTRACE") {
                rest.push(line);
            }
        }
        let said = format!("{first}\n{}", rest.join("\n")).trim().to_string();
        if said.contains("not yet implemented") {
            Failure::new(format!(
                "not implemented yet: {} reached a todo!() in your lab\n{said}",
                self.name
            ))
        } else {
            Failure::new(format!("{} stopped:\n{said}", self.name))
        }
    }

    /// Starts a program that announces nothing (a chat client).
    pub fn start_quiet(path: &str, args: &[&str]) -> Result<Chat, Failure> {
        let name = format!("{} {}", program_name(path), args.join(" "));
        let mut child = Command::new(path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Failure::new(format!("could not start {name}: {e}")))?;
        let stderr = lines_in_background(child.stderr.take().expect("stderr is piped"));
        let lines = lines_in_background(child.stdout.take().expect("stdout is piped"));
        Ok(Chat {
            child,
            name,
            announcement: String::new(),
            lines,
            stderr,
        })
    }

    /// Waits (at most `LIMIT`) for a printed line that contains `part`.
    pub fn expect_line_containing(&mut self, part: &str) -> Result<String, Failure> {
        let deadline = std::time::Instant::now() + LIMIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(part) => return Ok(line),
                Ok(line) => seen.push(line),
                Err(_) => {
                    if let Ok(Some(_)) = self.child.try_wait() {
                        return Err(self.failed("it exited"));
                    }
                    return Err(Failure::new(format!(
                        "{} printed no line with {part:?} within {} s (it printed {seen:?})",
                        self.name,
                        LIMIT.as_secs()
                    )));
                }
            }
        }
    }

    /// Waits (at most `LIMIT`) for the program to exit successfully.
    pub fn expect_exit(&mut self) -> Result<(), Failure> {
        let deadline = std::time::Instant::now() + LIMIT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => {
                    return Err(Failure::new(format!("{} exited with {status}", self.name)));
                }
                _ if std::time::Instant::now() >= deadline => {
                    return Err(Failure::new(format!(
                        "{} did not exit within {} s after the server went away",
                        self.name,
                        LIMIT.as_secs()
                    )));
                }
                _ => thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
    }

    /// Types `line` and Enter.
    pub fn type_line(&mut self, line: &str) -> Result<(), Failure> {
        let stdin = self.child.stdin.as_mut().expect("stdin is piped");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|e| Failure::new(format!("could not type into {}: {e}", self.name)))
    }

    /// Waits (at most `LIMIT`) for the program to print `expected`.
    pub fn expect_line(&mut self, expected: &str) -> Result<(), Failure> {
        let deadline = std::time::Instant::now() + LIMIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line == expected => return Ok(()),
                Ok(line) => seen.push(line),
                Err(_) => {
                    if let Ok(Some(_)) = self.child.try_wait() {
                        return Err(self.failed("it exited"));
                    }
                    return Err(Failure::new(format!(
                        "{} did not print {expected:?} within {} s (it printed {seen:?})",
                        self.name,
                        LIMIT.as_secs()
                    )));
                }
            }
        }
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a pipe line by line on a thread of its own.
fn lines_in_background(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (line_tx, line_rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    line_rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_announced_address_ends_the_first_line() {
        let addr = announced_address(
            "chat-server listening on 127.0.0.1:7000",
            "chat-server",
            "x",
        );
        assert_eq!(addr, Ok(SocketAddr::from(([127, 0, 0, 1], 7000))));
        let failure = announced_address("ready!", "chat-server", "standard output").unwrap_err();
        assert!(
            failure.message.contains(
                "chat-server should first print \"chat-server listening on ADDR\" on standard output"
            ),
            "{}",
            failure.message
        );
    }
}
