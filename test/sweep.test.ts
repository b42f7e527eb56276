// Sweeps: spec parsing, every row equal to planDeployment of its configuration, the CLI body.
import { type Ran, runCli, unwrapped } from "./helpers/cli.js";
import { describe, expect, it } from "vitest";
import { parseSweeps } from "../src/commands/sweep.js";
import { runSweep } from "../src/core/sweep.js";
import { planDeployment } from "../src/core/plan.js";
import { flags, gpu, model } from "./helpers/models.js";

/** The plan command with --sweep, through the CLI body. */
async function plan(argv: string[]): Promise<Ran> {
  return runCli(["plan", ...argv]);
}

describe("parseSweeps", () => {
  it("ranges, steps and lists", async () => {
    const [len, util, tp, k, kv] = await parseSweeps(["max-model-len=8k..128k", "gpu-memory-utilization=0.5..0.95", "tp=1,2,4,8", "max-num-seqs=4K..16K:4K", "kv-cache-dtype=auto,fp8"]);
    expect(len?.values).toEqual([8000, 16000, 32000, 64000, 128000]); // doubling; vLLM's 8k = 8000
    expect(util?.values).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(tp?.values).toEqual([1, 2, 4, 8]);
    expect(k?.values).toEqual([4096, 8192, 12288, 16384]);
    expect(kv?.values).toEqual(["auto", "fp8"]);
    const [all] = await parseSweeps(["gpu=all"]);
    expect(all?.values.length).toBe(27);
    const [fine] = await parseSweeps(["util=0.9..0.93:0.01"]);
    expect(fine?.values).toEqual([0.9, 0.91, 0.92, 0.93]);
  });
  it("errors name --sweep and the value", async () => {
    await expect(parseSweeps(["color=red"])).rejects.toThrow("--sweep color=red: unknown key 'color'");
    await expect(parseSweeps(["max-model-len=lots"])).rejects.toThrow("--sweep max-model-len=lots: 'lots' is not a count such as 8192, 8k (8000) or 8K (8192)");
    await expect(parseSweeps(["gpu-memory-utilization=0.5..1.2"])).rejects.toThrow("'1.2' is out of range (0 < x <= 1)");
    await expect(parseSweeps(["gpu=h100,h1000"])).rejects.toThrow("--sweep gpu=h100,h1000: unknown GPU 'h1000'");
    await expect(parseSweeps(["util=0.1..0.9:0.0000001", "max-model-len=1..100000:1"])).rejects.toThrow(/more than 5000000/);
  });
});

describe("runSweep", () => {
  it("every row is planDeployment of its configuration", () => {
    const arch = model("qwen2.5-7b");
    const gpuProfile = gpu("l4");
    const lens = [4096, 8192, 16384, 32768];
    const utils = [0.7, 0.8, 0.9];
    const res = runSweep({ model: arch, gpu: gpuProfile, base: flags(), axes: [{ key: "max-model-len", values: lens }, { key: "gpu-memory-utilization", values: utils }] });
    expect(res.configurations).toBe(12);
    expect(res.plans).toBe(12);
    let i = 0;
    for (const len of lens) {
      for (const u of utils) {
        const plan = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ maxModelLen: len, gpuMemoryUtilization: u }) });
        const row = res.rows[i++];
        expect(row?.maxModelLen).toBe(len);
        expect(row?.gpuMemoryUtilization).toBe(u);
        expect(row?.fits).toBe(plan.fits);
        expect(row?.kvTokens).toBe(plan.kvCache.tokens);
        expect(row?.maxConcurrency).toBe(plan.kvCache.maxConcurrency);
      }
    }
  });

  it("gpu=all with tensor-parallel search: Llama-3.1-70B needs 4 A100 80GB, 2 H200 at its 131,072-token context", () => {
    const arch = model("llama-3.1-70b");
    const gpus = ["a100-80g", "h200", "t4"].map((id) => gpu(id));
    const res = runSweep({ model: arch, gpu: null, base: flags(), axes: [{ key: "gpu", values: gpus }], searchTensorParallel: [1, 2, 4, 8] });
    // 131.45 GiB of weights; a 131,072-token request needs 131,072 × 320 KiB / TP of KV cache per GPU
    // (80 layers × 2 × 8 KV heads × 128 × 2 B = 320 KiB per token): 20 GiB at TP 2.
    // A100 (72.8 GiB budget at 0.92): TP 2 leaves 72.8 − 65.7 − activations < 20 GiB → TP 4.
    // H200 (128.6 GiB budget): TP 2 leaves ~62 GiB ≥ 20 GiB → 2. T4 (16 GiB): not even on 8.
    expect(res.rows.map((r) => [r.gpu, r.gpus, r.fits])).toEqual([
      ["a100-80g", 4, true],
      ["h200", 2, true],
      ["t4", 8, false],
    ]);
    expect(res.plans).toBe(3 + 2 + 4);
  });
});

