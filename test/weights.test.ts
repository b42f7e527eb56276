import { describe, expect, it } from "vitest";
import { weightsPerRank, ppLayerRanges } from "../src/core/weights.js";
import { model } from "./helpers/models.js";

const r1 = { tp: 1, ep: 1, visionReplicated: false, cc: 8.6 };

describe("weights per rank", () => {
  it("counts Qwen2.5-VL-7B's parameters like the checkpoint (8,292,166,656; vision 676,550,144)", () => {
    // Counts measured from the real model in fixtures/offline (params, vision_params) and the safetensors index.
    const arch = model("qwen2.5-vl-7b");
    expect(arch.params).toBe(8_292_166_656);
    expect(arch.vision?.params).toBe(676_550_144);
    expect(arch.checkpointBytes).toBe(16_584_333_312);
  });

  it("counts Qwen2.5-VL-3B (tied embeddings) like its safetensors index: 7,509,245,952 B / 2", () => {
    expect(model("qwen2.5-vl-3b").params).toBe(3_754_622_976);
  });

  it("matches vLLM's 'Loading model weights took 14.9888 GB' for Llama-3.1-8B (issue #10517)", () => {
    const arch = model("meta-llama/Meta-Llama-3.1-8B");
    // 8,030,261,248 params × 2 B + rotary cache 131,072 × 128 × 2 B = 16,094,076,928 B = 14.98876 GiB.
    const weights = weightsPerRank(arch, r1, 1, 0, "bfloat16", arch.quant);
    expect(arch.params).toBe(8_030_261_248);
    expect(weights.total).toBe(16_094_076_928);
    expect((weights.total / 2 ** 30).toFixed(4)).toBe("14.9888");
  });

  it("splits column/row layers by TP and keeps norms replicated", () => {
    const arch = model("meta-llama/Meta-Llama-3.1-8B");
    const w1 = weightsPerRank(arch, r1, 1, 0, "bfloat16", arch.quant);
    const w2 = weightsPerRank(arch, { ...r1, tp: 2 }, 1, 0, "bfloat16", arch.quant);
    // Per layer, replicated: two RMSNorms of 4,096 (× 2 B × 32 layers = 524,288 B) stay whole on each rank.
    expect(w1.layers - 2 * (w2.layers - 524_288)).toBe(524_288);
    // Embedding 128,256 (= 2,004 × 64, no padding) × 4,096 × 2 B split in two.
    expect(w2.embedding).toBe((128_256 / 2) * 4096 * 2);
  });

  it("splits layers over pipeline stages like get_pp_indices (remainder to the stages before the last)", () => {
    expect(ppLayerRanges(28, 3)).toEqual([
      [0, 9],
      [9, 19],
      [19, 28],
    ]);
    expect(ppLayerRanges(80, 4)).toEqual([
      [0, 20],
      [20, 40],
      [40, 60],
      [60, 80],
    ]);
  });

  it("stores fp8 block-quantized linears at 1 B plus fp32 block scales, embeddings in 16 bit", () => {
    const arch = model("Qwen/Qwen3-32B-FP8");
    const bf = model("Qwen/Qwen3-32B");
    const wq = weightsPerRank(arch, { ...r1, cc: 9 }, 1, 0, "bfloat16", arch.quant);
    const wb = weightsPerRank(bf, { ...r1, cc: 9 }, 1, 0, "bfloat16", bf.quant);
    expect(wq.embedding).toBe(wb.embedding);
    // Linear layers shrink to a little over half (1 B vs 2 B, plus 4 B per 128×128 block).
    expect(wq.layers / wb.layers).toBeGreaterThan(0.5);
    expect(wq.layers / wb.layers).toBeLessThan(0.51);
  });
});
