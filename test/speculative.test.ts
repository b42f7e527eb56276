import { describe, expect, it } from "vitest";
import { speculativeKind, speculativePlan } from "../src/core/speculative.js";
import { captureSizeList, capturesByMode, rulesFor } from "../src/core/vllm-versions.js";
import { planDeployment } from "../src/core/plan.js";
import type { ModelArch } from "../src/core/types.js";
import { flags, gpu, model } from "./helpers/models.js";

// Qwen3-8B: H 4096, 32 heads, 8 KV heads, head_dim 128, I 12288, 36 layers, bf16, untied.
// One decoder layer (weights.ts shapes): qkv (32 + 16)·128·4096 = 25,165,824; o 4096·4096 = 16,777,216;
// q/k norms 256; gate_up 2·12288·4096 = 100,663,296; down 50,331,648; two RMSNorms 8,192
// → 192,946,432 elements = 385,892,864 B.
const QWEN3_8B_LAYER = 385_892_864;

describe("speculative decoding: proposer memory (vllm/config/speculative.py, vllm/v1/spec_decode/eagle.py)", () => {
  const target = model("Qwen/Qwen3-8B");

  it("resolves the method as SpeculativeConfig does", () => {
    expect(speculativeKind({ method: "ngram" })).toBe("ngram");
    expect(speculativeKind({ method: "deepseek_mtp" })).toBe("mtp");
    expect(speculativeKind({ method: "qwen3_next_mtp" })).toBe("mtp");
    expect(speculativeKind({ model: "yuhuili/EAGLE3-LLaMA3.1-Instruct-8B" })).toBe("eagle3");
    expect(speculativeKind({ model: "yuhuili/EAGLE-LLaMA3.1-Instruct-8B" })).toBe("eagle");
    expect(speculativeKind({ model: "Qwen/Qwen3-0.6B" })).toBe("draft_model");
  });

  it("MTP (Qwen-style mtp_num_hidden_layers): one target layer + fc 2H×H/tp + 3 norms, lm_head shared, one more KV layer", () => {
    // The MTP fields of a Qwen3.5 config (mtp_num_hidden_layers 1) on the Qwen3-8B shape.
    const model: ModelArch = { ...target, mtp: { layers: 1, ownLmHead: false } };
    // qwen3_next_mtp.py: fc ColumnParallelLinear(2H, H) = 2·4096·4096 = 33,554,432 elements → 67,108,864 B;
    // pre_fc_norm_hidden + pre_fc_norm_embedding + norm = 3·4096·2 = 24,576 B.
    const drafter = QWEN3_8B_LAYER + 67_108_864 + 24_576;
    const base = planDeployment({ model, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0" }) });
    const plan = planDeployment({ model, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", speculative: { method: "mtp" } }) }, { explain: true });
    expect(plan.perGpu[0]!.weightsBytes - base.perGpu[0]!.weightsBytes).toBe(drafter);
    // The MTP layer's attention joins the single full-attention group: 37 layers per block, page 16·2·8·128·2 = 65,536 B.
    expect(plan.kvCache.groupSize).toBe(37);
    expect(plan.kvCache.numGpuBlocks).toBe(Math.floor(Math.floor(plan.perGpu[0]!.kvCacheBytes / 65_536) / 37));
    // num_speculative_tokens defaults to n_predict = 1: ceiling min(1024·2·2, 512) = 512 → 51 PIECEWISE sizes;
    // FULL decode sizes in [2, 1024·2] → every size but 1 = 50.
    expect(plan.engine.cudaGraphCaptureSizes).toBe(101);
    expect(plan.explain.some((l) => l.what === "MTP drafter weights" && l.bytes === drafter)).toBe(true);
  });

  it("MTP without MTP layers in the config is a NOT_EXACT warning, not a silent plan", () => {
    const p = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ speculative: { method: "mtp", numSpeculativeTokens: 1 } }) });
    expect(p.diagnostics.some((d) => d.code === "NOT_EXACT" && String(d.args["what"]).includes("MTP"))).toBe(true);
  });

  it("a draft model (Qwen3-0.6B for Qwen3-8B): all its weights, and its 28 layers in the target's KV group", () => {
    const draft = model("Qwen/Qwen3-0.6B");
    // Qwen3-0.6B: layer = qkv (16 + 16)·128·1024 4,194,304 + o 1024·2048 2,097,152 + q/k norms 256 + gate_up
    // 2·3072·1024 6,291,456 + down 3,145,728 + norms 2,048 = 15,730,944; × 28 = 440,466,432; tied embedding
    // 151,936·1024 = 155,582,464; final norm 1,024 → 596,049,920 elements = 1,192,099,840 B, plus the rotary
    // cache 40,960 positions × 128 × 2 B = 10,485,760 B. No sharing for method draft_model.
    const drafter = 1_192_099_840 + 10_485_760;
    const base = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0" }) });
    const plan = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", speculative: { model: "Qwen/Qwen3-0.6B", numSpeculativeTokens: 4, draftModel: draft } }) });
    expect(plan.perGpu[0]!.weightsBytes - base.perGpu[0]!.weightsBytes).toBe(drafter);
    // Same page per layer (2·8·128·2 = 4,096 B/token) → one group of 36 + 28 = 64 layers.
    expect(plan.kvCache.groupSize).toBe(64);
    expect(plan.kvCache.numGpuBlocks).toBe(Math.floor(Math.floor(plan.perGpu[0]!.kvCacheBytes / 65_536) / 64));
  });

  it("a named draft that was not resolved: NOT_EXACT naming it; ngram: nothing on the GPU", () => {
    const plan = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ speculative: { model: "org/some-draft", numSpeculativeTokens: 3 } }) });
    expect(plan.diagnostics.some((d) => d.code === "NOT_EXACT" && String(d.args["what"]).includes("'org/some-draft'"))).toBe(true);
    // The rejection-sampler warm-up (2 + 2 + 4 = 8 B per R × V element in bf16) stays below the sampler
    // warm-up's own temporaries, so the activation peak is unchanged.
    // Model Runner V1 (0.23): its sampler warm-up is the one the rejection sampler is set against.
    const base = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0" }) });
    const ngram = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", speculative: { method: "ngram", numSpeculativeTokens: 5 } }) });
    expect(ngram.perGpu[0]!.activationPeakBytes).toBe(base.perGpu[0]!.activationPeakBytes);
    expect(ngram.perGpu[0]!.weightsBytes).toBe(base.perGpu[0]!.weightsBytes);
    const s = speculativePlan({ spec: { method: "ngram", numSpeculativeTokens: 5 }, target, tp: 1, pp: 1, cc: 9, dtype: "bfloat16", quant: target.quant, kvBytes: 2 });
    expect(s).toMatchObject({ weightsBytes: 0, sameSpecLayers: 0, ownSpecLayers: 0, samplerBytesPerElement: 8, numSpeculativeTokens: 5 });
  });
});

