// Warm leak test, part 1 (docs/WARM.md): leaves behind what a fresh tsc and Node.js would not have. Part 2, compiled
// and run next in the same warm session, must see none of it. Both are scripts (no import or export), so their
// top-level declarations are global: if the resident compiler kept this file in part 2's program, part 2's
// `leakMarker` would be a redeclaration and its compile would fail.
const leakMarker: "part 1" = "part 1";
const fs = require("node:fs");

(globalThis as Record<string, unknown>).codebeakerLeak = "a global";
process.env.CODEBEAKER_LEAK = "an environment variable";
require("node:path").codebeakerLeak = "a built-in module, changed";
(Array.prototype as unknown as Record<string, unknown>).codebeakerLeak = "a static of a built-in class";

// A module of the user's, created, loaded and changed: a later run loads it afresh.
const created = "/tmp/codebeaker-leak-module.js";
fs.writeFileSync(created, "module.exports = { changed: false };\n");
require(created).changed = true;

console.log("set", leakMarker);
