import { describe, expect, it } from "vitest";
import { kvBytesPerTokenPerLayer, kvCacheFormat, kvLayout } from "../src/core/kv-cache.js";
import { KV_CACHE_DTYPES, kvFormat, kvHeadTokenBytes, kvMlaTokenBytes, turboquantSlotBytes } from "../src/core/kv-dtypes.js";
import { hybridAttnBytesPerToken } from "../src/core/hybrid-kv.js";
import { planDeployment } from "../src/core/plan.js";
import { KV_CACHE_DTYPES as TABLE_CHOICES, VLLM_ARGS } from "../src/core/vllm-args.js";
import { flags, gpu, model } from "./helpers/models.js";

// Every --kv-cache-dtype value, sized from vLLM's page arithmetic (vllm/v1/kv_cache_interface.py
// AttentionSpec.page_size_bytes, FullAttentionSpec.real_page_size_bytes with nvfp4_kv_cache_full_dim,
// TQFullAttentionSpec + turboquant/config.py slot_size_aligned, MLAAttentionSpec "fp8_ds_mla" = 656 B).
//
// Llama-3.1-8B: 32 layers × 8 KV heads × head_dim 128, block 16, TP 1. Per head per token (K + V):
//   bfloat16              2·128·2                = 512 B  → 8 heads: 4,096 B/layer; page 16·4,096 = 65,536
//   int8/fp8_per_token_head 2·128·1 + 2·4 (fp32 K/V scale) = 264 B → 2,112 B/layer; page 33,792
//     (= real page 2·16·8·128·1 = 32,768 + scales 2·16·8·4 = 1,024, AttentionSpec.page_size_bytes)
//   int4_per_token_head   2·64 + 2·4             = 136 B  → 1,088 B/layer; page 17,408
//   nvfp4 / nvfp4_4over6  2·(128/2 + 128/16)     = 144 B  → 1,152 B/layer; page 18,432
//   turboquant_k8v4       K 128 (fp8) + V ⌈128·4/8⌉+4 = 68 → slot 196 → 1,568 B/layer
//   turboquant_4bit_nc    K ⌈128·4/8⌉+2 = 66 + V 68      → 134 → 1,072 B/layer
//   turboquant_k3v4_nc    K ⌈128·3/8⌉+2 = 50 + V 68      → 118 →   944 B/layer
//   turboquant_3bit_nc    K 50 + V ⌈128·3/8⌉+4 = 52      → 102 →   816 B/layer
describe("--kv-cache-dtype page sizes (Llama-3.1-8B, 32 × 8 KV heads × 128)", () => {
  const arch = model("meta-llama/Meta-Llama-3.1-8B");
  const perLayer = (d: (typeof KV_CACHE_DTYPES)[number], tp = 1): number => kvBytesPerTokenPerLayer(arch, tp, kvCacheFormat(d, "bfloat16"));

  it("sizes each value's bytes per token per layer as the page arithmetic does", () => {
    expect(perLayer("auto")).toBe(4096);
    expect(perLayer("bfloat16")).toBe(4096);
    expect(perLayer("fp8")).toBe(2048);
    expect(perLayer("fp8_e5m2")).toBe(2048);
    expect(perLayer("fp8_inc")).toBe(2048);
    expect(perLayer("int8_per_token_head")).toBe(2112);
    expect(perLayer("fp8_per_token_head")).toBe(2112);
    expect(perLayer("int4_per_token_head")).toBe(1088);
    expect(perLayer("nvfp4")).toBe(1152);
    expect(perLayer("nvfp4_4over6")).toBe(1152);
    expect(perLayer("turboquant_k8v4")).toBe(1568);
    expect(perLayer("turboquant_4bit_nc")).toBe(1072);
    expect(perLayer("turboquant_k3v4_nc")).toBe(944);
    expect(perLayer("turboquant_3bit_nc")).toBe(816);
  });

  it("gives the page and the whole-model bytes per token (32 layers, one group)", () => {
    const lay = kvLayout(arch, arch.layers, 1, kvCacheFormat("int8_per_token_head", "bfloat16"), 16);
    expect(lay.pageSize).toBe(33_792);
    expect(lay.bytesPerToken).toBe(32 * 2112);
    const nv = kvLayout(arch, arch.layers, 1, kvCacheFormat("nvfp4", "bfloat16"), 16);
    expect(nv.pageSize).toBe(18_432);
    expect(nv.bytesPerToken).toBe(36_864);
  });

  it("splits the scales with the heads over TP (4 KV heads per rank at TP 2)", () => {
    expect(perLayer("int8_per_token_head", 2)).toBe(4 * 264);
    expect(perLayer("nvfp4", 2)).toBe(4 * 144);
  });

  it("TurboQuant slot sizes match the Ascend test's 134 B for 4bit_nc at head 128", () => {
    expect(turboquantSlotBytes("turboquant_4bit_nc", 128)).toBe(134);
    // head_dim 64, 3-bit keys: K ⌈192/8⌉+2 = 26, V 3-bit ⌈192/8⌉+4 = 28 → 54 (already even).
    expect(turboquantSlotBytes("turboquant_3bit_nc", 64)).toBe(54);
  });
});