describe("capture sizes with speculative tokens (vllm/config/vllm.py _set_cudagraph_sizes)", () => {
  it("v0.23: ceiling min(max_num_seqs × (1 + K) × 2, 512); FULL decode graphs for sizes in [1 + K, max_num_seqs × (1 + K)]", () => {
    const rules = rulesFor("0.23.0")!;
    // 64 seqs, K = 3: ceiling min(64·4·2, 512) = 512 → [1, 2, 4] + 8..248 (31) + 256..512 step 16 (17) = 51 sizes
    // (without speculation: min(128, 512) = 128 → 19). FULL: sizes in [4, 256] = 4, 8..248, 256 → 33.
    const list = captureSizeList(rules, 64, 2048, { numSpeculativeTokens: 3 });
    expect(list.length).toBe(51);
    expect(capturesByMode(rules, list, 64, { numSpeculativeTokens: 3 })).toEqual({ piecewise: 51, full: 33, largest: 512 });
    expect(captureSizeList(rules, 64, 2048).length).toBe(19);
  });

  it("v0.28: the uniform decode sizes n × (1 + K) join the list", () => {
    const rules = rulesFor("0.28.0")!;
    // 64 seqs, K = 2 (q = 3): ceiling min(64·3·2, 512) = 384 → grid [1, 2, 4] + 8..248 (31) + 256..384 (9) = 43;
    // request counts 1, 2, 4, 8..56, 64 × 3 = 3, 6, 12, 24 … 192: new sizes 3, 6, 12 → 46.
    // FULL decode sizes in [3, 192]: 3, 4, 6, 12 + multiples of 8 from 8 to 192 (24) = 28.
    const list = captureSizeList(rules, 64, 2048, { numSpeculativeTokens: 2 });
    expect(list.length).toBe(46);
    expect(list.slice(0, 6)).toEqual([1, 2, 3, 4, 6, 8]);
    expect(capturesByMode(rules, list, 64, { numSpeculativeTokens: 2 })).toEqual({ piecewise: 46, full: 28, largest: 384 });
  });

  it("explicit cudagraph_capture_sizes and cudagraph_mode from --compilation-config", () => {
    const rules = rulesFor("0.29.0")!;
    // Sizes deduplicated, sorted, those ≤ max_num_batched_tokens kept.
    expect(captureSizeList(rules, 256, 2048, { sizes: [8, 1, 4096, 8, 2] })).toEqual([1, 2, 8]);
    const plan = planDeployment({ model: model("Qwen/Qwen3-8B"), gpu: gpu("a100-80g"), flags: flags({ compilation: { cudagraphCaptureSizes: [1, 2, 4, 8], cudagraphMode: "PIECEWISE" } }) });
    expect(plan.engine.cudaGraphCaptureSizes).toBe(4);
    expect(plan.engine.maxCaptureSize).toBe(8);
    const none = planDeployment({ model: model("Qwen/Qwen3-8B"), gpu: gpu("a100-80g"), flags: flags({ compilation: { level: 0 } }) });
    expect(none.engine.cudaGraphs).toBe(false);
    expect(none.perGpu[0]!.cudaGraphBytes).toBe(0);
  });
});

