//! Every check fails on the untouched lab stubs, and says why: "not
//! implemented yet". A check that passes a stub would pass a learner who
//! wrote nothing.

mod common;

use common::assert_rejected;
use grader::{ch01, ch02};

#[test]
fn every_chapter_1_check_fails_on_the_stub() {
    let stub = ch01::Lab {
        tcp_v4: stub_01::tcp_v4,
        tcp_v6: stub_01::tcp_v6,
        udp_v4: stub_01::udp_v4,
        udp_v6: stub_01::udp_v6,
        describe: stub_01::describe,
    };
    for (name, check) in ch01::checks() {
        eprintln!("{name}");
        assert_rejected(check(&stub), "not implemented yet");
    }
}

#[test]
fn every_chapter_2_check_fails_on_the_stub() {
    let stub = ch02::Lab {
        listen_on: stub_02::listen_on,
        greet_one: stub_02::greet_one,
        fetch_greeting: stub_02::fetch_greeting,
        echo_connection: stub_02::echo_connection,
        serve_echo: stub_02::serve_echo,
        echo_once: stub_02::echo_once,
        connect_ex: stub_02::connect_ex,
        // The programs are the lab's own binaries; CI runs the lab's real
        // `cargo test` on the stub for them (.ci/run), since only the lab's
        // tests can see its binaries.
        echo_server_program: "/nonexistent/echo-server",
        echo_client_program: "/nonexistent/echo-client",
    };
    for (name, check) in ch02::checks() {
        if name == "echo_programs_work" {
            continue;
        }
        eprintln!("{name}");
        assert_rejected(check(&stub), "not implemented yet");
    }
}