describe("hybrid (GDN) pages use the same arithmetic", () => {
  it("Qwen3-Next attention bytes per token: 2 KV heads × 256 with per-token-head scales", () => {
    // 2 heads · (2·256·1 + 2·4) = 1,040 B (the scales come from kvHeadTokenBytes, the one place that adds them).
    expect(hybridAttnBytesPerToken(2, 256, 1, kvCacheFormat("int8_per_token_head", "bfloat16"))).toBe(1040);
    // nvfp4: 2 · 2·(128 + 16) = 576 B.
    expect(hybridAttnBytesPerToken(2, 256, 1, kvCacheFormat("nvfp4", "bfloat16"))).toBe(576);
  });

  it("a hybrid plan with int8_per_token_head carries the scales into its attention page", () => {
    const arch = model("Qwen/Qwen3-Next-80B-A3B-Thinking");
    const plan = planDeployment({ model: arch, gpu: gpu("h200"), flags: flags({ tensorParallelSize: 2, kvCacheDtype: "int8_per_token_head", maxModelLen: 32_768 }) });
    const fp8 = planDeployment({ model: arch, gpu: gpu("h200"), flags: flags({ tensorParallelSize: 2, kvCacheDtype: "fp8", maxModelLen: 32_768 }) });
    // TP 2: one KV head per rank → attention 264 B vs fp8's 256 B per token per layer; the block and page follow.
    expect(plan.kvCache.pageSizeBytes).toBeGreaterThan(fp8.kvCache.pageSizeBytes);
    expect(plan.diagnostics.some((d) => d.code === "NOT_EXACT")).toBe(false);
  });
});