describe("MTP on a hybrid GDN model against a real start-up (fixtures/hybrid/logs.json, club-3090 issues #487 / #434)", () => {
  it("Qwen3.6-27B TP 2, MTP K = 3, fp8_e5m2 KV, 10.85 GiB: GPU KV cache size 612,157 tokens, 2.34x at 262,144", () => {
    // The MTP layer (mtp_num_hidden_layers 1) joins the 16 full-attention layers: groups of 17 against 48 GDN
    // layers → 3 GDN groups and "Add 3 padding layers, may waste at most 6.25%" as logged (#434); K = 3 adds 3
    // conv-state rows to the GDN page and 3 speculative blocks per request (mamba "align" mode).
    // --kv-cache-memory stands in for the logged "Available KV cache memory: 10.85 GiB".
    const arch = model("nvidia/Qwen3.6-27B-NVFP4");
    const f = { tensorParallelSize: 2, dtype: "float16" as const, kvCacheDtype: "fp8_e5m2" as const, maxModelLen: 262_144, maxNumSeqs: 2, kvCacheMemoryBytes: Math.round(10.85 * 2 ** 30), vllmVersion: "0.23.0" };
    const plan = planDeployment({ model: arch, gpu: gpu("rtx-3090"), flags: flags({ ...f, speculative: { method: "mtp", numSpeculativeTokens: 3 } }) });
    expect(plan.kvCache.groupSize).toBe(17);
    expect(plan.kvCache.tokens).toBe(612_157);
    expect(plan.kvCache.maxConcurrency.toFixed(2)).toBe("2.34");
    // Without the drafter the same memory would report 682,478 tokens: the MTP layer and K are what the log shows.
    expect(planDeployment({ model: arch, gpu: gpu("rtx-3090"), flags: flags(f) }).kvCache.tokens).toBe(682_478);
  });
});

