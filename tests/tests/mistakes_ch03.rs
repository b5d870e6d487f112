//! The classic chapter-3 mistakes, each rejected by the check meant for it,
//! with the lesson meant for it.

mod common;

use std::io::{self, BufRead, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};

use common::assert_rejected;
use grader::ch03::{self, Lab};
use solution_03::MessageSocket;

/// The reference solution, to which each mistake changes one function.
const SOLUTION: Lab<MessageSocket> = Lab {
    send_all: solution_03::send_all,
    recv_exact: solution_03::recv_exact,
    recv_until_closed: solution_03::recv_until_closed,
    read_line: solution_03::read_line,
    write_frame: solution_03::write_frame,
    read_frame: solution_03::read_frame,
    request: solution_03::request,
    message_socket: MessageSocket::new,
    send_message: MessageSocket::send,
    recv_message: MessageSocket::recv,
};

#[test]
fn the_solution_passes_every_check() {
    for (name, check) in ch03::checks() {
        assert_eq!(check(&SOLUTION), Ok(()), "{name}");
    }
}

#[test]
fn a_single_write_that_ignores_the_count() {
    // Clippy knows this mistake too (unused_io_amount); here it is on purpose.
    #[allow(clippy::unused_io_amount)]
    fn send_all(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
        out.write(bytes)?;
        Ok(())
    }
    let mistake = Lab {
        send_all,
        ..SOLUTION
    };
    assert_rejected(
        ch03::send_all_survives_short_writes(&mistake),
        "write returns how many bytes it took, often fewer than you gave it",
    );
}

#[test]
fn interrupted_taken_for_a_failure() {
    fn send_all(out: &mut dyn Write, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = out.write(bytes)?;
            bytes = &bytes[n..];
        }
        Ok(())
    }
    let mistake = Lab {
        send_all,
        ..SOLUTION
    };
    assert_rejected(
        ch03::send_all_retries_when_interrupted(&mistake),
        "a signal interrupted the call and nothing went wrong",
    );
}

