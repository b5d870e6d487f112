//! Lab 04, solved: reading without waiting, waiting with a deadline,
//! connecting with a timeout, and a chat that talks and listens at once.
//!
//! Book: chapter 4, "Blocking, non-blocking and timeouts".

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::thread;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use socket2::{Domain, Protocol, Socket, Type};

// ANCHOR: read_now
/// What a read that must not wait found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadNow {
    /// Bytes that had already arrived.
    Data(Vec<u8>),
    /// Nothing yet; the connection is still open. Try again later.
    WouldBlock,
    /// The peer closed: nothing will ever come again.
    Closed,
}

/// Reads whatever has already arrived on `stream` (at most `max` bytes),
/// without waiting: the stream is switched to non-blocking mode.
pub fn try_read_now(stream: &TcpStream, max: usize) -> io::Result<ReadNow> {
    stream.set_nonblocking(true)?;
    let mut buffer = vec![0u8; max];
    loop {
        return match (&*stream).read(&mut buffer) {
            Ok(0) => Ok(ReadNow::Closed),
            Ok(n) => {
                buffer.truncate(n);
                Ok(ReadNow::Data(buffer))
            }
            // Not an error and not the end: just "nothing yet".
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(ReadNow::WouldBlock),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
    }
}
// ANCHOR_END: read_now

// ANCHOR: read_with_deadline
/// Waits at most `timeout` for data on a blocking `stream`. An expired
/// wait is reported as `ErrorKind::TimedOut`.
pub fn read_with_deadline(
    stream: &TcpStream,
    buffer: &mut [u8],
    timeout: Duration,
) -> io::Result<usize> {
    if timeout.is_zero() {
        // set_read_timeout(Some(0)) is refused: zero would mean "for ever".
        return Err(io::Error::new(
            ErrorKind::TimedOut,
            "a zero deadline has passed",
        ));
    }
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(timeout))?;
    match (&*stream).read(buffer) {
        // On Unix an expired SO_RCVTIMEO shows up as WouldBlock (EAGAIN),
        // on Windows as TimedOut: accept both.
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Err(
            io::Error::new(ErrorKind::TimedOut, format!("no data within {timeout:?}")),
        ),
        other => other,
    }
}
// ANCHOR_END: read_with_deadline

// ANCHOR: try_accept
/// Accepts a waiting client if there is one, without waiting. The accepted
/// stream is made non-blocking too: it does not inherit the listener's mode.
pub fn try_accept(listener: &TcpListener) -> io::Result<Option<(TcpStream, SocketAddr)>> {
    listener.set_nonblocking(true)?;
    match listener.accept() {
        Ok((stream, peer)) => {
            stream.set_nonblocking(true)?;
            Ok(Some((stream, peer)))
        }
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}
// ANCHOR_END: try_accept

// ANCHOR: connect_with_timeout
/// Connects to `server`, giving up after `timeout`: a non-blocking connect,
/// a wait until the socket is writable, then a look at `SO_ERROR`.
pub fn connect_with_timeout(server: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let socket = Socket::new(
        Domain::for_address(server),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_nonblocking(true)?;
    match socket.connect(&server.into()) {
        Ok(()) => {}
        // The handshake has started and goes on without us.
        Err(e) if e.raw_os_error() == Some(Errno::EINPROGRESS as i32) => {
            wait_until_writable(&socket, timeout)?;
        }
        Err(e) => return Err(e),
    }
    // Writable means "the handshake ended": SO_ERROR says how.
    if let Some(error) = socket.take_error()? {
        return Err(error);
    }
    socket.set_nonblocking(false)?;
    Ok(socket.into())
}

fn wait_until_writable(socket: &Socket, timeout: Duration) -> io::Result<()> {
    let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    let mut interest = [PollFd::new(socket.as_fd(), PollFlags::POLLOUT)];
    let ready = poll(
        &mut interest,
        PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX),
    )?;
    if ready == 0 {
        return Err(io::Error::new(
            ErrorKind::TimedOut,
            format!("no answer within {timeout:?}"),
        ));
    }
    Ok(())
}
// ANCHOR_END: connect_with_timeout

// ANCHOR: run_duplex
/// A one-to-one chat: what comes from `keyboard` goes to the peer, what
/// comes from the peer goes to `screen`, both at once, on two threads.
///
/// When the keyboard ends, our sending side is shut down (the peer reads
/// the end); returns when the peer closes its side.
pub fn run_duplex(
    stream: TcpStream,
    keyboard: Box<dyn Read + Send>,
    screen: Box<dyn Write + Send>,
) -> io::Result<()> {
    let mut to_peer = stream.try_clone()?;
    let mut keyboard = keyboard;
    // The keyboard thread may wait for input for ever, so nobody joins it:
    // when the peer leaves, we return and it ends with the program.
    thread::spawn(move || -> io::Result<()> {
        copy_flushing(&mut keyboard, &mut to_peer)?;
        to_peer.shutdown(Shutdown::Write)
    });
    let mut from_peer = stream;
    let mut screen = screen;
    copy_flushing(&mut from_peer, &mut screen)
}

/// Copies until `from` ends, flushing after every piece so that each line
/// shows up at once.
fn copy_flushing(from: &mut dyn Read, to: &mut dyn Write) -> io::Result<()> {
    let mut buffer = [0u8; 4096];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buffer[..n])?;
        to.flush()?;
    }
}
// ANCHOR_END: run_duplex
