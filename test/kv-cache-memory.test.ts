import { describe, expect, it } from "vitest";
import { kvCacheMemorySuggestion, planDeployment } from "../src/core/plan.js";
import { CUDA_CONTEXT_BYTES } from "../src/core/non-torch.js";
import { GiB, flags, gpu, model } from "./helpers/models.js";

// --kv-cache-memory (vLLM's CacheConfig.kv_cache_memory_bytes, PR #21489): Worker.determine_available_memory
// returns the flag's bytes without profiling arithmetic or a CUDA-graph estimate; the cache is then
// allocated (initialize_from_config) and graphs + sampler warm-up run beside it (compile_or_warm_up_model).
describe("--kv-cache-memory against the GPU", () => {
  const arch = model("llama-3.1-8b");
  const h100 = gpu("h100");
  const plan = (kv: number, more: Parameters<typeof flags>[0] = {}) => planDeployment({ model: arch, gpu: h100, flags: flags({ kvCacheMemoryBytes: kv, ...more }) });

  it("refuses 80 GiB of KV cache on an 80 GB H100: more than is free after the weights", () => {
    const planned = plan(80 * GiB);
    const budget = planned.perGpu[0]!;
    expect(planned.fits).toBe(false);
    const diagnostic = planned.diagnostics.find((x) => x.code === "KV_CACHE_MEMORY_ABOVE_FREE");
    expect(diagnostic?.args["phase"]).toBe("allocation");
    // Free after loading = CUDA total − context − weights − non-torch buffers.
    expect(diagnostic?.args["free"]).toBe(h100.cudaTotalBytes - CUDA_CONTEXT_BYTES - budget.weightsBytes - budget.nonTorchBytes);
    // The fix is vLLM's own "to fully utilize gpu memory" value, and it starts when applied.
    const fix = Number(diagnostic?.fix?.[0]?.value);
    expect(fix).toBe(kvCacheMemorySuggestion(budget.freeAtStartBytes, budget.weightsBytes, budget.activationPeakBytes, budget.nonTorchBytes, budget.cudaGraphBytes));
    expect(plan(fix).fits).toBe(true);
  });

  it("80 GiB asked on an L4 (21.99 GiB): no negative figure, and the allocation error alone (no graph-headroom warning)", () => {
    // Llama-3.1-8B on an L4: weights 14.99 GiB + sampler 0.47 + non-torch 0.20 + 80 GiB = 95.66 GiB, more than
    // the card. It used to show "outside the budget −73.67" and warn "only −74.28 GiB is left outside the budget".
    const plan = planDeployment({ model: arch, gpu: gpu("l4"), flags: flags({ kvCacheMemoryBytes: 80 * GiB }) });
    const budget = plan.perGpu[0]!;
    expect(plan.fits).toBe(false);
    expect(plan.diagnostics.find((x) => x.code === "KV_CACHE_MEMORY_ABOVE_FREE")?.args["phase"]).toBe("allocation");
    expect(budget.budgetBytes).toBeGreaterThan(budget.totalBytes);
    expect(budget.outsideBudgetBytes).toBe(0);
    expect(plan.diagnostics.some((x) => x.code === "CUDA_GRAPHS_EXCEED_HEADROOM")).toBe(false);
  });

  it("weights larger than the GPU: the message says the model does not load, with no negative free memory", async () => {
    const { runCli } = await import("./helpers/cli.js");
    // Llama-3.1-70B bf16 on one H100: 131.4 GiB of weights vs 78.57 GiB free after the CUDA context → 53.08 GiB short.
    const result = await runCli(["--model", "llama3.1-70b", "--gpu", "h100", "--kv-cache-memory", "30GiB", "--no-color"], { COLUMNS: "400" });
    expect(result.code).toBe(1);
    expect(result.out).toContain("error KV_CACHE_MEMORY_ABOVE_FREE: CUDA out of memory loading the model: its weights need 53.08 GiB more than the GPU has free, before the 30.00 GiB --kv-cache-memory asks for.");
    expect(result.out).not.toMatch(/-\d+\.\d\d GiB/);
  });

  it("takes exactly the asked bytes, outside the utilization budget, and every row adds up", () => {
    const planned = plan(20 * GiB);
    const budget = planned.perGpu[0]!;
    expect(planned.fits).toBe(true);
    // 20 GiB // (2 · 16 · 8 KV heads · 128 · 2 B = 65,536 B page) // 32 layers = 10,240 blocks → 163,840 tokens.
    expect(planned.kvCache.numGpuBlocks).toBe(10_240);
    expect(planned.kvCache.tokens).toBe(163_840);
    expect(budget.kvCacheBytes).toBe(20 * GiB);
    // v0.29 subtracts a CUDA-graph estimate from a utilization budget, but not with --kv-cache-memory.
    expect(budget.cudaGraphInBudget).toBe(false);
    expect(planned.engine.cudaGraphEstimateSubtracted).toBe(false);
    expect(budget.budgetBytes).toBe(budget.weightsBytes + budget.activationPeakBytes + budget.nonTorchBytes + budget.kvCacheBytes);
    expect(budget.outsideBudgetBytes).toBe(budget.totalBytes - budget.budgetBytes);
    expect(budget.expectedUsedBytes).toBe(budget.budgetBytes + budget.cudaContextBytes + budget.cudaGraphBytes);
    // Far below the 73 GiB a utilization budget of 0.92 would show.
    expect(budget.expectedUsedBytes).toBeLessThan(40 * GiB);
  });

  it("fails when the cache fits but leaves no room for graph capture and the sampler warm-up", () => {
    const budget = plan(20 * GiB).perGpu[0]!;
    const free = budget.freeAtStartBytes - budget.weightsBytes - budget.nonTorchBytes;
    const planned = plan(free - budget.cudaGraphBytes);
    const diagnostic = planned.diagnostics.find((x) => x.code === "KV_CACHE_MEMORY_ABOVE_FREE");
    expect(diagnostic?.args["phase"]).toBe("warm-up");
    expect(planned.fits).toBe(false);
  });

  it("keeps the start-up free-memory check on utilization (Worker.init_device still requests total × util)", () => {
    const p = plan(10 * GiB, { otherProcessBytes: 20 * GiB });
    expect(p.diagnostics.find((x) => x.code === "FREE_MEMORY_BELOW_BUDGET")?.severity).toBe("error");
  });

  it("reproduces vLLM's own --kv-cache-memory suggestion from a real start-up log", () => {
    // fixtures/vllm-logs/calibration.jsonl (club-3090 issue #1087, RTX 5090, TP2): "Free memory on device
    // (30.27/31.4 GiB) on startup ... 15.03 GiB for consumed memory (weights + non-torch), 1.59 GiB for peak
    // activation, and 0.09 GiB for CUDAGraph memory ... `--kv-cache-memory=14405811712` (13.42 GiB) to fully
    // utilize gpu memory". Inputs are printed to 2 decimals: 4 terms × ±0.005 GiB.
    const s = kvCacheMemorySuggestion(30.27 * GiB, 15.03 * GiB, 1.59 * GiB, 0, 0.09 * GiB);
    expect(Math.abs(s - 14_405_811_712)).toBeLessThan(0.02 * GiB);
  });
});

