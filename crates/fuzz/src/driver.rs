//! The stable driver: a target's seeds run as they are, then mutants of its pool, each input
//! under `catch_unwind` and timed; a failure is minimised and saved with the command that
//! replays it, and a run ends with its figures (`Report`). An input's time is its thread's CPU
//! time.
//!
//! Design decision: guidance without instrumentation. An input whose behaviour (the string a
//! target returns: the field rejected, feasible or not, what binds) has not been seen joins the
//! pool later inputs are mutated from, so the run climbs past the first rejection of each
//! field without a coverage build; the libFuzzer harness adds real coverage on nightly. A
//! watchdog thread saves an input still running after `STUCK` and ends the process, as
//! nothing can interrupt a loop inside the target.

use crate::check::{Failure, Kind};
use crate::corpus;
use crate::mutate::{json::without_each, Mutator};
use crate::targets::{shape, Seen, Target};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// An input's clock: its thread's CPU time; wall time on wasm32, where the driver only builds.
#[cfg(not(target_arch = "wasm32"))]
type Clock = cpu_time::ThreadTime;
#[cfg(target_arch = "wasm32")]
type Clock = Instant;

/// How long an input may run before the watchdog gives up on it.
pub const STUCK: Duration = Duration::from_secs(60);
/// The pool's size: seeds plus inputs showing a new behaviour.
const POOL: usize = 10_000;
/// Inputs larger than this do not join the pool: they are still run, but mutating them again
/// would spend the run parsing and copying them.
const POOL_INPUT: usize = 16 << 10;
/// Time spent minimising one failure.
const MINIMISE: Duration = Duration::from_secs(10);
/// Distinct failures saved per target; past that they are only counted.
const SAVED: usize = 50;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Inputs to run (at least every seed once).
    pub inputs: u64,
    pub seed: u64,
    /// Folders of further seeds (a crash folder, libFuzzer's corpus).
    pub corpus: Vec<PathBuf>,
    /// Where failures are saved, one folder per target.
    pub crashes: PathBuf,
    /// An input taking longer is a hang.
    pub hang: Duration,
    /// Print a progress line every few seconds.
    pub progress: bool,
}

/// One distinct failure: its first (minimised) input and how often it was met.
#[derive(Debug, Clone)]
pub struct Found {
    pub failure: Failure,
    pub input: Vec<u8>,
    pub count: u64,
    pub saved: Option<PathBuf>,
}

/// A run's figures.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: Target,
    pub inputs: u64,
    pub elapsed: Duration,
    pub found: Vec<Found>,
    pub slowest: Duration,
    pub slowest_input: Vec<u8>,
    /// Distinct behaviours seen.
    pub behaviours: usize,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        self.inputs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Distinct failures of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.found.iter().filter(|f| f.failure.kind == kind).count()
    }
}

/// Runs `target` as `options` say.
pub fn run(target: Target, options: &Options) -> io::Result<Report> {
    install_panic_hook();
    let mut dirs = vec![corpus::dir(target)];
    dirs.extend(options.corpus.iter().cloned());
    let seeds = corpus::load(&dirs)?;
    if seeds.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, format!("no seeds for {} in {dirs:?}", target.name())));
    }
    let mut mutator = Mutator::new(options.seed, corpus::words(&seeds));
    let crashes = options.crashes.join(target.name());
    let running = Arc::new(Mutex::new(None::<(Instant, Vec<u8>)>));
    let stop = Arc::new(AtomicBool::new(false));
    let watchdog = spawn_watchdog(target, crashes.clone(), running.clone(), stop.clone());

    let total = options.inputs.max(seeds.len() as u64);
    let mut pool = seeds.clone();
    let mut behaviours = HashSet::new();
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let (mut slowest, mut slowest_input) = (Duration::ZERO, Vec::new());
    let start = Instant::now();
    let mut last_progress = start;
    for i in 0..total {
        let input = match seeds.get(i as usize) {
            Some(seed) => seed.clone(),
            None => {
                let (a, b) = (mutator.pick(pool.len()), mutator.pick(pool.len()));
                mutator.mutate(target.grammar(), &pool[a], &pool[b])
            }
        };
        *running.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), input.clone()));
        let (seen, took) = execute(target, &input);
        *running.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if took > slowest {
            (slowest, slowest_input) = (took, input.clone());
        }
        let seen = match seen {
            Ok(_) if took > options.hang => {
                Err(Failure::new(Kind::Hang, format!("took {:.2} s of CPU time, more than {:.2} s", took.as_secs_f64(), options.hang.as_secs_f64())))
            }
            other => other,
        };
        match seen {
            Ok(behaviour) => {
                if behaviours.insert(behaviour) && i as usize >= seeds.len() && input.len() <= POOL_INPUT {
                    if pool.len() < POOL {
                        pool.push(input);
                    } else {
                        let at = seeds.len() + mutator.pick(POOL - seeds.len());
                        pool[at] = input;
                    }
                }
            }
            Err(failure) => record(target, &crashes, &mut found, failure, input),
        }
        if options.progress && last_progress.elapsed() > Duration::from_secs(10) {
            last_progress = Instant::now();
            let rate = (i + 1) as f64 / start.elapsed().as_secs_f64();
            eprintln!(
                "{}: {} inputs, {rate:.0}/s, {} failures, {} behaviours, slowest {:.1} ms",
                target.name(),
                i + 1,
                found.len(),
                behaviours.len(),
                slowest.as_secs_f64() * 1e3
            );
        }
    }
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = watchdog.join();
    let found = found.into_values().collect();
    Ok(Report { target, inputs: total, elapsed, found, slowest, slowest_input, behaviours: behaviours.len() })
}

