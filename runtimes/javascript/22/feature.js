// New in Node.js 22 (V8 12.4): Object.groupBy (ES2024), Promise.withResolvers, and the Set methods.
const byParity = Object.groupBy([1, 2, 3, 4], (n) => (n % 2 ? "odd" : "even"));
const both = new Set([1, 2]).union(new Set([2, 3]));
const { promise, resolve } = Promise.withResolvers();
resolve("OK");
promise.then((word) => {
  if (byParity.odd.join() !== "1,3" || [...both].join() !== "1,2,3") throw new Error(`unexpected: ${JSON.stringify(byParity)} ${[...both]}`);
  console.log(word);
});
