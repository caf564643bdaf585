// Deno 2: Node's globals (process) without an import, and TypeScript with ES2024's Object.groupBy.
const byLength = Object.groupBy(["a", "bb", "cc"], (word: string) => word.length);
if (typeof process.version !== "string" || byLength[2]?.length !== 2) throw new Error("unexpected results");
console.log("OK");
