// One bundler, one entry per process. Type checking is `tsc --noEmit` (npm run typecheck).
import * as esbuild from "esbuild";
import { writeMenuLanguages } from "./scripts/menu-languages.mjs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

if (writeMenuLanguages()) console.log("package.json: menus now show for the languages of runtimes/");

/** @type {esbuild.BuildOptions[]} */
const entries = [
  {
    // The VS Code extension: runs in VS Code's extension host, which provides `vscode`.
    entryPoints: { extension: "extension/extension.ts" },
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode"],
  },
  {
    // The history panel: runs in a webview (a browser page); its stylesheet comes out beside it.
    entryPoints: { webview: "webview/main.ts" },
    platform: "browser",
    target: "es2022",
    format: "iife",
  },
  {
    // The sandbox host: JSON-RPC server (stdio, WebSocket) and the `codebeaker` CLI.
    entryPoints: { host: "host/main.ts" },
    platform: "node",
    target: "node20",
    format: "cjs",
    banner: { js: "#!/usr/bin/env node" },
    // Optional native accelerators of ssh2 (used by dockerode for ssh:// engines); it works without them.
    external: ["cpu-features", "./crypto/build/Release/sshcrypto.node"],
  },
  {
    // The library: `import { Beaker, Lab } from "codebeaker"` in a Node program. Its types come from
    // tsconfig.library.json (declarations only).
    entryPoints: { library: "host/library/index.ts" },
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["cpu-features", "./crypto/build/Release/sshcrypto.node"],
  },
];

const common = {
  bundle: true,
  outdir: "dist",
  sourcemap: !production,
  minify: production,
  logLevel: "warning",
};

if (watch) {
  const contexts = await Promise.all(entries.map((entry) => esbuild.context({ ...common, ...entry })));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(entries.map((entry) => esbuild.build({ ...common, ...entry })));
}
