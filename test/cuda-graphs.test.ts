import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MIN_PER_GRAPH_BYTES, capCudaGraphPlan, cudaGraphEquivalents, cudaGraphPlan, cudaGraphStageBytes, firstCaptureBytes, graphActivationShape, type CudaGraphPlanInput, type GraphActivationShape } from "../src/core/cuda-graphs.js";
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
    const graphs = cudaGraphPlan(base("0.23.0"));
    expect([graphs.piecewise, graphs.largest, graphs.full, graphs.largestFull]).toEqual([51, 512, 35, 256]);
    expect(graphs.budget).toBe("estimated");
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
    const graphs = cudaGraphPlan(base("0.29.0", { capture: { sizes: [1, 2, 4, 8, 16, 512] } }));
    // PIECEWISE: every size; FULL decode graphs: sizes ≤ max_num_seqs (256).
    expect([graphs.piecewise, graphs.full, graphs.largest, graphs.largestFull]).toEqual([6, 5, 512, 16]);
    expect(cudaGraphPlan(base("0.29.0", { capture: { sizes: [1, 2, 4], mode: "PIECEWISE" } }))).toMatchObject({ piecewise: 3, full: 0 });
  });

  it("first capture: the graph pool's segments for the largest size, as the replay with PyTorch's pool measured them", () => {
    const MiB = 2 ** 20;
    // fixtures/cuda-graphs/h200.jsonl (sm90, 32 MiB cuBLAS workspace) and h200-ws8.jsonl (8 MiB workspace):
    // first PIECEWISE capture at 512 tokens. The replay's SiLU is in place, so its FFN holds gate_up only.
    const replay = (hidden: number, inter: number, heads: number, kv: number, sm90: boolean): GraphActivationShape =>
      ({ hidden, attentionOut: heads * 128, qkv: (heads + 2 * kv) * 128, ffn: [2 * inter], bytes: 2, sm90, hybrid: false, layers: 28 });
    // Qwen2.5-7B: gate_up 512·37888·2 B = 37.0 MiB → 38 MiB (2 MiB rounding); mid-size blocks qkv 4.5 +
    // attention out 3.5 + 5 × 3.5 = 25.5 MiB → two 20 MiB segments; workspace 32; small 4 → 114 MiB.
    expect(firstCaptureBytes(replay(3584, 18944, 28, 4, true), 512) / MiB).toBe(114);
    // Qwen3-8B: 24 + 2 × 20 (6 + 4 + 20 = 30 MiB) + 32 + 4 = 100; Llama-3.1-8B: 28 + 40 + 32 + 4 = 104;
    // Qwen2.5-1.5B: 17.5 → 18, one segment (2 + 1.5 + 7.5 = 11 MiB), 18 + 20 + 32 + 4 = 74.
    expect(firstCaptureBytes(replay(4096, 12288, 32, 8, true), 512) / MiB).toBe(100);
    expect(firstCaptureBytes(replay(4096, 14336, 32, 8, true), 512) / MiB).toBe(104);
    expect(firstCaptureBytes(replay(1536, 8960, 12, 2, true), 512) / MiB).toBe(74);
    // Below sm90 the 8 MiB workspace takes a 20 MiB segment: 12 MiB less (102, 88, 92, 62 measured).
    expect([[3584, 18944, 28, 4], [4096, 12288, 32, 8], [4096, 14336, 32, 8], [1536, 8960, 12, 2]].map(([h, i, n, k]) => firstCaptureBytes(replay(h!, i!, n!, k!, false), 512) / MiB)).toEqual([102, 88, 92, 62]);
  });

  it("extrapolates like profile_cudagraph_memory: max first capture + per graph × (n − 1) per mode", () => {
    const MiB = 2 ** 20;
    // Qwen2.5-7B on an L4 (sm89), fp16, 0.27.1: vLLM's silu_and_mul writes a separate [N, I] output.
    const shape = graphActivationShape(model("qwen2.5-7b"), 1, 1, 2, 8.9, false, 28);
    expect(shape).toEqual({ hidden: 3584, attentionOut: 3584, qkv: 4608, ffn: [37888, 18944], bytes: 2, sm90: false, hybrid: false, layers: 28, segmentPerGraph: false });
    // First capture at 512: gate_up 37.0 → 38 MiB, silu_and_mul out 18.5 → 20 MiB, mid-size 25.5 MiB → 40,
    // workspace segment 20, small 4 = 122 MiB = 127,926,272 B.
    const b = cudaGraphStageBytes(cudaGraphPlan(base("0.27.1")), shape);
    expect(b.firstCaptureBytes).toBe(122 * MiB);
    // Dense layers: 28 × 165 KiB = 4,620 KiB per further graph: 127,926,272 + (50 + 34) × 4,730,880 B
    // = 525,320,192 B (501 MiB, 0.49 GiB).
    expect(b.perGraphBytes).toBe(4_730_880);
    expect(b.estimateBytes).toBe(525_320_192);
    // The spread vLLM's linear extrapolation gives across hosts: the second capture at its 1 MiB floor
    // (122 + 84 = 206 MiB) … 33 MiB per graph as Qwen2.5-72B TP4 logged (122 + 84 × 33 = 2,894 MiB = 2.83 GiB);
    // the 1.76 GiB of the L4 start-up lies inside.
    expect([b.lowBytes, b.highBytes]).toEqual([206 * MiB, 2894 * MiB]);
    // FULL_DECODE_ONLY (no PIECEWISE): the FULL graphs' first capture is the first one, at 256 tokens.
    const full = cudaGraphStageBytes(cudaGraphPlan(base("0.27.1", { capture: { mode: "FULL_DECODE_ONLY" } })), shape);
    expect(full.firstCaptureBytes).toBe(firstCaptureBytes(shape, 256));
    // Mamba / Gated DeltaNet layers: a new 20 MiB segment per further graph.
    const hybrid = cudaGraphStageBytes(cudaGraphPlan(base("0.23.0")), { ...shape, hybrid: true });
    expect(hybrid.estimateBytes).toBe(1802 * MiB);
    expect(MIN_PER_GRAPH_BYTES).toBe(MiB);
  });

  it("lands on the estimates vLLM logged (within 0.06 GiB: vLLM's second sample is whole 2 MiB pages, ±1 MiB × 84 graphs)", () => {
    const logged = (file: string): number => Number(/Estimated CUDA graph memory: ([\d.]+) GiB/.exec(readFileSync(`fixtures/vllm-logs/${file}`, "utf8"))![1]);
    // LMCache issue #3430 (0.21.0): Qwen3-8B, RTX A5000 (sm86), max-model-len 16384: 0.52 logged; 100 MiB first capture
    // (24 + 12 + 2 × 20 + 20 + 4) + 84 × 36 × 165 KiB (5.80 MiB) = 587 MiB = 0.574 GiB.
    expect(logged("raw/lmcache-3430-qwen3-8b-a5000-v0.21.md")).toBe(0.52);
    const q3 = planDeployment({ model: model("qwen3-8b"), gpu: gpu("rtx4090"), flags: flags({ vllmVersion: "0.21.0", maxModelLen: 16384, gpuMemoryUtilization: 0.9764 }) });
    expect(Math.abs(q3.perGpu[0]!.cudaGraphBytes / GiB - 0.52)).toBeLessThan(0.06);
    // Qwen2.5-VL-7B on an A100, 0.23.0: 0.53 logged; 122 + 84 × 28 × 165 KiB = 501 MiB = 0.489 GiB.
    expect(logged("qwen2.5-vl-7b-a100-v0.23.0.log")).toBe(0.53);
    const vl = planDeployment({ model: model("qwen2.5-vl-7b"), gpu: gpu("a100-80g"), flags: flags({ vllmVersion: "0.23.0", gpuMemoryUtilization: 0.22 }) });
    expect(Math.abs(vl.perGpu[0]!.cudaGraphBytes / GiB - 0.53)).toBeLessThan(0.06);
    // The 0.27.1 L4 start-up of Qwen2.5-7B (fp16, max-model-len 4096) has 1.76 GiB less KV cache than with
    // --enforce-eager (issue #12). 0.27.1 runs it on Model Runner V2, which loses a 20 MiB segment per further
    // size (512 × 3584 × 2 B = 3.5 MiB of hidden states ≥ 1 MiB): 122 + 84 × 20 = 1,802 MiB = 1.760 GiB.
    const l4 = planDeployment({ model: model("qwen2.5-7b"), gpu: gpu("l4"), flags: flags({ vllmVersion: "0.27.1", maxModelLen: 4096, dtype: "float16" }) });
    expect(l4.perGpu[0]!.cudaGraphBytes).toBe(1802 * 2 ** 20);
    // The same model on 0.29 (Model Runner V2 with its own profiling, no log found): the per-layer figure, 501 MiB.
    const l429 = planDeployment({ model: model("qwen2.5-7b"), gpu: gpu("l4"), flags: flags({ vllmVersion: "0.29.0", maxModelLen: 4096, dtype: "float16" }) });
    expect(l429.perGpu[0]!.cudaGraphBytes).toBe(525_320_192);
    // Qwen3-32B on an RTX PRO 6000 (95.01 GiB), 0.27.1, utilization 0.426: "Available KV cache memory: -24.42 GiB"
    // (fixtures/vllm-logs/raw/code-qwen3-32b-rtxpro6000-v0.27.1-tp1-fails.md). 102 graphs; first capture 162 MiB
    // (gate_up 50 + silu_and_mul 26 + qkv 10 + two 20 MiB segments + workspace 32 (sm120) + 4) + 100 × 20 MiB =
    // 2,162 MiB; 40.47 − 61.03 (weights) − 1.25 (activations) − 0.20 − 2.11 = −24.12 GiB planned, 0.30 from the log.
    const q32 = planDeployment({ model: model("qwen3-32b"), gpu: gpu("rtx-pro-6000", Math.round(95.01 * GiB)), flags: flags({ vllmVersion: "0.27.1", gpuMemoryUtilization: 0.426, maxModelLen: 32768 }) });
    const budget = q32.perGpu[0]!;
    expect(budget.cudaGraphBytes).toBe(2162 * 2 ** 20);
    expect(Math.abs((budget.requestedBytes - budget.weightsBytes - budget.activationPeakBytes - budget.nonTorchBytes - budget.cudaGraphBytes) / GiB - -24.42)).toBeLessThan(0.5);
  });

  it("the A100-40GB host's Qwen3-8B logs sit inside the range (v0.19.1: 2.35 GiB estimated, 2.44 GiB actual)", () => {
    // fixtures/vllm-logs/cases.json "qwen3-8b a100-40g v0.19.1 defaults": 86 graphs (51 + 35). The plan's figure is
    // 100 MiB + 84 × 36 × 165 KiB = 0.57 GiB; the range runs from the 1 MiB floor (100 + 84 = 184 MiB) to
    // 33 MiB per graph (100 + 84 × 33 = 2,872 MiB = 2.80 GiB), around the logged 2.35 and the captured 2.44 GiB.
    const plan = planDeployment({ model: model("qwen3-8b"), gpu: gpu("a100-40g"), flags: flags({ vllmVersion: "0.19.1" }) }, { explain: true });
    expect(plan.perGpu[0]!.cudaGraphBytes / GiB).toBeCloseTo(0.574, 3);
    expect(plan.explain.find((e) => e.what.startsWith("CUDA graphs"))?.formula).toContain("184 MiB to 2,872 MiB");
    const raw = readFileSync("fixtures/vllm-logs/cases.json", "utf8");
    expect(raw).toContain("Estimated CUDA graph memory: 2.35 GiB total");
    expect(raw).toContain("CUDA graph pool memory: 2.44 GiB (actual)");
  });

  it("Qwen2.5-72B at TP4 on L40S, v0.19.0: 2.73 GiB logged, the top of the range; the central figure is not reached", () => {
    const log = readFileSync("fixtures/vllm-logs/raw/code-qwen2.5-72b-l40s-tp4-eks-v0.19.md", "utf8");
    expect(log).toContain("PIECEWISE=51 (largest=512), FULL=35 (largest=256)");
    const logged = Number(/Estimated CUDA graph memory: ([\d.]+) GiB/.exec(log)![1]);
    expect(logged).toBe(2.73);
    const plan = planDeployment({ model: model("qwen2.5-72b"), gpu: gpu("l40s"), flags: flags({ vllmVersion: "0.19.0", tensorParallelSize: 4, maxModelLen: 8192 }) }, { explain: true });
    // 80 layers × 165 KiB = 12.9 MiB per graph: 1.16 GiB, 1.57 GiB short (TP4's collectives and this host are not modeled);
    // its 32.2 MiB per graph sets the range's top (33 MiB): 92 MiB first capture + 84 × 33 MiB = 2,864 MiB ≥ 2.73 GiB.
    expect(plan.perGpu[0]!.cudaGraphBytes / GiB).toBeLessThan(logged - 1.5);
    const range = /to ([\d,]+) MiB;/.exec(plan.explain.find((e) => e.what.startsWith("CUDA graphs"))!.formula)!;
    expect(Number(range[1]!.replace(/,/g, "")) / 1024).toBeGreaterThanOrEqual(logged);
  });

  it("hybrid (Gated DeltaNet) logs: 20 MiB per further graph, the first capture ≈30 MiB short (within 0.05 GiB)", () => {
    // Qwen3.6-27B with MTP on RTX 3090s: PIECEWISE only, sizes 1, 2, 4, 8, 16 (TP2) and … 32 (TP4). At 16-32
    // tokens every activation is below 1 MiB: first capture = workspace segment 20 + small 4 = 24 MiB.
    const shape = { ...graphActivationShape(model("qwen3.5-27b"), 2, 1, 2, 8.6, false, 64) };
    expect(shape.hybrid).toBe(true);
    const tp2 = cudaGraphStageBytes(cudaGraphPlan(base("0.22.0", { capture: { sizes: [1, 2, 4, 8, 16], mode: "PIECEWISE" } })), shape);
    // 24 + 4 × 20 = 104 MiB = 0.102 GiB; logged 0.13 (club-3090 issue #104).
    expect(tp2.estimateBytes).toBe(104 * 2 ** 20);
    expect(Number(/Estimated CUDA graph memory: ([\d.]+) GiB/.exec(readFileSync("fixtures/vllm-logs/raw/club-3090-104-qwen3.6-27b-tp2-graph-estimate.md", "utf8"))![1]) - tp2.estimateBytes / GiB).toBeLessThan(0.05);
    const tp4 = cudaGraphStageBytes(cudaGraphPlan(base("0.22.0", { capture: { sizes: [1, 2, 4, 8, 16, 24, 32], mode: "PIECEWISE" } })), { ...graphActivationShape(model("qwen3.5-27b"), 4, 1, 2, 8.6, false, 64) });
    // 24 + 6 × 20 = 144 MiB = 0.141 GiB; logged 0.17 (club-3090 PR #44).
    expect(tp4.estimateBytes).toBe(144 * 2 ** 20);
    expect(Number(/Estimated CUDA graph memory: ([\d.]+) GiB/.exec(readFileSync("fixtures/vllm-logs/raw/club-3090-pr44-qwen3.6-27b-tp4-graph-estimate.md", "utf8"))![1]) - tp4.estimateBytes / GiB).toBeLessThan(0.05);
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
    expect(cudaGraphEquivalents(0.99, 10 * GiB, 1 * GiB, 3 * GiB)).toEqual({ utilizationWithoutEstimate: 0.89, utilizationForSameKv: 1, utilizationNeededForSameKv: 1.09, kvCacheMemoryForSameKv: 4 * GiB });
    // A budget already short: the KV cache before the estimate is the shortfall plus the estimate
    // (−0.5 + 1 = 0.5 GiB), and none at all when the shortfall is the larger (−2 + 1 GiB: null).
    expect(cudaGraphEquivalents(0.9, 10 * GiB, 1 * GiB, -0.5 * GiB).kvCacheMemoryForSameKv).toBe(0.5 * GiB);
    expect(cudaGraphEquivalents(0.9, 10 * GiB, 1 * GiB, -2 * GiB).kvCacheMemoryForSameKv).toBeNull();
  });

  it("prints them on a v0.21+ plan, and the pre-estimate KV cache really comes back with either setting", () => {
    const arch = model("qwen3-8b");
    const gpuProfile = gpu("h100");
    const plan = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "0.23.0" }) });
    const diagnostic = plan.diagnostics.find((x) => x.code === "CUDA_GRAPH_ESTIMATE_IN_BUDGET");
    expect(diagnostic?.severity).toBe("info");
    const before = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "0.20.0", gpuMemoryUtilization: 0.92 }) });
    // The same budget without the estimate (v0.20) has exactly the estimate more KV memory.
    expect(before.perGpu[0]!.kvCacheBytes - plan.perGpu[0]!.kvCacheBytes).toBe(plan.perGpu[0]!.cudaGraphBytes);
    const viaKvFlag = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "0.23.0", kvCacheMemoryBytes: Number(diagnostic?.args["sameKvBytes"]) }) });
    expect(viaKvFlag.kvCache.numGpuBlocks).toBe(before.kvCache.numGpuBlocks);
    const viaUtil = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "0.23.0", gpuMemoryUtilization: Number(diagnostic?.args["sameKvUtil"]) }) });
    // Rounded to 4 decimals like vLLM's line: within 0.0001 × total (≈ 8 MiB, under 60 blocks of 144 KiB) of the old KV.
    expect(Math.abs(viaUtil.perGpu[0]!.kvCacheBytes - before.perGpu[0]!.kvCacheBytes)).toBeLessThan(0.0001 * gpuProfile.cudaTotalBytes + 1);
    expect(planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ vllmVersion: "0.20.0" }) }).diagnostics.map((x) => x.code)).not.toContain("CUDA_GRAPH_ESTIMATE_IN_BUDGET");
  });
});

