// New in Rust 1.63: scoped threads, which borrow from the stack.
fn main() {
    let mut numbers = vec![1, 2, 3];
    let total = std::thread::scope(|scope| {
        let sum = scope.spawn(|| numbers.iter().sum::<i32>());
        sum.join().unwrap()
    });
    numbers.push(total);
    assert_eq!(numbers, vec![1, 2, 3, 6]);
    println!("OK");
}
