// The offline (transformers generate) footprint, issue #6: the allocator model, hand-worked shapes,
// and the measured fixtures (fixtures/offline/*.json, H100 80GB HBM3, torch 2.11, transformers 5.17).
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { CachingAllocator, offlineFootprint, offlineWeightTensors, offlineWeightsBytes, WORKSPACE_BYTES } from "../src/core/offline.js";
import { modelArchFromConfig } from "../src/core/architecture.js";
import { offlineResults } from "./bench/offline-bench.js";
import { model } from "./helpers/models.js";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");

/** One fixtures/offline measurement file: it holds `count` cases, each within `allocated` and `device` (relative errors of the planned peak). */
function expectEveryCaseWithin(file: string, count: number, allocated: number, device: number): void {
  const rs = offlineResults(root).filter((r) => r.file === file);
  expect(rs.length).toBe(count);
  for (const r of rs) {
    expect(Math.abs(r.errAllocated)).toBeLessThan(allocated);
    expect(Math.abs(r.errDevice)).toBeLessThan(device);
  }
}

describe("CachingAllocator", () => {
  it("rounds, splits and reuses like CUDACachingAllocator", () => {
    const a = new CachingAllocator();
    // 147 MiB: segment 148 MiB (2 MiB rounding); 1 MiB left is not > kSmallSize → not split, the
    // block counts 148 MiB (this is the +1 MiB seen in the calibration's pixel_values of 3584x3584).
    const x = a.malloc(147 * MiB);
    expect(a.allocated).toBe(148 * MiB);
    expect(a.reserved).toBe(148 * MiB);
    // 36.75 MiB: segment 38 MiB, 1.25 MiB left > 1 MiB → split, the block is 36.75 MiB.
    const y = a.malloc(36.75 * MiB);
    expect(a.allocated).toBe(148 * MiB + 36.75 * MiB);
    a.free(x);
    // A smaller request reuses the freed block (best fit), no new segment.
    a.malloc(100 * MiB);
    expect(a.reserved).toBe(148 * MiB + 38 * MiB);
    a.free(y);
    // Small requests come from 2 MiB segments; under 10 MiB from 20 MiB segments.
    a.malloc(1000);
    expect(a.reserved).toBe(188 * MiB);
    // 5 MiB fits the freed (coalesced) 38 MiB block of y: still no new segment.
    a.malloc(5 * MiB);
    expect(a.reserved).toBe(188 * MiB);
    expect(a.peakAllocated).toBe(148 * MiB + 36.75 * MiB);
    // On a fresh allocator, 5 MiB (< kMinLargeAlloc) gets a 20 MiB segment.
    const b = new CachingAllocator();
    b.malloc(5 * MiB);
    expect(b.reserved).toBe(20 * MiB);
  });
});

