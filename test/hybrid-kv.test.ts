import { readFileSync } from "node:fs";
import { kvCacheFormat } from "../src/core/kv-cache.js";
import { describe, expect, it } from "vitest";
import {
  hybridAlignBlockSize,
  hybridAttentionBlockSize,
  hybridAttnBytesPerToken,
  hybridFactsFromConfig,
  hybridGroups,
  hybridKvPlan,
  hybridRules,
  mambaStatePageBytes,
  mambaStateShapes,
  hybridIndivisibleByTp,
  resolveMambaCacheMode,
  resolveMambaStateDtypes,
  type HybridConfigFacts,
  type HybridKvInput,
} from "../src/core/hybrid-kv.js";

const GiB = 1024 ** 3;
const load = (p: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../${p}`, import.meta.url), "utf8")) as Record<string, unknown>;
const facts = (p: string): HybridConfigFacts => {
  const f = hybridFactsFromConfig(load(p));
  if (!f) throw new Error(`not hybrid: ${p}`);
  return f;
};

interface LogCase {
  id: string;
  log: Record<string, number | string>;
  [k: string]: unknown;
}
const fixture = load("fixtures/hybrid/logs.json") as { cases: LogCase[] };
const logCase = (id: string): LogCase => {
  const c = fixture.cases.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return c;
};

/**
 * Byte counts to try for a logged "%.2f GiB": the printed value itself, and the whole ±0.005 GiB
 * interval when `wholeRange` (only when that interval maps to one block count).
 */
function gibRange(gib: number, wholeRange = true): number[] {
  const mid = Math.round(gib * GiB);
  return wholeRange ? [Math.ceil((gib - 0.005) * GiB), mid, Math.floor((gib + 0.005) * GiB - 1)] : [mid];
}

/** Build the whole hybrid plan from a config and serving flags, the way the lead will. */
function planFor(opts: {
  config: string;
  tp: number;
  modelDtypeBytes: number;
  kvBytes: number;
  maxModelLen: number;
  maxNumSeqs: number;
  availableBytes: number;
  prefixCaching: boolean;
  numSpec?: number;
  mtpAttentionLayers?: number;
  version: string;
}): { block: ReturnType<typeof hybridAlignBlockSize>; plan: ReturnType<typeof hybridKvPlan>; mambaPage: number } {
  const hybrid = facts(opts.config);
  const numSpec = opts.numSpec ?? 0;
  const dt = resolveMambaStateDtypes({ family: hybrid.family, modelDtypeBytes: opts.modelDtypeBytes, configSsmDtype: hybrid.configSsmDtype });
  const mambaPage = mambaStatePageBytes(hybrid.mamba, opts.tp, dt, numSpec);
  const attn = hybridAttnBytesPerToken(hybrid.numKvHeads, hybrid.headDim, opts.tp, opts.kvBytes);
  const mode = resolveMambaCacheMode({ prefixCaching: opts.prefixCaching, supportsMambaPrefixCaching: hybrid.supportsMambaPrefixCaching, speculative: numSpec > 0, version: opts.version });
  const block = hybridAlignBlockSize(attn, mambaPage, 16, { version: opts.version, mambaCacheMode: mode, mambaChunkSize: hybrid.mamba.kind === "mamba2" ? hybrid.mamba.chunkSize : undefined });
  const input: HybridKvInput = {
    attentionLayers: hybrid.attentionLayers + (opts.mtpAttentionLayers ?? 0),
    mambaLayers: hybrid.mambaLayers,
    attnBytesPerTokenPerLayer: attn,
    mambaPageBytes: mambaPage,
    blockSize: block.blockSize,
    availableBytes: opts.availableBytes,
    maxModelLen: opts.maxModelLen,
    maxNumSeqs: opts.maxNumSeqs,
    mambaCacheMode: mode,
    numSpeculativeTokens: numSpec,
    version: opts.version,
  };
  return { block, plan: hybridKvPlan(input), mambaPage };
}

describe("config facts", () => {
  it("Qwen3-Next-80B: 12 full + 36 GDN from full_attention_interval (no layer_types key)", () => {
    const f = facts("src/data/models/Qwen__Qwen3-Next-80B-A3B-Thinking.json");
    expect(f).toMatchObject({ family: "qwen3_next", attentionLayers: 12, mambaLayers: 36, numKvHeads: 2, headDim: 256, configSsmDtype: undefined, supportsMambaPrefixCaching: false });
    expect(f.mamba).toEqual({ kind: "gdn", numKHeads: 16, numVHeads: 32, headKDim: 128, headVDim: 128, convKernel: 4 });
  });
  it("Qwen3.5-27B: text_config nesting, 16 full + 48 GDN, mamba_ssm_dtype float32, 1 MTP layer", () => {
    const f = facts("src/data/models/Qwen__Qwen3.5-27B.json");
    expect(f).toMatchObject({ family: "qwen3_5", attentionLayers: 16, mambaLayers: 48, mtpAttentionLayers: 1, numKvHeads: 4, headDim: 256, configSsmDtype: "float32" });
  });
  it("Nemotron-3-Nano: hybrid_override_pattern M / * counts, mamba2 facts", () => {
    const f = facts("src/data/models/nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json");
    expect(f).toMatchObject({ family: "nemotron_h", attentionLayers: 6, mambaLayers: 23, numKvHeads: 2, headDim: 128, configSsmDtype: "float32", supportsMambaPrefixCaching: true });
    expect(f.mamba).toEqual({ kind: "mamba2", numHeads: 64, headDim: 64, nGroups: 8, stateSize: 128, convKernel: 4, chunkSize: 128 });
  });
  it("non-hybrid config → undefined", () => {
    expect(hybridFactsFromConfig({ model_type: "llama", num_hidden_layers: 32 })).toBeUndefined();
  });
});

describe("state dtypes (MambaStateDtypeCalculator + family config hooks)", () => {
  it("Qwen3-Next: ssm follows the model dtype", () => {
    expect(resolveMambaStateDtypes({ family: "qwen3_next", modelDtypeBytes: 2 })).toEqual({ convBytes: 2, ssmBytes: 2 });
  });
  it("Qwen3.5: auto → text_config.mamba_ssm_dtype", () => {
    expect(resolveMambaStateDtypes({ family: "qwen3_5", modelDtypeBytes: 2, configSsmDtype: "float32" })).toEqual({ convBytes: 2, ssmBytes: 4 });
    expect(resolveMambaStateDtypes({ family: "qwen3_5", modelDtypeBytes: 2, configSsmDtype: "float32", mambaSsmCacheDtype: "bfloat16" })).toEqual({ convBytes: 2, ssmBytes: 2 });
  });
  it("Nemotron-H: auto → config mamba_ssm_cache_dtype, default float32", () => {
    expect(resolveMambaStateDtypes({ family: "nemotron_h", modelDtypeBytes: 2 })).toEqual({ convBytes: 2, ssmBytes: 4 });
    expect(resolveMambaStateDtypes({ family: "nemotron_h", modelDtypeBytes: 2, configSsmDtype: "bfloat16" })).toEqual({ convBytes: 2, ssmBytes: 2 });
  });
  it("mamba_cache_dtype sets conv (and ssm when ssm is auto and family has no default)", () => {
    expect(resolveMambaStateDtypes({ family: "qwen3_next", modelDtypeBytes: 2, mambaCacheDtype: "float32" })).toEqual({ convBytes: 4, ssmBytes: 4 });
  });
});

describe("Qwen3-Next-80B-A3B by hand", () => {
  // conv_dim = 128·16·2 + 128·32 = 8192; conv (3, 8192) bf16 = 49,152 B
  // temporal (32, 128, 128) bf16 = 1,048,576 B → page 1,097,728 B
  // attention: 2 · 2 kv heads · 256 · 2 B = 2048 B/token
  // block = 16 · cdiv(1,097,728, 16·2048) = 16 · 34 = 544; page 544·2048 = 1,114,112 (+1.49%)
  const hybrid = facts("src/data/models/Qwen__Qwen3-Next-80B-A3B-Thinking.json");
  const dt = resolveMambaStateDtypes({ family: hybrid.family, modelDtypeBytes: 2, configSsmDtype: hybrid.configSsmDtype });
  it("state shapes and page", () => {
    expect(mambaStateShapes(hybrid.mamba, 1)).toEqual({ conv: [3, 8192], ssm: [32, 128, 128] });
    expect(mambaStatePageBytes(hybrid.mamba, 1, dt)).toBe(1_097_728);
    expect(mambaStatePageBytes(hybrid.mamba, 4, dt)).toBe(1_097_728 / 4);
    // MTP adds conv rows: +1 row of 8192 bf16 per speculative token
    expect(mambaStatePageBytes(hybrid.mamba, 1, dt, 2)).toBe(1_097_728 + 2 * 16_384);
  });
  it("block size 544 and padding", () => {
    const attn = hybridAttnBytesPerToken(2, 256, 1, 2);
    expect(attn).toBe(2048);
    const block = hybridAlignBlockSize(attn, 1_097_728, 16);
    expect(block).toMatchObject({ blockSize: 544, raised: true, pageBytes: 1_114_112, mambaBlockSize: undefined });
    expect(block.mambaPaddingPct.toFixed(2)).toBe("1.49");
    expect(hybridAttentionBlockSize(attn, 1_097_728, 16, "0.10.2")).toBe(544);
  });
  it("plan at 40 GiB, 262,144 tokens, mode none", () => {
    // group_size: min 12, max 36 ≥ 18 → 12; groups 1 full + 3 GDN = 4, no padding
    // num_blocks = 40 GiB // 1,114,112 // 12 = 38,550 // 12 = 3,212
    // per request: cdiv(262144, 544) = 482 + 3 · 1 = 485 → 3212/485 = 6.6227x
    // tokens (old) = 3212 // 4 · 544 = 803 · 544 = 436,832; (new) int(3212/485 · 262144) = 1,736,095
    const hybridPlan = hybridKvPlan({ attentionLayers: 12, mambaLayers: 36, attnBytesPerTokenPerLayer: 2048, mambaPageBytes: 1_097_728, blockSize: 544, availableBytes: 40 * GiB, maxModelLen: 262_144, maxNumSeqs: 256, version: "0.20.0" });
    expect(hybridPlan).toMatchObject({ pageSize: 1_114_112, groupSize: 12, numGroups: 4, attentionGroups: 1, mambaGroups: 3, paddingLayers: 0, numGpuBlocks: 3212, blocksPerRequest: 485, tokens: 436_832, fitsMaxModelLen: true, mambaSlotsOk: true, startupError: undefined });
    expect(hybridPlan.maxConcurrency.toFixed(2)).toBe("6.62");
    expect(hybridPlan.bytesNeededForMaxModelLen).toBe(12 * 1_114_112 * 485);
    const q = hybridKvPlan({ attentionLayers: 12, mambaLayers: 36, attnBytesPerTokenPerLayer: 2048, mambaPageBytes: 1_097_728, blockSize: 544, availableBytes: 40 * GiB, maxModelLen: 262_144, maxNumSeqs: 256, version: "0.24.0" });
    expect(q.tokens).toBe(Math.trunc((3212 / 485) * 262_144));
    expect(q.tokens).toBe(1_736_095);
  });
});

describe("Qwen3.5-27B by hand", () => {
  // conv_dim = 128·16·2 + 128·48 = 10,240; conv (3, 10240) bf16 = 61,440
  // temporal (48,128,128) float32 (mamba_ssm_dtype) = 3,145,728 → page 3,207,168
  const hybrid = facts("src/data/models/Qwen__Qwen3.5-27B.json");
  const dt = resolveMambaStateDtypes({ family: hybrid.family, modelDtypeBytes: 2, configSsmDtype: hybrid.configSsmDtype });
  const page = mambaStatePageBytes(hybrid.mamba, 1, dt);
  it("page and block sizes for bf16 / fp8 KV, TP1 / TP2", () => {
    expect(page).toBe(3_207_168);
    // bf16: 2·4·256·2 = 4096 B/token → 16·cdiv(3,207,168, 65,536) = 16·49 = 784
    expect(hybridAttentionBlockSize(hybridAttnBytesPerToken(4, 256, 1, 2), page)).toBe(784);
    // fp8: 2048 B/token → 16·cdiv(3,207,168, 32,768) = 16·98 = 1568
    expect(hybridAttentionBlockSize(hybridAttnBytesPerToken(4, 256, 1, 1), page)).toBe(1568);
    // TP2 fp8: attn 1024, page 1,603,584 → 16·cdiv(1,603,584, 16,384) = 16·98 = 1568
    const page2 = mambaStatePageBytes(hybrid.mamba, 2, dt);
    expect(page2).toBe(1_603_584);
    expect(hybridAttentionBlockSize(hybridAttnBytesPerToken(4, 256, 2, 1), page2)).toBe(1568);
  });
  it("a user --block-size above the minimum raises the alignment (2026 rule) but not in 2025", () => {
    // 2026: align = max(16, 32) = 32 → 32·cdiv(3,207,168, 32·4096) = 32·25 = 800
    expect(hybridAttentionBlockSize(4096, page, 32, "0.24.0")).toBe(800);
    // 2025: 16·49 = 784 > 32 → 784
    expect(hybridAttentionBlockSize(4096, page, 32, "0.10.2")).toBe(784);
    // user block already larger than needed: kept
    expect(hybridAlignBlockSize(4096, page, 1024, { version: "0.10.2" })).toMatchObject({ blockSize: 1024, raised: false });
  });
  it("MTP drafter: 17 attention vs 48 GDN → group 17, 3 padding layers (6.25%)", () => {
    const g = hybridGroups(hybrid.attentionLayers + hybrid.mtpAttentionLayers, hybrid.mambaLayers);
    expect(g.groupSize).toBe(17);
    expect(g.mambaGroups).toBe(3);
    expect(g.paddingWarnings).toEqual([{ layers: 3, pct: 6.25 }]);
    const testCase = logCase("qwen3.6-27b-tp2-mtp-club3090-434");
    expect(g.paddingWarnings[0]?.layers).toBe(testCase.log["padding_layers"]);
    expect(g.paddingWarnings[0]?.pct.toFixed(2)).toBe(testCase.log["padding_pct"]);
  });
});

describe("Nemotron-3-Nano-30B-A3B by hand", () => {
  // intermediate = 64·64 = 4096; conv_dim = 4096 + 2·8·128 = 6144; conv (3, 6144) bf16 = 36,864
  // temporal (64, 64, 128) float32 = 2,097,152 → page 2,134,016
  // attention 2·2·128·2 = 1024 B/token → none: 16·cdiv(2,134,016, 16,384) = 16·131 = 2096
  // "all" (prefix caching; Nemotron-H supports it): cdiv(2,134,016, 1024) = 2084 tokens,
  //   chunk lcm(128, 16) = 128 → 128·cdiv(2084, 128) = 128·17 = 2176
  const hybrid = facts("src/data/models/nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json");
  const dt = resolveMambaStateDtypes({ family: hybrid.family, modelDtypeBytes: 2, configSsmDtype: hybrid.configSsmDtype });
  it("page, block sizes", () => {
    expect(mambaStateShapes(hybrid.mamba, 1)).toEqual({ conv: [3, 6144], ssm: [64, 64, 128] });
    expect(mambaStatePageBytes(hybrid.mamba, 1, dt)).toBe(2_134_016);
    expect(hybridAttentionBlockSize(1024, 2_134_016)).toBe(2096);
    const all = hybridAlignBlockSize(1024, 2_134_016, 16, { mambaCacheMode: "all", mambaChunkSize: 128 });
    expect(all).toMatchObject({ blockSize: 2176, mambaBlockSize: 2176, pageBytes: 2176 * 1024 });
  });
  it("n_groups padded to tp when not divisible (extra_groups_for_head_shards)", () => {
    // TP16 over 8 groups → 16 groups: conv_dim = 4096 + 2·16·128 = 8192 → /16 = 512
    expect(mambaStateShapes(hybrid.mamba, 16).conv).toEqual([3, 512]);
    expect(mambaStateShapes(hybrid.mamba, 4).conv).toEqual([3, 1536]);
  });
  it("groups: 6 attention vs 23 mamba → group 6, 4 mamba groups, 1 padding layer", () => {
    expect(hybridGroups(6, 23)).toEqual({ groupSize: 6, attentionGroups: 1, mambaGroups: 4, paddingWarnings: [{ layers: 1, pct: (1 / 23) * 100 }] });
  });
  it("plan at 20 GiB, 262,144 tokens, prefix caching → 'all' mode", () => {
    const mode = resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: true, speculative: false });
    expect(mode).toBe("all");
    // page 2176·1024 = 2,228,224; num_blocks = 20 GiB // page // 6 = 9637 // 6 = 1606
    // per request: 1 · cdiv(262144, 2176) + 4 · cdiv(262144, 2176) = 5 · 121 = 605 → 2.65x
    const hybridPlan = hybridKvPlan({ attentionLayers: 6, mambaLayers: 23, attnBytesPerTokenPerLayer: 1024, mambaPageBytes: 2_134_016, blockSize: 2176, availableBytes: 20 * GiB, maxModelLen: 262_144, maxNumSeqs: 256, mambaCacheMode: "all" });
    expect(hybridPlan).toMatchObject({ numGpuBlocks: 1606, blocksPerRequest: 605, paddingLayers: 1, mambaSlotsOk: true });
    expect(hybridPlan.maxConcurrency.toFixed(2)).toBe("2.65");
  });
});

describe("real logs (fixtures/hybrid/logs.json)", () => {
  it("Qwen3.6-35B-A3B v0.24.0, fp8 KV, align, 131,072: #652 and #612", () => {
    for (const id of ["qwen3.6-35b-a3b-v0.24.0-club3090-652", "qwen3.6-35b-a3b-v0.24.0-club3090-612"]) {
      const testCase = logCase(id);
      // 0.01 GiB ≈ 5 blocks of 2 MiB here, so only the printed value is pinned
      for (const availableBytes of gibRange(Number(testCase.log["available_kv_gib"]), false)) {
        const { block, plan, mambaPage } = planFor({ config: "src/data/models/Qwen__Qwen3.6-35B-A3B.json", tp: 1, modelDtypeBytes: 2, kvBytes: 1, maxModelLen: 131_072, maxNumSeqs: 1, availableBytes, prefixCaching: true, version: "0.24.0" });
        // GDN page: conv 3·8192·2 + temporal 32·128·128·4 = 2,146,304 = 131 · 16 · 1024 exactly → block 2096, no padding
        expect(mambaPage).toBe(2_146_304);
        expect(block).toMatchObject({ blockSize: 2096, mambaPaddingPct: 0, mambaBlockSize: 2096 });
        // 10 full + 30 GDN → group 10, 4 groups; per request 63 + 3·2 (align) = 69
        expect(plan).toMatchObject({ groupSize: 10, numGroups: 4, blocksPerRequest: 69, tokens: testCase.log["tokens"] });
        expect(plan.maxConcurrency.toFixed(2)).toBe(testCase.log["max_concurrency"]);
      }
    }
  });

  it("Qwen3.6-27B TP2 fp8_e5m2 + MTP(3), 262,144 (#487): 612,157 tokens, 2.34x", () => {
    const testCase = logCase("qwen3.6-27b-tp2-mtp3-club3090-487");
    for (const availableBytes of gibRange(Number(testCase.log["available_kv_gib"]))) {
      const { block, plan, mambaPage } = planFor({ config: "src/data/models/nvidia__Qwen3.6-27B-NVFP4.json", tp: 2, modelDtypeBytes: 2, kvBytes: 1, maxModelLen: 262_144, maxNumSeqs: 2, availableBytes, prefixCaching: true, numSpec: 3, mtpAttentionLayers: 1, version: "0.21.0" });
      // conv (3+3, 5120) fp16 = 61,440 + temporal (24,128,128) f32 = 1,572,864 → 1,634,304
      expect(mambaPage).toBe(1_634_304);
      expect(block.blockSize).toBe(1600);
      // 17 attention (16 + MTP) vs 48 GDN → group 17; per request 164 + 3·(2+3) = 179
      expect(plan).toMatchObject({ groupSize: 17, numGpuBlocks: 418, blocksPerRequest: 179, tokens: testCase.log["tokens"] });
      expect(plan.maxConcurrency.toFixed(2)).toBe(testCase.log["max_concurrency"]);
    }
  });

  it("Qwen3.6-27B v0.20.0 fp8, 32,768 (old token formula): block 1568, 0.13%, 53,312 tokens, 5.15x", () => {
    const testCase = logCase("qwen3.6-27b-nvfp4-v0.20.0-fp8-32k");
    for (const availableBytes of gibRange(Number(testCase.log["available_kv_gib"]))) {
      const { block, plan } = planFor({ config: "src/data/models/nvidia__Qwen3.6-27B-NVFP4.json", tp: 1, modelDtypeBytes: 2, kvBytes: 1, maxModelLen: 32_768, maxNumSeqs: 256, availableBytes, prefixCaching: true, version: "0.20.0" });
      expect(block.blockSize).toBe(testCase.log["block_size"]);
      expect(block.mambaPaddingPct.toFixed(2)).toBe(testCase.log["padding_pct"]);
      // 139 blocks: 139 // 4 · 1568 = 53,312; per request 21 + 3·2 = 27 → 5.15x
      expect(plan).toMatchObject({ numGpuBlocks: 139, blocksPerRequest: 27, tokens: testCase.log["tokens"] });
      expect(plan.maxConcurrency.toFixed(2)).toBe(testCase.log["max_concurrency"]);
      // the same startup with default max_num_seqs would fail on v0.19+ with FULL graphs (eager here)
      expect(plan.mambaSlotsOk).toBe(false);
    }
  });

  it("Qwen3.5-27B 0.18.1 bf16, 32,768: block 784, 141 blocks, 27,440 tokens, capture cap 256 → 136", () => {
    const testCase = logCase("qwen3.5-27b-0.18.1-fork-bf16-32k");
    const sizes = [1, 2, 4, ...Array.from({ length: 32 }, (_, i) => 8 * (i + 1))]; // 1,2,4,8..256
    for (const availableBytes of gibRange(Number(testCase.log["available_kv_gib"]))) {
      const hybrid = facts("src/data/models/Qwen__Qwen3.5-27B.json");
      const dt = resolveMambaStateDtypes({ family: hybrid.family, modelDtypeBytes: 2, configSsmDtype: hybrid.configSsmDtype });
      const page = mambaStatePageBytes(hybrid.mamba, 1, dt);
      const blockSize = hybridAttentionBlockSize(4096, page, 16, "0.18.1");
      expect(blockSize).toBe(testCase.log["block_size"]);
      const hybridPlan = hybridKvPlan({ attentionLayers: 16, mambaLayers: 48, attnBytesPerTokenPerLayer: 4096, mambaPageBytes: page, blockSize, availableBytes, maxModelLen: 32_768, maxNumSeqs: 256, version: "0.18.1", captureSizes: sizes });
      expect(hybridPlan.numGpuBlocks).toBe(testCase.log["cap_blocks"]);
      expect(hybridPlan.tokens).toBe(testCase.log["tokens"]);
      expect(hybridPlan.cappedMaxCaptureSize).toBe(testCase.log["cap_to"]);
      expect(hybridPlan.startupError).toBeUndefined();
    }
  });

  it("Qwen3.8-27B-FP8 TP2 (mitchross #1995): block 1568; 208 blocks ↔ 302,921 tokens, 2.31x", () => {
    const testCase = logCase("qwen3.8-27b-fp8-tp2-mitchross-1995");
    // available KV not printed: take the block count the two printed numbers imply
    const { block, plan } = planFor({ config: "src/data/models/nvidia__Qwen3.6-27B-NVFP4.json", tp: 2, modelDtypeBytes: 2, kvBytes: 1, maxModelLen: 131_072, maxNumSeqs: 3, availableBytes: 208 * 16 * 1568 * 1024, prefixCaching: true, version: "0.27.0" });
    expect(block.blockSize).toBe(testCase.log["block_size"]);
    expect(plan).toMatchObject({ numGpuBlocks: 208, blocksPerRequest: 90, tokens: testCase.log["tokens"] });
    expect(plan.maxConcurrency.toFixed(2)).toBe(testCase.log["max_concurrency"]);
    // PR text: a 262,144-token request needs ceil(262144/1568) = 168 attention blocks
    expect(Math.ceil(262_144 / block.blockSize)).toBe(168);
  });

  it("HyperQwen table: block sizes and padding with draft tokens and int8_per_token_head", () => {
    const c = fixture.cases.find((x) => x.id === "hyperqwen-block-table") as unknown as {
      attn_bytes_per_token: Record<string, number>;
      rows: { kv: string; drafts: number; block_size: number; padding_pct: string }[];
    };
    const hybrid = facts("src/data/models/nvidia__Qwen3.6-27B-NVFP4.json");
    const dt = resolveMambaStateDtypes({ family: hybrid.family, modelDtypeBytes: 2, mambaSsmCacheDtype: "bfloat16" });
    expect(mambaStatePageBytes(hybrid.mamba, 1, dt)).toBe(1_634_304);
    expect(mambaStatePageBytes(hybrid.mamba, 1, dt, 1) - mambaStatePageBytes(hybrid.mamba, 1, dt)).toBe(20_480);
    expect(hybridAttnBytesPerToken(4, 256, 1, kvCacheFormat("int8_per_token_head", "bfloat16"))).toBe(c.attn_bytes_per_token["int8_per_token_head"]);
    for (const row of c.rows) {
      const attn = c.attn_bytes_per_token[row.kv] ?? 0;
      const block = hybridAlignBlockSize(attn, mambaStatePageBytes(hybrid.mamba, 1, dt, row.drafts), 16, { version: "0.28.0", mambaCacheMode: "align" });
      expect(block.blockSize).toBe(row.block_size);
      expect(block.mambaPaddingPct.toFixed(2)).toBe(row.padding_pct);
    }
  });
});

describe("mamba slots vs max_num_seqs", () => {
  const base: HybridKvInput = { attentionLayers: 16, mambaLayers: 48, attnBytesPerTokenPerLayer: 4096, mambaPageBytes: 3_207_168, blockSize: 784, availableBytes: 0, maxModelLen: 262_144, maxNumSeqs: 1024, numGpuBlocksOverride: 856 };
  it("v0.19+ raises the exact ValueError (recipes#551 text)", () => {
    const hybridPlan = hybridKvPlan({ ...base, version: "0.25.1" });
    const c = logCase("mamba-slot-errors") as unknown as { raw: string[] };
    expect(`ValueError: ${hybridPlan.startupError ?? ""}`).toBe(c.raw[0]);
    expect(hybridPlan.mambaSlotsOk).toBe(false);
  });
  it("no error with --enforce-eager, or max_num_seqs within the pool", () => {
    expect(hybridKvPlan({ ...base, version: "0.25.1", fullCudagraphs: false }).startupError).toBeUndefined();
    expect(hybridKvPlan({ ...base, version: "0.25.1", maxNumSeqs: 856 }).startupError).toBeUndefined();
  });
  it("v0.17-v0.18 caps capture sizes instead; older versions do neither", () => {
    const sizes = [1, 2, 4, ...Array.from({ length: 64 }, (_, i) => 8 * (i + 1))];
    expect(hybridKvPlan({ ...base, numGpuBlocksOverride: 99, version: "0.18.0", captureSizes: sizes }).cappedMaxCaptureSize).toBe(96);
    const old = hybridKvPlan({ ...base, numGpuBlocksOverride: 99, version: "0.16.0", captureSizes: sizes });
    expect(old.cappedMaxCaptureSize).toBeUndefined();
    expect(old.startupError).toBeUndefined();
  });
});

describe("max-model-len check and estimate", () => {
  it("too little memory → estimated max length from the binary search", () => {
    // Qwen3.5-27B bf16: page 3,211,264, group 16; 64 blocks · 16 · page available
    const avail = 64 * 16 * 3_211_264;
    const hybridPlan = hybridKvPlan({ attentionLayers: 16, mambaLayers: 48, attnBytesPerTokenPerLayer: 4096, mambaPageBytes: 3_207_168, blockSize: 784, availableBytes: avail, maxModelLen: 262_144, maxNumSeqs: 1, fullCudagraphs: false });
    expect(hybridPlan.fitsMaxModelLen).toBe(false);
    // need attn blocks + 3 mamba ≤ 64 → 61 attention blocks → 61·784 = 47,824 tokens
    expect(hybridPlan.estimatedMaxModelLen).toBe(47_824);
    expect(hybridPlan.bytesNeededForMaxModelLen).toBe(16 * 3_211_264 * (335 + 3));
  });
  it("no memory → 0", () => {
    const p = hybridKvPlan({ attentionLayers: 16, mambaLayers: 48, attnBytesPerTokenPerLayer: 4096, mambaPageBytes: 3_207_168, blockSize: 784, availableBytes: 0, maxModelLen: 4096, maxNumSeqs: 1 });
    expect(p).toMatchObject({ fitsMaxModelLen: false, estimatedMaxModelLen: 0, numGpuBlocks: 0 });
  });
  it("mode 'none' with max_model_len below the block: token report uses min block = max_model_len (old formula)", () => {
    const p = hybridKvPlan({ attentionLayers: 16, mambaLayers: 48, attnBytesPerTokenPerLayer: 4096, mambaPageBytes: 3_207_168, blockSize: 784, availableBytes: 100 * 16 * 3_211_264, maxModelLen: 512, maxNumSeqs: 1, version: "0.20.0" });
    expect(p.tokens).toBe(Math.floor(100 / 4) * 512);
  });
});

describe("rules by version", () => {
  it("eras", () => {
    // toMatchObject: a new hybrid rule adds a field, and its test goes in test/versions.test.ts
    // (docs/architecture.md, "a per-release rule"), not here too.
    expect(hybridRules("0.10.2")).toMatchObject({ prefixCachingAllowed: false, hasAlignMode: false, kernelAlignment: false, tokensFromConcurrency: false, mambaSlotCheck: "none" });
    expect(hybridRules("0.18.1").mambaSlotCheck).toBe("cap");
    expect(hybridRules("0.20.0")).toMatchObject({ hasAlignMode: true, tokensFromConcurrency: false, mambaSlotCheck: "raise" });
    expect(hybridRules("0.24.0").tokensFromConcurrency).toBe(true);
  });
  it("cache-mode resolution (MambaModelConfig)", () => {
    expect(resolveMambaCacheMode({ prefixCaching: false, supportsMambaPrefixCaching: true, speculative: false })).toBe("none");
    expect(resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: false, speculative: false })).toBe("align");
    expect(resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: true, speculative: true })).toBe("align");
    expect(resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: false, speculative: false, requested: "all" })).toBe("align");
    expect(resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: true, speculative: false, version: "0.10.2" })).toBe("none");
    expect(resolveMambaCacheMode({ prefixCaching: true, supportsMambaPrefixCaching: true, speculative: false, version: "0.12.0" })).toBe("all");
  });
  it("2025 'all' layout rounds to chunk_size without lcm", () => {
    expect(hybridAlignBlockSize(1024, 2_134_016, 16, { version: "0.12.0", mambaCacheMode: "all", mambaChunkSize: 256 }).blockSize).toBe(2304);
    // 2026: lcm(256, 16) = 256 → same here; with a 48-token user block: lcm(256, 48) = 768 → 768·cdiv(2084, 768) = 2304
    expect(hybridAlignBlockSize(1024, 2_134_016, 48, { version: "0.24.0", mambaCacheMode: "all", mambaChunkSize: 256 }).blockSize).toBe(2304);
  });
  it("tp must divide GDN heads: reported, not thrown (the core never throws on user input)", () => {
    const hybrid = facts("src/data/models/Qwen__Qwen3-Next-80B-A3B-Thinking.json");
    // conv_dim = 128·16·2 + 128·32 = 8192; 8192 % 3 ≠ 0; value heads 32 % 64 ≠ 0 (conv_dim 8192 % 64 = 0).
    expect(hybridIndivisibleByTp(hybrid.mamba, 3)).toEqual({ what: "GDN conv_dim", n: 8192 });
    expect(hybridIndivisibleByTp(hybrid.mamba, 64)).toEqual({ what: "linear_num_value_heads", n: 32 });
    expect(hybridIndivisibleByTp(hybrid.mamba, 4)).toBeNull();
    expect(() => mambaStateShapes(hybrid.mamba, 3)).not.toThrow();
  });
});
