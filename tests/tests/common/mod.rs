//! Helpers for the grader's own tests.

use grader::Outcome;

/// Asserts that `outcome` is a failure whose message contains `lesson`.
#[track_caller]
pub fn assert_rejected(outcome: Outcome, lesson: &str) {
    match outcome {
        Ok(()) => panic!("the check passed, but it should reject this mistake ({lesson:?})"),
        Err(failure) => assert!(
            failure.message.contains(lesson),
            "the check failed, but not with the lesson meant for it.\n\
             expected a message containing: {lesson:?}\n\
             got: {}",
            failure.message
        ),
    }
}
