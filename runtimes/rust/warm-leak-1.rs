// Run 1 of the warm leak test (docs/WARM.md): leaves an environment variable and a static set, as a warm process
// that outlived its run would keep them, and prints "dirty": run 2 printing it would mean run 1's binary ran again.
use std::sync::atomic::{AtomicBool, Ordering};

static LEAKED: AtomicBool = AtomicBool::new(false);

fn main() {
    LEAKED.store(true, Ordering::SeqCst);
    unsafe { std::env::set_var("WARM_LEAK", "1") };
    println!("dirty {}", LEAKED.load(Ordering::SeqCst));
}
