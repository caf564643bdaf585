/**
 * Edit → run, in every language: a small program with one line changed before each run, in a warm session
 * (the default: warm toolchains) and beside it, in the same rounds, a session created with `warm: false` (the
 * toolchain's own cold start on every run: the floor). After each run, an untimed pause stands for the edit.
 * Also what the warm parts hold while the session is idle.
 */
import { CreateResult, problems, progress, record, series } from "./context";
import { settledMemory } from "./memory-phase";
import type { RpcClient } from "./rpc-client";
import { interleave, Probe } from "./stats";

/** One small program per language; `{n}` changes before every run, as an edit would. */
export const EDITED_PROGRAMS: Record<string, { file: string; code: string }> = {
  python: { file: "main.py", code: "n = {n}\nprint('hello', n)\n" },
  javascript: { file: "main.js", code: "const n = {n};\nconsole.log('hello', n);\n" },
  typescript: { file: "main.ts", code: "const n: number = {n};\nconsole.log('hello', n);\n" },
  deno: { file: "main.ts", code: "const n: number = {n};\nconsole.log('hello', n);\n" },
  go: { file: "main.go", code: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tn := {n}\n\tfmt.Println("hello", n)\n}\n' },
  rust: { file: "main.rs", code: 'fn main() {\n    let n = {n};\n    println!("hello {}", n);\n}\n' },
  java: {
    file: "Main.java",
    code: 'public class Main {\n  public static void main(String[] args) {\n    int n = {n};\n    System.out.println("hello " + n);\n  }\n}\n',
  },
  csharp: {
    file: "Program.cs",
    code: 'class Program {\n  static void Main() {\n    int n = {n};\n    System.Console.WriteLine("hello " + n);\n  }\n}\n',
  },
};

interface StageTimes {
  wallMs: number;
  warm?: boolean;
}
interface EditRunAnswer {
  success: boolean;
  status: string;
  error: string | null;
  stdout: string;
  stages?: { compile?: StageTimes; run?: StageTimes };
}

export async function editRunPhase(
  client: RpcClient,
  languages: Iterable<string>,
  runs: number,
  warmup: number,
  pauseMs: number,
): Promise<void> {
  for (const language of languages) {
    const program = EDITED_PROGRAMS[language];
    if (!program) {
      problems.add(`edit→run: no program for ${language} in bench/edit-run-phase.ts`);
      continue;
    }
    progress(`edit→run: ${language}, warm and warm:false, ×${runs}`);
    const warm = await editRunProbe(client, language, program, true, pauseMs);
    const cold = await editRunProbe(client, language, program, false, pauseMs);
    try {
      Object.assign(series, await interleave([warm, cold], runs, warmup));
      for (const probe of [warm, cold]) {
        const timed = probe.answers.slice(warmup);
        for (const stage of ["compile", "run"] as const) {
          const walls = timed.map((answer) => answer.stages?.[stage]?.wallMs).filter((ms): ms is number => ms !== undefined);
          if (walls.length) series[`${probe.name}.${stage}WallMs`] = walls;
        }
        // Go's warm compile line is no warm part and Deno has none: their stages all say warm: false.
        const unserved = timed.filter((answer) => !Object.values(answer.stages ?? {}).some((stage) => stage?.warm)).length;
        if (probe === warm && unserved)
          problems.add(`edit→run ${language}: in ${unserved} of ${timed.length} warm runs no stage was served by a warm part`);
        if (probe === cold && timed.some((answer) => Object.values(answer.stages ?? {}).some((stage) => stage?.warm))) {
          problems.add(`edit→run ${language}: a warm:false session ran a stage warm`);
        }
      }
      const [warmMiB, coldMiB] = await Promise.all([settledMemory(warm.containerId), settledMemory(cold.containerId)]);
      record(`editRun.idleMemory.warm.${language}`, "MiB", [warmMiB]);
      record(`editRun.idleMemory.cold.${language}`, "MiB", [coldMiB]);
    } finally {
      await warm.close();
      await cold.close();
    }
  }
}

type EditRunProbe = Probe & { answers: EditRunAnswer[]; containerId: string; close(): Promise<void> };

async function editRunProbe(
  client: RpcClient,
  language: string,
  program: { file: string; code: string },
  warm: boolean,
  pauseMs: number,
): Promise<EditRunProbe> {
  const { sessionId, containerId } = await client.call<CreateResult>("session.create", { language, warm });
  const answers: EditRunAnswer[] = [];
  let edit = 0;
  return {
    name: `editRun.${warm ? "warm" : "cold"}.${language}`,
    containerId,
    answers,
    once: async () => {
      const n = ++edit;
      const code = program.code.replace("{n}", String(n));
      const answer = await client.call<EditRunAnswer>("session.execute", {
        sessionId,
        command: { type: "execute_code", code, fileName: program.file },
      });
      if (!answer.success || !answer.stdout.includes(`hello ${n}`)) {
        throw new Error(`edit→run ${language} (warm: ${warm}) failed: ${answer.status}: ${answer.error ?? answer.stdout}`);
      }
      answers.push(answer);
    },
    // The next edit: what a session does between runs (start the next launcher…) it does while a user types.
    after: () => new Promise((resolve) => setTimeout(resolve, pauseMs)),
    close: async () => {
      await client.call("session.close", { sessionId });
    },
  };
}
