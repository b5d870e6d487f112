//! The machinery every check shares: running learner code with a deadline,
//! turning panics and hangs into lessons, and reporting results.
//!
//! A check is a plain function that returns an [`Outcome`]. It never panics
//! itself: the lab's `tests/grade.rs` calls [`Grade::grade`] on the outcome,
//! which records it for the runner and fails the test with the lesson. Keeping
//! checks panic-free lets the grader's own tests look at each failure message
//! (stubs must fail with "not implemented yet", mistakes with their lesson).

use std::any::Any;
use std::cell::RefCell;
use std::fmt::Display;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// How long learner code may run before a check gives up on it.
pub const LIMIT: Duration = Duration::from_secs(2);

/// How long a failing check waits for the learner's code to report why.
const GRACE: Duration = Duration::from_secs(1);

/// How long a panic may take to reach the grader once it has begun. With
/// `RUST_BACKTRACE=1`, printing the backtrace takes seconds on a busy
/// machine; a panic must not be reported as a hang meanwhile.
const PANIC_REPORT: Duration = Duration::from_secs(30);

thread_local! {
    /// On a thread running learner code: raised when it starts to panic.
    static PANICKING: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that raises the panicking thread's flag
/// before the usual report (message, and backtrace if asked for).
fn watch_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // `try_with`: a panic while the thread is being torn down.
            let _ = PANICKING.try_with(|flag| {
                if let Some(flag) = flag.borrow().as_ref() {
                    flag.store(true, Ordering::SeqCst);
                }
            });
            report(info);
        }));
    });
}

/// Why a check failed, written for the learner: what happened, what was
/// expected, and which section of the book explains the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
        }
    }
}

impl Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The result of one check.
pub type Outcome = Result<(), Failure>;

/// Fails with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Outcome {
    if condition {
        Ok(())
    } else {
        Err(Failure::new(message()))
    }
}

/// Runs a piece of learner code on its own thread and waits at most `LIMIT`
/// (or the limit set with [`Call::within`]) for it to return.
///
/// - A `todo!()` becomes "not implemented yet: <function>".
/// - Any other panic becomes "<function> panicked: <message>".
/// - A hang becomes "<function> did not return within 2 s: <what it was
///   probably waiting for>". The stuck thread is left behind; the test
///   binary still exits when every test is done.
pub fn learner(function: &'static str) -> Call {
    Call {
        function,
        thread_name: None,
        limit: LIMIT,
        waiting_for: "is it waiting for something that never comes?",
    }
}

/// A call into learner code being prepared; see [`learner`].
pub struct Call {
    function: &'static str,
    thread_name: Option<String>,
    limit: Duration,
    waiting_for: &'static str,
}

impl Call {
    /// Waits up to `limit` instead of the default.
    pub fn within(mut self, limit: Duration) -> Call {
        self.limit = limit;
        self
    }

    /// Names the thread (at most 15 bytes show in /proc), so a check can
    /// find it there; the default is "learner: <function>".
    pub fn thread_name(mut self, name: impl Into<String>) -> Call {
        self.thread_name = Some(name.into());
        self
    }

    /// Says what a hang most likely means, e.g. "is it still reading from a
    /// client that already sent everything?".
    pub fn waiting_for(mut self, hint: &'static str) -> Call {
        self.waiting_for = hint;
        self
    }

    /// Runs `body` and returns its value, or the failure that explains why
    /// there is none.
    pub fn run<T: Send + 'static>(
        self,
        body: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Failure> {
        self.spawn(body).wait()
    }

    /// Starts `body` and returns at once, so the check can play the other
    /// side of a conversation meanwhile; [`Pending::wait`] collects the value.
    /// The time limit counts from now.
    pub fn spawn<T: Send + 'static>(self, body: impl FnOnce() -> T + Send + 'static) -> Pending<T> {
        let (done, result) = mpsc::channel();
        let deadline = Instant::now() + self.limit;
        watch_panics();
        let panicking = Arc::new(AtomicBool::new(false));
        let flag = panicking.clone();
        let spawned = thread::Builder::new()
            .name(
                self.thread_name
                    .clone()
                    .unwrap_or_else(|| format!("learner: {}", self.function)),
            )
            .spawn(move || {
                PANICKING.with(|mine| *mine.borrow_mut() = Some(flag));
                let value = panic::catch_unwind(AssertUnwindSafe(body));
                // The check may have stopped waiting; nobody to tell then.
                let _ = done.send(value);
            });
        let start_error = spawned.err().map(|error| {
            Failure::new(format!(
                "could not start a thread for {}: {error}",
                self.function
            ))
        });
        Pending {
            call: self,
            deadline,
            result,
            early: RefCell::new(None),
            start_error,
            panicking,
        }
    }

    fn timed_out(&self) -> Failure {
        Failure::new(format!(
            "{} did not return within {} s: {}",
            self.function,
            self.limit.as_secs_f32(),
            self.waiting_for
        ))
    }

    fn explain_panic(&self, payload: &(dyn Any + Send)) -> Failure {
        let text = panic_text(payload);
        if text.starts_with("not yet implemented") || text.starts_with("not implemented") {
            Failure::new(format!("not implemented yet: {}", self.function))
        } else {
            Failure::new(format!("{} panicked: {text}", self.function))
        }
    }
}