describe("where vLLM cannot use a value", () => {
  const arch = model("meta-llama/Meta-Llama-3.1-8B");

  it("nvfp4 KV needs Blackwell (kernels built for SM100/SM120 only): an error on an H100, fine on a B200", () => {
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ kvCacheDtype: "nvfp4", maxModelLen: 8192 }) });
    const diagnostic = plan.diagnostics.find((x) => x.code === "KV_CACHE_DTYPE_UNSUPPORTED");
    expect(diagnostic?.severity).toBe("error");
    expect(diagnostic?.args["reason"]).toBe("needs-blackwell");
    expect(plan.fits).toBe(false);
    const planned = planDeployment({ model: arch, gpu: gpu("b200"), flags: flags({ kvCacheDtype: "nvfp4", maxModelLen: 8192 }) });
    expect(planned.diagnostics.some((x) => x.code === "KV_CACHE_DTYPE_UNSUPPORTED" || x.code === "NOT_EXACT")).toBe(false);
    expect(planned.kvCache.bytesPerToken).toBe(36_864);
  });

  it("an AMD GPU is named by its gfx target, not torch's 9.4 read as a compute capability (listing and message)", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const result = await runCli(["--model", "llama3.1-8b", "--gpu", "mi300x", "--kv-cache-dtype", "nvfp4", "--max-model-len", "8192"], { COLUMNS: "200" });
    expect(result.code).toBe(1);
    const text = result.out.replace(/\s+/g, " ");
    expect(text).toContain("and this GPU is an AMD gfx942 (ROCm).");
    expect(text).not.toContain("compute capability 9.4");
    const list = await runCli(["gpus"]);
    expect(list.out).toMatch(/^mi300x +AMD Instinct MI300X +191\.98 +gfx942 \*$/m);
    expect(list.out).toMatch(/^h100-sxm +NVIDIA H100 80GB HBM3 +79\.18 +9\.0$/m);
  });

  it("fp8_ds_mla is DeepSeek's sparse-MLA layout: an error on a model without MLA, 656 B per token per layer on one", () => {
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ kvCacheDtype: "fp8_ds_mla", maxModelLen: 8192 }) });
    expect(plan.diagnostics.find((x) => x.code === "KV_CACHE_DTYPE_UNSUPPORTED")?.args["reason"]).toBe("needs-mla");
    const ds = model("deepseek-ai/DeepSeek-V3.2");
    expect(kvBytesPerTokenPerLayer(ds, 8, kvCacheFormat("fp8_ds_mla", "bfloat16"))).toBe(656);
    // bf16 latent: (512 + 64) · 2 = 1,152 B.
    expect(kvBytesPerTokenPerLayer(ds, 8, kvCacheFormat("auto", "bfloat16"))).toBe(1152);
  });

  it("per-token-head modes plan without a NOT_EXACT warning; TurboQuant on a dense model names its boundary layers", () => {
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ kvCacheDtype: "int8_per_token_head", maxModelLen: 8192 }) });
    expect(plan.diagnostics.some((x) => x.code === "NOT_EXACT")).toBe(false);
    expect(plan.kvCache.bytesPerToken).toBe(67_584);
    const planned = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ kvCacheDtype: "turboquant_4bit_nc", maxModelLen: 8192 }) });
    expect(String(planned.diagnostics.find((x) => x.code === "NOT_EXACT")?.args["what"])).toMatch(/get_boundary_skip_layers/);
  });
});

describe("one list", () => {
  it("the argument table's --kv-cache-dtype choices are the core's KvCacheDtype values", () => {
    expect(TABLE_CHOICES).toBe(KV_CACHE_DTYPES);
    const entry = VLLM_ARGS.find((a) => a.name === "kv-cache-dtype");
    expect(entry?.choices).toEqual([...KV_CACHE_DTYPES]);
    // Every value has its K + V bytes for one token of a 128 head (the table at the top of this file;
    // the *_ds_mla values, which vLLM refuses on a non-MLA head, are sized as the layouts they name: fp8_ds_mla
    // densely at 1 byte, nvfp4_ds_mla as nvfp4, 2·(64 + 8) = 144 — no half bytes anywhere).
    const perHead: Record<(typeof KV_CACHE_DTYPES)[number], number> = {
      auto: 512, float16: 512, bfloat16: 512,
      fp8: 256, fp8_e4m3: 256, fp8_e5m2: 256, fp8_inc: 256, fp8_ds_mla: 256, nvfp4_ds_mla: 144,
      turboquant_k8v4: 196, turboquant_4bit_nc: 134, turboquant_k3v4_nc: 118, turboquant_3bit_nc: 102,
      int4_per_token_head: 136, int8_per_token_head: 264, fp8_per_token_head: 264, nvfp4: 144, nvfp4_4over6: 144,
    };
    expect(Object.fromEntries(KV_CACHE_DTYPES.map((d) => [d, kvHeadTokenBytes(kvCacheFormat(d, "bfloat16"), 128)]))).toEqual(perHead);
  });
});

