/**
 * The mirror, host side: workspace.sync of a generated 5,000-file tree, first whole (into a new session), then
 * one changed file at a time (what the host sees of an editor's edit: the extension diffs on its side), then the
 * whole tree sent again unchanged (a client that does not diff: the host's manifest makes it a check). Floors:
 * the engine's own copy-in (putArchive of the same tar, as `docker cp` does) into a running container, and the
 * API's round trip (session.list).
 */
import type Docker from "dockerode";
import { packArchive } from "../host/isolation/ustar";
import { CreateResult, progress, series, waitForContainers } from "./context";
import { basicOptions, ContainerTracker } from "./floors";
import type { RpcClient } from "./rpc-client";
import { interleave, Probe } from "./stats";

export const TREE_FILES = 5000;

interface SyncResult {
  written: number;
  failed: Array<{ path: string; error: string }>;
}

/** A source tree: 100 packages of 50 modules, 200 bytes to 2 KB each, the same every run. */
export function generateTree(count = TREE_FILES): Array<{ path: string; content: string }> {
  return Array.from({ length: count }, (_, i) => {
    const lines = 4 + ((i * 37) % 60);
    const body = Array.from({ length: lines }, (_, line) => `VALUE_${line} = ${(i * 7919 + line * 104729) % 1000003}  # module ${i}`);
    return { path: `src/package${Math.floor(i / 50)}/module${i % 50}.py`, content: `${body.join("\n")}\n` };
  });
}

export async function mirrorPhase(
  client: RpcClient,
  docker: Docker,
  tracker: ContainerTracker,
  owner: string,
  image: string,
  initialRuns: number,
  changeRuns: number,
) {
  // Each session here takes the pool's spare; the pool's refill is waited for, so that it is not what is timed.
  const settled = () => waitForContainers(docker, owner, "python", 2);
  const tree = generateTree();
  const bytes = tree.reduce((sum, file) => sum + Buffer.byteLength(file.content), 0);
  progress(`mirror: ${tree.length} files (${(bytes / 2 ** 20).toFixed(1)} MiB): initial ×${initialRuns}, one changed file ×${changeRuns}`);
  const archive = await packArchive(tree.map((file) => ({ name: file.path, content: Buffer.from(file.content) })));
  const target = await tracker.create(basicOptions(image, ["sleep", "infinity"]));
  await target.start();
  try {
    let fresh: string | undefined;
    const initial: Probe = {
      name: "mirror.initial",
      once: async () => expectAll(await client.call<SyncResult>("workspace.sync", { sessionId: fresh, write: tree }), tree.length),
    };
    const copyIn: Probe = {
      name: "floor.mirror.putArchive.initial",
      once: async () => void (await target.putArchive(archive, { path: "/tmp" })),
    };
    // A new session for each initial sync (untimed): its /workspace and manifest start empty.
    const rounds: Probe[] = [
      {
        name: "mirror.newSession",
        once: async () => {
          fresh = (await client.call<CreateResult>("session.create", { language: "python" })).sessionId;
          await settled();
        },
      },
      initial,
      copyIn,
      { name: "mirror.closeSession", once: async () => void (await client.call("session.close", { sessionId: fresh })) },
    ];
    const timed = await interleave(rounds, initialRuns, 0);
    series["mirror.initial"] = timed["mirror.initial"]!;
    series["floor.mirror.putArchive.initial"] = timed["floor.mirror.putArchive.initial"]!;

    const { sessionId } = await client.call<CreateResult>("session.create", { language: "python" });
    await settled();
    try {
      expectAll(await client.call<SyncResult>("workspace.sync", { sessionId, write: tree }), tree.length);
      let edit = 0;
      const changed = (): { path: string; content: string } => {
        const file = tree[(edit * 997) % tree.length]!;
        return { path: file.path, content: `${file.content}# edit ${++edit}\n` };
      };
      const oneFileArchive = () => {
        const file = changed();
        return packArchive([{ name: file.path, content: Buffer.from(file.content) }]);
      };
      const probes: Probe[] = [
        {
          name: "mirror.oneChanged",
          once: async () => expectAll(await client.call<SyncResult>("workspace.sync", { sessionId, write: [changed()] }), 1),
        },
        {
          name: "floor.mirror.putArchive.oneChanged",
          once: async () => void (await target.putArchive(await oneFileArchive(), { path: "/tmp" })),
        },
        { name: "floor.mirror.apiRoundTrip", once: async () => void (await client.call("session.list", {})) },
      ];
      Object.assign(series, await interleave(probes, changeRuns, 3));
      // A client that sends the whole tree every time: the manifest turns it into one checksum request.
      const unchanged = await client.call<SyncResult>("workspace.sync", { sessionId, write: tree }); // settles the edits
      expectAll(unchanged, tree.length);
      Object.assign(
        series,
        await interleave(
          [
            {
              name: "mirror.wholeTreeUnchanged",
              once: async () => expectAll(await client.call<SyncResult>("workspace.sync", { sessionId, write: tree }), tree.length),
            },
          ],
          initialRuns,
          0,
        ),
      );
      // Before: one write_file command per file (what a client without workspace.sync does), once, for scale.
      const started = performance.now();
      for (const file of tree) {
        await client.call("session.execute", {
          sessionId,
          command: { type: "write_file", path: `perfile/${file.path}`, content: file.content },
        });
      }
      series["mirror.perFileCommands"] = [performance.now() - started];
    } finally {
      await client.call("session.close", { sessionId });
    }
  } finally {
    await tracker.remove(target);
  }
}

function expectAll(result: SyncResult, count: number): void {
  if (result.written !== count || result.failed.length)
    throw new Error(`workspace.sync wrote ${result.written} of ${count}: ${JSON.stringify(result.failed.slice(0, 3))}`);
}
