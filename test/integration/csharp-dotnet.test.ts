import { describe, expect, it } from "vitest";
import { createSession, execute, useHost } from "./helpers";

/**
 * The usage guide's C# example, verbatim: write Program.cs, then `dotnet script /workspace/Program.cs` through
 * execute_shell. This runtime's C# is Mono; its `dotnet` compiles with mcs and runs with mono, and says so.
 */
describe("dotnet in a C# session", () => {
  const host = useHost({ warmPoolSize: 0 });
  const program = 'using System;\n\nclass Program\n{\n    static void Main()\n    {\n        Console.WriteLine("Hello from C#");\n    }\n}';

  it("runs the guide's `dotnet script /workspace/Program.cs` with Mono, saying so on stderr", async () => {
    const session = await createSession(host(), { language: "csharp" });
    await execute(session, { type: "write_file", path: "/workspace/Program.cs", content: program });
    const answer = await execute(session, { type: "execute_shell", commandName: "dotnet", args: ["script", "/workspace/Program.cs"] });
    expect(answer).toMatchObject({ success: true, exitCode: 0, result: { exitCode: 0, stdout: "Hello from C#\n" } });
    expect(answer.stderr).toMatch(/Mono's mcs .* mono \(this sandbox has no \.NET SDK\)/);

    // `dotnet run` in a directory compiles its .cs files; a compile error is mcs's, with its exit code.
    await execute(session, {
      type: "write_file",
      path: "/workspace/app/Greeter.cs",
      content: 'static class Greeter { public static string Hello(string n) { return "hi " + n; } }',
    });
    await execute(session, {
      type: "write_file",
      path: "/workspace/app/Main.cs",
      content: "class App { static void Main(string[] a) { System.Console.WriteLine(Greeter.Hello(a[0])); } }",
    });
    const run = await execute(session, {
      type: "execute_shell",
      commandName: "dotnet",
      args: ["run", "--", "you"],
      workingDirectory: "/workspace/app",
    });
    expect(run).toMatchObject({ success: true, result: { stdout: "hi you\n" } });
    await execute(session, {
      type: "write_file",
      path: "/workspace/Broken.cs",
      content: 'class Broken { static void Main() { int x = "no"; } }',
    });
    const broken = await execute(session, { type: "execute_shell", commandName: "dotnet", args: ["script", "Broken.cs"] });
    expect(broken).toMatchObject({ exitCode: 1 });
    expect(broken.stderr).toMatch(/Broken\.cs\(1,\d+\): error CS0029/);
  }, 600_000);

  it("answers what it cannot do by saying what the C# runtime is and how to run C# here", async () => {
    const session = await createSession(host(), { language: "csharp" });
    const answer = await execute(session, { type: "execute_shell", commandName: "dotnet", args: ["new", "console"] });
    expect(answer).toMatchObject({ exitCode: 127 });
    expect(answer.stderr).toMatch(/this sandbox runs C# with Mono \(mcs \+ mono, C# 7\), not the \.NET SDK/);
    expect(answer.stderr).toMatch(/dotnet script \/workspace\/Program\.cs/);
  }, 600_000);
});
