/** The bench's report: every series, each figure beside its floors, and the issue's targets, met or not. */
import { median, quantities, series, versions } from "./context";
import { CONCURRENCIES } from "./throughput-phase";
import { formatMs, formatRatio, summarize, Summary } from "./stats";

const LANGUAGE_SERIES: Record<string, string> = {
  "cold.sessionCreate.first": "session.create, first of the host process (no pool)",
  "cold.sessionCreate": "session.create, cold (host without a pool)",
  "floor.createStart.basic": "floor a: create+start, basic options",
  "floor.createStart.sessionOptions": "floor a': create+start, the session's options",
  "pool.acquire": "session.create from the pool",
  "floor.createStart.sessionOptions.pool": "  floor a' in the same rounds",
  "floor.apiRoundTrip.pool": "  floor: session.list round trip",
  "warm.executeCode": "execute_code (warm), client round trip",
  "warm.executeCode.hostDurationMs": "  the host's durationMs",
  "warm.executeCode.runnerWallMs": "  the runner's metrics.wallMs (program)",
  "warm.executeCode.runnerCpuMs": "  the runner's metrics.cpuMs (program)",
  "floor.dockerExec": "floor b: docker exec (dockerode)",
  "floor.resident": "floor c: in-container, resident shell",
  "floor.host": "floor d: bare interpreter on this machine",
  "gvisor.executeCode": "gVisor: execute_code (warm)",
  "gvisor.executeCode.runnerWallMs": "  the runner's metrics.wallMs (program)",
  "floor.gvisor.dockerExec": "  floor b under runsc: docker exec",
  "floor.gvisor.resident": "  floor c under runsc: resident shell",
  "process.executeCode": "process (bubblewrap): execute_code (warm)",
  "process.executeCode.runnerWallMs": "  the runner's metrics.wallMs (program)",
  "floor.process.host": "  floor d: the same interpreter, bare on this machine",
  "floor.process.bwrapPerRun": "  floor: a new bubblewrap sandbox per run",
};

const MIRROR_SERIES: Record<string, string> = {
  "mirror.initial": "workspace.sync of the whole tree, into a new session",
  "floor.mirror.putArchive.initial": "  floor: putArchive (docker cp) of the same tar",
  "mirror.oneChanged": "workspace.sync of one changed file",
  "floor.mirror.putArchive.oneChanged": "  floor: putArchive of that one file",
  "floor.mirror.apiRoundTrip": "  floor: session.list round trip",
  "mirror.wholeTreeUnchanged": "workspace.sync of the whole tree again, unchanged",
  "mirror.perFileCommands": "one write_file command per file, the whole tree (once)",
};

