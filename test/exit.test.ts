// The one exit policy (src/core/exit.ts): every command's outcome → 0/1/2/3, and run() uses it for
// every command (the exact codes of real runs are asserted in cli.test.ts, check.test.ts, ...).
import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../src/core/exit.js";
import type { Plan } from "../src/core/types.js";
import { runCli } from "./helpers/cli.js";

const plan = (fits: boolean): Plan => ({ fits }) as Plan;
const evaluation = (ok: boolean) => ({ ok }) as never;

describe("exitCodeFor", () => {
  it("plan: 0 when it starts, 1 when it would not", () => {
    expect(exitCodeFor({ command: "plan", plan: plan(true) })).toBe(0);
    expect(exitCodeFor({ command: "plan", plan: plan(false) })).toBe(1);
  });
  it("sweep: 0 when some configuration starts, 1 when none does (also for an empty sweep)", () => {
    expect(exitCodeFor({ command: "sweep", result: { rows: [{ fits: false }, { fits: true }] as never } })).toBe(0);
    expect(exitCodeFor({ command: "sweep", result: { rows: [{ fits: false }] as never } })).toBe(1);
    expect(exitCodeFor({ command: "sweep", result: { rows: [] } })).toBe(1);
  });
  it("check: 0 when every deployment meets its constraints, 1 when one does not", () => {
    expect(exitCodeFor({ command: "check", entries: [{ evaluation: evaluation(true) }, { evaluation: evaluation(true) }] })).toBe(0);
    expect(exitCodeFor({ command: "check", entries: [{ evaluation: evaluation(true) }, { evaluation: evaluation(false) }] })).toBe(1);
    // A deployment that could not be planned (what is missing is said) is a finding; a broken file, 2.
    expect(exitCodeFor({ command: "check", entries: [{ evaluation: evaluation(true) }, { evaluation: null }] })).toBe(1);
    expect(exitCodeFor({ command: "check", entries: [{ evaluation: evaluation(true) }], broken: true })).toBe(2);
    expect(exitCodeFor({ command: "check", entries: [], broken: true })).toBe(2);
  });
  it("solve: 0 when flags were found, 1 when nothing fits", () => {
    expect(exitCodeFor({ command: "solve", result: { found: true } })).toBe(0);
    expect(exitCodeFor({ command: "solve", result: { found: false } })).toBe(1);
  });
  it("compare: 0 only when both vLLM and the offline run fit", () => {
    expect(exitCodeFor({ command: "compare", comparison: { vllm: plan(true), offlineFits: true } })).toBe(0);
    expect(exitCodeFor({ command: "compare", comparison: { vllm: plan(true), offlineFits: false } })).toBe(1);
    expect(exitCodeFor({ command: "compare", comparison: { vllm: plan(false), offlineFits: true } })).toBe(1);
  });
  it("information (tokens, models, gpus, schema, help) is 0; bad input 2; a bug 3", () => {
    expect(exitCodeFor({ command: "info" })).toBe(0);
    expect(exitCodeFor({ error: "input" })).toBe(2);
    expect(exitCodeFor({ error: "bug" })).toBe(3);
  });
});

describe("run() applies the policy to every command", () => {
  it("models and gpus: 0; an unknown option of any command: 2 with one line", async () => {
    expect((await runCli(["models"])).code).toBe(0);
    expect((await runCli(["gpus", "--json"])).code).toBe(0);
    for (const command of ["plan", "check", "solve", "compare", "tokens", "models", "gpus"]) {
      const ran = await runCli([command, "--no-such-flag"]);
      expect(ran.code, command).toBe(2);
      expect(ran.err, command).toBe("vram-plan: unknown option '--no-such-flag'\n");
    }
  });
  it("solve with nothing that fits: 1", async () => {
    // 8 × 24 GiB cannot hold a 671B model's weights at any precision vram-plan tries.
    const ran = await runCli(["solve", "--model", "deepseek-ai/DeepSeek-V3", "--gpu", "l4", "--max-gpus", "8", "--offline"]);
    expect(ran.code).toBe(1);
  });
});
