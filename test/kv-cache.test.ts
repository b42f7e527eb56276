import { describe, expect, it } from "vitest";
import { kvBytesPerTokenPerLayer, kvCachePlan, kvGroupLayout, kvLayout, layerKvSpecs, type LayerKvSpec } from "../src/core/kv-cache.js";
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

// kv_cache_utils.get_kv_cache_groups (@001cabc1) over specs of mixed pages: what a drafter's layers meet in a
// sliding-window target. gpt-oss-20b: 12 sliding (128) + 12 full layers of 8 KV heads × 64 → 2 · 64 · 2 B × 8 =
// 2,048 B per token per layer, page 16 × 2,048 = 32,768 B.
describe("get_kv_cache_groups with a drafter's layers (kvGroupLayout)", () => {
  const arch = model("openai/gpt-oss-20b");
  const target = layerKvSpecs(arch, arch.layers, 1, 2);
  const full = (heads: number): LayerKvSpec => ({ kind: "full", window: 0, bytesPerToken: heads * 256, shape: `${heads} x 64` });

  it("gpt-oss-20b + EAGLE (the example in _get_kv_cache_groups_uniform_page_size): 12 sw + 13 full → group_size 13, not 12 + 24", () => {
    const layout = kvGroupLayout([...target, full(8)], 16);
    // max 13 < 1.5 × min 12 → group_size = 13: (13 sw incl. 1 padding, 13 full), two groups.
    expect(layout).toMatchObject({ pageSize: 32_768, groupSize: 13, attentionLayers: 25, bytesPerToken: 25 * 2048 });
    expect(layout.groups.map((g) => [g.kind, g.layers, g.blockSize])).toEqual([["sliding", 13, undefined], ["full", 13, undefined]]);
    expect(layout.pagesPadded).toBeUndefined();
  });

  it("a drafter page that divides the target's: its block grows to 32 tokens (unify_kv_cache_spec_page_size), group_size 1", () => {
    // 4 KV heads × 64: 1,024 B per token, page 16,384 = 32,768 / 2 → block 16 × 2 = 32. Buckets 12 sw, 12 full,
    // 1 draft: group_size = min = 1 (12 ≥ 1.5), 25 groups of one layer.
    const layout = kvGroupLayout([...target, full(4)], 16);
    expect(layout).toMatchObject({ pageSize: 32_768, groupSize: 1, blockSize: 16 });
    expect(layout.groups.length).toBe(25);
    expect(layout.groups.filter((g) => g.blockSize === 32).length).toBe(1);
    // 8,192 tokens, 2,048 batched: 12 full × cdiv(8192, 16) = 6,144 pages + 12 sliding × (cdiv(127 + 2048, 16) + 1)
    // = 12 × 137 = 1,644 + the drafter's cdiv(8192, 32) = 256 → 8,044 pages of 32,768 B.
    const plan = kvCachePlan(layout, 100_000 * 32_768, 8192, 2048);
    expect(plan.numGpuBlocks).toBe(100_000);
    expect(plan.bytesNeededForMaxModelLen).toBe(8044 * 32_768);
  });

  it("a drafter page that does not divide the target's: padded to 32,768 B at 16 tokens, flagged (vLLM @001cabc1 raises)", () => {
    // 3 KV heads × 64: 768 B per token, page 12,288; 32,768 % 12,288 ≠ 0.
    const layout = kvGroupLayout([...target, full(3)], 16);
    expect(layout.pagesPadded).toBe(true);
    expect(layout.groups.every((g) => g.blockSize === undefined)).toBe(true);
    // 6,144 + 1,644 + cdiv(8192, 16) = 512 → 8,300 pages.
    expect(kvCachePlan(layout, 100_000 * 32_768, 8192, 2048).bytesNeededForMaxModelLen).toBe(8300 * 32_768);
  });

  it("the target alone keeps its layout (--disable-hybrid-kv-cache-manager: sliding layers become full ones)", () => {
    expect(kvGroupLayout(target, 16)).toMatchObject({ groupSize: 12, pageSize: 32_768 });
    expect(kvGroupLayout(target, 16, true)).toMatchObject({ groupSize: 24, pageSize: 32_768, groups: [{ kind: "full", window: 0, layers: 24 }] });
  });
});

// vllm/model_executor/models/gemma4.py Gemma4DecoderLayer (@001cabc1): full-attention layers use global_head_dim and,
// with attention_k_eq_v, num_global_key_value_heads; the cache still holds K and V (K is loaded into both slots).
describe("Gemma 4: full-attention layers of their own KV shape (google/gemma-4-26B-A4B)", () => {
  it("25 sliding layers of 8 × 256 and 5 full layers of 2 × 512: the full pages are half, so their blocks hold 32 tokens", async () => {
    const { planDeployment } = await import("../src/core/plan.js");
    const { flags, gpu } = await import("./helpers/models.js");
    const arch = model("google/gemma-4-26B-A4B");
    expect(arch.layers.filter((l) => l.kind === "full")).toEqual(Array.from({ length: 5 }, () => ({ kind: "full", kvHeads: 2, headDim: 512 })));
    // Sliding: 8 · 2 · 256 · 2 B = 8,192 B/token, page 131,072; full: 2 · 2 · 512 · 2 B = 4,096 B/token, page 65,536 →
    // unify_kv_cache_spec_page_size: block 32. Buckets 25 sliding, 5 full → group_size 5, 5 + 1 = 6 groups.
    // --kv-cache-memory 5 × 131,072 × 10,000 → 10,000 blocks. One 32,768-token request (2,048 batched): full
    // cdiv(32768, 32) = 1,024 pages + 5 × (cdiv(1023 + 2048, 16) + 1 = 193) = 1,989 → 10,000 / 1,989 = 5.03x.
    // (Before: every layer 8 × 256, the full group at 16 tokens a block: 2,048 + 965 = 3,013 pages, 3.32x.)
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", kvCacheMemoryBytes: 5 * 131_072 * 10_000, maxModelLen: 32_768, maxNumBatchedTokens: 2048 }) });
    expect(plan.kvCache).toMatchObject({ bytesPerToken: 25 * 8192 + 5 * 4096, pageSizeBytes: 131_072, groupSize: 5, numGroups: 6, numGpuBlocks: 10_000, bytesNeededForMaxModelLen: 5 * 131_072 * 1989 });
    expect(plan.kvCache.maxConcurrency).toBeCloseTo(10_000 / 1989, 12);
    // v0.21+: int(5.0276521 × 32,768) = 164,746 tokens.
    expect(plan.kvCache.tokens).toBe(164_746);
  });
});
