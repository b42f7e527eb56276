// Several vLLM servers on one GPU (issue #15.5): besides the start order, the utilization values with
// which all of them start — each server's least --gpu-memory-utilization that meets its constraints
// (core/shared-gpus.ts leastUtilization; others' memory only enters vLLM's start-up check), checked in
// start order next to the others.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leastUtilization, sharedVerdicts, type GpuSharer } from "../src/core/shared-gpus.js";
import { evaluate } from "../src/core/solve.js";
import { runCli } from "./helpers/cli.js";
import { logicalCheckText } from "./helpers/check-text.js";
import { flags, gpu, model } from "./helpers/models.js";

const server = (name: string, id: string, u: number): GpuSharer => ({
  name,
  file: "s.sh",
  line: 1,
  host: "s.sh",
  devices: ["0"],
  dependsOn: [],
  input: { model: model(id), gpu: gpu("l4"), flags: flags({ maxModelLen: 4096, gpuMemoryUtilization: u }) },
  target: {},
});

describe("the packing answer", () => {
  it("least utilization: the 0.01 step where one max-model-len request first fits", () => {
    const a = server("a", "Qwen/Qwen3-0.6B", 0.5);
    const u = leastUtilization(a)!;
    const at = (x: number) => evaluate({ ...a.input, flags: { ...a.input.flags, gpuMemoryUtilization: x } }, {}).ok;
    expect(at(u)).toBe(true);
    expect(at(Math.round(u * 100 - 1) / 100)).toBe(false);
    // Model Runner V2 (0.29): its sampler warm-up holds only the FP32 copy of the logits (was 0.13 with V1's).
    expect(u).toBe(0.11);
  });

  it("0.5 + 0.6 of one L4 do not start together; the least values do, in start order", () => {
    const a = server("a", "Qwen/Qwen3-0.6B", 0.5);
    const b = server("b", "Qwen/Qwen3-1.7B", 0.6);
    const v = sharedVerdicts([a, b]);
    expect(v.get(b)!.evaluation.ok).toBe(false);
    expect(v.get(b)!.fitUtilizations?.map((x) => [x.server.name, x.utilization])).toEqual([["a", 0.11], ["b", 0.21]]);
    // The same pair with those values: both start. (Qwen3-1.7B's 0.21 includes 0.44 GiB of CUDA-graph
    // estimate: 76 MiB first capture + 84 graphs × 28 layers × 165 KiB, cuda-graphs.ts.)
    const w = sharedVerdicts([server("a", "Qwen/Qwen3-0.6B", 0.11), server("b", "Qwen/Qwen3-1.7B", 0.21)]);
    expect([...w.values()].map((x) => x.evaluation.ok)).toEqual([true, true]);
    expect([...w.values()].every((x) => x.fitUtilizations === null)).toBe(true);
  });

  it("check says it on the servers' lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-pack-"));
    const path = join(dir, "two.sh");
    writeFileSync(path, ['pm2 start --name "a" "vllm serve Qwen/Qwen3-0.6B --max-model-len 4096 --gpu-memory-utilization 0.5"', 'pm2 start --name "b" "vllm serve Qwen/Qwen3-1.7B --max-model-len 4096 --gpu-memory-utilization 0.6"', ""].join("\n"));
    const result = await runCli(["check", path, "--gpu", "l4", "--no-config", "--offline"]);
    expect(result.code).toBe(1);
    expect(logicalCheckText([], result.out)).toContain("all start with --gpu-memory-utilization 0.11 for script line 1, 0.21 for script line 2 (the least each needs for its constraints)");
  });
});