#[test]
fn a_write_of_zero_retried_for_ever() {
    fn send_all(out: &mut dyn Write, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match out.write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    let mistake = Lab {
        send_all,
        ..SOLUTION
    };
    assert_rejected(
        ch03::send_all_stops_on_a_stream_that_takes_nothing(&mistake),
        "send_all did not return within 2 s: write returned Ok(0)",
    );
}

#[test]
fn a_single_read_taken_for_the_whole_message() {
    fn recv_exact(input: &mut dyn Read, buffer: &mut [u8]) -> io::Result<()> {
        loop {
            match input.read(buffer) {
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                other => return other.map(|_| ()),
            }
        }
    }
    let mistake = Lab {
        recv_exact,
        ..SOLUTION
    };
    assert_rejected(
        ch03::recv_exact_collects_the_pieces(&mistake),
        "one read returns only what has arrived",
    );
}

#[test]
fn read_of_zero_taken_for_no_data_yet() {
    fn recv_exact(input: &mut dyn Read, buffer: &mut [u8]) -> io::Result<()> {
        let mut filled = 0;
        while filled < buffer.len() {
            match input.read(&mut buffer[filled..]) {
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    let mistake = Lab {
        recv_exact,
        ..SOLUTION
    };
    assert_rejected(
        ch03::recv_exact_reports_an_early_close(&mistake),
        "read returned 0: the peer closed, for good",
    );
}

#[test]
fn a_line_reader_without_a_limit() {
    fn read_line(input: &mut dyn BufRead, _max_len: usize) -> io::Result<Option<String>> {
        let mut line = String::new();
        match input.read_line(&mut line)? {
            0 => Ok(None),
            _ => Ok(Some(line.trim_end().to_string())),
        }
    }
    let mistake = Lab {
        read_line,
        ..SOLUTION
    };
    assert_rejected(
        ch03::an_overlong_line_is_refused_without_buffering_it(&mistake),
        "a peer must not decide how much memory you use",
    );
}

#[test]
fn a_line_reader_that_unwraps_utf8() {
    fn read_line(input: &mut dyn BufRead, max_len: usize) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        input
            .take(max_len as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if line.is_empty() {
            return Ok(None);
        }
        line.pop();
        Ok(Some(String::from_utf8(line).unwrap()))
    }
    let mistake = Lab {
        read_line,
        ..SOLUTION
    };
    assert_rejected(
        ch03::invalid_utf8_is_reported_and_skipped(&mistake),
        "read_line panicked",
    );
}

#[test]
fn half_a_line_returned_as_a_line() {
    fn read_line(input: &mut dyn BufRead, max_len: usize) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        input
            .take(max_len as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if line.is_empty() {
            return Ok(None);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| io::Error::from(ErrorKind::InvalidData))
    }
    let mistake = Lab {
        read_line,
        ..SOLUTION
    };
    assert_rejected(
        ch03::a_half_line_then_close_is_an_error(&mistake),
        "+ Ok(Some(\"partial\"))",
    );
}

#[test]
fn a_little_endian_header() {
    fn write_frame(out: &mut dyn Write, payload: &[u8]) -> io::Result<()> {
        out.write_all(&(payload.len() as u32).to_le_bytes())?;
        out.write_all(payload)
    }
    let mistake = Lab {
        write_frame,
        ..SOLUTION
    };
    assert_rejected(
        ch03::frames_round_trip(&mistake),
        "big-endian (u32::to_be_bytes)",
    );
}

#[test]
fn trusting_the_length_header() {
    fn read_frame(input: &mut dyn Read, max_len: usize) -> io::Result<Option<Vec<u8>>> {
        let mut header = [0u8; 4];
        if input.read(&mut header[..1])? == 0 {
            return Ok(None);
        }
        input.read_exact(&mut header[1..])?;
        // Allocates whatever the peer announced, then checks.
        let mut payload = vec![0u8; u32::from_be_bytes(header) as usize];
        if payload.len() > max_len {
            return Err(ErrorKind::InvalidData.into());
        }
        input.read_exact(&mut payload)?;
        Ok(Some(payload))
    }
    let mistake = Lab {
        read_frame,
        ..SOLUTION
    };
    assert_rejected(
        ch03::a_huge_length_header_is_refused_without_allocating(&mistake),
        "compare the length with max_len before you allocate",
    );
}

#[test]
fn a_cut_frame_returned_as_the_end() {
    fn read_frame(input: &mut dyn Read, max_len: usize) -> io::Result<Option<Vec<u8>>> {
        match solution_03::read_frame(input, max_len) {
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(None),
            other => other,
        }
    }
    let mistake = Lab {
        read_frame,
        ..SOLUTION
    };
    assert_rejected(
        ch03::a_half_frame_then_close_is_an_error(&mistake),
        "+ 2 bytes of a header, then the end: Ok(None)",
    );
}

#[test]
fn reading_to_the_end_without_a_limit() {
    fn recv_until_closed(input: &mut dyn Read, _limit: usize) -> io::Result<Vec<u8>> {
        let mut all = Vec::new();
        let mut chunk = [0u8; 512];
        loop {
            match input.read(&mut chunk) {
                Ok(0) => return Ok(all),
                Ok(n) => all.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    let mistake = Lab {
        recv_until_closed,
        ..SOLUTION
    };
    assert_rejected(
        ch03::recv_until_closed_keeps_to_its_limit(&mistake),
        "never grow without a bound",
    );
}

#[test]
fn a_request_without_the_half_close() {
    fn request(server: SocketAddr, request: &[u8], limit: usize) -> io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(server)?;
        stream.write_all(request)?;
        solution_03::recv_until_closed(&mut stream, limit)
    }
    let mistake = Lab {
        request,
        ..SOLUTION
    };
    assert_rejected(
        ch03::request_ends_with_a_half_close(&mistake),
        "shut down your sending side",
    );
    // Shutting down both directions loses the reply instead.
    fn request_closing_both(
        server: SocketAddr,
        request: &[u8],
        limit: usize,
    ) -> io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(server)?;
        stream.write_all(request)?;
        stream.shutdown(Shutdown::Both)?;
        solution_03::recv_until_closed(&mut stream, limit)
    }
    let mistake = Lab {
        request: request_closing_both,
        ..SOLUTION
    };
    assert_rejected(
        ch03::request_ends_with_a_half_close(&mistake),
        "Shutdown::Both also ends your reading side",
    );
}

/// The solution's plain functions with another message socket type.
fn with_message_socket<M>(
    message_socket: fn(TcpStream, usize) -> M,
    send_message: fn(&mut M, &[u8]) -> io::Result<()>,
    recv_message: fn(&mut M) -> io::Result<Option<Vec<u8>>>,
) -> Lab<M> {
    Lab {
        send_all: solution_03::send_all,
        recv_exact: solution_03::recv_exact,
        recv_until_closed: solution_03::recv_until_closed,
        read_line: solution_03::read_line,
        write_frame: solution_03::write_frame,
        read_frame: solution_03::read_frame,
        request: solution_03::request,
        message_socket,
        send_message,
        recv_message,
    }
}

/// A message socket with no limit, whose `recv` takes one read for one
/// message.
struct NaiveSocket(TcpStream);

fn naive_socket(stream: TcpStream, _max_len: usize) -> NaiveSocket {
    NaiveSocket(stream)
}

fn naive_send(socket: &mut NaiveSocket, message: &[u8]) -> io::Result<()> {
    solution_03::write_frame(&mut socket.0, message)
}

fn one_read_recv(socket: &mut NaiveSocket) -> io::Result<Option<Vec<u8>>> {
    let mut buffer = vec![0u8; 64 * 1024];
    let n = socket.0.read(&mut buffer)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(buffer[4.min(n)..n].to_vec()))
}

fn unlimited_recv(socket: &mut NaiveSocket) -> io::Result<Option<Vec<u8>>> {
    solution_03::read_frame(&mut socket.0, usize::MAX)
}

#[test]
fn one_read_taken_for_one_message() {
    let mistake = with_message_socket(naive_socket, naive_send, one_read_recv);
    assert_rejected(
        ch03::messages_survive_a_rechunking_proxy(&mistake),
        "one read is not one message",
    );
}

#[test]
fn a_message_socket_without_a_limit() {
    let mistake = with_message_socket(naive_socket, naive_send, unlimited_recv);
    assert_rejected(
        ch03::message_socket_refuses_an_oversized_message(&mistake),
        "refuse it with an ErrorKind::InvalidInput error",
    );
}
