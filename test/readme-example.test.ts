// The README's first example is what `vram-plan --model qwen2.5-vl-7b --gpu a100-80g` prints (at 80 columns):
// a new user runs it first and compares. It had gone stale (a one-line header, "(encoder)", 1,019,552 tokens).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

describe("README example", () => {
  it("the plan shown under the set-up commands is the CLI's output, line for line (… marks an elision)", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const block = /```\n(Qwen\/Qwen2\.5-VL-7B-Instruct on 1 × NVIDIA A100-SXM4-80GB[\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(block).not.toBe("");
    const result = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"]);
    expect(result.code).toBe(0);
    const [head = "", tail = ""] = block.split("…\n");
    expect(result.out.startsWith(head)).toBe(true);
    expect(result.out).toContain(tail);
  });
});
