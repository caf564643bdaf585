// New in Node.js 24 (V8 13.6): RegExp.escape, Float16Array and `using` (explicit resource management),
// beside ES2024's Object.groupBy.
const closed = [];
{
  using resource = { [Symbol.dispose]: () => closed.push("resource") };
}
const pattern = new RegExp(RegExp.escape("1+1=2?"));
const halves = new Float16Array([0.5, 1.5]);
const byLength = Object.groupBy(["a", "bb", "cc"], (word) => word.length);
if (!pattern.test("is 1+1=2?") || halves[1] !== 1.5 || byLength[2].length !== 2 || closed.join() !== "resource") {
  throw new Error("unexpected results");
}
console.log("OK");