describe("the draft named in --speculative-config is read like --model (src/sources/draft-model.ts)", () => {
  it("resolves a catalog draft offline, and leaves an unreadable one unresolved with a warning", async () => {
    const { resolveDraftModel } = await import("../src/sources/draft-model.js");
    const engineFlags = flags({ speculative: { model: "Qwen/Qwen3-0.6B", numSpeculativeTokens: 4 } });
    expect((await resolveDraftModel(engineFlags, { offline: true, env: {} })).warnings).toEqual([]);
    expect(engineFlags.speculative?.draftModel?.hiddenSize).toBe(1024);
    const g = flags({ speculative: { model: "nobody/no-such-draft-model", numSpeculativeTokens: 4 } });
    const r = await resolveDraftModel(g, { offline: true, env: { HF_HOME: "/nonexistent-vram-plan-test" } });
    expect(g.speculative?.draftModel).toBeUndefined();
    expect(r.warnings[0]).toContain("nobody/no-such-draft-model");
    // MTP and ngram need no draft checkpoint.
    const h = flags({ speculative: { method: "ngram", model: "[ngram]" } });
    await resolveDraftModel(h, { offline: true, env: {} });
    expect(h.speculative?.draftModel).toBeUndefined();
  });
});

describe("EAGLE-3 head from a real drafter config (fixtures/speculative/llama3-8B-eagle3.config.json)", () => {
  it("sizes the head as llama_eagle3.py builds it, embed_tokens shared with Llama-3.1-8B", async () => {
    const { readFileSync } = await import("node:fs");
    const { modelArchFromConfig } = await import("../src/core/architecture.js");
    const config = JSON.parse(readFileSync(new URL("../fixtures/speculative/llama3-8B-eagle3.config.json", import.meta.url), "utf8")) as Record<string, unknown>;
    const draft = modelArchFromConfig("llama3-8B-eagle3", { config });
    const target = model("meta-llama/Llama-3.1-8B-Instruct");
    // vllm/model_executor/models/llama_eagle3.py, H = 4096, bf16 (the target's dtype):
    //   layer 0: qkv_proj over 2H inputs (32 + 2·8)·128 × 8192 = 50,331,648; o_proj 16,777,216;
    //            gate_up 2·14336·4096 = 117,440,512; down 58,720,256; input/post-attention/hidden norms 12,288
    //   fc ReplicatedLinear(3H, H) 50,331,648; final norm 4,096; lm_head over draft_vocab_size 31,960
    //   padded to 32,000 → 131,072,000; embed_tokens shared (same shape as the target's)
    //   → 424,689,664 elements × 2 B = 849,379,328 B
    //   + draft_id_to_target_id int64 × 31,960 = 255,680 B + rotary cache 2,048 × 128 × 2 = 524,288 B.
    const drafter = 849_379_328 + 255_680 + 524_288;
    const f = { vllmVersion: "0.23.0" };
    const base = planDeployment({ model: target, gpu: gpu("h100"), flags: flags(f) });
    const plan = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ ...f, speculative: { method: "eagle3", model: "llama3-8B-eagle3", numSpeculativeTokens: 3, draftModel: draft } }) });
    expect(plan.perGpu[0]!.weightsBytes - base.perGpu[0]!.weightsBytes).toBe(drafter);
    // Its one attention layer (8 KV heads × 128) has the target's page: 32 + 1 layers in one group.
    expect(plan.kvCache.groupSize).toBe(33);
    expect(plan.diagnostics.filter((d) => d.code === "NOT_EXACT")).toEqual([]);
    // Profile run: drafter.dummy_run over N = 8,192 tokens (H100 server default) while the target's hidden states
    // and its 3 auxiliary hidden states stay allocated: 4 × 8,192 × 4,096 × 2 B = 268,435,456 B beyond the text
    // phase (the head's layer has the target's width, so its transient equals the target layer's).
    expect(plan.perGpu[0]!.textPeakBytes - base.perGpu[0]!.textPeakBytes).toBe(268_435_456);
  });
});

