// Warm leak test, part 1 (docs/WARM.md): leaves behind what a fresh Deno would not have. Part 2, run next in the same
// warm session, must see none of it. (Deno has no launcher today, so every run is a fresh process: docs/WARM.md.)
(globalThis as Record<string, unknown>).codebeakerLeak = "a global";
try {
  Deno.env.set("CODEBEAKER_LEAK", "an environment variable");
} catch {
  // Without --allow-env the program cannot set one, so there is none to leak.
}
(Array.prototype as unknown as Record<string, unknown>).codebeakerLeak = "a static of a built-in class";

// A module, loaded and changed: a later run loads it afresh.
const state = await import("data:text/javascript,export const state = { changed: false };");
state.state.changed = true;

console.log("set");
