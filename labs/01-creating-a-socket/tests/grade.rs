//! The checks for lab 01. Run them with `cargo lab check 1`, or with
//! `cargo test` in this folder. Each check is explained in the grader
//! (tests/src/ch01.rs at the top of the workbook).

use creating_a_socket as lab;
use grader::Grade;
use grader::ch01::{self, Lab};

const LAB: Lab<lab::SocketFacts> = Lab {
    tcp_v4: lab::tcp_v4,
    tcp_v6: lab::tcp_v6,
    udp_v4: lab::udp_v4,
    udp_v6: lab::udp_v6,
    describe: lab::describe,
};

#[test]
fn tcp_v4_is_an_ipv4_stream() {
    ch01::tcp_v4_is_an_ipv4_stream(&LAB).grade();
}

#[test]
fn tcp_v6_is_an_ipv6_stream() {
    ch01::tcp_v6_is_an_ipv6_stream(&LAB).grade();
}

#[test]
fn udp_v4_is_an_ipv4_datagram_socket() {
    ch01::udp_v4_is_an_ipv4_datagram_socket(&LAB).grade();
}

#[test]
fn udp_v6_is_an_ipv6_datagram_socket() {
    ch01::udp_v6_is_an_ipv6_datagram_socket(&LAB).grade();
}

#[test]
fn facts_of_a_fresh_tcp_socket() {
    ch01::facts_of_a_fresh_tcp_socket(&LAB).grade();
}

#[test]
fn facts_of_a_fresh_udp_v6_socket() {
    ch01::facts_of_a_fresh_udp_v6_socket(&LAB).grade();
}

#[test]
fn facts_follow_the_options() {
    ch01::facts_follow_the_options(&LAB).grade();
}

#[test]
fn facts_of_a_std_listener() {
    ch01::facts_of_a_std_listener(&LAB).grade();
}
