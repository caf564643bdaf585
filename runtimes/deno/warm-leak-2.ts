// Warm leak test, part 2: prints `clean` when nothing part 1 left is visible.
const leaks: string[] = [];
if ("codebeakerLeak" in globalThis) leaks.push("the global");
try {
  if (Deno.env.get("CODEBEAKER_LEAK") !== undefined) leaks.push("the environment variable");
} catch {
  // Without --allow-env, part 1 could not set it either.
}
if ("codebeakerLeak" in Array.prototype) leaks.push("the static");
const loaded = await import("data:text/javascript,export const state = { changed: false };");
if (loaded.state.changed) leaks.push("the module's change");
if (!import.meta.main) leaks.push("another main module");
console.log(leaks.length === 0 ? "clean" : `leaked: ${leaks.join("; ")}`);