describe("the pre-estimate KV cache when utilization cannot restore it", () => {
  it("Qwen2.5-7B on an L4 at --gpu-memory-utilization 0.99: no 1.0000 suggestion, the --kv-cache-memory form instead", async () => {
    const { messageFor } = await import("../src/render/messages.js");
    const arch = model("qwen2.5-7b");
    const gpuProfile = gpu("l4");
    const plan = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ gpuMemoryUtilization: 0.99, maxModelLen: 4096 }) });
    const diagnostic = plan.diagnostics.find((x) => x.code === "CUDA_GRAPH_ESTIMATE_IN_BUDGET");
    // 0.99 + the estimate (501 MiB of 21.99 GiB: 525,320,192 / 23,612,293,120 = 0.0222) = 1.0122: above 1.0,
    // which vLLM refuses, and above the 0.97 of the card free at start-up (its CUDA context).
    expect(diagnostic?.args["sameKvUtilNeeded"]).toBe(1.0122);
    expect(diagnostic?.args["maxStartUtil"]).toBe(0.97);
    const text = messageFor(diagnostic!, plan);
    expect(text).not.toContain("--gpu-memory-utilization 1.0000");
    expect(text).toContain("--gpu-memory-utilization alone cannot restore it");
    expect(text).toContain(`use --kv-cache-memory ${diagnostic?.args["sameKvBytes"]}`);
    // At the default 0.92 the utilization form is still given (0.92 + 0.0222 = 0.9422).
    const p92 = planDeployment({ model: arch, gpu: gpuProfile, flags: flags({ maxModelLen: 4096 }) });
    const d92 = p92.diagnostics.find((x) => x.code === "CUDA_GRAPH_ESTIMATE_IN_BUDGET");
    expect(messageFor(d92!, p92)).toContain("use --gpu-memory-utilization 0.9422 or --kv-cache-memory");
  });
});

