//! The classic chapter-2 mistakes, each rejected by the check meant for it,
//! with the lesson meant for it.

mod common;

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use common::assert_rejected;
use grader::ch02::{self, Lab};
use socket2::{Domain, Protocol, Socket, Type};

/// The reference solution, to which each mistake changes one function.
/// The programs are left out: only the lab's own tests can start them.
const SOLUTION: Lab = Lab {
    listen_on: solution_02::listen_on,
    greet_one: solution_02::greet_one,
    fetch_greeting: solution_02::fetch_greeting,
    echo_connection: solution_02::echo_connection,
    serve_echo: solution_02::serve_echo,
    echo_once: solution_02::echo_once,
    connect_ex: solution_02::connect_ex,
    echo_server_program: "/nonexistent/echo-server",
    echo_client_program: "/nonexistent/echo-client",
};

#[test]
fn the_solution_passes_every_check_but_the_programs() {
    for (name, check) in ch02::checks() {
        if name != "echo_programs_work" {
            assert_eq!(check(&SOLUTION), Ok(()), "{name}");
        }
    }
}

/// bind and listen without SO_REUSEADDR.
fn listen_without_reuse(addr: SocketAddr, backlog: i32) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&addr.into())?;
    socket.listen(backlog)?;
    Ok(socket)
}

#[test]
fn reuse_address_not_set_is_caught_on_the_listener() {
    let mistake = Lab {
        listen_on: listen_without_reuse,
        ..SOLUTION
    };
    assert_rejected(
        ch02::listener_reuses_its_address(&mistake),
        "SO_REUSEADDR is off",
    );
}

#[test]
fn reuse_address_not_set_makes_the_restart_fail() {
    let mistake = Lab {
        listen_on: listen_without_reuse,
        ..SOLUTION
    };
    assert_rejected(
        ch02::restart_right_after_serving(&mistake),
        "waits in TIME_WAIT on that port; turn SO_REUSEADDR on",
    );
}

#[test]
fn an_ipv4_only_listener() {
    fn listen_on(addr: SocketAddr, backlog: i32) -> io::Result<Socket> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(backlog)?;
        Ok(socket)
    }
    let mistake = Lab {
        listen_on,
        ..SOLUTION
    };
    assert_rejected(
        ch02::listener_listens_where_asked(&mistake),
        "listen_on([::1]:0, 16)",
    );
}

#[test]
fn a_server_that_reads_once_and_closes() {
    fn echo_connection(connection: &Socket) -> io::Result<u64> {
        let mut buffer = [0u8; 4096];
        let received = (&*connection).read(&mut buffer)?;
        (&*connection).write_all(&buffer[..received])?;
        Ok(received as u64)
    }
    let mistake = Lab {
        echo_connection,
        ..SOLUTION
    };
    assert_rejected(
        ch02::echo_connection_echoes_everything(&mistake),
        "a server that reads once loses the rest",
    );
}

#[test]
fn a_server_that_echoes_the_whole_buffer() {
    fn echo_connection(connection: &Socket) -> io::Result<u64> {
        let mut buffer = [0u8; 64];
        loop {
            let received = (&*connection).read(&mut buffer)?;
            if received == 0 {
                return Ok(0);
            }
            (&*connection).write_all(&buffer)?;
        }
    }
    let mistake = Lab {
        echo_connection,
        ..SOLUTION
    };
    assert_rejected(
        ch02::echo_connection_echoes_everything(&mistake),
        "write back exactly the bytes you read",
    );
}

#[test]
fn a_client_that_reads_once() {
    fn fetch_greeting(server: SocketAddr) -> io::Result<Vec<u8>> {
        let socket = Socket::new(Domain::for_address(server), Type::STREAM, None)?;
        socket.connect(&server.into())?;
        let mut buffer = [0u8; 1024];
        let received = (&socket).read(&mut buffer)?;
        Ok(buffer[..received].to_vec())
    }
    let mistake = Lab {
        fetch_greeting,
        ..SOLUTION
    };
    assert_rejected(
        ch02::greeting_client_reads_until_closed(&mistake),
        "read until read returns 0",
    );
}

#[test]
fn a_server_that_stops_at_the_first_client_error() {
    fn serve_echo(listener: &Socket) -> io::Result<()> {
        loop {
            let (connection, _) = listener.accept()?;
            solution_02::echo_connection(&connection)?;
        }
    }
    let mistake = Lab {
        serve_echo,
        ..SOLUTION
    };
    assert_rejected(
        ch02::echo_server_survives_a_reset_client(&mistake),
        "one client's error must not stop the server",
    );
}

#[test]
fn a_greeting_server_that_never_closes() {
    fn greet_one(listener: &Socket, greeting: &[u8]) -> io::Result<SocketAddr> {
        let (connection, client) = listener.accept()?;
        (&connection).write_all(greeting)?;
        // Keeps the connection open for as long as the program runs.
        std::mem::forget(connection);
        Ok(client.as_socket().expect("an IP address"))
    }
    let mistake = Lab {
        greet_one,
        ..SOLUTION
    };
    assert_rejected(
        ch02::greeting_server_transcript(&mistake),
        "greet_one should close the connection after sending the greeting",
    );
}

#[test]
fn connect_ex_that_returns_a_made_up_code() {
    fn connect_ex(server: SocketAddr) -> i32 {
        match solution_02::connect_ex(server) {
            0 => 0,
            _ => -1,
        }
    }
    let mistake = Lab {
        connect_ex,
        ..SOLUTION
    };
    assert_rejected(
        ch02::connect_ex_reports_refused(&mistake),
        "the OS error number (raw_os_error)",
    );
}

#[test]
fn a_server_that_never_notices_the_client_closed() {
    // read() == 0 taken for "no data yet": after the client shuts down its
    // side, this loops for ever. The check still ends, in about 2 s, and the
    // test binary exits although this thread is still spinning.
    fn echo_connection(connection: &Socket) -> io::Result<u64> {
        let mut buffer = [0u8; 4096];
        loop {
            let received = (&*connection).read(&mut buffer)?;
            (&*connection).write_all(&buffer[..received])?;
            // Polls instead of spinning: the thread outlives the check, and
            // must not take a core from the other tests.
            if received == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
    let mistake = Lab {
        echo_connection,
        ..SOLUTION
    };
    let started = std::time::Instant::now();
    assert_rejected(
        ch02::echo_connection_echoes_everything(&mistake),
        "echo_connection did not return within 2 s: the client shut down its side",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
