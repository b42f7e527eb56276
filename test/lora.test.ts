import { describe, expect, it } from "vitest";
import { loraSlotBytes } from "../src/core/lora.js";
import { planDeployment } from "../src/core/plan.js";
import { planWithLevers } from "../src/core/levers.js";
import { flags, gpu, model } from "./helpers/models.js";

// Qwen2.5-7B-Instruct: hidden H = 3584, 28 heads, 4 KV heads, head_dim 128, intermediate I = 18944, 28 layers.
// Per adapter slot and layer, from vllm/lora/layers/*.py create_lora_weights (lora_a: slices × a_out × in,
// lora_b: b_out × r), r = 16, TP 1:
//   qkv_proj (MergedQKVParallelLinearWithLoRA, 3 slices): 3·16·3584 + (28 + 2·4)·128·16 = 172,032 + 73,728 = 245,760
//   o_proj (RowParallelLinearWithLoRA): 16·3584 + 3584·16                               = 114,688
//   gate_up_proj (MergedColumnParallelLinearWithLoRA, 2 slices): 2·16·3584 + 2·18944·16 = 114,688 + 606,208 = 720,896
//   down_proj (Row): 16·18944 + 3584·16                                                 = 303,104 + 57,344 = 360,448
//   one layer = 1,441,792 elements; 28 layers = 40,370,176; bf16 → 80,740,352 B per slot.
const PER_SLOT_TP1 = 80_740_352;
// TP 2: qkv 3·16·3584 + (14 + 2·2)·128·16 = 208,896; o 16·1792 + 3584·16 = 86,016;
// gate_up 2·16·3584 + 18944·16 = 417,792; down 16·9472 + 3584·16 = 208,896 → 921,600 × 28 × 2 B.
const PER_SLOT_TP2 = 51_609_600;

const lora = { maxLoras: 4, maxLoraRank: 16, fullyShardedLoras: false };

describe("LoRA slots (vllm/lora/model_manager.py, create_lora_weights)", () => {
  const arch = model("Qwen/Qwen2.5-7B-Instruct");
  it("allocates max_loras slots of lora_a + lora_b over every linear layer", () => {
    const s = loraSlotBytes(arch, lora, 1, 1, 1, 0, "bfloat16");
    expect(s.bytesPerSlot).toBe(PER_SLOT_TP1);
    expect(s.bytes).toBe(4 * PER_SLOT_TP1);
    expect(s.modules).toBe(28 * 4);
    expect(loraSlotBytes(arch, lora, 2, 1, 1, 0, "bfloat16").bytesPerSlot).toBe(PER_SLOT_TP2);
  });

  it("--lora-dtype float32 doubles the slots; --fully-sharded-loras splits lora_a of column layers and lora_b of row layers", () => {
    expect(loraSlotBytes(arch, { ...lora, loraDtype: "float32" }, 1, 1, 1, 0, "bfloat16").bytesPerSlot).toBe(2 * PER_SLOT_TP1);
    // TP 2 fully sharded: qkv 3·8·3584 + 18·128·16 = 86,016 + 36,864 = 122,880; o 16·1792 + 1792·16 = 57,344;
    // gate_up 2·8·3584 + 18944·16 = 57,344 + 303,104 = 360,448; down 16·9472 + 1792·16 = 180,224 → 720,896 × 28 × 2 B.
    expect(loraSlotBytes(arch, { ...lora, fullyShardedLoras: true }, 2, 1, 1, 0, "bfloat16").bytesPerSlot).toBe(720_896 * 28 * 2);
  });

  it("adds the slots to the weights, takes them from the KV cache, and captures every graph twice from 0.11.1", () => {
    const base = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0" }) });
    const withLora = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.23.0", lora }) }, { explain: true });
    const b0 = base.perGpu[0]!;
    const b1 = withLora.perGpu[0]!;
    expect(b1.weightsBytes - b0.weightsBytes).toBe(4 * PER_SLOT_TP1);
    // _get_lora_cases → [0, max_loras + 1]: 1,024 seqs on an H100 → 51 PIECEWISE + 51 FULL graphs (sizes up to
    // min(1024 × 2, 512) = 512, all ≤ max_num_seqs), twice.
    expect(base.engine.cudaGraphCaptureSizes).toBe(102);
    expect(withLora.engine.cudaGraphCaptureSizes).toBe(204);
    expect(b1.kvCacheBytes).toBeLessThan(b0.kvCacheBytes - 4 * PER_SLOT_TP1 + 1);
    expect(withLora.explain.some((l) => l.what === "LoRA slots" && l.bytes === 4 * PER_SLOT_TP1)).toBe(true);
    // Before PR #25914 (0.10.2): one set of graphs.
    expect(planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.10.2", lora }) }).engine.cudaGraphCaptureSizes).toBe(
      planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ vllmVersion: "0.10.2" }) }).engine.cudaGraphCaptureSizes,
    );
  });

  it("does not start when --max-cpu-loras is below --max-loras (LoRAConfig raises), with vLLM's words", async () => {
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ lora: { ...lora, maxCpuLoras: 2 } }) });
    const diagnostic = plan.diagnostics.find((x) => x.code === "MAX_CPU_LORAS_BELOW_MAX_LORAS");
    expect(plan.fits).toBe(false);
    expect(diagnostic?.fix).toEqual([{ flag: "--max-cpu-loras", value: "4", flags: { lora: { ...lora, maxCpuLoras: 4 } } }]);
    // The fix is kept once re-planned (it starts): a user sees it.
    const withFixes = planWithLevers({ model: arch, gpu: gpu("h100"), flags: flags({ lora: { ...lora, maxCpuLoras: 2 } }) });
    expect(withFixes.diagnostics.find((x) => x.code === "MAX_CPU_LORAS_BELOW_MAX_LORAS")?.fix?.map((f) => `${f.flag} ${f.value}`)).toEqual(["--max-cpu-loras 4"]);
    const { messageFor } = await import("../src/render/messages.js");
    expect(messageFor(diagnostic!, plan)).toBe("max_cpu_loras (2) must be >= max_loras (4)");
  });
});
