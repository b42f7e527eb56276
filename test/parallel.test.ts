import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { weightsPerRank } from "../src/core/weights.js";
import { flags, gpu, model } from "./helpers/models.js";

describe("tensor and pipeline parallelism", () => {
  const l70 = model("meta-llama/Llama-3.1-70B-Instruct");
  const r = (tp: number) => ({ tp, ep: 1, visionReplicated: false, cc: 9 });

  it("splits layers and the untied embedding / lm_head over pipeline stages", () => {
    const whole = weightsPerRank(l70, r(1), 1, 0, "bfloat16", l70.quant);
    const s0 = weightsPerRank(l70, r(1), 2, 0, "bfloat16", l70.quant);
    const s1 = weightsPerRank(l70, r(1), 2, 1, "bfloat16", l70.quant);
    expect(s0.layersOnStage + s1.layersOnStage).toBe(80);
    expect(s0.lmHead).toBe(0);
    expect(s1.embedding).toBe(0);
    // Every stage builds its own rotary cache (131,072 × 128 × 2 B = 33,554,432 B); the rest adds up.
    expect(s0.total + s1.total).toBe(whole.total + 33_554_432);
  });

  it("reproduces 70.55B × 2 B at TP 1 and shards it at TP 4", () => {
    const w1 = weightsPerRank(l70, r(1), 1, 0, "bfloat16", l70.quant);
    const w4 = weightsPerRank(l70, r(4), 1, 0, "bfloat16", l70.quant);
    expect(w1.total).toBe(l70.params * 2 + 33_554_432);
    // Replicated per rank at TP 4: 2 norms × 8,192 per layer × 80 layers + final norm, and the rotary cache;
    // everything else is split in four (8 KV heads / 4 = 2 per rank, no replication).
    const replicated = (2 * 8192 * 80 + 8192) * 2 + 33_554_432;
    expect(w4.total).toBe((w1.total - replicated) / 4 + replicated);
  });

  it("takes the tightest stage's blocks as every worker's (get_kv_cache_configs)", () => {
    const plan = planDeployment({ model: l70, gpu: gpu("h100"), flags: flags({ tensorParallelSize: 2, pipelineParallelSize: 2, maxModelLen: 32768 }) });
    expect(plan.perGpu).toHaveLength(2);
    expect(plan.perGpu[0]!.ranks).toEqual([0, 1]);
    expect(plan.perGpu[1]!.ranks).toEqual([2, 3]);
    // 40 layers per stage; one block = 40 layers × 16 tokens × (2 × 4 KV heads × 128 × 2 B) = 1,310,720 B.
    expect(plan.kvCache.pageSizeBytes * plan.kvCache.groupSize).toBe(1_310_720);
    const blocks = plan.perGpu.map((g) => Math.floor(g.kvCacheBytes / 1_310_720));
    expect(plan.kvCache.numGpuBlocks).toBe(Math.min(...blocks));
  });

  it("replicates KV heads beyond their count and says when TP does not divide them", () => {
    // Qwen2.5-7B: 28 heads, 4 KV heads. TP 8 does not divide 28 heads.
    const arch = model("qwen2.5-7b");
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ tensorParallelSize: 8 }) });
    expect(plan.diagnostics[0]?.code).toBe("HEADS_NOT_DIVISIBLE_BY_TP");
    // Llama-3.1-70B at TP 16: 8 KV heads → one head per rank (replicated twice), 2 × 1 × 128 × 2 B per layer.
    const big = planDeployment({ model: l70, gpu: gpu("h100"), flags: flags({ tensorParallelSize: 16 }) });
    expect(big.kvCache.bytesPerToken).toBe(80 * 512);
  });

  it("puts whole experts on ranks with --enable-expert-parallel", () => {
    const arch = model("Qwen/Qwen3-30B-A3B");
    const tp = weightsPerRank(arch, { tp: 4, ep: 1, visionReplicated: false, cc: 9 }, 1, 0, "bfloat16", arch.quant);
    const ep = weightsPerRank(arch, { tp: 4, ep: 4, visionReplicated: false, cc: 9 }, 1, 0, "bfloat16", arch.quant);
    // Same bytes either way: 128 experts split 4 ways by intermediate size or by expert count.
    expect(ep.layers).toBe(tp.layers);
    // The real TP4 start-up logged 14.2474 GiB per rank (fixtures/vllm-logs/extra.jsonl, v0.8.5).
    expect((tp.total / 2 ** 30).toFixed(2)).toBe("14.25");
  });
});