describe("offlineFootprint", () => {
  it("Llama-3.1-8B, 32k prompt: KV and the MLP live set by hand", () => {
    const arch = model("llama-3.1-8b");
    const footprint = offlineFootprint({ model: arch, promptTokens: 32768, images: [], batch: 1, newTokens: 32, attn: "sdpa" });
    // Weights: 8,030,261,248 parameters × 2 B (measured param_bytes, fixtures/offline/h100-offline-llama-3.1-8b.json).
    expect(footprint.weightsBytes).toBe(16_060_522_496);
    expect(offlineWeightsBytes(arch, "bfloat16")).toBe(16_060_522_496);
    // KV per token: 32 layers × 2 × 8 heads × 128 × 2 B = 131,072 B; after 32 new tokens: × 32,800.
    expect(footprint.kvCacheBytes).toBe(131_072 * 32_800);
    // At the peak (last layer's MLP): KV of 32,768 tokens, and per token inputs_embeds + layer input +
    // residual + normed (4H) + gate/act/up/product (3I live at the product) = 4·4096 + 3·14336 =
    // 59,392 elements × 2 B = 118,784 B → 3.625 GiB, plus the rotary cos and sin [1, L, 128] bf16
    // held for the whole forward (2 × 8 MiB) → 3.640625 GiB; measured peak − base: 7.6411 GiB = 4 + 3.6411.
    expect(footprint.kvAtPeakBytes).toBe(131_072 * 32_768);
    expect(footprint.activationPeakBytes / GiB).toBeCloseTo(3.640625, 4);
    expect(footprint.workspaceBytes).toBe(WORKSPACE_BYTES);
    expect(footprint.peakPhase).toBe("prefill");
    expect(footprint.quadraticAttention).toBe(false);
  });

  it("sliding window shorter than the prompt materializes a [B,1,L,L] mask (Mistral-7B-v0.1)", () => {
    const arch = model("mistral-7b-v0.1");
    const short = offlineFootprint({ model: arch, promptTokens: 4000, images: [], batch: 1, newTokens: 8, attn: "sdpa" });
    const long = offlineFootprint({ model: arch, promptTokens: 32768, images: [], batch: 1, newTokens: 8, attn: "sdpa" });
    expect(short.quadraticAttention).toBe(false);
    expect(long.quadraticAttention).toBe(true);
    expect(long.notes.join(" ")).toContain("mask");
  });

  it("eager attention scores grow with L² ([1, 32, L, L] bf16 + fp32 softmax)", () => {
    const arch = model("llama-3.1-8b");
    const f4 = offlineFootprint({ model: arch, promptTokens: 4096, images: [], batch: 1, newTokens: 8, attn: "eager" });
    const s4 = offlineFootprint({ model: arch, promptTokens: 4096, images: [], batch: 1, newTokens: 8, attn: "sdpa" });
    // Scores 32 × 4096² = 512 Mi elements: old bf16 (1 GiB) + fp32 copy (2) + fp32 softmax (2) live together.
    expect((f4.peakAllocatedBytes - s4.peakAllocatedBytes) / GiB).toBeGreaterThan(4.5);
  });

  it("images add their tokens and a vision phase (Qwen2.5-VL-7B, 1792x1792)", () => {
    const arch = model("qwen2.5-vl-7b");
    const footprint = offlineFootprint({ model: arch, promptTokens: 66, images: [{ width: 1792, height: 1792 }], batch: 1, newTokens: 32, attn: "sdpa" });
    expect(footprint.imageTokens).toBe(4096);
    expect(footprint.patches).toBe(16384);
    expect(footprint.sequenceTokens).toBe(4162);
    expect(footprint.encoderPeakBytes).toBeGreaterThan(0);
    expect(() => offlineFootprint({ model: model("llama-3.1-8b"), promptTokens: 10, images: [{ width: 448, height: 448 }], batch: 1, newTokens: 1, attn: "sdpa" })).toThrow();
  });

  it("matches every measured case within the accuracy targets (fixtures/offline, README.md 'Accuracy and speed')", () => {
    const rs = offlineResults(root);
    expect(rs.length).toBeGreaterThanOrEqual(39);
    const med = (xs: number[]): number => {
      const s = [...xs].sort((x, y) => x - y);
      return s[Math.floor(s.length / 2)] ?? 0;
    };
    const dev = rs.map((r) => Math.abs(r.errDevice));
    const al = rs.map((r) => Math.abs(r.errAllocated));
    expect(med(dev)).toBeLessThanOrEqual(0.05);
    expect(Math.max(...dev)).toBeLessThanOrEqual(0.1);
    expect(med(al)).toBeLessThanOrEqual(0.05);
    // The calibration file (Qwen2.5-VL-7B, text up to 32k, images up to 3584², 4 images, batch 8): text-32k is
    // 3.1 % over on the device (where the allocator places blocks); every other case is within 1.2 %.
    for (const r of rs.filter((x) => x.model === "qwen2.5-vl-7b")) {
      expect(Math.abs(r.errAllocated)).toBeLessThan(0.01);
      expect(Math.abs(r.errDevice)).toBeLessThan(0.035);
    }
  });

  it("matches transformers' eager attention (fp32 softmax) at 2k-8k on two models, allocated and reserved", () => {
    // fixtures/offline/h200-offline-eager.json: held-out measurements (H200, same allocator as the H100s);
    // before the allocator's address-ordered tie-break the 4k case was 9 % and 8k 6.5 % below the device.
    expectEveryCaseWithin("h200-offline-eager.json", 6, 0.002, 0.02);
  });

  it("held-out families, attention implementations, lengths and batches (fixtures/offline/h200-offline-heldout.json)", () => {
    // 42 cases measured after the model was written (issue #12): Llama-3.2, Phi-3 / phi-4, Mistral-Nemo and v0.3,
    // Qwen2.5 / Qwen3 dense and MoE, Gemma-3-27B, Mixtral, DeepSeek-V2-Lite, Qwen2-VL and Qwen3-VL images; eager and
    // sdpa, 1k-16k tokens, batch 1-4. Allocated is the model's strong side (worst: DeepSeek-V2-Lite's MLA, modeled
    // as multi-head attention, 3.5 % over at 8k); reserved depends on where each block lands, so device is looser.
    // As first measured (weights as one lump; no Phi-3 fused projections, mask construction or attention
    // probabilities' lifetime), this set was at device median 0.68 %, worst 7.4 % (Llama-3.2-3B eager batch 2,
    // Qwen2-VL-2B's 28 MiB weight segments); now median 0.13 %, worst 3.3 %.
    const rs = offlineResults(root).filter((r) => r.file === "h200-offline-heldout.json");
    expect(rs.length).toBe(42);
    const dev = rs.map((r) => Math.abs(r.errDevice)).sort((x, y) => x - y);
    const al = rs.map((r) => Math.abs(r.errAllocated)).sort((x, y) => x - y);
    expect(dev[Math.floor(dev.length / 2)]).toBeLessThan(0.005);
    expect(al[Math.floor(al.length / 2)]).toBeLessThan(0.001);
    for (const r of rs) {
      expect(Math.abs(r.errAllocated)).toBeLessThan(0.006);
      expect(Math.abs(r.errDevice)).toBeLessThan(0.035);
    }
  });

  it("a second held-out set measured after those changes (fixtures/offline/h200-offline-validation.json)", () => {
    // 23 cases: Llama-3.2-1B, Qwen3-1.7B/14B, Qwen2.5-3B, Phi-3 eager, Mistral-Nemo eager batch 2, Gemma-3-4B eager,
    // Qwen2.5-VL-3B eager with an image, Qwen3-VL-4B images. Eager attention in the vision tower was found here
    // (10 % under before the tower replayed eager_attention_forward's fp32 softmax).
    expectEveryCaseWithin("h200-offline-validation.json", 23, 0.01, 0.04);
  });

  it("weights: one allocation per tensor, as transformers creates them (segments measured before generate)", () => {
    // fixtures/offline/traces/h200-heldout-allocator-traces.json segments_before: every segment present before the
    // case, i.e. the weights, the 32 MiB cuBLAS workspace and a small segment for the inputs. Qwen2-VL-2B's
    // 1536 × 8960 projections (26.25 MiB) each take a 28 MiB segment and its vision fc1/fc2 (12.5 MiB) 14 MiB ones:
    // 4528 MiB reserved for 4215 MiB of tensors, where one lump of weights would reserve 4216.
    const traces = JSON.parse(readFileSync(join(root, "fixtures/offline/traces/h200-heldout-allocator-traces.json"), "utf8")) as {
      cases: { model: string; config: string; segments_before: { size: number }[] }[];
    };
    const seen = new Set<string>();
    for (const c of traces.cases) {
      if (seen.has(c.model)) continue;
      seen.add(c.model);
      const cfg = JSON.parse(readFileSync(join(root, "src/data/models", c.config), "utf8")) as Record<string, unknown>;
      const model = modelArchFromConfig(c.model, { config: cfg } as never);
      const al = new CachingAllocator();
      for (const bytes of offlineWeightTensors(model, "bfloat16")) al.malloc(bytes);
      const measured = c.segments_before.reduce((x, sg) => x + sg.size, 0) - 32 * MiB;
      expect(measured - al.reserved).toBeGreaterThanOrEqual(0);
      expect(measured - al.reserved).toBeLessThanOrEqual(2 * MiB);
      if (c.model === "qwen2-vl-2b") expect(al.reserved).toBe(4528 * MiB);
    }
    expect(seen.size).toBe(4);
  });

  it("Phi-3's fused gate_up_proj stays alive through the MLP (phi-4, 16k: 4 × intermediate per token live)", () => {
    // models/phi3/modeling_phi3.py Phi3MLP: the `gate` view keeps gate_up [T, 2I] alive beside act(gate) and the
    // product: 16,000 × 4 × 17,920 × 2 B = 2.14 GiB at the MLP, where a LlamaMLP holds 1.60. Measured peak
    // allocated 33.2230 GiB (fixtures/offline/h200-offline-heldout.json phi-4 sdpa text-16k).
    const arch = model("phi-4");
    const footprint = offlineFootprint({ model: arch, promptTokens: 16000, images: [], batch: 1, newTokens: 32, attn: "sdpa" });
    expect(footprint.peakAllocatedBytes / GiB).toBeCloseTo(33.223, 2);
  });

  it("eager attention on Qwen2.5-VL-7B text and images, predicted before measuring (fixtures/offline/h200-offline-eager-vl.json)", () => {
    // 8 Qwen2.5-VL-7B eager cases (text 4k-8k, batch 4, images up to 1792²) and Llama-3.1-8B eager 3k × 4. The 1792²
    // image's full-attention blocks hold 16 heads × 16384² scores: 55.87 GiB allocated, 37 % above a tower that kept
    // one bf16 and one fp32 copy of the scores.
    expectEveryCaseWithin("h200-offline-eager-vl.json", 9, 0.002, 0.005);
  });

  it("MLA as transformers runs it: the cache holds the compressed latent (DeepSeek-V2-Lite)", () => {
    // models/deepseek_v2/modeling_deepseek_v2.py DeepseekV2Attention: past_key_values.update(k_nope, k_pe) stores
    // [B, 1, L, kv_lora_rank] and [B, 1, L, qk_rope_head_dim]: 27 layers × (512 + 64) × 2 B = 31,104 B per token,
    // × (8192 + 32) tokens. Multi-head K/V of 16 heads × (192 + 128) would be 8.9 × that. The router runs in float32
    // and its float32 weights promote the weighted expert outputs (+384 MiB at 8k in the trace). Measured peak
    // allocated 30.8565 GiB (fixtures/offline/h200-offline-heldout.json deepseek-v2-lite text-8k).
    const arch = model("deepseek-v2-lite");
    const footprint = offlineFootprint({ model: arch, promptTokens: 8192, images: [], batch: 1, newTokens: 32, attn: "sdpa" });
    expect(footprint.kvCacheBytes).toBe(31_104 * 8224);
    expect(footprint.peakAllocatedBytes / GiB).toBeCloseTo(30.857, 2);
  });
});
