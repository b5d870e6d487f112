//! # Lab 03: send and recv, partial I/O and framing
//!
//! Read chapter 3 of the book first. Then replace every `todo!()` below.
//! Check your work with `cargo lab check 3` (or `cargo test` in this
//! folder); `cargo lab hint 3` helps when you are stuck.
//!
//! The functions take `&mut dyn Read` / `&mut dyn Write` rather than a
//! socket. A `TcpStream` is one; so is the grader's stream that moves one
//! byte per call and is sometimes interrupted. Code that is correct on the
//! grader's stream is correct on any socket. Keep every signature as it is.

// The stubs do not use their arguments (or fields) yet; your code will.
#![allow(unused_variables, dead_code)]

use std::io::{self, BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// Write every byte of `bytes` to `out`.
///
/// One `write` may take fewer bytes than you give it: it returns how many it
/// took. Loop until all are written. `ErrorKind::Interrupted` is not a
/// failure: try again. A `write` that returns `Ok(0)` will never take the
/// rest: return an `ErrorKind::WriteZero` error. Book: 3.1.
pub fn send_all(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    todo!()
}

/// Fill `buffer` completely from `input`.
///
/// One `read` may return fewer bytes than you asked for: loop. `Ok(0)` means
/// the peer closed for good: return an `ErrorKind::UnexpectedEof` error (the
/// message is incomplete). Retry on `Interrupted`. Book: 3.1.
pub fn recv_exact(input: &mut dyn Read, buffer: &mut [u8]) -> io::Result<()> {
    todo!()
}

/// Read until the peer closes its side (`read` returns 0) and return
/// everything. More than `limit` bytes is an `ErrorKind::InvalidData`
/// error: never grow without a bound. Book: 3.5.
pub fn recv_until_closed(input: &mut dyn Read, limit: usize) -> io::Result<Vec<u8>> {
    todo!()
}

/// Read one line ending in `\n`; drop the `\n` (and a `\r` just before it).
///
/// - `Ok(Some(line))`: a whole line.
/// - `Ok(None)`: the stream ended cleanly, between two lines.
/// - `ErrorKind::UnexpectedEof`: the stream ended in the middle of a line.
/// - `ErrorKind::InvalidData`: the line has more than `max_len` bytes (stop
///   reading after `max_len + 1` bytes: never buffer more), or it is not
///   UTF-8 (consume that line, so the next call reads the next one).
///
/// `BufRead` gives you `read_until`, and `Read::take` bounds a read.
/// Book: 3.3.
pub fn read_line(input: &mut dyn BufRead, max_len: usize) -> io::Result<Option<String>> {
    todo!()
}

/// Write one frame: the payload's length as a `u32` in big-endian byte
/// order (4 bytes), then the payload. A payload longer than `u32::MAX`
/// is an `ErrorKind::InvalidInput` error. Book: 3.4.
pub fn write_frame(out: &mut dyn Write, payload: &[u8]) -> io::Result<()> {
    todo!()
}

/// Read one frame written by [`write_frame`].
///
/// - `Ok(None)`: the stream ended cleanly, before any byte of a header.
/// - `ErrorKind::UnexpectedEof`: it ended inside a header or a payload.
/// - `ErrorKind::InvalidData`: the header announces more than `max_len`
///   bytes. Check *before* you allocate: the header is the peer's claim,
///   and 4 GiB is one byte pattern away. Book: 3.4.
pub fn read_frame(input: &mut dyn Read, max_len: usize) -> io::Result<Option<Vec<u8>>> {
    todo!()
}

/// Connect to `server`, send all of `request`, tell the server you are done
/// with a half-close (`shutdown(Shutdown::Write)`), then read the reply until
/// the server closes (at most `limit` bytes). Book: 3.5.
pub fn request(server: SocketAddr, request: &[u8], limit: usize) -> io::Result<Vec<u8>> {
    todo!()
}

/// A connection that sends and receives whole messages as frames, however
/// TCP cuts or joins the bytes on the way. Book: 3.6.
pub struct MessageSocket {
    stream: TcpStream,
    max_len: usize,
}

impl MessageSocket {
    /// Wrap a connected stream; messages longer than `max_len` are refused.
    pub fn new(stream: TcpStream, max_len: usize) -> MessageSocket {
        MessageSocket { stream, max_len }
    }

    /// Send one whole message as a frame. A message longer than `max_len`
    /// is an `ErrorKind::InvalidInput` error, and nothing is sent.
    pub fn send(&mut self, message: &[u8]) -> io::Result<()> {
        todo!()
    }

    /// Receive one whole message; `Ok(None)` once the peer has closed.
    pub fn recv(&mut self) -> io::Result<Option<Vec<u8>>> {
        todo!()
    }
}
