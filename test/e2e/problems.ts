import type { Page } from "playwright-core";
import { showPanelView } from "./panel";
import { waitUntil } from "./wait";

/** One entry of the Problems panel, as shown: "message source(code) [Ln 3, Col 9]" under its file. */
export interface Problem {
  file: string;
  severity: "error" | "warning" | "info";
  message: string;
  /** The source with its code, as displayed: "CodeBeaker" or "CodeBeaker(ZeroDivisionError)". */
  source: string;
  line: number;
  column: number;
}

export class Problems {
  constructor(private readonly page: Page) {}

  /** Every entry the Problems panel shows, in its order (files expanded, as they are by default). */
  async read(): Promise<Problem[]> {
    await showPanelView(this.page, "Problems");
    const rows = await this.page.locator(".markers-panel .monaco-list-row").evaluateAll((elements) =>
      elements.map((row) => ({
        index: Number(row.getAttribute("data-index")),
        level: row.getAttribute("aria-level"),
        path: row.querySelector(".monaco-icon-label")?.getAttribute("aria-label") ?? "",
        severity: ["error", "warning", "info"].find((kind) => row.querySelector(`.marker-icon.${kind}`)) ?? "",
        message: row.querySelector(".marker-message")?.textContent ?? "",
        source: [".marker-source", ".marker-code"].map((part) => row.querySelector(part)?.textContent ?? "").join(""),
        position: row.querySelector(".marker-line")?.textContent ?? "",
      })),
    );
    rows.sort((a, b) => a.index - b.index);
    const problems: Problem[] = [];
    let file = "";
    for (const row of rows) {
      if (row.level === "1") {
        file = row.path;
        continue;
      }
      const position = /\[Ln (\d+), Col (\d+)\]/.exec(row.position);
      if (!position) continue; // a related-information row, not a problem of its own
      problems.push({
        file,
        severity: row.severity as Problem["severity"],
        message: row.message,
        source: row.source,
        line: Number(position[1]),
        column: Number(position[2]),
      });
    }
    return problems;
  }

  /** Waits until the entries (those of `source`, when given) satisfy `accept`; returns them. */
  async waitFor(
    what: string,
    accept: (problems: Problem[]) => boolean,
    { source, timeoutMs = 60_000 }: { source?: string; timeoutMs?: number } = {},
  ): Promise<Problem[]> {
    const read = async () => (await this.read()).filter((problem) => !source || problem.source.startsWith(source));
    return waitUntil(`Problems to show ${what}`, read, accept, { timeoutMs });
  }
}