describe("plan --sweep (the CLI body)", () => {
  it("gpu=all: a table, exit 0 when some GPU serves it", async () => {
    const result = await plan(["--model", "qwen2.5-7b", "--sweep", "gpu=all", "--offline"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const lines = result.out.split("\n");
    // The title wraps at 80 columns; every GPU starts, so there is no "why not" column.
    expect(`${lines[0]} ${lines[1]?.trim()}`).toBe("Qwen/Qwen2.5-7B-Instruct: 27 configurations, 27 start (GPUs: smallest tensor-parallel size that starts, of 1, 2, 4, 8)");
    expect(lines[2]).toMatch(/^gpu +GPUs +starts +KV GiB\/GPU +KV tokens +concurrency$/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(lines.find((l) => l.startsWith("t4 "))).toMatch(/^t4 +2 +yes /); // 7.6 B parameters × 2 B = 14.2 GiB of weights > 0.92 × 14.75 GiB = 13.6 GiB on one T4
    expect(lines.find((l) => l.startsWith("a100-80g "))).toMatch(/^a100-80g +1 +yes /);
  });
  it("fits 80 columns: utilization titled short, a reason too long for a column goes under its row (lines were 90 and 133)", async () => {
    const result = await plan(["--model", "llama-3.1-8b", "--gpu", "l4", "--sweep", "max-model-len=8k..32k", "--sweep", "gpu-memory-utilization=0.8,0.95", "--sweep", "tensor-parallel-size=1,2", "--offline"]);
    expect(result.code).toBe(0);
    const lines = result.out.split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^max-model-len +utilization +TP +starts +KV GiB\/GPU +KV tokens +concurrency$/);
    // One L4 at 0.80: 1.68 GiB of KV = 13,728 tokens (128 KiB per token), less than one 16,000-token request.
    const i = lines.findIndex((l) => /^ +16,000 +0\.80 +1 +no +1\.68 +13,728 +0\.86x$/.test(l));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toBe("    why not: KV cache holds 13,728 tokens");
  });
  it("max-model-len × utilization as JSON; exit 1 when nothing starts; 2 on a bad sweep", async () => {
    const result = await plan(["--model", "qwen2.5-7b", "--gpu", "l4", "--sweep", "max-model-len=8k..32k", "--sweep", "gpu-memory-utilization=0.5..0.95", "--json", "--offline"]);
    expect(result.code).toBe(0);
    const j = JSON.parse(result.out) as { configurations: number; rows: { maxModelLen: number; gpuMemoryUtilization: number; fits: boolean; error: string | null }[] };
    expect(j.configurations).toBe(30);
    expect(j.rows[0]).toMatchObject({ maxModelLen: 8000, gpuMemoryUtilization: 0.5, fits: false, error: "NO_KV_CACHE_MEMORY" });
    expect(j.rows[29]).toMatchObject({ maxModelLen: 32000, gpuMemoryUtilization: 0.95, fits: true });
    const none = await plan(["--model", "llama-3.1-70b", "--gpu", "l4", "--sweep", "gpu-memory-utilization=0.5..0.95", "--offline"]);
    expect(none.code).toBe(1);
    const bad = await plan(["--model", "qwen2.5-7b", "--gpu", "l4", "--sweep", "max-model-len", "--offline"]);
    expect(bad.code).toBe(2);
    expect(unwrapped(bad.err)).toBe("vram-plan: --sweep max-model-len: expected max-model-len=VALUES, e.g. gpu=all or max-model-len=8k..128k\n");
  });
});
