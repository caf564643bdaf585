import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILD_DIR, expandWarmPart } from "../../host/runtimes/command-line";
import { loadLanguage, RuntimeManifestError } from "../../contract/runtimes/registry";

const base = mkdtempSync(join(tmpdir(), "codebeaker-warm-manifest-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let copies = 0;

/**
 * runtimes/python copied without its own warm parts, with `language` merged into its language.json and `version` into
 * 3.13's runtime.json.
 */
function python(language: Record<string, unknown>, version: Record<string, unknown> = {}) {
  const folder = join(base, String(++copies), "python");
  cpSync(join(__dirname, "..", "..", "runtimes", "python"), folder, { recursive: true });
  const merge = (file: string, extra: Record<string, unknown>) => {
    const { warm: _own, ...manifest } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...manifest, ...extra }));
  };
  merge(join(folder, "language.json"), language);
  merge(join(folder, "3.13", "runtime.json"), version);
  return () => loadLanguage(folder);
}
const byVersion = (load: ReturnType<typeof python>) =>
  Object.fromEntries(load().map((runtime) => [runtime.manifest.version, runtime.manifest.warm]));

describe("warm in a runtime's manifest", () => {
  it("is optional, and read from language.json for every version", () => {
    expect(byVersion(python({}))).toEqual({ "3.13": undefined, "3.11": undefined });
    const warm = { launcher: ["python3", "/opt/codebeaker/warm/launch.py"] };
    expect(byVersion(python({ warm }))).toEqual({ "3.13": warm, "3.11": warm });
  });

  it("is replaced whole by a version's runtime.json; {} there means nothing warm", () => {
    const warm = { launcher: ["python3", "/opt/codebeaker/warm/launch.py"], compiler: ["python3", "c.py"] };
    const own = { compile: ["python3", "-m", "py_compile", "{file}"] };
    expect(byVersion(python({ warm }, { warm: own }))).toEqual({ "3.13": own, "3.11": warm });
    expect(byVersion(python({ warm }, { warm: {} }))).toEqual({ "3.13": {}, "3.11": warm });
  });

  it("refuses a launcher or compiler that names a file's placeholder, naming the field and the argument", () => {
    expect(python({ warm: { launcher: ["python3", "{file}"] } })).toThrow(RuntimeManifestError);
    expect(python({ warm: { launcher: ["python3", "{file}"] } })).toThrow(
      /{file} cannot be used here \(only {build}, {permissions}\)\s+→ at warm\.launcher\[1\]/,
    );
    expect(python({ warm: { compiler: ["x", "-o", "{name}"] } })).toThrow(/→ at warm\.compiler\[2\]/);
    expect(python({}, { warm: { launcher: ["x", "{stem}"] } })).toThrow(
      /runtime\.json.*\n?.*{stem} cannot be used here[\s\S]*warm\.launcher\[1\]/,
    );
  });

  it("takes the compile line's placeholders in warm.compile, and refuses unknown ones and unknown keys", () => {
    const compile = ["go", "build", "-o", "{build}/{name}", "{sources}"];
    expect(byVersion(python({ warm: { compile } }))["3.13"]).toEqual({ compile });
    expect(python({ warm: { compile: ["go", "{nope}"] } })).toThrow(/{nope} cannot be used here[\s\S]*warm\.compile\[1\]/);
    expect(python({ warm: { compile: ["go", "--files={sources}"] } })).toThrow(
      /{sources} stands for several arguments[\s\S]*warm\.compile\[1\]/,
    );
    expect(python({ warm: { launchers: ["x"] } })).toThrow(/Unrecognized key: "launchers"[\s\S]*warm/);
    expect(python({ warm: { launcher: [] } })).toThrow(/needs at least the program to run[\s\S]*warm\.launcher/);
  });
});

describe("expandWarmPart", () => {
  it("fills {build} and puts the granted permission flags where {permissions} stands", () => {
    const launcher = ["deno", "run", "{permissions}", "{build}/launch.js", "--cache={build}"];
    expect(expandWarmPart(launcher, ["--allow-read", "--allow-net=a.com"])).toEqual([
      "deno",
      "run",
      "--allow-read",
      "--allow-net=a.com",
      `${BUILD_DIR}/launch.js`,
      `--cache=${BUILD_DIR}`,
    ]);
    expect(expandWarmPart(launcher)).toEqual(["deno", "run", `${BUILD_DIR}/launch.js`, `--cache=${BUILD_DIR}`]);
  });
});
