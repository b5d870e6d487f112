//! The socklab grader: one module of checks per chapter.
//!
//! Each lab's `tests/grade.rs` hands the lab's functions to a chapter module
//! (for example [`ch01::Lab`]) and calls one check per test. The solution
//! crates run the very same `grade.rs`, so the lab and the solution are held
//! to one standard and compared with one set of snapshots.
//!
//! - [`harness`]: deadlines, panics turned into lessons, result reporting.
//! - [`net`]: the grader's own clients, servers and program runner.
//! - [`snapshot`]: transcripts compared with the stored snapshots.
//! - [`faults`]: streams, peers and a proxy that misbehave on purpose.
//! - [`alloc`]: the largest allocation a piece of code made.
//! - [`proc_net`]: what Linux's `/proc` says about TCP sockets and buffers.

pub mod alloc;
pub mod ch01;
pub mod ch02;
pub mod ch03;
pub mod ch04;
pub mod ch05;
pub mod ch06;
pub mod faults;
pub mod harness;
pub mod net;
pub mod proc_net;
pub mod snapshot;

pub use harness::{Failure, Grade, Outcome};

/// Every test binary that links the grader counts allocations, so checks
/// can prove that a decoder never trusted a length header.
#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;
