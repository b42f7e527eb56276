import { describe, expect, it } from "vitest";
import { GRAPH_BYTES_PER_LAYER, MIN_PER_GRAPH_BYTES, capCudaGraphPlan, cudaGraphEquivalents, cudaGraphPlan, cudaGraphStageBytes, type CudaGraphPlanInput } from "../src/core/cuda-graphs.js";
import { rulesFor } from "../src/core/vllm-versions.js";
import { planDeployment } from "../src/core/plan.js";
import { GiB, flags, gpu, model } from "./helpers/models.js";

const base = (v: string, more: Partial<CudaGraphPlanInput> = {}): CudaGraphPlanInput => ({
  rules: rulesFor(v)!,
  enforceEager: false,
  graphsOff: false,
  graphMultiplier: 1,
  maxNumSeqs: 256,
  maxNumBatchedTokens: 2048,
  dense: true,
  kvCacheMemoryFixed: false,
  ...more,
});

describe("cudaGraphPlan: capture sizes and where the memory comes from, per release", () => {
  it("captures what vLLM logs and charges the estimate to the KV budget only where vLLM does", () => {
    // "Profiling CUDA graph memory: PIECEWISE=51 (largest=512), FULL=35 (largest=256)" (fixtures/vllm-logs, v0.23, 256 seqs).
    const p = cudaGraphPlan(base("0.23.0"));
    expect([p.piecewise, p.largest, p.full, p.largestFull]).toEqual([51, 512, 35, 256]);
    expect(p.budget).toBe("estimated");
    expect(cudaGraphPlan(base("0.20.2")).budget).toBe("before-estimate");
    // Model Runner V2 (dense, 0.25.x) returned 0 (vllm issue #49224); MoE models kept V1's estimate. From 0.26
    // MRv2 reserves graph memory again (issue #50159; a 0.27.1 L4 start-up loses 1.76 GiB of KV to graphs).
    expect(cudaGraphPlan(base("0.25.1")).budget).toBe("mrv2-zero");
    expect(cudaGraphPlan(base("0.25.1", { dense: false })).budget).toBe("estimated");
    expect(cudaGraphPlan(base("0.26.0")).budget).toBe("estimated");
    expect(cudaGraphPlan(base("0.27.1")).budget).toBe("estimated");
    expect(cudaGraphPlan(base("0.29.0", { kvCacheMemoryFixed: true })).budget).toBe("kv-cache-memory");
    expect(cudaGraphPlan(base("0.29.0", { enforceEager: true }))).toMatchObject({ captured: false, budget: "eager", piecewise: 0, full: 0 });
    // V0: full graphs for [1, 2, 4] + 8·i up to min(max_num_seqs, 256) = 35.
    expect(cudaGraphPlan(base("0.6.4"))).toMatchObject({ piecewise: 0, full: 35, largest: 256, budget: "before-estimate" });
  });

  it("accepts explicit capture sizes and mode from --compilation-config", () => {
    const p = cudaGraphPlan(base("0.29.0", { capture: { sizes: [1, 2, 4, 8, 16, 512] } }));
    // PIECEWISE: every size; FULL decode graphs: sizes ≤ max_num_seqs (256).
    expect([p.piecewise, p.full, p.largest, p.largestFull]).toEqual([6, 5, 512, 16]);
    expect(cudaGraphPlan(base("0.29.0", { capture: { sizes: [1, 2, 4], mode: "PIECEWISE" } }))).toMatchObject({ piecewise: 3, full: 0 });
  });

  it("extrapolates like profile_cudagraph_memory: max first capture + per graph × (n − 1) per mode, at least 1 MiB per graph", () => {
    const p = cudaGraphPlan(base("0.23.0"));
    const b = cudaGraphStageBytes(p, 36, 100_000);
    const perGraph = 36 * GRAPH_BYTES_PER_LAYER; // 6,635,520 B
    expect(b.perGraphBytes).toBe(perGraph);
    expect(b.firstCaptureBytes).toBe(512 * 100_000 + perGraph);
    expect(b.estimateBytes).toBe(512 * 100_000 + perGraph + perGraph * (50 + 34));
    // A 2-layer model: 2 × 180 KiB < 1 MiB, so vLLM's floor applies.
    expect(cudaGraphStageBytes(p, 2, 0).perGraphBytes).toBe(MIN_PER_GRAPH_BYTES);
  });

  it("lands near the estimates vLLM logged (two start-ups, 86 graphs each)", () => {
    // LMCache issue #3430: Qwen3-8B, 24 GB GPU, max-model-len 16384 → "Estimated CUDA graph memory: 0.52 GiB total".
    const q3 = planDeployment({ model: model("qwen3-8b"), gpu: gpu("rtx4090"), flags: flags({ vllmVersion: "0.23.0", maxModelLen: 16384, gpuMemoryUtilization: 0.9764 }) });
    expect(Math.abs(q3.perGpu[0]!.cudaGraphBytes / GiB - 0.52)).toBeLessThan(0.1);
    // fixtures/vllm-logs/qwen2.5-vl-7b-a100-v0.23.0.log: "Estimated CUDA graph memory: 0.53 GiB total".
    const vl = planDeployment({ model: model("qwen2.5-vl-7b"), gpu: gpu("a100-80g"), flags: flags({ vllmVersion: "0.23.0", gpuMemoryUtilization: 0.22 }) });
    expect(Math.abs(vl.perGpu[0]!.cudaGraphBytes / GiB - 0.53)).toBeLessThan(0.1);
  });
});

