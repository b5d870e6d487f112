//! `chat-client ADDR`: joins a chat room. It waits for the keyboard and the
//! server at once (`poll` over both), so incoming lines appear while you
//! type. On a terminal it edits your line itself (Backspace works, Enter
//! sends, Ctrl-D or Ctrl-C leaves) so that an incoming line never mangles
//! what you are typing: it is printed above, and your line redrawn below.
//! With standard input from a pipe it simply sends what it reads.
//!
//! Lines from the server are cleaned with your `sanitize` before they are
//! shown: a client trusts no server with its terminal.
//!
//! This program is complete: it calls the functions you write.

use std::io::{self, IsTerminal, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use chat_room::lines::{LineBuffer, sanitize};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::termios::{self, LocalFlags, SetArg, Termios};

/// What the user is typing, shown after a prompt on the last line.
struct Typing {
    terminal: bool,
    line: Vec<u8>,
}

impl Typing {
    /// Prints a line that came from the server without mangling the line
    /// being typed: clear it, print, redraw it.
    fn show(&self, out: &mut impl Write, text: &str) -> io::Result<()> {
        if self.terminal {
            write!(
                out,
                "\r\x1b[K{text}\r\n> {}",
                String::from_utf8_lossy(&self.line)
            )?;
        } else {
            writeln!(out, "{text}")?;
        }
        out.flush()
    }
}

/// Puts the terminal in "one key at a time, no echo" mode, and back when
/// dropped, whatever happens.
struct RawMode {
    saved: Termios,
}

impl RawMode {
    fn enter(fd: BorrowedFd) -> io::Result<RawMode> {
        let saved = termios::tcgetattr(fd)?;
        let mut raw = saved.clone();
        raw.local_flags &= !(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG);
        termios::tcsetattr(fd, SetArg::TCSANOW, &raw)?;
        Ok(RawMode { saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(io::stdin().as_fd(), SetArg::TCSANOW, &self.saved);
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr] = args.as_slice() else {
        bail!("usage: chat-client ADDR   (for example: chat-client 127.0.0.1:7000)");
    };
    let addr = addr
        .to_socket_addrs()?
        .next()
        .with_context(|| format!("{addr} has no address"))?;
    let mut server = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .with_context(|| format!("cannot connect to {addr}"))?;
    let stdin = io::stdin();
    let terminal = stdin.is_terminal();
    let _raw = if terminal {
        Some(RawMode::enter(stdin.as_fd())?)
    } else {
        None
    };
    let mut typing = Typing {
        terminal,
        line: Vec::new(),
    };
    let mut screen = io::stdout();
    if terminal {
        write!(screen, "> ")?;
        screen.flush()?;
    }

    let mut incoming = LineBuffer::default();
    let mut keyboard_open = true;
    let mut buffer = [0u8; 4096];
    loop {
        let mut fds = vec![PollFd::new(server.as_fd(), PollFlags::POLLIN)];
        if keyboard_open {
            fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
        }
        poll(&mut fds, PollTimeout::NONE)?;
        let server_ready = fds[0].any().unwrap_or(false);
        let keyboard_ready = keyboard_open && fds[1].any().unwrap_or(false);
        drop(fds);

        if server_ready {
            let n = server.read(&mut buffer).unwrap_or(0);
            if n == 0 {
                // The last line: no prompt after it.
                if terminal {
                    write!(screen, "\r\x1b[K* the server closed the connection\r\n")?;
                } else {
                    writeln!(screen, "* the server closed the connection")?;
                }
                return Ok(());
            }
            for line in incoming.push(&buffer[..n]) {
                typing.show(&mut screen, &sanitize(&line))?;
            }
        }
        if keyboard_ready {
            let n = stdin.lock().read(&mut buffer)?;
            if n == 0 {
                // End of input: say so to the server, keep reading its lines.
                keyboard_open = false;
                server.shutdown(Shutdown::Write)?;
            } else if !terminal {
                server.write_all(&buffer[..n])?;
            } else if !edit(&buffer[..n], &mut typing, &mut server, &mut screen)? {
                server.shutdown(Shutdown::Write)?;
                keyboard_open = false;
            }
        }
    }
}

/// Applies keys to the line being typed; sends it on Enter. False when the
/// user leaves (Ctrl-C, or Ctrl-D on an empty line).
fn edit(
    keys: &[u8],
    typing: &mut Typing,
    server: &mut TcpStream,
    screen: &mut impl Write,
) -> io::Result<bool> {
    for &key in keys {
        match key {
            b'\r' | b'\n' => {
                typing.line.push(b'\n');
                server.write_all(&typing.line)?;
                typing.line.pop();
                write!(
                    screen,
                    "\r\x1b[Kyou: {}\r\n> ",
                    String::from_utf8_lossy(&typing.line)
                )?;
                typing.line.clear();
            }
            // Backspace: forget the last character, and redraw the line (a
            // character may be several bytes, and two columns wide).
            0x7f | 0x08 => {
                pop_char(&mut typing.line);
                write!(
                    screen,
                    "\r\x1b[K> {}",
                    String::from_utf8_lossy(&typing.line)
                )?;
            }
            0x03 => return Ok(false),
            0x04 if typing.line.is_empty() => return Ok(false),
            key if key >= 0x20 || key == b'\t' => {
                typing.line.push(key);
                screen.write_all(&[key])?;
            }
            _ => {}
        }
    }
    screen.flush()?;
    Ok(true)
}

/// Removes the last character of a UTF-8 line: one to four bytes. Every
/// byte after a character's first looks like `0b10xx_xxxx`.
fn pop_char(line: &mut Vec<u8>) {
    while let Some(byte) = line.pop() {
        if byte & 0b1100_0000 != 0b1000_0000 {
            return;
        }
    }
}
