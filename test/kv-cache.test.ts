import { describe, expect, it } from "vitest";
import { kvBytesPerTokenPerLayer, kvCachePlan, kvLayout } from "../src/core/kv-cache.js";
import { model } from "./helpers/models.js";

describe("KV cache arithmetic (vllm/v1/kv_cache_interface.py, kv_cache_utils.py)", () => {
  it("sizes a GQA layer: 2 · kv_heads · head_dim · 2 B", () => {
    const arch = model("qwen2.5-vl-7b");
    // 2 × 4 KV heads × 128 × 2 B = 2,048 B per token per layer; × 28 layers = 57,344 B/token.
    expect(kvBytesPerTokenPerLayer(arch, 1, 2)).toBe(2048);
    expect(kvLayout(arch, arch.layers, 1, 2, 16).bytesPerToken).toBe(57_344);
  });

  it("replicates KV heads when TP exceeds them (one head per rank)", () => {
    const arch = model("qwen2.5-vl-7b");
    // TP 8 > 4 KV heads: max(1, 4 // 8) = 1 head → 2 × 1 × 128 × 2 = 512 B.
    expect(kvBytesPerTokenPerLayer(arch, 8, 2)).toBe(512);
    // fp8 KV halves it: 2 × 4 × 128 × 1 = 1,024 B.
    expect(kvBytesPerTokenPerLayer(arch, 1, 1)).toBe(1024);
  });

  it("reproduces a real V0 start-up: Llama-3.1-8B on an RTX 3090, 1,952 blocks (issue #10517)", () => {
    const arch = model("meta-llama/Meta-Llama-3.1-8B");
    const layout = kvLayout(arch, arch.layers, 1, 2, 16);
    // One block over 32 layers: 32 × 16 × 2 × 8 × 128 × 2 B = 2,097,152 B; 1,952 blocks = 4,093,640,704 B (3.81 GiB logged).
    const plan = kvCachePlan(layout, 1952 * 2_097_152, 20_000, 2048);
    expect(plan.numGpuBlocks).toBe(1952);
    expect(plan.tokens).toBe(31_232);
    // "Maximum concurrency for 20000 tokens per request: 1.56x" = 1952 / cdiv(20000, 16) = 1952 / 1250.
    expect(plan.maxConcurrency.toFixed(2)).toBe("1.56");
  });

  it("reproduces a V1 start-up: Qwen3-235B-A22B FP8 TP8, 238,208 tokens, 7.27x at 32,768 (calibration log)", () => {
    const arch = model("Qwen/Qwen3-235B-A22B-FP8");
    const layout = kvLayout(arch, arch.layers, 8, 2, 16);
    // 94 layers × 16 tokens × (2 × 1 KV head × 128 × 2 B) = 770,048 B per block; 14,888 blocks.
    expect(layout.pageSize * layout.groupSize).toBe(770_048);
    const plan = kvCachePlan(layout, 14_888 * 770_048, 32_768, 2048);
    expect(plan.tokens).toBe(238_208);
    expect(plan.maxConcurrency.toFixed(2)).toBe("7.27");
  });

  it("estimates vLLM's maximum model length from the blocks it has", () => {
    const arch = model("qwen2.5-vl-7b");
    const layout = kvLayout(arch, arch.layers, 1, 2, 16);
    // 1,000 blocks × 917,504 B: a 128,000-token request needs 8,000 blocks; the largest length that fits is 1,000 × 16.
    const plan = kvCachePlan(layout, 1000 * 917_504, 128_000, 8192);
    expect(plan.bytesNeededForMaxModelLen).toBe(8000 * 917_504);
    expect(plan.estimatedMaxModelLen).toBe(16_000);
  });

  it("groups hybrid sliding-window layers like get_kv_cache_groups (gpt-oss-20b: 12 sliding + 12 full)", () => {
    const arch = model("openai/gpt-oss-20b");
    const layout = kvLayout(arch, arch.layers, 1, 2, 16);
    // Two types with 12 layers each → group_size 12, two groups; page = 16 × 2 × 8 × 64 × 2 = 32,768 B.
    expect(layout.groupSize).toBe(12);
    expect(layout.groups.length).toBe(2);
    expect(layout.pageSize).toBe(32_768);
    const plan = kvCachePlan(layout, 10_000 * 32_768 * 12, 131_072, 8192);
    expect(plan.numGpuBlocks).toBe(10_000);
    // Tokens = blocks // groups × block = 5,000 × 16.
    expect(plan.tokens).toBe(80_000);
    // Per request: full layers cdiv(131072,16) = 8,192 pages; sliding (cdiv(min(127 + 8192, 131072), 16) + 1) = 521 pages.
    expect(plan.maxConcurrency).toBeCloseTo(10_000 / (8192 + 521), 10);
  });
});

describe("MLA (DeepSeek-V2-Lite)", () => {
  it("stores the compressed latent once per token and layer, not split by TP, in backend-sized blocks", async () => {
    const { planDeployment } = await import("../src/core/plan.js");
    const { flags, gpu } = await import("./helpers/models.js");
    const arch = model("deepseek-ai/DeepSeek-V2-Lite");
    // MLAAttentionSpec: kv_lora_rank 512 + qk_rope_head_dim 64 = 576 values × 2 B, one "head", no K/V factor.
    expect(kvBytesPerTokenPerLayer(arch, 1, 2)).toBe(1152);
    expect(kvBytesPerTokenPerLayer(arch, 4, 2)).toBe(1152);
    const at = (g: string) => planDeployment({ model: arch, gpu: gpu(g), flags: flags({ maxModelLen: 32768 }) }).kvCache;
    // 27 layers × 1,152 B = 31,104 B per token.
    expect(at("h100").bytesPerToken).toBe(31_104);
    // platforms/cuda.py: FlashMLA on Hopper forces 64-token blocks, CUTLASS MLA on Blackwell 128, Triton MLA keeps 16.
    expect([at("h100").blockSize, at("b200").blockSize, at("a100-80g").blockSize]).toEqual([64, 128, 16]);
  });
});