describe("a drafter shares the target's KV dtype, scales included", () => {
  it("Qwen3-8B + Qwen3-0.6B draft with int8_per_token_head: one group of 36 + 28 layers", () => {
    const target = model("Qwen/Qwen3-8B");
    const draft = model("Qwen/Qwen3-0.6B");
    const plan = planDeployment({ model: target, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", kvCacheDtype: "int8_per_token_head", speculative: { model: "Qwen/Qwen3-0.6B", numSpeculativeTokens: 4, draftModel: draft } }) });
    // Both have 8 KV heads × 128: 8 · (2·128 + 2·4) = 2,112 B/token/layer; same page → one group (the drafter
    // sized without its scales, 2,048 B, would have been a group of its own).
    expect(plan.kvCache.groupSize).toBe(64);
    expect(plan.kvCache.pageSizeBytes).toBe(16 * 2112);
  });
});

describe("per release", () => {
  it("TurboQuant arrived in vLLM 0.20.0 (PR #38479): 0.19 refuses it, naming the release", async () => {
    const { engineFlagsFromArgv } = await import("../src/sources/vllm-flags.js");
    expect(engineFlagsFromArgv(["x", "--kv-cache-dtype", "turboquant_4bit_nc"], { vllmVersion: "0.20.0" }).flags.kvCacheDtype).toBe("turboquant_4bit_nc");
    expect(() => engineFlagsFromArgv(["x", "--kv-cache-dtype", "turboquant_4bit_nc"], { vllmVersion: "0.19.1" })).toThrow(
      "--kv-cache-dtype: turboquant_4bit_nc arrived in vLLM 0.20.0 (PR #38479 (v0.20.0)); vLLM 0.19.1 refuses it",
    );
  });
});

describe("whole bytes: a 4-bit value has no byte of its own (STR_DTYPE_TO_TORCH_DTYPE)", () => {
  it("every value's cache element is a whole number of bytes: the model dtype for auto, 2 for float16/bfloat16, else 1", () => {
    // vllm/utils/torch_utils.py STR_DTYPE_TO_TORCH_DTYPE: fp8*/nvfp4*/int4_per_token_head/turboquant_* → torch.uint8,
    // int8_per_token_head → torch.int8, fp8_inc → torch.float8_e4m3fn (turboquant_k8v4 was 0.5 B here before).
    for (const d of KV_CACHE_DTYPES) {
      const expected = d === "auto" ? 4 : d === "float16" || d === "bfloat16" ? 2 : 1;
      expect([d, kvFormat(d, 4).storageBytes]).toEqual([d, expected]);
    }
  });

  it("every page is whole bytes for every value, head size 64…256 and MLA latents", () => {
    for (const d of KV_CACHE_DTYPES) {
      for (const head of [64, 80, 96, 112, 128, 192, 256]) expect(Number.isInteger(kvHeadTokenBytes(kvFormat(d, 2), head))).toBe(true);
      for (const latent of [576, 512 + 64, 256 + 32]) expect(Number.isInteger(kvMlaTokenBytes(kvFormat(d, 2), latent))).toBe(true);
    }
  });

  it("turboquant_k8v4: 8-bit keys and 4-bit values share one uint8 slot; the plan reports 1 B per element", () => {
    // Llama-3.1-8B, head 128: K 128 (fp8, 1 B each) + V ⌈128·4/8⌉ + 4 = 68 → slot 196, even → 196 B per head-token;
    // 8 heads → 1,568 B per token per layer (TQFullAttentionSpec: block × num_kv_heads × tq_slot_size).
    const arch = model("meta-llama/Meta-Llama-3.1-8B");
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", kvCacheDtype: "turboquant_k8v4", maxModelLen: 8192 }) });
    expect(plan.engine.kvBytesPerElement).toBe(1);
    expect(plan.kvCache.bytesPerToken).toBe(32 * 1568);
  });

  it("a packed value on an MLA latent is MLAAttentionSpec's head_size × dtype size: 576 × 1 B, not 576 × 0.5", () => {
    // DeepSeek-V3.2 latent 512 + 64 = 576; MLAAttentionSpec.real_page_size_bytes = block · 1 · 576 · get_dtype_size(uint8).
    const ds = model("deepseek-ai/DeepSeek-V3.2");
    expect(kvBytesPerTokenPerLayer(ds, 8, kvCacheFormat("turboquant_k8v4", "bfloat16"))).toBe(576);
    expect(kvBytesPerTokenPerLayer(ds, 8, kvCacheFormat("int4_per_token_head", "bfloat16"))).toBe(576);
    // nvfp4 keeps its packed layout on the latent: 576/2 + 576/16 = 288 + 36 = 324.
    expect(kvBytesPerTokenPerLayer(ds, 8, kvCacheFormat("nvfp4", "bfloat16"))).toBe(324);
  });
});
