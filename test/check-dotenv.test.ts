// check reads compose's .env once per directory: a directory of compose files shares one .env, so
// reading it again for every file was the same file read N times in one run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

const reads: string[] = [];
vi.mock("../src/sources/read-file.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/sources/read-file.js")>();
  return {
    ...real,
    readTextFile: (...args: Parameters<typeof real.readTextFile>) => {
      reads.push(args[0]);
      return real.readTextFile(...args);
    },
  };
});

const { run } = await import("../src/cli/run.js");

describe("check and compose's .env", () => {
  it("three compose files in one directory: .env read once, its value used by all three", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-dotenv-"));
    writeFileSync(join(dir, ".env"), "MODEL=Qwen/Qwen3-8B\nLEN=8192\n");
    for (const name of ["a.yml", "b.yml", "c.yml"]) {
      writeFileSync(join(dir, name), 'services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.1.1\n    command: ["--model", "${MODEL}", "--max-model-len", "${LEN}"]\n');
    }
    let out = "";
    const code = await run(["check", join(dir, "a.yml"), join(dir, "b.yml"), join(dir, "c.yml"), "--gpu", "h100", "--offline", "--no-config"], {
      stdout: (s) => void (out += s),
      stderr: () => undefined,
      isTTY: false,
      env: { HF_HUB_OFFLINE: "1", COLUMNS: "200" },
    });
    expect(code).toBe(0);
    expect(reads.filter((p) => p.endsWith(".env"))).toEqual([join(dir, ".env")]);
    // Each of the three planned Qwen3-8B from the .env (a missing value would be "could not be planned").
    expect(out.match(/^ok .*Qwen\/Qwen3-8B on 1× h100-sxm/gm)?.length).toBe(3);
    expect(out).toContain("3 deployments checked: all start and meet their constraints.");
  });
});
