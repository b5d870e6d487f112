//! Measuring allocations, to prove that a decoder does not trust a length
//! header: the grader installs this allocator for every test binary that
//! links it, and [`largest_allocation`] reports the largest single block
//! that a piece of code asked for on its thread.
//!
//! It only counts; it never refuses. Refusing would abort the whole test
//! binary, and a learner deserves a message, not a crash.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, plus a per-thread record of the largest request.
pub struct Counting;

fn note(size: usize) {
    // try_with: during thread teardown the thread-locals may be gone.
    let _ = WATCHING.try_with(|watching| {
        if watching.get() {
            let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
        }
    });
}

// SAFETY: every call is passed to the system allocator unchanged; the
// bookkeeping touches only const-initialised thread-locals (no allocation).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `body` and returns its value with the size, in bytes, of the
/// largest single allocation it made on this thread.
pub fn largest_allocation<T>(body: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|largest| largest.set(0));
    WATCHING.with(|watching| watching.set(true));
    let value = body();
    WATCHING.with(|watching| watching.set(false));
    (value, LARGEST.with(Cell::get))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_block_is_reported() {
        let (_, largest) = largest_allocation(|| {
            let small: Vec<u8> = Vec::with_capacity(10);
            let big = vec![0u8; 1 << 20];
            small.capacity() + big.len()
        });
        assert!(largest >= 1 << 20);
        let (_, none) = largest_allocation(|| 1 + 1);
        assert_eq!(none, 0);
    }
}
