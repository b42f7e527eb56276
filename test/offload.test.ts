import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { renderJson } from "../src/render/json.js";
import { renderMarkdown } from "../src/render/markdown.js";
import { planJson } from "../src/render/json-schema.js";
import { flags, gpu, model, GiB } from "./helpers/models.js";

describe("--cpu-offload-gb and --kv-offloading-size (vllm/model_executor/offloader/uva.py, CacheConfig.kv_offloading_size)", () => {
  const dense = model("Qwen/Qwen3-8B");

  it("moves that many bytes of decoder-layer weights per GPU to pinned host memory", () => {
    const base = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.23.0" }) });
    const plan = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.23.0", cpuOffloadBytes: 4 * GiB }) }, { explain: true });
    // Qwen3-8B's 36 layers hold 36 × 385,892,864 B ≈ 12.9 GiB > 4 GiB: exactly 4 GiB leaves the GPU, and the KV
    // cache (the rest of the budget) grows by the same bytes.
    expect(base.perGpu[0]!.weightsBytes - plan.perGpu[0]!.weightsBytes).toBe(4 * GiB);
    expect(plan.perGpu[0]!.kvCacheBytes - base.perGpu[0]!.kvCacheBytes).toBe(4 * GiB);
    expect(plan.host).toMatchObject({ cpuOffloadBytes: 4 * GiB, kvOffloadingBytes: 0, totalBytes: 4 * GiB });
    // TP 2: 4 GiB on each of the two GPUs → 8 GiB of host memory.
    expect(planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.23.0", tensorParallelSize: 2, cpuOffloadBytes: 4 * GiB }) }).host?.cpuOffloadBytes).toBe(8 * GiB);
    // PP 2 × TP 2: a rank holds 18 layers at TP 2 — qkv (16 + 8)·128·4096 12,582,912 + o 4096·2048 8,388,608 +
    // q/k norms 256 + gate_up 2·6144·4096 50,331,648 + down 25,165,824 + norms 8,192 = 96,477,440 elements
    // = 192,954,880 B per layer, 3,473,187,840 B per rank < 4 GiB: all of it moves, on 4 GPUs → 13,892,751,360 B.
    expect(planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.23.0", tensorParallelSize: 2, pipelineParallelSize: 2, cpuOffloadBytes: 4 * GiB }) }).host?.cpuOffloadBytes).toBe(4 * 18 * 192_954_880);
    // More than the layers hold: only the layers move (embeddings and lm_head stay).
    const all = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.23.0", cpuOffloadBytes: 100 * GiB }) });
    expect(base.perGpu[0]!.weightsBytes - all.perGpu[0]!.weightsBytes).toBe(36 * 385_892_864);
  });

  it("is ignored where Model Runner V2 runs a dense model (0.25.1+, issue #51396), not for MoE models", () => {
    const base = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.26.0" }) });
    const plan = planDeployment({ model: dense, gpu: gpu("l4"), flags: flags({ vllmVersion: "0.26.0", cpuOffloadBytes: 4 * GiB }) }, { explain: true });
    expect(plan.perGpu[0]!.weightsBytes).toBe(base.perGpu[0]!.weightsBytes);
    expect(plan.host?.cpuOffloadBytes).toBe(0);
    expect(plan.explain.some((l) => l.what === "CPU weight offload" && l.formula.includes("ignored"))).toBe(true);
    const moe = model("Qwen/Qwen3-30B-A3B");
    const m0 = planDeployment({ model: moe, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.26.0" }) });
    const m1 = planDeployment({ model: moe, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.26.0", cpuOffloadBytes: 10 * GiB }) });
    expect(m0.perGpu[0]!.weightsBytes - m1.perGpu[0]!.weightsBytes).toBe(10 * GiB);
  });

  it("KV offloading: host buffer of the given size, GPU KV cache unchanged", () => {
    const base = planDeployment({ model: dense, gpu: gpu("h100"), flags: flags() });
    const plan = planDeployment({ model: dense, gpu: gpu("h100"), flags: flags({ kvOffloadingBytes: 64 * GiB, kvOffloadingBackend: "native" }) });
    expect(plan.perGpu[0]!.kvCacheBytes).toBe(base.perGpu[0]!.kvCacheBytes);
    expect(plan.host).toMatchObject({ cpuOffloadBytes: 0, kvOffloadingBytes: 64 * GiB, totalBytes: 64 * GiB });
    // The JSON keeps it under "host" (schema/plan.schema.json) and the markdown names it.
    const parsed = planJson.safeParse(JSON.parse(renderJson(plan)));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    // 2 processes × 3 GiB + the 64 GiB pool, which from 0.26 lives in /dev/shm (core/host-memory.ts).
    expect(renderMarkdown(plan)).toContain("Host memory: 70.00 GiB resident (2 processes, 64.00 GiB KV offloading buffer; estimate) · /dev/shm 64.00 GiB.");
  });
});

describe("--max-model-len auto (kv_cache_utils._auto_fit_max_model_len, PR #29431)", () => {
  const arch = model("Qwen/Qwen3-8B");
  it("keeps the config's length when it fits", () => {
    const p = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ maxModelLenAuto: true }) });
    expect(p.engine.maxModelLen).toBe(arch.derivedMaxModelLen);
    expect(p.fits).toBe(true);
  });
  it("otherwise takes the largest length one request fits in, and starts", () => {
    // An L4 with 2 GiB of KV forced by utilization: one full-attention group of 36 layers, page 16 × 4,096 B
    // per layer → a request of len tokens needs cdiv(len, 16) × 65,536 × 36 B; the largest len is
    // floor(available / (65,536 × 36)) × 16.
    const engineFlags = flags({ maxModelLenAuto: true, gpuMemoryUtilization: 0.85 });
    const plan = planDeployment({ model: arch, gpu: gpu("l4"), flags: engineFlags }, { explain: true });
    const available = plan.perGpu[0]!.kvCacheBytes;
    expect(plan.engine.maxModelLen).toBe(Math.floor(available / (65_536 * 36)) * 16);
    expect(plan.engine.maxModelLen).toBeLessThan(arch.derivedMaxModelLen);
    expect(plan.fits).toBe(true);
    expect(plan.explain.some((l) => l.what === "max-model-len auto" && l.value === plan.engine.maxModelLen)).toBe(true);
  });
  it("before 0.12 vLLM has no auto: planned with the config's length and a warning", () => {
    const p = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ maxModelLenAuto: true, vllmVersion: "0.11.0" }) });
    expect(p.engine.maxModelLen).toBe(arch.derivedMaxModelLen);
    expect(p.diagnostics.some((d) => d.code === "NOT_EXACT" && String(d.args["what"]).includes("auto"))).toBe(true);
  });
});