describe("the settings vLLM prints beside the estimate", () => {
  it("reproduces vLLM's equivalent utilizations from real log lines", () => {
    // gpustack/runner PR #251 (0.27.1): "--gpu-memory-utilization=0.8200 is equivalent to ... 0.8048 ... increase ... to 0.8352".
    const a = cudaGraphEquivalents(0.82, 100 * GiB, 0.0152 * 100 * GiB, 10 * GiB);
    expect([a.utilizationWithoutEstimate, a.utilizationForSameKv]).toEqual([0.8048, 0.8352]);
    // club-3090 issue #127: "0.9200 is equivalent to ... 0.9129 ... increase ... to 0.9271".
    const b = cudaGraphEquivalents(0.92, 100 * GiB, 0.0071 * 100 * GiB, 10 * GiB);
    expect([b.utilizationWithoutEstimate, b.utilizationForSameKv]).toEqual([0.9129, 0.9271]);
    // Never above 1.0; the --kv-cache-memory that keeps the pre-v0.21 KV cache is the KV cache plus the estimate.
    expect(cudaGraphEquivalents(0.99, 10 * GiB, 1 * GiB, 3 * GiB)).toEqual({ utilizationWithoutEstimate: 0.89, utilizationForSameKv: 1, kvCacheMemoryForSameKv: 4 * GiB });
  });

  it("prints them on a v0.21+ plan, and the pre-estimate KV cache really comes back with either setting", () => {
    const m = model("qwen3-8b");
    const g = gpu("h100");
    const p = planDeployment({ model: m, gpu: g, flags: flags({ vllmVersion: "0.23.0" }) });
    const d = p.diagnostics.find((x) => x.code === "CUDA_GRAPH_ESTIMATE_IN_BUDGET");
    expect(d?.severity).toBe("info");
    const before = planDeployment({ model: m, gpu: g, flags: flags({ vllmVersion: "0.20.0", gpuMemoryUtilization: 0.92 }) });
    // The same budget without the estimate (v0.20) has exactly the estimate more KV memory.
    expect(before.perGpu[0]!.kvCacheBytes - p.perGpu[0]!.kvCacheBytes).toBe(p.perGpu[0]!.cudaGraphBytes);
    const viaKvFlag = planDeployment({ model: m, gpu: g, flags: flags({ vllmVersion: "0.23.0", kvCacheMemoryBytes: Number(d?.args["sameKvBytes"]) }) });
    expect(viaKvFlag.kvCache.numGpuBlocks).toBe(before.kvCache.numGpuBlocks);
    const viaUtil = planDeployment({ model: m, gpu: g, flags: flags({ vllmVersion: "0.23.0", gpuMemoryUtilization: Number(d?.args["sameKvUtil"]) }) });
    // Rounded to 4 decimals like vLLM's line: within 0.0001 × total (≈ 8 MiB, under 60 blocks of 144 KiB) of the old KV.
    expect(Math.abs(viaUtil.perGpu[0]!.kvCacheBytes - before.perGpu[0]!.kvCacheBytes)).toBeLessThan(0.0001 * g.cudaTotalBytes + 1);
    expect(planDeployment({ model: m, gpu: g, flags: flags({ vllmVersion: "0.20.0" }) }).diagnostics.map((x) => x.code)).not.toContain("CUDA_GRAPH_ESTIMATE_IN_BUDGET");
  });
});