export function report(): string[] {
  const summaries = Object.fromEntries(Object.entries(series).map(([name, values]) => [name, summarize(values)]));
  const lines = ["All durations, in ms (p50/p95 interpolated between closest ranks):", header()];
  for (const language of ["python", "javascript"]) {
    lines.push(language);
    for (const [key, label] of Object.entries(LANGUAGE_SERIES)) {
      const summary = summaries[`${key}.${language}`];
      if (summary) lines.push(row(label, summary));
    }
  }
  lines.push("mirror of a generated 5,000-file tree (host side)");
  for (const [key, label] of Object.entries(MIRROR_SERIES)) if (summaries[key]) lines.push(row(label, summaries[key]!));

  lines.push("", "Other figures (median of the samples; min–max):");
  for (const [name, { unit, values }] of Object.entries(quantities)) {
    const spread = values.length > 1 ? ` (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}, n=${values.length})` : "";
    lines.push(
      `  ${name.padEnd(48)} ${median(values)
        .toFixed(unit === "MiB" ? 1 : 0)
        .padStart(8)} ${unit}${spread}`,
    );
  }

  lines.push("", "Figures against their floors (ratio = figure / floor):");
  const p = (name: string, q: "p50" | "p95" = "p50") => summaries[name]?.[q] ?? Number.NaN;
  const line = (title: string, figure: number, floors: Array<[string, number]>) =>
    lines.push(
      [
        `${title} ${formatMs(figure)} ms`,
        ...floors.map(([floorTitle, floor]) => `${floorTitle} ${formatMs(floor)} ms (${formatRatio(figure, floor)})`),
      ].join(" | "),
    );
  for (const language of ["python", "javascript"]) {
    for (const q of ["p50", "p95"] as const) {
      line(`cold session.create ${language} ${q}`, p(`cold.sessionCreate.${language}`, q), [
        ["create+start floor", p(`floor.createStart.basic.${language}`, q)],
        ["with the session's options", p(`floor.createStart.sessionOptions.${language}`, q)],
      ]);
      line(`pool acquire ${language} ${q}`, p(`pool.acquire.${language}`, q), [
        ["create+start (session's options)", p(`floor.createStart.sessionOptions.pool.${language}`, q)],
        ["session.list round trip", p(`floor.apiRoundTrip.pool.${language}`, q)],
      ]);
      line(`warm execute_code ${language} ${q}`, p(`warm.executeCode.${language}`, q), [
        ["docker exec floor", p(`floor.dockerExec.${language}`, q)],
        ["in-container floor", p(`floor.resident.${language}`, q)],
        ["bare host floor", p(`floor.host.${language}`, q)],
      ]);
    }
    const version = versions[language];
    if (version)
      lines.push(
        `  (${language} in the image: ${version.container ?? "?"}; on this machine: ${version.host ?? "none"} at ${version.hostExecutable ?? "-"})`,
      );
  }
  for (const q of ["p50", "p95"] as const) {
    line(`gVisor warm execute_code python ${q}`, p("gvisor.executeCode.python", q), [
      ["docker exec under runsc", p("floor.gvisor.dockerExec.python", q)],
      ["resident shell under runsc", p("floor.gvisor.resident.python", q)],
    ]);
    line(`process warm execute_code python ${q}`, p("process.executeCode.python", q), [
      ["bare interpreter", p("floor.process.host.python", q)],
      ["bwrap per run", p("floor.process.bwrapPerRun.python", q)],
    ]);
    line(`mirror one changed file ${q}`, p("mirror.oneChanged", q), [
      ["putArchive of it", p("floor.mirror.putArchive.oneChanged", q)],
      ["session.list round trip", p("floor.mirror.apiRoundTrip", q)],
    ]);
    line(`mirror initial 5,000 files ${q}`, p("mirror.initial", q), [
      ["putArchive of the same tar", p("floor.mirror.putArchive.initial", q)],
    ]);
  }
  const q = (name: string) => median(quantities[name]?.values ?? [Number.NaN]);
  for (const concurrency of CONCURRENCIES) {
    const figure = q(`throughput.c${concurrency}.python`);
    const floor = q(`floor.throughput.c${concurrency}.python`);
    lines.push(
      `throughput python, ${concurrency} at once: ${figure.toFixed(1)} runs/s | resident shells ${floor.toFixed(1)} runs/s (${formatRatio(figure, floor)}) | vs 1 at once ${formatRatio(figure, q("throughput.c1.python"))}`,
    );
  }
  for (const language of ["python", "javascript"]) {
    const idle = q(`memory.idleSession.${language}`);
    lines.push(
      `idle ${language} session ${idle.toFixed(1)} MiB | idle interpreter in a plain container ${q(`floor.memory.idleInterpreter.${language}`).toFixed(1)} MiB (${(idle - q(`floor.memory.idleInterpreter.${language}`)).toFixed(1)} MiB beyond) | sleeping container ${q(`floor.memory.sleepingContainer.${language}`).toFixed(1)} MiB (${(idle - q(`floor.memory.sleepingContainer.${language}`)).toFixed(1)} MiB beyond) | runner RSS ${q(`memory.runnerRss.${language}`).toFixed(2)} MiB`,
    );
  }
  const rss = (name: string) => q(`host.rss.${name}`);
  lines.push(
    `host RSS idle ${rss("start").toFixed(1)} MiB, with 8 idle sessions ${rss("withSessions").toFixed(1)} MiB, after the mirror phase ${rss("afterMirror").toFixed(1)} MiB, at the end ${rss("end").toFixed(1)} MiB | bare Node ${q("floor.host.rss.bareNode").toFixed(1)} MiB (idle: ${formatRatio(rss("start"), q("floor.host.rss.bareNode"))})`,
  );

  lines.push("", ...editRunLines(summaries));

  lines.push("", "The issue's targets:");
  for (const target of [...targets(p, q), ...editRunTargets(p)]) {
    // A figure of a phase left out by --phases is NaN: that target was not measured, neither met nor missed.
    const state = /NaN|n\/a/.test(target.measured) ? "not run" : target.met ? "met    " : "NOT met";
    lines.push(`  ${state}  ${target.name}: ${target.measured}`);
  }
  return lines;
}

interface Target {
  name: string;
  measured: string;
  met: boolean;
}

