//! The classic chapter-4 mistakes, each rejected by the check meant for it,
//! with the lesson meant for it.

mod common;

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use common::assert_rejected;
use grader::ch04::{self, Lab};
use solution_04::ReadNow;

/// The reference solution, to which each mistake changes one function.
/// The program is left out: only the lab's own tests can start it.
const SOLUTION: Lab<ReadNow> = Lab {
    try_read_now: solution_04::try_read_now,
    read_with_deadline: solution_04::read_with_deadline,
    try_accept: solution_04::try_accept,
    connect_with_timeout: solution_04::connect_with_timeout,
    run_duplex: solution_04::run_duplex,
    duplex_chat_program: "/nonexistent/duplex-chat",
};

#[test]
fn the_solution_passes_every_check_but_the_program() {
    for (name, check) in ch04::checks() {
        if name != "duplex_chat_programs_talk" {
            assert_eq!(check(&SOLUTION), Ok(()), "{name}");
        }
    }
}

#[test]
fn would_block_treated_as_an_error() {
    fn try_read_now(stream: &TcpStream, max: usize) -> io::Result<ReadNow> {
        stream.set_nonblocking(true)?;
        let mut buffer = vec![0u8; max];
        match (&*stream).read(&mut buffer)? {
            0 => Ok(ReadNow::Closed),
            n => Ok(ReadNow::Data(buffer[..n].to_vec())),
        }
    }
    let mistake = Lab {
        try_read_now,
        ..SOLUTION
    };
    assert_rejected(
        ch04::try_read_now_timeline(&mistake),
        "+ nothing sent yet: Err(WouldBlock)",
    );
}

#[test]
fn would_block_treated_as_the_end() {
    fn try_read_now(stream: &TcpStream, max: usize) -> io::Result<ReadNow> {
        stream.set_nonblocking(true)?;
        let mut buffer = vec![0u8; max];
        match (&*stream).read(&mut buffer) {
            Ok(n) if n > 0 => Ok(ReadNow::Data(buffer[..n].to_vec())),
            _ => Ok(ReadNow::Closed),
        }
    }
    let mistake = Lab {
        try_read_now,
        ..SOLUTION
    };
    assert_rejected(
        ch04::try_read_now_timeline(&mistake),
        "+ nothing sent yet: Ok(Closed)",
    );
}

#[test]
fn a_read_that_waits() {
    fn try_read_now(stream: &TcpStream, max: usize) -> io::Result<ReadNow> {
        let mut buffer = vec![0u8; max];
        match (&*stream).read(&mut buffer)? {
            0 => Ok(ReadNow::Closed),
            n => Ok(ReadNow::Data(buffer[..n].to_vec())),
        }
    }
    let mistake = Lab {
        try_read_now,
        ..SOLUTION
    };
    assert_rejected(
        ch04::try_read_now_timeline(&mistake),
        "set_nonblocking(true)",
    );
}

#[test]
fn only_timed_out_matched() {
    fn read_with_deadline(
        stream: &TcpStream,
        buffer: &mut [u8],
        timeout: Duration,
    ) -> io::Result<usize> {
        stream.set_read_timeout(Some(timeout))?;
        // On Unix the expired timeout is WouldBlock, which passes through.
        (&*stream).read(buffer)
    }
    let mistake = Lab {
        read_with_deadline,
        ..SOLUTION
    };
    assert_rejected(
        ch04::read_with_deadline_times_out_on_time(&mistake),
        "on Unix an expired read timeout comes back as WouldBlock",
    );
}

#[test]
fn no_timeout_at_all() {
    fn read_with_deadline(stream: &TcpStream, buffer: &mut [u8], _: Duration) -> io::Result<usize> {
        (&*stream).read(buffer)
    }
    let mistake = Lab {
        read_with_deadline,
        ..SOLUTION
    };
    assert_rejected(
        ch04::read_with_deadline_times_out_on_time(&mistake),
        "set a read timeout",
    );
}

#[test]
fn the_accepted_stream_left_blocking() {
    fn try_accept(listener: &TcpListener) -> io::Result<Option<(TcpStream, SocketAddr)>> {
        listener.set_nonblocking(true)?;
        match listener.accept() {
            Ok(accepted) => Ok(Some(accepted)),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }
    let mistake = Lab {
        try_accept,
        ..SOLUTION
    };
    assert_rejected(
        ch04::try_accept_timeline(&mistake),
        "+ the accepted stream is non-blocking: no",
    );
}

#[test]
fn so_error_never_read() {
    fn connect_with_timeout(server: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::for_address(server), Type::STREAM, None)?;
        socket.set_nonblocking(true)?;
        let _ = socket.connect(&server.into());
        // Waits for writable, but never asks how the handshake ended.
        std::thread::sleep(timeout.min(Duration::from_millis(50)));
        socket.set_nonblocking(false)?;
        Ok(socket.into())
    }
    let mistake = Lab {
        connect_with_timeout,
        ..SOLUTION
    };
    assert_rejected(
        ch04::connect_with_timeout_reports_refused(&mistake),
        "take_error() (SO_ERROR)",
    );
}

#[test]
fn a_plain_blocking_connect() {
    fn connect_with_timeout(server: SocketAddr, _: Duration) -> io::Result<TcpStream> {
        TcpStream::connect(server)
    }
    let mistake = Lab {
        connect_with_timeout,
        ..SOLUTION
    };
    assert_rejected(
        ch04::connect_with_timeout_gives_up_on_time(&mistake),
        "a plain connect can wait for minutes",
    );
}

/// A "chat" that alternates: reads a line from the keyboard, sends it, then
/// waits for the peer's reply, and so on.
fn alternating_duplex(
    stream: TcpStream,
    keyboard: Box<dyn Read + Send>,
    screen: Box<dyn Write + Send>,
) -> io::Result<()> {
    let mut keyboard = BufReader::new(keyboard);
    let mut from_peer = BufReader::new(stream.try_clone()?);
    let (mut to_peer, mut screen) = (stream, screen);
    loop {
        let mut line = String::new();
        if keyboard.read_line(&mut line)? == 0 {
            return Ok(());
        }
        to_peer.write_all(line.as_bytes())?;
        let mut reply = String::new();
        if from_peer.read_line(&mut reply)? == 0 {
            return Ok(());
        }
        screen.write_all(reply.as_bytes())?;
    }
}

#[test]
fn a_chat_that_alternates() {
    let mistake = Lab {
        run_duplex: alternating_duplex,
        ..SOLUTION
    };
    assert_rejected(
        ch04::duplex_relays_both_ways_at_once(&mistake),
        "the two directions must not wait for each other",
    );
}

#[test]
fn a_chat_that_never_says_it_is_done() {
    fn run_duplex(
        stream: TcpStream,
        keyboard: Box<dyn Read + Send>,
        screen: Box<dyn Write + Send>,
    ) -> io::Result<()> {
        let mut to_peer = stream.try_clone()?;
        let mut keyboard = keyboard;
        // Copies the keyboard but never shuts down the sending side, and
        // keeps a clone of the stream open in this thread.
        let kept = stream.try_clone()?;
        std::thread::spawn(move || {
            let _ = io::copy(&mut keyboard, &mut to_peer);
            std::thread::sleep(Duration::from_secs(3600));
            drop(kept);
        });
        let (mut from_peer, mut screen) = (stream, screen);
        io::copy(&mut from_peer, &mut screen).map(|_| ())
    }
    let mistake = Lab {
        run_duplex,
        ..SOLUTION
    };
    assert_rejected(
        ch04::duplex_ends_when_the_peer_leaves(&mistake),
        "shut down the sending side",
    );
}
