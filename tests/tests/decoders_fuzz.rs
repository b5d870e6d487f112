//! The reference decoders (chapter 3's `read_line` and `read_frame`) on
//! random input cut at random places: no panic, no unbounded allocation,
//! and every valid message sequence decoded exactly once, in order.
//!
//! proptest generates the inputs and, on a failure, shrinks them to the
//! smallest that still fails.

use std::io::{BufReader, ErrorKind};

use grader::alloc::largest_allocation;
use grader::faults::{Faults, Faulty};
use proptest::prelude::*;

const MAX_LEN: usize = 64;

/// How a stream is cut: at most `max_chunk` bytes a call, sometimes
/// interrupted, from `seed`.
fn chunking() -> impl Strategy<Value = Faults> {
    (1usize..20, any::<u64>(), prop::bool::ANY).prop_map(|(max_chunk, seed, interrupts)| Faults {
        max_chunk,
        interrupt_one_in: if interrupts { 3 } else { 0 },
        would_block_one_in: 0,
        seed,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn valid_lines_come_back_once_and_in_order(
        lines in prop::collection::vec("[^\n\r]{0,64}", 0..20),
        faults in chunking(),
    ) {
        let lines: Vec<String> = lines.into_iter().filter(|l| l.len() <= MAX_LEN).collect();
        let mut bytes = Vec::new();
        for line in &lines {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(if line.len() % 2 == 0 { b"\n" } else { b"\r\n" });
        }
        let mut reader = BufReader::with_capacity(16, Faulty::new(&bytes[..], faults));
        let mut decoded = Vec::new();
        while let Some(line) = solution_03::read_line(&mut reader, MAX_LEN).expect("valid input") {
            decoded.push(line);
        }
        prop_assert_eq!(decoded, lines);
    }

    #[test]
    fn random_bytes_never_panic_and_stay_bounded(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
        faults in chunking(),
    ) {
        let (calls, largest) = largest_allocation(|| {
            let mut reader = BufReader::with_capacity(16, Faulty::new(&bytes[..], faults));
            let mut calls = 0;
            // Every call consumes at least one byte or reports the end, so
            // this ends; the bound catches a decoder that loops.
            while calls <= bytes.len() + 1 {
                calls += 1;
                match solution_03::read_line(&mut reader, MAX_LEN) {
                    Ok(None) => break,
                    Err(e) if e.kind() == ErrorKind::UnexpectedEof => break,
                    Ok(Some(_)) => {}
                    Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidData),
                }
            }
            calls
        });
        prop_assert!(calls <= bytes.len() + 1);
        prop_assert!(largest <= 4 * MAX_LEN + 64, "allocated {} bytes", largest);
    }

    #[test]
    fn valid_frames_come_back_once_and_in_order(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=MAX_LEN), 0..20),
        faults in chunking(),
    ) {
        let mut bytes = Vec::new();
        for payload in &payloads {
            solution_03::write_frame(&mut bytes, payload).expect("writing to a Vec");
        }
        let mut input = Faulty::new(&bytes[..], faults);
        let mut decoded = Vec::new();
        while let Some(payload) = solution_03::read_frame(&mut input, MAX_LEN).expect("valid input") {
            decoded.push(payload);
        }
        prop_assert_eq!(decoded, payloads);
    }

    #[test]
    fn random_frames_never_panic_and_never_trust_a_header(
        bytes in prop::collection::vec(any::<u8>(), 0..2000),
        faults in chunking(),
    ) {
        let ((), largest) = largest_allocation(|| {
            let mut input = Faulty::new(&bytes[..], faults);
            for _ in 0..=bytes.len() {
                match solution_03::read_frame(&mut input, MAX_LEN) {
                    Ok(Some(payload)) => assert!(payload.len() <= MAX_LEN),
                    Ok(None) => break,
                    Err(e) => {
                        assert!(matches!(e.kind(), ErrorKind::InvalidData | ErrorKind::UnexpectedEof));
                        break;
                    }
                }
            }
        });
        prop_assert!(largest <= MAX_LEN + 256, "allocated {} bytes", largest);
    }
}