export function targets(p: (name: string) => number, q: (name: string) => number): Target[] {
  const ratio = (figure: number, floor: number) => figure / floor;
  const warm = ratio(p("warm.executeCode.python"), p("floor.resident.python"));
  const cold = ratio(p("cold.sessionCreate.python"), p("floor.createStart.basic.python"));
  const scaling = ratio(q("throughput.c4.python"), q("throughput.c1.python"));
  const idleBeyond = q("memory.idleSession.python") - q("floor.memory.idleInterpreter.python");
  const processRatio = ratio(p("process.executeCode.python"), p("floor.process.host.python"));
  return [
    { name: "warm python p50 ≤ 1.3× the in-container floor", measured: `${warm.toFixed(2)}×`, met: warm <= 1.3 },
    {
      name: "pool acquire p50 ≤ 20 ms",
      measured: `${formatMs(p("pool.acquire.python"))} ms (python), ${formatMs(p("pool.acquire.javascript"))} ms (javascript)`,
      met: p("pool.acquire.python") <= 20 && p("pool.acquire.javascript") <= 20,
    },
    { name: "cold session ≤ 1.15× the create+start floor (p50, python)", measured: `${cold.toFixed(2)}×`, met: cold <= 1.15 },
    {
      name: "throughput at concurrency 4 ≥ 1.7× concurrency 1",
      measured: `${scaling.toFixed(2)}× (floor: ${ratio(q("floor.throughput.c4.python"), q("floor.throughput.c1.python")).toFixed(2)}×)`,
      met: scaling >= 1.7,
    },
    {
      name: "one changed file in 5,000 mirrored in ≤ 50 ms (p50)",
      measured: `${formatMs(p("mirror.oneChanged"))} ms`,
      met: p("mirror.oneChanged") <= 50,
    },
    {
      name: "an idle session costs ≤ 5 MB beyond its runtime",
      measured: `${idleBeyond.toFixed(1)} MiB beyond an idle interpreter`,
      met: idleBeyond <= 5,
    },
    {
      name: "a process-isolation warm run ≤ 1.2× the bare host interpreter (p50)",
      measured: `${processRatio.toFixed(2)}×`,
      met: processRatio <= 1.2,
    },
  ];
}

/** Issue 12's targets: warm edit→run p50 against the same language's `warm: false` p50, in the same rounds. */
const EDIT_RUN_TARGETS: Record<string, number> = {
  typescript: 0.25,
  java: 0.25,
  csharp: 0.25,
  go: 0.25,
  rust: 0.25,
  python: 0.5,
  javascript: 0.5,
  deno: 0.5,
};

function editRunLines(summaries: Record<string, Summary>): string[] {
  const languages = Object.keys(summaries)
    .filter((name) => name.startsWith("editRun.warm.") && name.split(".").length === 3)
    .map((name) => name.split(".")[2]!);
  if (!languages.length) return [];
  const p = (name: string) => summaries[name]?.p50 ?? Number.NaN;
  const q = (name: string) => median(quantities[name]?.values ?? [Number.NaN]);
  const lines = [
    "Edit → run, one line changed before each run (p50 ms; compile / run stage walls in brackets):",
    `  ${"language".padEnd(12)}${"warm".padStart(22)}${"warm: false".padStart(24)}${"ratio".padStart(8)}${"target".padStart(8)}  idle memory warm / cold`,
  ];
  for (const language of languages) {
    const cell = (kind: string) => {
      const stages = ["compile", "run"]
        .map((stage) => p(`editRun.${kind}.${language}.${stage}WallMs`))
        .filter(Number.isFinite)
        .map(formatMs)
        .join(" / ");
      return `${formatMs(p(`editRun.${kind}.${language}`))} (${stages})`;
    };
    const ratio = p(`editRun.warm.${language}`) / p(`editRun.cold.${language}`);
    const target = EDIT_RUN_TARGETS[language];
    const memory = `${q(`editRun.idleMemory.warm.${language}`).toFixed(1)} / ${q(`editRun.idleMemory.cold.${language}`).toFixed(1)} MiB`;
    lines.push(
      `  ${language.padEnd(12)}${cell("warm").padStart(22)}${cell("cold").padStart(24)}${`${ratio.toFixed(2)}×`.padStart(8)}${(target ? `≤${target}×` : "").padStart(8)}  ${memory}`,
    );
  }
  return lines;
}

export function editRunTargets(p: (name: string) => number): Target[] {
  return Object.entries(EDIT_RUN_TARGETS)
    .filter(([language]) => Number.isFinite(p(`editRun.warm.${language}`)))
    .map(([language, target]) => {
      const ratio = p(`editRun.warm.${language}`) / p(`editRun.cold.${language}`);
      return { name: `edit→run ${language} warm p50 ≤ ${target}× warm:false`, measured: `${ratio.toFixed(2)}×`, met: ratio <= target };
    });
}

function header(): string {
  return `${"".padEnd(58)}${["n", "p50", "p95", "min", "max"].map((h) => h.padStart(8)).join("")}`;
}

function row(label: string, summary: Summary): string {
  const cells = [String(summary.n), ...[summary.p50, summary.p95, summary.min, summary.max].map(formatMs)];
  return `  ${label.padEnd(56)}${cells.map((cell) => cell.padStart(8)).join("")}`;
}
