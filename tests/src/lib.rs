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

pub mod ch01;
pub mod ch02;
pub mod harness;
pub mod net;
pub mod snapshot;

pub use harness::{Failure, Grade, Outcome};