describe("the Mamba capture cap of v0.17-v0.18 reaches the plan", () => {
  it("drops the sizes above the Mamba blocks and recounts both modes", () => {
    // max_num_seqs 128: sizes 1, 2, 4, 8 … 256 (35); capped to 136: 1, 2, 4, 8 … 136 (20); FULL decode ≤ 128: 19.
    const graphs = cudaGraphPlan(base("0.18.1", { maxNumSeqs: 128 }));
    expect([graphs.piecewise, graphs.full, graphs.largest, graphs.largestFull]).toEqual([35, 19, 256, 128]);
    const c = capCudaGraphPlan(graphs, 136);
    expect([c.piecewise, c.full, c.largest, c.largestFull, c.cappedFrom]).toEqual([20, 19, 136, 128, 256]);
  });

  it("Qwen3.5-27B on v0.18.1 with 141 Mamba blocks captures up to 136 (fixtures/hybrid/logs.json)", () => {
    // "Capping cudagraph capture sizes from max 256 to 136 to fit Mamba cache blocks (141 blocks available)".
    const plan = planDeployment(
      { model: model("qwen3.5-27b"), gpu: gpu("h100"), flags: flags({ vllmVersion: "0.18.1", maxModelLen: 32_768, maxNumSeqs: 128, kvCacheMemoryBytes: Math.round(6.76 * GiB) }) },
      { explain: true },
    );
    expect(plan.kvCache.numGpuBlocks).toBe(141);
    expect(plan.explain.find((e) => e.what.startsWith("CUDA graphs"))?.formula).toContain("PIECEWISE=20 (largest=136), FULL=19 (largest=128) (capped from max 256");
  });
});
