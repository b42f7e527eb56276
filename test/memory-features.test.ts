import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { flags, gpu, model } from "./helpers/models.js";

describe("--mamba-ssm-cache-dtype (mamba_utils.py MambaStateDtypeCalculator)", () => {
  it("a float32 ssm state doubles the GDN state and raises the attention block", () => {
    const arch = model("Qwen/Qwen3-Next-80B-A3B-Thinking");
    // TP 4, Gated DeltaNet: conv_dim = 128·16·2 + 128·32 = 8,192 → 2,048 per rank, 3 rows (kernel 4 − 1) → 12,288 B
    // in bf16; ssm state 32/4 heads × 128 × 128 = 131,072 elements → 262,144 B (bf16, Qwen3-Next's default: the
    // model dtype) or 524,288 B (float32). Pages 274,432 / 536,576 B. Attention: max(1, 2 // 4) KV head × 256 × 2 × 2
    // = 1,024 B/token; "align" mode block = 16 · cdiv(page, 16 · 1,024) = 16 · 17 = 272 or 16 · 33 = 528 tokens.
    const auto = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ tensorParallelSize: 4 }) });
    const f32 = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ tensorParallelSize: 4, mambaSsmCacheDtype: "float32" }) });
    expect(auto.engine.blockSize).toBe(272);
    expect(f32.engine.blockSize).toBe(528);
    expect(f32.kvCache.pageSizeBytes).toBe(528 * 1024);
  });
});

describe("--language-model-only and --enable-sleep-mode", () => {
  it("language-model-only: no vision tower weights and no encoder profile (as with every multimodal limit at 0)", () => {
    const arch = model("Qwen/Qwen2.5-VL-7B-Instruct");
    const lm = planDeployment({ model: arch, gpu: gpu("a100-80g"), flags: flags({ languageModelOnly: true }) });
    const zero = planDeployment({ model: arch, gpu: gpu("a100-80g"), flags: flags({ limitMmPerPrompt: { image: 0, video: 0 } }) });
    const full = planDeployment({ model: arch, gpu: gpu("a100-80g"), flags: flags() });
    expect(lm.encoder).toBeNull();
    expect(lm.perGpu[0]!.weightsBytes).toBe(zero.perGpu[0]!.weightsBytes);
    expect(lm.perGpu[0]!.weightsBytes).toBeLessThan(full.perGpu[0]!.weightsBytes);
  });
  it("sleep mode changes the allocator, not the start-up budget", () => {
    const arch = model("Qwen/Qwen3-8B");
    const plan = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags() });
    const planned = planDeployment({ model: arch, gpu: gpu("h100"), flags: flags({ enableSleepMode: true }) }, { explain: true });
    expect(planned.perGpu).toEqual(plan.perGpu);
    expect(planned.explain.some((l) => l.what === "sleep mode")).toBe(true);
  });
  it("flags accepted without a memory model are named in NOT_EXACT warnings", () => {
    const p = planDeployment({ model: model("Qwen/Qwen3-8B"), gpu: gpu("h100"), flags: flags({ notModeledFlags: ["--some-flag"] }) });
    expect(p.diagnostics.some((d) => d.code === "NOT_EXACT" && String(d.args["what"]).includes("--some-flag"))).toBe(true);
  });
});
