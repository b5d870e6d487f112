//! The checks for lab 03. Run them with `cargo lab check 3`, or with
//! `cargo test` in this folder. Each check is explained in the grader
//! (tests/src/ch03.rs at the top of the workbook).

use grader::Grade;
use grader::ch03::{self, Lab};
use send_and_recv as lab;

const LAB: Lab<lab::MessageSocket> = Lab {
    send_all: lab::send_all,
    recv_exact: lab::recv_exact,
    recv_until_closed: lab::recv_until_closed,
    read_line: lab::read_line,
    write_frame: lab::write_frame,
    read_frame: lab::read_frame,
    request: lab::request,
    message_socket: lab::MessageSocket::new,
    send_message: lab::MessageSocket::send,
    recv_message: lab::MessageSocket::recv,
};

#[test]
fn send_all_survives_short_writes() {
    ch03::send_all_survives_short_writes(&LAB).grade();
}

#[test]
fn send_all_retries_when_interrupted() {
    ch03::send_all_retries_when_interrupted(&LAB).grade();
}

#[test]
fn send_all_stops_on_a_stream_that_takes_nothing() {
    ch03::send_all_stops_on_a_stream_that_takes_nothing(&LAB).grade();
}

#[test]
fn recv_exact_collects_the_pieces() {
    ch03::recv_exact_collects_the_pieces(&LAB).grade();
}

#[test]
fn recv_exact_reports_an_early_close() {
    ch03::recv_exact_reports_an_early_close(&LAB).grade();
}

#[test]
fn lines_arrive_whole_however_they_are_cut() {
    ch03::lines_arrive_whole_however_they_are_cut(&LAB).grade();
}

#[test]
fn an_overlong_line_is_refused_without_buffering_it() {
    ch03::an_overlong_line_is_refused_without_buffering_it(&LAB).grade();
}

#[test]
fn invalid_utf8_is_reported_and_skipped() {
    ch03::invalid_utf8_is_reported_and_skipped(&LAB).grade();
}

#[test]
fn a_half_line_then_close_is_an_error() {
    ch03::a_half_line_then_close_is_an_error(&LAB).grade();
}

#[test]
fn frames_round_trip() {
    ch03::frames_round_trip(&LAB).grade();
}

#[test]
fn a_huge_length_header_is_refused_without_allocating() {
    ch03::a_huge_length_header_is_refused_without_allocating(&LAB).grade();
}

#[test]
fn a_half_frame_then_close_is_an_error() {
    ch03::a_half_frame_then_close_is_an_error(&LAB).grade();
}

#[test]
fn recv_until_closed_keeps_to_its_limit() {
    ch03::recv_until_closed_keeps_to_its_limit(&LAB).grade();
}

#[test]
fn request_ends_with_a_half_close() {
    ch03::request_ends_with_a_half_close(&LAB).grade();
}

#[test]
fn messages_survive_a_rechunking_proxy() {
    ch03::messages_survive_a_rechunking_proxy(&LAB).grade();
}

#[test]
fn a_16_mib_message_survives_a_pausing_proxy() {
    ch03::a_16_mib_message_survives_a_pausing_proxy(&LAB).grade();
}

#[test]
fn message_socket_refuses_an_oversized_message() {
    ch03::message_socket_refuses_an_oversized_message(&LAB).grade();
}