describe("DeepSeek MTP (num_nextn_predict_layers, deepseek_mtp.py)", () => {
  it("one MoE layer of the target's kind + eh_proj 2H×H (replicated) + 3 norms + its own shared_head, one more MLA layer in the KV group", async () => {
    const { weightsPerRank } = await import("../src/core/weights.js");
    const arch = model("deepseek-ai/DeepSeek-V3");
    const f = { tensorParallelSize: 8, vllmVersion: "0.23.0", maxModelLen: 32_768 };
    const base = planDeployment({ model: arch, gpu: gpu("h200"), flags: flags(f) });
    const plan = planDeployment({ model: arch, gpu: gpu("h200"), flags: flags({ ...f, speculative: { method: "deepseek_mtp", numSpeculativeTokens: 1 } }) });
    // The decoder layer is the target's last one (MoE, FP8 block-quantized like it): weightsPerRank of a
    // one-layer stage. The rest, H = 7168, bf16, TP 8: eh_proj nn.Linear(2H, H) 2·7168·7168·2 = 205,520,896 B;
    // enorm + hnorm + shared_head.norm 3·7168·2 = 43,008 B; shared_head.head ParallelLMHead
    // 129,280 / 8 × 7168 × 2 = 231,669,760 B → 437,233,664 B.
    const layer = weightsPerRank(arch, { tp: 8, ep: 1, visionReplicated: false, cc: 9 }, arch.numLayers, arch.numLayers - 1, "bfloat16", arch.quant).layers;
    expect(plan.perGpu[0]!.weightsBytes - base.perGpu[0]!.weightsBytes).toBe(Math.round(layer + 437_233_664));
    expect(base.kvCache.groupSize).toBe(61);
    expect(plan.kvCache.groupSize).toBe(62);
  });
});

describe("Nemotron-H MTP (mtp_hybrid_override_pattern, nemotron_h_mtp.py)", () => {
  it("one block per pattern character ('*E': an attention block and an MoE block), eh_proj split by TP, the target's lm_head", async () => {
    const { weightsPerRank } = await import("../src/core/weights.js");
    const arch = model("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8");
    expect(arch.mtp).toEqual({ layers: 1, ownLmHead: true, pattern: "*E" });
    const f = { tensorParallelSize: 4, vllmVersion: "0.23.0" };
    const base = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags(f) });
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ ...f, speculative: { method: "mtp", numSpeculativeTokens: 1 } }) });
    const pattern = arch.blockPattern!;
    const block = (c: string): number => weightsPerRank(arch, { tp: 4, ep: 1, visionReplicated: false, cc: 9 }, arch.numLayers, pattern.lastIndexOf(c), "bfloat16", arch.quant).layers;
    // NemotronHMTP*DecoderLayer: the target's '*' and 'E' blocks; eh_proj ColumnParallelLinear(2H, H) → 2·H·H/4
    // elements; enorm + hnorm + final_layernorm 3·H; bf16.
    const H = arch.hiddenSize;
    expect(plan.perGpu[0]!.weightsBytes - base.perGpu[0]!.weightsBytes).toBe(Math.round(block("*") + block("E") + ((2 * H * H) / 4 + 3 * H) * 2));
    // Its one attention block joins the hybrid model's attention layers (hybrid-kv.ts mtpAttentionLayers).
    expect(arch.hybrid?.mtpAttentionLayers).toBe(1);
    expect(plan.kvCache.groupSize).toBe(base.kvCache.groupSize + 1);
  });
});

