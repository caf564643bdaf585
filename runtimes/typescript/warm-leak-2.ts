// Warm leak test, part 2: prints `clean` when nothing part 1 left (or the warm parts loaded) is visible.
const leakMarker: "part 2" = "part 2";
const fs = require("node:fs");

const created = "/tmp/codebeaker-leak-module.js";
const leaks: string[] = [];
if ("codebeakerLeak" in globalThis) leaks.push("the global");
if (process.env.CODEBEAKER_LEAK !== undefined) leaks.push("the environment variable");
if ("codebeakerLeak" in require("node:path")) leaks.push("the built-in module's change");
if ("codebeakerLeak" in Array.prototype) leaks.push("the static");
if (fs.existsSync(created) && require(created).changed) leaks.push("the module's change");
const otherModules = Object.keys(require.cache).filter((path) => path !== __filename && path !== created);
if (otherModules.length > 0) leaks.push(`modules loaded before the program: ${otherModules.join(", ")}`);
if (require.main !== module || process.argv[1] !== __filename) leaks.push("another main module");
if (leakMarker !== "part 2") leaks.push("part 1's marker");
console.log(leaks.length === 0 ? "clean" : `leaked: ${leaks.join("; ")}`);
