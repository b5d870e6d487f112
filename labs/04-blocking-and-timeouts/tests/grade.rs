//! The checks for lab 04. Run them with `cargo lab check 4`, or with
//! `cargo test` in this folder. Each check is explained in the grader
//! (tests/src/ch04.rs at the top of the workbook).

use blocking_and_timeouts as lab;
use grader::Grade;
use grader::ch04::{self, Lab};

const LAB: Lab<lab::ReadNow> = Lab {
    try_read_now: lab::try_read_now,
    read_with_deadline: lab::read_with_deadline,
    try_accept: lab::try_accept,
    connect_with_timeout: lab::connect_with_timeout,
    run_duplex: lab::run_duplex,
    duplex_chat_program: env!("CARGO_BIN_EXE_duplex-chat"),
};

#[test]
fn try_read_now_timeline() {
    ch04::try_read_now_timeline(&LAB).grade();
}

#[test]
fn try_accept_timeline() {
    ch04::try_accept_timeline(&LAB).grade();
}

#[test]
fn read_with_deadline_times_out_on_time() {
    ch04::read_with_deadline_times_out_on_time(&LAB).grade();
}

#[test]
fn read_with_deadline_returns_data_in_time() {
    ch04::read_with_deadline_returns_data_in_time(&LAB).grade();
}

#[test]
fn connect_with_timeout_connects() {
    ch04::connect_with_timeout_connects(&LAB).grade();
}

#[test]
fn connect_with_timeout_reports_refused() {
    ch04::connect_with_timeout_reports_refused(&LAB).grade();
}

#[test]
fn connect_with_timeout_gives_up_on_time() {
    ch04::connect_with_timeout_gives_up_on_time(&LAB).grade();
}

#[test]
fn duplex_relays_both_ways_at_once() {
    ch04::duplex_relays_both_ways_at_once(&LAB).grade();
}

#[test]
fn duplex_ends_when_the_peer_leaves() {
    ch04::duplex_ends_when_the_peer_leaves(&LAB).grade();
}

#[test]
fn duplex_chat_programs_talk() {
    ch04::duplex_chat_programs_talk(&LAB).grade();
}