/// Runs one input: what the target saw (a panic as a failure) and the CPU time it took (the
/// machine is shared: wall time would count other processes' turns as the input's).
pub fn execute(target: Target, input: &[u8]) -> (Seen, Duration) {
    install_panic_hook();
    let start = Clock::now();
    IN_TARGET.with(|t| t.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| target.run(input)));
    IN_TARGET.with(|t| t.set(false));
    let took = start.elapsed();
    let seen = result.unwrap_or_else(|_| Err(Failure::new(Kind::Panic, LAST_PANIC.with(|p| p.take()))));
    (seen, took)
}

/// The saved file of a failure and what the target says of it now.
pub fn replay(target: Target, path: &Path) -> io::Result<(Seen, Duration)> {
    Ok(execute(target, &std::fs::read(path)?))
}

/// Keeps a failure: a new one minimised and saved, a known one counted.
fn record(target: Target, crashes: &Path, found: &mut BTreeMap<String, Found>, failure: Failure, input: Vec<u8>) {
    let key = key(&failure);
    if let Some(known) = found.get_mut(&key) {
        known.count += 1;
        return;
    }
    let input = if failure.kind == Kind::Hang { input } else { minimise(target, &input, &key) };
    let saved = (found.len() < SAVED).then(|| save(target, crashes, &failure, &input)).flatten();
    found.insert(key, Found { failure, input, count: 1, saved });
}

/// What makes two failures the same: the kind and, for a panic, where it was raised; else the
/// detail's shape.
fn key(failure: &Failure) -> String {
    let detail = match failure.kind {
        Kind::Panic => failure.detail.split(": ").next().unwrap_or_default().to_string(),
        _ => shape(&failure.detail),
    };
    format!("{} {detail}", failure.kind.name())
}

/// A smaller input with the same failure: JSON nodes dropped one at a time, then byte runs
/// halving in length, within `MINIMISE`.
fn minimise(target: Target, input: &[u8], key_of_failure: &str) -> Vec<u8> {
    let deadline = Instant::now() + MINIMISE;
    let same = |candidate: &[u8]| matches!(execute(target, candidate).0, Err(f) if key(&f) == key_of_failure);
    let mut best = input.to_vec();
    'json: while Instant::now() < deadline {
        for smaller in without_each(&String::from_utf8_lossy(&best)) {
            if Instant::now() > deadline {
                break 'json;
            }
            if smaller.len() < best.len() && same(smaller.as_bytes()) {
                best = smaller.into_bytes();
                continue 'json;
            }
        }
        break;
    }
    let mut chunk = best.len() / 2;
    while chunk > 0 && Instant::now() < deadline {
        let mut i = 0;
        let mut progress = false;
        while i + chunk <= best.len() && Instant::now() < deadline {
            let mut smaller = best.clone();
            smaller.drain(i..i + chunk);
            if same(&smaller) {
                best = smaller;
                progress = true;
            } else {
                i += chunk;
            }
        }
        if !progress {
            chunk /= 2;
        }
    }
    best
}

/// Writes the input to `<crashes>/<target>/<kind>-<hash>` and says how to replay it.
fn save(target: Target, crashes: &Path, failure: &Failure, input: &[u8]) -> Option<PathBuf> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut hasher);
    let path = crashes.join(format!("{}-{:016x}", failure.kind.name(), hasher.finish()));
    let written = std::fs::create_dir_all(crashes).and_then(|()| std::fs::write(&path, input));
    eprintln!("{}: {failure}", target.name());
    match written {
        Ok(()) => {
            eprintln!("  saved {}; replay: cargo run --profile fuzz -p fuzz -- {} --replay {}", path.display(), target.name(), path.display());
            Some(path)
        }
        Err(e) => {
            eprintln!("  could not save it to {}: {e}", path.display());
            None
        }
    }
}

type Running = Arc<Mutex<Option<(Instant, Vec<u8>)>>>;

/// A thread that saves the running input and ends the process once it has run for `STUCK`.
fn spawn_watchdog(target: Target, crashes: PathBuf, running: Running, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            let stuck = running.lock().unwrap_or_else(|e| e.into_inner()).as_ref().filter(|(t, _)| t.elapsed() > STUCK).map(|(_, i)| i.clone());
            if let Some(input) = stuck {
                let failure = Failure::new(Kind::Hang, format!("still running after {} s", STUCK.as_secs()));
                save(target, &crashes, &failure, &input);
                std::process::exit(3);
            }
        }
    })
}

thread_local! {
    static IN_TARGET: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Panics inside a target are recorded (`location: message`) instead of printed; any other
/// panic (a failing test) goes to the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TARGET.with(Cell::get) {
                return previous(info);
            }
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let at = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = format!("{at}: {message}"));
        }))
    });
}