describe("--kv-cache-memory per release", () => {
  it("vLLM's --kv-cache-memory-bytes is refused before v0.10.1, where vLLM had no kv_cache_memory_bytes (PR #21489)", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const old = await runCli(["--model", "llama-3.1-8b", "--gpu", "h100", "--vllm-version", "0.9.2", "--kv-cache-memory-bytes", "20G"]);
    expect(old.code).toBe(2);
    expect(old.err).toContain("--kv-cache-memory-bytes");
    const ok = await runCli(["--model", "llama-3.1-8b", "--gpu", "h100", "--vllm-version", "0.10.1", "--kv-cache-memory", "20GiB", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).perGpu[0].kvCacheBytes).toBe(20 * GiB);
  });
});

describe("the table adds up with --kv-cache-memory and before v0.21 (#12.1)", () => {
  it("Llama-3.1-8B on an H100: budget rows sum to the budget; the graphs it does not hold sit under 'outside the budget'; 80GiB is shown as over the GPU", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const rowsOf = (out: string): Map<string, number | string> =>
      new Map(out.split("\n").filter((l) => l.startsWith("│")).map((l) => l.split("│").map((c) => c.trim())).map(([, label, v]) => [label ?? "", /^[\d.]+$/.test(v ?? "") ? Number(v) : (v ?? "")]));
    const r = rowsOf((await runCli(["--model", "llama3.1-8b", "--gpu", "h100", "--kv-cache-memory", "20GiB"])).out);
    // 14.99 weights + 1.44 text pass + 0.20 non-torch + 20.00 KV = 36.63 (no CUDA-graph row inside it); the
    // sampler warm-up of Model Runner V2 (0.29) holds only the FP32 logits, below the text pass.
    expect(r.get("vLLM use (--kv-cache-memory)")).toBe(36.63);
    const inside = ["weights", "activation peak", "non-torch memory", "KV cache"].map((k) => Number(String(r.get(k)).split(" ")[0]));
    expect(Math.abs(inside.reduce((a, b) => a + b, 0) - 36.63)).toBeLessThanOrEqual(0.02);
    expect([...r.keys()].indexOf("CUDA graphs")).toBeGreaterThan([...r.keys()].indexOf("outside the budget"));
    expect(r.has("CUDA graphs (outside budget)")).toBe(false);
    const over = rowsOf((await runCli(["--model", "llama3.1-8b", "--gpu", "h100", "--kv-cache-memory", "80GiB"])).out);
    // 96.63 asked − 79.18 GiB of the H100 = 17.45 over (it printed "0.00").
    expect(over.get("outside the budget")).toBe("none (17.45 over)");
  });
});

describe("a plan that starts never reads 'out of memory'", () => {
  it("Qwen2.5-7B at -tp 4 on 10 GiB GPUs: starts only with a smaller CUDA context than counted (a warning), so nvidia-smi shows the GPU full", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const result = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "4", "--gpu-memory", "10GiB"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("warning FREE_MEMORY_BELOW_BUDGET");
    // 9.20 budget + 1.01 context and NCCL = 10.21 > 10.00: it printed "– (out of memory)" beside STARTS.
    expect(result.out).toMatch(/│ nvidia-smi will show ≈ +│ +10\.00 \(full\) │/);
    const oom = await runCli(["--model", "llama3.1-8b", "--gpu", "h100", "--kv-cache-memory", "80GiB"]);
    expect(oom.code).toBe(1);
    expect(oom.out).toContain("– (out of memory)");
  });
});
