import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { modelArchFromConfig } from "../src/core/architecture.js";
import { paramCount } from "../src/core/weights.js";
import { GiB, flags, gpu, model } from "./helpers/models.js";

// Llama-3.3-Nemotron-Super-49B (src/data/models, DeciLMForCausalLM): 80 block_configs, 49 with attention
// (n_heads_in_group 8 → 8 KV heads), 31 with no-op attention; FFN sizes from ffn_mult as
// vllm/model_executor/models/nemotron_nas.py _ffn_mult_to_intermediate_size builds them.
describe("Nemotron-NAS block_configs", () => {
  const arch = model("nvidia/Llama-3_3-Nemotron-Super-49B-v1");

  it("builds each layer from its own block config", () => {
    expect(arch.nasBlocks?.length).toBe(80);
    expect(arch.layers.filter((l) => l.kind === "full").length).toBe(49);
    expect(arch.layers.filter((l) => l.kind === "none").length).toBe(31);
    expect(arch.numKvHeads).toBe(8);
    // ffn_mult 5.25 → int(2 · 5.25 · 8192 / 3) = 28672; 1.0 → 5461 → 5632 (next multiple of 256); 0.5 → 2730 → 2816.
    const sizes = new Set(arch.nasBlocks?.map((b) => b.intermediateSize));
    expect([...sizes].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([2816, 5632, 7168, 14336, 17920, 28672]);
    expect(arch.unsupported).toEqual([]);
  });

  it("counts 49,867,145,216 parameters, worked by hand from the block configs", () => {
    // embed + lm_head 2 · 128256 · 8192; 49 attention layers × (qkv (64 + 2·8)·128 × 8192 + o 8192² + norm 8192);
    // FFNs 3 · 8192 · I + norm 8192 for I = 28672 ×49, 7168 ×10, 5632 ×8, 2816 ×6, 14336 ×6, 17920 ×1; final norm 8192.
    expect(paramCount(arch).total).toBe(49_867_145_216);
  });

  it("puts ~46.4 GiB of weights on each of 2 GPUs and KV only on the 49 attention layers", () => {
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ tensorParallelSize: 2 }) });
    const budget = plan.perGpu[0]!;
    // (49,867,145,216 · 2 B − replicated norms) / 2 + rotary cache ≈ 46.45 GiB.
    expect(budget.weightsBytes / GiB).toBeGreaterThan(46.3);
    expect(budget.weightsBytes / GiB).toBeLessThan(46.6);
    // 49 layers × 2 (K, V) × 4 KV heads per rank × 128 × 2 B = 100,352 B per token per GPU.
    expect(plan.kvCache.bytesPerToken).toBe(100_352);
    expect(plan.fits).toBe(true);
    expect(plan.diagnostics.filter((d) => d.code === "NOT_EXACT")).toEqual([]);
  });

  it("flags block configs vLLM's layer does not build as written instead of guessing", () => {
    const base = { architectures: ["DeciLMForCausalLM"], model_type: "nemotron-nas", hidden_size: 1024, num_hidden_layers: 2, num_attention_heads: 8, num_key_value_heads: null, vocab_size: 1000, torch_dtype: "bfloat16" };
    const block = (attention: Record<string, unknown>, ffn: Record<string, unknown>) => ({ attention: { no_op: false, n_heads_in_group: 4, ...attention }, ffn: { no_op: false, ffn_mult: 1.0, ...ffn } });
    const linear = modelArchFromConfig("t/linear", { config: { ...base, block_configs: [block({ replace_with_linear: true, no_op: false }, {}), block({}, {})] } });
    expect(linear.unsupported.join(" ")).toContain("replace_with_linear");
    expect(linear.unsupported.join(" ")).not.toContain("KV head");
  });

  it("sizes layers with different KV head counts as vLLM's UniformTypeKVCacheSpecs: one page summed over the layers", () => {
    const base = { architectures: ["DeciLMForCausalLM"], model_type: "nemotron-nas", hidden_size: 1024, num_hidden_layers: 3, num_attention_heads: 8, num_key_value_heads: null, vocab_size: 1000, torch_dtype: "bfloat16", max_position_embeddings: 4096 };
    const block = (group: number | null) => ({ attention: group === null ? { no_op: true } : { no_op: false, n_heads_in_group: group }, ffn: { no_op: false, ffn_mult: 1.0 } });
    // Layers with 8 // 4 = 2 and 8 // 2 = 4 KV heads, and one no-op attention layer. head_dim 1024 / 8 = 128.
    const model = modelArchFromConfig("t/mixed", { config: { ...base, block_configs: [block(4), block(2), block(null)] } });
    expect(model.unsupported).toEqual([]);
    expect(model.layers).toEqual([{ kind: "full", kvHeads: 2 }, { kind: "full", kvHeads: 4 }, { kind: "none" }]);
    const plan = planDeployment({ model, gpu: gpu("l4"), flags: flags({ kvCacheMemoryBytes: GiB }) });
    // Bytes per token = 2 · (2 + 4) heads · 128 · 2 B = 3,072; page = 16 × 3,072 = 49,152 B;
    // blocks = 1 GiB // 49,152 = 21,845 → 349,520 tokens.
    expect(plan.kvCache.bytesPerToken).toBe(3072);
    expect(plan.kvCache.pageSizeBytes).toBe(49_152);
    expect(plan.kvCache.numGpuBlocks).toBe(21_845);
    // TP 4 divides neither layer's KV heads evenly the other way round: 2 heads at TP 4 replicate (4 % 2 = 0), 4 at TP 4 split.
    expect(planDeployment({ model, gpu: gpu("l4"), flags: flags({ tensorParallelSize: 4 }) }).diagnostics.map((d) => d.code)).not.toContain("KV_HEADS_NOT_DIVISIBLE");
    expect(planDeployment({ model, gpu: gpu("l4"), flags: flags({ tensorParallelSize: 3 }) }).diagnostics.map((d) => d.code)).toContain("HEADS_NOT_DIVISIBLE_BY_TP");
  });
});
