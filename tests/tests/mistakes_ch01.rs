//! The classic chapter-1 mistakes, each rejected by the check meant for it,
//! with the lesson meant for it.

mod common;

use std::io;

use common::assert_rejected;
use grader::ch01::{self, Lab};
use socket2::{Domain, Protocol, Socket, Type};
use solution_01::SocketFacts;

/// The reference solution, to which each mistake changes one function.
const SOLUTION: Lab<SocketFacts> = Lab {
    tcp_v4: solution_01::tcp_v4,
    tcp_v6: solution_01::tcp_v6,
    udp_v4: solution_01::udp_v4,
    udp_v6: solution_01::udp_v6,
    describe: solution_01::describe,
};

#[test]
fn the_solution_passes_every_check() {
    for (name, check) in ch01::checks() {
        assert_eq!(check(&SOLUTION), Ok(()), "{name}");
    }
}

#[test]
fn an_ipv6_socket_made_with_the_ipv4_family() {
    fn tcp_v6() -> io::Result<Socket> {
        Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))
    }
    let mistake = Lab { tcp_v6, ..SOLUTION };
    assert_rejected(ch01::tcp_v6_is_an_ipv6_stream(&mistake), "family AF_INET");
}

#[test]
fn a_udp_socket_made_as_a_stream() {
    fn udp_v4() -> io::Result<Socket> {
        Socket::new(Domain::IPV4, Type::STREAM, None)
    }
    let mistake = Lab { udp_v4, ..SOLUTION };
    assert_rejected(
        ch01::udp_v4_is_an_ipv4_datagram_socket(&mistake),
        "UDP sends datagrams (SOCK_DGRAM)",
    );
}

#[test]
fn facts_that_assume_the_defaults() {
    fn describe(socket: &Socket) -> io::Result<SocketFacts> {
        Ok(SocketFacts {
            nonblocking: false,
            reuse_address: false,
            ..solution_01::describe(socket)?
        })
    }
    let mistake = Lab {
        describe,
        ..SOLUTION
    };
    assert_rejected(
        ch01::facts_follow_the_options(&mistake),
        "not assume the defaults",
    );
    // The fresh socket happens to have the defaults: that check cannot tell.
    assert_eq!(ch01::facts_of_a_fresh_tcp_socket(&mistake), Ok(()));
}

#[test]
fn an_unbound_socket_reported_as_bound_to_port_0() {
    fn describe(socket: &Socket) -> io::Result<SocketFacts> {
        Ok(SocketFacts {
            local_addr: socket.local_addr()?.as_socket(),
            ..solution_01::describe(socket)?
        })
    }
    let mistake = Lab {
        describe,
        ..SOLUTION
    };
    assert_rejected(
        ch01::facts_of_a_fresh_tcp_socket(&mistake),
        "+     local_addr: Some(",
    );
}

#[test]
fn a_made_up_file_descriptor() {
    fn describe(socket: &Socket) -> io::Result<SocketFacts> {
        Ok(SocketFacts {
            fd: 0,
            ..solution_01::describe(socket)?
        })
    }
    let mistake = Lab {
        describe,
        ..SOLUTION
    };
    assert_rejected(ch01::facts_of_a_fresh_tcp_socket(&mistake), "as_raw_fd()");
}
