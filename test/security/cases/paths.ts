import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { EscapeCase, expectInvalidParams, shell } from "../context";

const ESCAPES = ["../etc/passwd", "/etc/passwd", "/workspace/../etc/passwd", "/workspacex/a", "a/../../etc", "/"];

export const pathCases: EscapeCase[] = [
  {
    name: "paths that leave /workspace are refused in every file command, naming the field",
    async attempt(context) {
      for (const path of ESCAPES) {
        const commands: Array<[Record<string, unknown>, RegExp]> = [
          [{ type: "write_file", path, content: "x" }, /command\.path/],
          [{ type: "read_file", path }, /command\.path/],
          [{ type: "create_directory", path }, /command\.path/],
          [{ type: "delete_file", path }, /command\.path/],
          [{ type: "list_directory", path }, /command\.path/],
          [{ type: "copy_file", sourcePath: path, destinationPath: "ok" }, /command\.sourcePath/],
          [{ type: "copy_file", sourcePath: "ok", destinationPath: path }, /command\.destinationPath/],
          [{ type: "execute_shell", commandName: "ls", workingDirectory: path }, /command\.workingDirectory/],
        ];
        for (const [command, field] of commands) {
          expectInvalidParams(await context.refused(command), field);
        }
      }
    },
  },
  {
    name: "links a program plants lead nowhere, through any file command, and reading back through them is refused",
    async attempt(context) {
      const canary = context.canaries[0]!;
      await shell(
        context,
        `echo ok > ok.txt && ln -s /etc etc && ln -s /etc/passwd passwd && ln -s ${canary.path} canary && ln -s .. up && ln -s / root && mkdir -p d && ln -s /etc d/deep`,
      );
      for (const link of ["etc/hostname", "passwd", "canary", "up/etc/passwd", "root/etc/passwd", "d/deep/passwd"]) {
        const attempts = [
          { type: "read_file", path: link },
          { type: "write_file", path: link, content: "overwritten" },
          { type: "write_file", path: link, content: "appended", mode: "Append" },
          { type: "copy_file", sourcePath: link, destinationPath: "stolen" },
          { type: "copy_file", sourcePath: "ok.txt", destinationPath: link },
          { type: "create_directory", path: `${link}/sub` },
          { type: "list_directory", path: link },
        ];
        for (const command of attempts) {
          const answer = await context.execute(command);
          expect({ command, errorCode: answer.errorCode }).toEqual({ command, errorCode: "Symlink" });
        }
      }
      expect(readFileSync(canary.path, "utf8")).toBe(canary.content);
      const listing = await context.execute({ type: "list_directory", path: "/workspace" });
      expect(listing.success).toBe(true); // links are listed, as links, never followed
    },
  },
  {
    name: "execute_code does not write its code through a link a program left at the entry file, and runs nothing",
    async attempt(context) {
      await shell(context, "rm -rf main.py && ln -s /tmp/hijacked main.py");
      const answer = await context.execute({ type: "execute_code", code: "open('/tmp/ran', 'w').write('ran')" });
      expect(answer).toMatchObject({ success: false, status: "FileError", errorCode: "Symlink" });
      const seen = await shell(
        context,
        "readlink main.py; test -e /tmp/hijacked || test -e /tmp/ran || echo 'neither written nor run'; rm main.py",
      );
      expect(seen.stdout).toBe("/tmp/hijacked\nneither written nor run\n");
    },
  },
  {
    name: "deleting a link removes the link, never what it points to",
    async attempt(context) {
      await shell(context, "mkdir -p keep && echo precious > keep/file && ln -sfn /workspace/keep gone && ln -sfn .. parent");
      expect((await context.execute({ type: "delete_file", path: "gone" })).success).toBe(true);
      expect((await context.execute({ type: "read_file", path: "keep/file" })).result).toMatchObject({ content: "precious\n" });
      expect((await context.execute({ type: "delete_file", path: "parent/etc/passwd" })).errorCode).toBe("Symlink");
    },
  },
];