// The drafter's attention layers are ordinary layers of the KV-cache config: get_kv_cache_groups
// (vllm/v1/core/kv_cache_utils.py @001cabc1) groups them with the target's (src/core/kv-cache.ts kvGroupLayout).
describe("a drafter's KV layers grouped with the target's as get_kv_cache_groups does", () => {
  it("EAGLE-3 on Gemma-3-27B (fixtures/speculative/gemma3-27b-eagle3.config.json): its full layer joins the 10 full ones, 11 + 52 sliding → 6 groups of 11", async () => {
    const { readFileSync } = await import("node:fs");
    const { modelArchFromConfig } = await import("../src/core/architecture.js");
    const config = JSON.parse(readFileSync(new URL("../fixtures/speculative/gemma3-27b-eagle3.config.json", import.meta.url), "utf8")) as Record<string, unknown>;
    const draft = modelArchFromConfig("gemma3-27b-eagle3", { config });
    const target = model("google/gemma-3-27b-it");
    // Gemma-3-27B: 10 full + 52 sliding-window (1,024) layers, 16 KV heads × 128; the head: one full layer of
    // 16 × 128 (use_sliding_window false) — the target's full spec, so _get_kv_cache_groups_uniform_page_size has
    // buckets full 11, sliding 52: group_size = 11 (52 ≥ 1.5 × 11), 1 + cdiv(52, 11) = 6 groups (3 padding layers).
    // Page 16 × 16 × (2 · 128 · 2 B) = 131,072 B; --kv-cache-memory 11 × 131,072 × 10,000 → 10,000 blocks.
    // One 8,192-token request (2,048 batched tokens): full cdiv(8192, 16) = 512 pages + 5 sliding groups ×
    // (cdiv(min(1023 + 2048, 8192), 16) + 1 = 193) = 1,477 pages → 10,000 / 1,477 = 6.77x; needs 11 × 131,072 × 1,477 B.
    // (Before: every layer summed into one page as if all were full, 1,746 blocks and 3.41x, with a NOT_EXACT.)
    const f = { vllmVersion: "0.23.0", kvCacheMemoryBytes: 11 * 131_072 * 10_000, maxModelLen: 8192, maxNumBatchedTokens: 2048 };
    const plan = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ ...f, speculative: { method: "eagle3", model: "gemma3-27b-eagle3", numSpeculativeTokens: 3, draftModel: draft } }) });
    expect(plan.kvCache).toMatchObject({ pageSizeBytes: 131_072, groupSize: 11, numGroups: 6, numGpuBlocks: 10_000, bytesNeededForMaxModelLen: 11 * 131_072 * 1477 });
    expect(plan.kvCache.maxConcurrency).toBeCloseTo(10_000 / 1477, 12);
    // v0.21+: GPU KV cache size = int(concurrency × max_model_len) = floor(6.7704807 × 8192) = 55,463.
    expect(plan.kvCache.tokens).toBe(55_463);
    // 63 attention layers × 8,192 B per token.
    expect(plan.kvCache.bytesPerToken).toBe(63 * 8192);
    expect(plan.diagnostics.filter((d) => d.code === "NOT_EXACT")).toEqual([]);
  });

  it("Nemotron-NAS heads per layer + a drafter: one UniformTypeKVCacheSpecs page of whole bytes (was 3,584 / 3 B per drafter layer)", async () => {
    const { modelArchFromConfig } = await import("../src/core/architecture.js");
    const base = { architectures: ["DeciLMForCausalLM"], model_type: "nemotron-nas", hidden_size: 1024, num_attention_heads: 8, num_key_value_heads: null, vocab_size: 1000, torch_dtype: "bfloat16", max_position_embeddings: 4096 };
    const block = (group: number) => ({ attention: { no_op: false, n_heads_in_group: group }, ffn: { no_op: false, ffn_mult: 1.0 } });
    // Target: 8 // 4 = 2, 8 // 2 = 4 and 8 // 8 = 1 KV heads × 128 → 2 · 128 · 2 B × (2 + 4 + 1) = 3,584 B per token.
    const nas = modelArchFromConfig("t/mixed", { config: { ...base, num_hidden_layers: 3, block_configs: [block(4), block(2), block(8)] } });
    // Draft: two layers of 2 KV heads (1,024 B each), the shape of the target's first layer.
    const draft = modelArchFromConfig("t/draft", { config: { ...base, num_hidden_layers: 2, block_configs: [block(4), block(4)] } });
    const plan = planDeployment({ model: nas, gpu: gpu("l4"), flags: flags({ kvCacheMemoryBytes: 1024 ** 3, speculative: { method: "draft_model", model: "t/draft", numSpeculativeTokens: 2, draftModel: draft } }) });
    // All five layers full attention with different pages: one group whose page is Σ pages = 16 × (3,584 + 2 × 1,024)
    // = 90,112 B; blocks = 1 GiB // 90,112 = 11,915. (Before: the drafter layers were charged the target's mean
    // 3,584 / 3 = 1,194.67 B per token each — 5,973.33 B per token — and the three-layer summed page 57,344 B was
    // counted as 5 "layers" of a group: 3,744 blocks.)
    expect(plan.kvCache).toMatchObject({ bytesPerToken: 5632, pageSizeBytes: 90_112, groupSize: 1, numGroups: 1, numGpuBlocks: 11_915 });
    expect(Number.isInteger(plan.kvCache.pageSizeBytes)).toBe(true);
  });
});
