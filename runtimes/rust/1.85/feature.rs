// Edition 2024 (Rust 1.85): Future and IntoFuture are in the prelude (no `use std::future::Future`), and
// async closures are stable.
fn is_future<F: Future<Output = u8>>(future: F) -> F {
    future
}

fn main() {
    let add_one = async |n: u8| n + 1;
    let _pending = is_future(add_one(41));
    let words: Vec<&str> = "O K".split(' ').collect();
    println!("{}", words.concat());
}
