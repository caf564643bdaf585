// Run 2: prints exactly "clean" when nothing run 1 left is there, nothing of the resident compiler's own setup is
// seen by the program (at compile time or at run time), and this program, not run 1's binary, is what ran.
use std::sync::atomic::{AtomicBool, Ordering};

static LEAKED: AtomicBool = AtomicBool::new(false);

fn main() {
    let mut dirty = Vec::new();
    if LEAKED.load(Ordering::SeqCst) {
        dirty.push("static");
    }
    if std::env::var_os("WARM_LEAK").is_some() {
        dirty.push("environment");
    }
    if option_env!("LD_PRELOAD").is_some() || option_env!("CODEBEAKER_RUSTC_ARGFILE").is_some() {
        dirty.push("compiler's environment at compile time");
    }
    if std::env::var_os("LD_PRELOAD").is_some() || std::env::var_os("CODEBEAKER_RUSTC_ARGFILE").is_some() {
        dirty.push("compiler's environment at run time");
    }
    if dirty.is_empty() {
        println!("clean");
    } else {
        println!("leaked: {}", dirty.join(", "));
    }
}
