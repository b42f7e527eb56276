import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { weightsPerRank } from "../src/core/weights.js";
import { model } from "./helpers/models.js";

// Real checkpoint sizes (model.safetensors.index.json metadata.total_size), with sources in
// src/data/models/sizes.json. The architecture's parameter layout must reproduce them.
const sizes = JSON.parse(readFileSync(new URL("../src/data/models/sizes.json", import.meta.url), "utf8")) as Record<string, { total_size: number }>;

describe("parameter layout agrees with real checkpoints", () => {
  for (const [id, { total_size }] of Object.entries(sizes)) {
    it(`${id}: ${total_size.toLocaleString("en-US")} B`, () => {
      const arch = model(id);
      // Checkpoint bytes = what one rank holds at TP 1 without the rotary cache buffer (not in the checkpoint).
      // Quantized tensors are stored as vLLM creates them (AWQ: int32 qweight/qzeros + fp16 scales).
      const weights = weightsPerRank(arch, { tp: 1, ep: 1, visionReplicated: false, cc: 7.5 }, 1, 0, arch.dtype, arch.quant);
      expect(weights.total - weights.rotaryCache).toBe(total_size);
    });
  }
});

describe("a checkpoint that disagrees with its architecture is flagged", () => {
  it("warns when the headers' bytes are more than 1 % away from the layout", async () => {
    const { planDeployment } = await import("../src/core/plan.js");
    const { flags, gpu } = await import("./helpers/models.js");
    const arch = model("Qwen/Qwen3-4B");
    const ok = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags() });
    expect(ok.diagnostics.map((d) => d.code)).not.toContain("CHECKPOINT_SIZE_MISMATCH");
    // The same architecture with 5 % more bytes in its shards (e.g. an extra MTP head the layout misses).
    const off = { ...arch, checkpointBytes: Math.round(8_044_936_192 * 1.05) };
    const plan = planDeployment({ model: off, gpu: gpu("h100"), flags: flags() });
    expect(plan.diagnostics.find((d) => d.code === "CHECKPOINT_SIZE_MISMATCH")?.args).toEqual({ checkpoint: Math.round(8_044_936_192 * 1.05), architecture: 8_044_936_192 });
  });
});
