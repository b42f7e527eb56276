import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { mxfp4MoePadding, weightsPerRank } from "../src/core/weights.js";
import { GiB, flags, gpu, model } from "./helpers/models.js";

// gpt-oss (MXFP4 experts) as vLLM lays the experts out per kernel backend:
// vllm/model_executor/layers/quantization/mxfp4.py Mxfp4MoEMethod.create_weights.
describe("MXFP4 MoE weights per backend", () => {
  const arch = model("openai/gpt-oss-120b");

  it("pads gpt-oss-120b's experts for Marlin on Hopper: hidden 2880 → 3072, intermediate 2880 → 2944", () => {
    expect(mxfp4MoePadding(9.0)).toEqual({ backend: "marlin", intermediate: 128, hidden: 256, biasBytes: 2 });
    expect(mxfp4MoePadding(10.0)).toEqual({ backend: "flashinfer-sm100", intermediate: 256, hidden: 256, biasBytes: 4 });
    const padded = weightsPerRank(arch, { tp: 1, ep: 1, visionReplicated: false, cc: 9.0 }, 1, 0, "bfloat16", arch.quant).total;
    const stored = weightsPerRank(arch, { tp: 1, ep: 1, visionReplicated: false, cc: 9.0, asStored: true }, 1, 0, "bfloat16", arch.quant).total;
    // Per layer, 128 experts: w13 uint8 [128, 2·2944, 3072/2] + scales [128, 5888, 3072/32] + bf16 bias [128, 5888];
    // w2 [128, 3072, 2944/2] + scales [128, 3072, 2944/32] + bias [128, 3072]. Unpadded: 2880 everywhere.
    const layer = (h: number, i: number) => 128 * (2 * i * (h / 2 + h / 32) + 2 * i * 2 + h * (i / 2 + i / 32) + h * 2);
    expect(padded - stored).toBe(36 * (layer(3072, 2944) - layer(2880, 2880)));
    // Blackwell (FlashInfer SM100): both sizes to 256, biases re-created in fp32.
    const sm100 = weightsPerRank(arch, { tp: 1, ep: 1, visionReplicated: false, cc: 10.0 }, 1, 0, "bfloat16", arch.quant).total;
    const layer100 = 128 * (2 * 3072 * (3072 / 2 + 3072 / 32) + 2 * 3072 * 4 + 3072 * (3072 / 2 + 3072 / 32) + 3072 * 4);
    expect(sm100 - stored).toBe(36 * (layer100 - layer(2880, 2880)));
  });

  it("matches vLLM 0.10.1 on an H100: 'Model loading took 65.9651 GiB', 'Available KV cache memory: -2.14 GiB'", () => {
    // fixtures/vllm-logs/cases.json, https://github.com/vllm-project/vllm/issues/23278 (Marlin, per its log).
    const plan = planDeployment({ model: arch, gpu: gpu("h100-sxm"), flags: flags({ vllmVersion: "0.10.1" }) });
    const budget = plan.perGpu[0]!;
    expect(Math.abs(budget.weightsBytes / GiB - 65.9651)).toBeLessThan(0.2);
    // vLLM's "available KV cache memory" of −2.14 GiB is a 2.14 GiB shortfall with no KV cache.
    expect(budget.kvCacheBytes).toBe(0);
    expect(Math.abs(budget.kvShortfallBytes / GiB - 2.14)).toBeLessThan(0.3);
    expect(plan.diagnostics.map((d) => d.code)).toContain("NO_KV_CACHE_MEMORY");
    expect(plan.diagnostics.find((d) => d.code === "NOT_EXACT" && String(d.args["what"]).includes("MXFP4"))).toBeDefined();
  });

  it("matches the H100 start-up at utilization 0.95 with 1024 batched tokens: 1.71 GiB of KV, too little for 131,072 tokens", () => {
    // fixtures/vllm-logs/cases.json, https://github.com/vllm-project/vllm/issues/27508.
    const plan = planDeployment({ model: arch, gpu: gpu("h100-sxm"), flags: flags({ vllmVersion: "0.11.0", gpuMemoryUtilization: 0.95, maxNumBatchedTokens: 1024 }) });
    expect(Math.abs(plan.perGpu[0]!.kvCacheBytes / GiB - 1.71)).toBeLessThan(0.3);
    expect(plan.diagnostics.map((d) => d.code)).toContain("KV_CACHE_BELOW_MAX_MODEL_LEN");
  });

  it("does not call the checkpoint mismatched because of the kernel's padding", () => {
    const p = planDeployment({ model: { ...arch, checkpointBytes: weightsPerRank(arch, { tp: 1, ep: 1, visionReplicated: false, cc: 8, asStored: true }, 1, 0, "bfloat16", arch.quant).total }, gpu: gpu("h100-sxm"), flags: flags() });
    expect(p.diagnostics.map((d) => d.code)).not.toContain("CHECKPOINT_SIZE_MISMATCH");
  });
});
