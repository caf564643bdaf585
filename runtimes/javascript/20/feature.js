// New in Node.js 20 (V8 11.3, ES2023): arrays changed by copy, and findLast.
const scores = [3, 1, 2];
const sorted = scores.toSorted();
const changed = scores.with(0, 9);
const last = scores.findLast((n) => n < 3);
if (sorted.join() !== "1,2,3" || scores.join() !== "3,1,2" || changed.join() !== "9,1,2" || last !== 2) {
  throw new Error(`unexpected: ${sorted} ${scores} ${changed} ${last}`);
}
console.log("OK");