/// Learner code started with [`Call::spawn`].
pub struct Pending<T> {
    call: Call,
    deadline: Instant,
    result: mpsc::Receiver<thread::Result<T>>,
    /// A result picked up early by [`Pending::blame`], kept for `wait`.
    early: RefCell<Option<thread::Result<T>>>,
    start_error: Option<Failure>,
    /// Raised by the panic hook when the learner's code starts to panic.
    panicking: Arc<AtomicBool>,
}

impl<T> Pending<T> {
    /// Waits for the value until the call's deadline.
    pub fn wait(self) -> Result<T, Failure> {
        if let Some(failure) = self.start_error {
            return Err(failure);
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        let result = match self.early.take() {
            Some(result) => Some(result),
            None => self.receive(left),
        };
        match result {
            Some(Ok(value)) => Ok(value),
            Some(Err(panic)) => Err(self.call.explain_panic(panic.as_ref())),
            None => Err(self.call.timed_out()),
        }
    }

    /// The result, if it comes within `patience`, or later from a panic
    /// that had begun by then (its report may take a while to print).
    fn receive(&self, patience: Duration) -> Option<thread::Result<T>> {
        self.result.recv_timeout(patience).ok().or_else(|| {
            if self.panicking.load(Ordering::SeqCst) {
                self.result.recv_timeout(PANIC_REPORT).ok()
            } else {
                None
            }
        })
    }

    /// Waits at most `patience` for the learner's code to finish, and says
    /// whether it did; the value stays here for [`Pending::wait`].
    pub fn finished_within(&self, patience: Duration) -> bool {
        let mut early = self.early.borrow_mut();
        if early.is_none() {
            *early = self.receive(patience);
        }
        early.is_some()
    }

    /// When the grader's side of a conversation fails, the learner's side is
    /// often the reason: if it already panicked (a `todo!()`, say), that is
    /// the failure to report; if it already returned, say so.
    pub fn blame<R>(&self, grader_side: Result<R, Failure>) -> Result<R, Failure> {
        let Err(failure) = grader_side else {
            return grader_side;
        };
        if let Some(start_error) = &self.start_error {
            return Err(start_error.clone());
        }
        // The learner's thread may be a moment from reporting: a panic
        // drops its sockets (which is what the grader just saw) before the
        // panic reaches the channel. Give it a second.
        self.finished_within(GRACE);
        match self.early.borrow().as_ref() {
            Some(Err(panic)) => Err(self.call.explain_panic(panic.as_ref())),
            Some(Ok(_)) => Err(Failure::new(format!(
                "{failure}\n({} had already returned)",
                self.call.function
            ))),
            None => Err(failure),
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

/// Turns an [`Outcome`] into a test result.
pub trait Grade {
    /// Records the outcome for the runner (when `SOCKLAB_REPORT` names a
    /// file) and panics with the lesson if the check failed.
    fn grade(self);
}

impl Grade for Outcome {
    #[track_caller]
    fn grade(self) {
        let check = current_check_name();
        record(&check, &self);
        if let Err(failure) = self {
            panic!("{failure}");
        }
    }
}

/// The name of the running check. The test harness runs every test on a
/// thread named after the test function, so the name comes for free.
fn current_check_name() -> String {
    let thread = thread::current();
    let name = thread.name().unwrap_or("unknown");
    // Tests inside a module are named `module::check`; keep the last part.
    name.rsplit("::").next().unwrap_or(name).to_string()
}

/// Appends one line per check to the file named by `SOCKLAB_REPORT`:
/// `pass<TAB>check` or `fail<TAB>check<TAB>message`, with newlines,
/// tabs and backslashes in the message escaped as `\n`, `\t` and `\\`.
fn record(check: &str, outcome: &Outcome) {
    let Some(path) = std::env::var_os("SOCKLAB_REPORT") else {
        return;
    };
    let line = match outcome {
        Ok(()) => format!("pass\t{check}\n"),
        Err(failure) => format!("fail\t{check}\t{}\n", escape(&failure.message)),
    };
    // One write per line, in append mode: lines from parallel tests never mix.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = written {
        eprintln!("socklab: could not write the report {path:?}: {error}");
    }
}

/// Escapes a message for the one-line report format (the runner undoes it).
pub fn escape(message: &str) -> String {
    message
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_becomes_not_implemented_yet() {
        let failure = learner("make_thing").run(|| -> u8 { todo!() }).unwrap_err();
        assert_eq!(failure.message, "not implemented yet: make_thing");
    }

    #[test]
    fn other_panics_are_reported_with_their_message() {
        let failure = learner("make_thing")
            .run(|| -> u8 { panic!("boom") })
            .unwrap_err();
        assert_eq!(failure.message, "make_thing panicked: boom");
    }

    #[test]
    fn a_hang_fails_in_time_and_says_what_it_waited_for() {
        let started = std::time::Instant::now();
        let failure = learner("wait_forever")
            .within(Duration::from_millis(100))
            .waiting_for("a message that never comes")
            .run(|| thread::sleep(Duration::from_secs(3600)))
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(60));
        assert_eq!(
            failure.message,
            "wait_forever did not return within 0.1 s: a message that never comes"
        );
    }

    #[test]
    fn values_come_back() {
        assert_eq!(learner("answer").run(|| 42).unwrap(), 42);
    }
}
