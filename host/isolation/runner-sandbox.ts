import type { WarmParts } from "../runtimes/manifest";
import type { Sandbox, SandboxEnd } from "./backend";
import type { RunnerClient } from "./runner-client";

/**
 * What every backend's sandbox does alike: its commands go to the cb-runner inside it. A backend adds only what
 * differs, how the sandbox is identified, why it ended and how it is taken down.
 */
export abstract class RunnerSandbox implements Sandbox {
  abstract readonly id: string;
  abstract readonly image: string;
  abstract readonly ended: Promise<SandboxEnd>;

  constructor(
    protected readonly client: RunnerClient,
    readonly warmParts: WarmParts | undefined,
  ) {}

  abstract close(): Promise<void>;

  run: Sandbox["run"] = (request, observer) => this.client.run(request, observer);
  defineWarmPart: Sandbox["defineWarmPart"] = (kind, definition) => this.client.defineWarmPart(kind, definition);
  writeFile: Sandbox["writeFile"] = (path, content, mode) => this.client.writeFile(path, content, mode);
  readFile: Sandbox["readFile"] = (path, maxBytes) => this.client.readFile(path, maxBytes);
  makeDirectory: Sandbox["makeDirectory"] = (path) => this.client.makeDirectory(path);
  copyFile: Sandbox["copyFile"] = (source, destination) => this.client.copyFile(source, destination);
  remove: Sandbox["remove"] = (path) => this.client.remove(path);
  list: Sandbox["list"] = (path) => this.client.list(path);
  unpack: Sandbox["unpack"] = (archive, deletes) => this.client.unpack(archive, deletes);
  checksums: Sandbox["checksums"] = (paths) => this.client.checksums(paths);
}
