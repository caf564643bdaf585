// Writes the generated reference into docs/PROTOCOL.md (between its markers), from the schemas in contract/protocol.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REFERENCE_END, REFERENCE_START, referenceMarkdown } from "../contract/protocol/reference";

const file = join(__dirname, "..", "docs", "PROTOCOL.md");
const text = readFileSync(file, "utf8");
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
const before = start < 0 ? `${text.trimEnd()}\n\n` : text.slice(0, start);
const after = end < 0 ? "" : text.slice(end + REFERENCE_END.length + 1);
writeFileSync(file, `${before}${referenceMarkdown()}${after}`);
