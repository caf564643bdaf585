import { afterAll, describe, expect, it } from "vitest";
import type { Session } from "../../host/sessions/session";
import { createSession, execute, useHost } from "./helpers";

describe("Deno permissions (the guide's 권한 제어 example)", () => {
  const host = useHost();
  const sessions: Session[] = [];
  const open = async (params: Record<string, unknown>) => {
    const session = await createSession(host(), { language: "deno", ...params });
    sessions.push(session);
    return session;
  };
  afterAll(async () => {
    for (const session of sessions) await host().sessions.close(session.id, "test done");
  });

  it("grants nothing by default: each access is a classified PermissionDenied, at its line", async () => {
    const session = await open({});
    const attempts = {
      net: "const response = await fetch('https://api.github.com');",
      read: "console.log('reading');\nawait Deno.readTextFile('/workspace/main.ts');",
      write: "await Deno.writeTextFile('/workspace/data.txt', 'Hello!');",
      env: "console.log(Deno.env.get('HOME'));",
    };
    for (const [permission, code] of Object.entries(attempts)) {
      const answer = await execute(session, { type: "execute_code", code });
      expect({ permission, status: answer.status, errorType: answer.errorType }).toEqual({
        permission,
        status: "RuntimeError",
        errorType: "PermissionDenied",
      });
      expect(answer.error).toMatch(new RegExp(`Requires ${permission} access`));
      expect(answer.diagnostics[0]).toMatchObject({ path: "main.ts", line: code.split("\n").length, code: "PermissionDenied" });
    }
  });

  it("allows what the session grants, and only that", async () => {
    const session = await open({
      permissions: { allowRead: ["/workspace"], allowWrite: ["/workspace"], allowNet: false, allowEnv: ["HOME"] },
    });
    const io = await execute(session, {
      type: "execute_code",
      code: "await Deno.writeTextFile('/workspace/data.txt', 'Hello!');\nconst content = await Deno.readTextFile('/workspace/data.txt');\nconsole.log(content);",
    });
    expect(io).toMatchObject({ success: true, result: "Hello!" });
    expect((await execute(session, { type: "execute_code", code: "console.log(Deno.env.get('HOME'))" })).result).toBe("/tmp");

    const outside = await execute(session, { type: "execute_code", code: "await Deno.readTextFile('/etc/hostname');" });
    expect(outside.errorType).toBe("PermissionDenied");
    const path = await execute(session, { type: "execute_code", code: "console.log(Deno.env.get('PATH'))" });
    expect(path.errorType).toBe("PermissionDenied");
    const net = await execute(session, { type: "execute_code", code: "const response = await fetch('https://api.github.com');" });
    expect(net.errorType).toBe("PermissionDenied");
    expect(session.createResult().config.permissions).toEqual({
      allowRead: ["/workspace"],
      allowWrite: ["/workspace"],
      allowNet: false,
      allowEnv: ["HOME"],
    });
  });

  it("refuses permissions for a language that has no such switches", async () => {
    await expect(createSession(host(), { language: "python", permissions: { allowNet: true } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^Invalid params: permissions: only runtimes with permission switches take them/),
    });
  });
});