describe("the pre-estimate KV cache when utilization cannot restore it", () => {
  it("Qwen2.5-7B on an L4 at --gpu-memory-utilization 0.99: no 1.0000 suggestion, the --kv-cache-memory form instead", async () => {
    const { messageFor } = await import("../src/render/messages.js");
    const m = model("qwen2.5-7b");
    const g = gpu("l4");
    const p = planDeployment({ model: m, gpu: g, flags: flags({ gpuMemoryUtilization: 0.99, maxModelLen: 4096 }) });
    const d = p.diagnostics.find((x) => x.code === "CUDA_GRAPH_ESTIMATE_IN_BUDGET");
    // 0.99 + the estimate (0.47 GiB of 21.99 GiB ≈ 0.0212) = 1.0112: above 1.0, which vLLM refuses, and above
    // the 0.97 of the card free at start-up (its CUDA context).
    expect(d?.args["sameKvUtilNeeded"]).toBe(1.0112);
    expect(d?.args["maxStartUtil"]).toBe(0.97);
    const text = messageFor(d!, p);
    expect(text).not.toContain("--gpu-memory-utilization 1.0000");
    expect(text).toContain("--gpu-memory-utilization alone cannot restore it");
    expect(text).toContain(`use --kv-cache-memory ${d?.args["sameKvBytes"]}`);
    // At the default 0.92 the utilization form is still given (0.92 + 0.0212 = 0.9412).
    const p92 = planDeployment({ model: m, gpu: g, flags: flags({ maxModelLen: 4096 }) });
    const d92 = p92.diagnostics.find((x) => x.code === "CUDA_GRAPH_ESTIMATE_IN_BUDGET");
    expect(messageFor(d92!, p92)).toContain("use --gpu-memory-utilization 0.9412 or --kv-cache-memory");
  });
});

describe("the Mamba capture cap of v0.17-v0.18 reaches the plan", () => {
  it("drops the sizes above the Mamba blocks and recounts both modes", () => {
    // max_num_seqs 128: sizes 1, 2, 4, 8 … 256 (35); capped to 136: 1, 2, 4, 8 … 136 (20); FULL decode ≤ 128: 19.
    const p = cudaGraphPlan(base("0.18.1", { maxNumSeqs: 128 }));
    expect([p.piecewise, p.full, p.largest, p.largestFull]).toEqual([35, 19, 256, 128]);
    const c = capCudaGraphPlan(p, 136);
    expect([c.piecewise, c.full, c.largest, c.largestFull, c.cappedFrom]).toEqual([20, 19, 136, 128, 256]);
  });

  it("Qwen3.5-27B on v0.18.1 with 141 Mamba blocks captures up to 136 (fixtures/hybrid/logs.json)", () => {
    // "Capping cudagraph capture sizes from max 256 to 136 to fit Mamba cache blocks (141 blocks available)".
    const p = planDeployment(
      { model: model("qwen3.5-27b"), gpu: gpu("h100"), flags: flags({ vllmVersion: "0.18.1", maxModelLen: 32_768, maxNumSeqs: 128, kvCacheMemoryBytes: Math.round(6.76 * GiB) }) },
      { explain: true },
    );
    expect(p.kvCache.numGpuBlocks).toBe(141);
    expect(p.explain.find((e) => e.what.startsWith("CUDA graphs"))?.formula).toContain("PIECEWISE=20 (largest=136), FULL=19 (largest=128) (capped from max 256");
  });
});
