// Warm leak test, part 1 (docs/WARM.md): leaves behind what a fresh Node.js would not have. Part 2, run next in the
// same warm session, must see none of it.
const fs = require("node:fs");

globalThis.codebeakerLeak = "a global";
process.env.CODEBEAKER_LEAK = "an environment variable";
require("node:path").codebeakerLeak = "a built-in module, changed";
Array.prototype.codebeakerLeak = "a static of a built-in class";

// A module of the user's, created, loaded and changed: a later run loads it afresh.
const created = "/tmp/codebeaker-leak-module.js";
fs.writeFileSync(created, "module.exports = { changed: false };\n");
require(created).changed = true;

console.log("set");
