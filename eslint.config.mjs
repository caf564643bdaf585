// The project's linter: typescript-eslint's recommended rules over every part of the tree, run by `npm run lint`
// (and so by CI). Formatting is prettier's job (`npm run format`), not the linter's.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/fixtures/**", ".vscode-test/**", "runtimes/**/*.js", "runtimes/**/*.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.mjs"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Empty callbacks are how this code says "nothing to do" (a silent logger, an ignored rejection).
      "@typescript-eslint/no-empty-function": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
      // Terminal control characters are matched on purpose: output is filtered before it reaches a terminal.
      "no-control-regex": "off",
    },
  },
  // Tests and the bench read JSON answers loosely.
  { files: ["test/**", "bench/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  { files: ["*.mjs", "scripts/**"], languageOptions: { globals: globals.node } },
  // The warm parts that run inside a sandbox under Node.js (runtimes/*/warm/*.cjs): CommonJS, Node's globals.
  {
    files: ["runtimes/**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
