// A quantization method below its minimum compute capability is refused as vLLM refuses it
// (vllm/config/vllm.py VllmConfig._get_quantization_config: capability < get_min_capability()), and no
// fix offers it: "--quantization fp8" was offered on V100s and planned to start there.
import { describe, expect, it } from "vitest";
import { planDeployment } from "../src/core/plan.js";
import { planWithLevers } from "../src/core/levers.js";
import { flags, gpu, model } from "./helpers/models.js";

const code = "QUANTIZATION_UNSUPPORTED_GPU";

describe("quantization methods and compute capability", () => {
  it("fp8 (75): refused on a V100 (70), planned on a T4 (75) and an A100 (80)", () => {
    const arch = model("qwen2.5-7b");
    const v100 = planDeployment({ model: arch, gpu: gpu("v100-32g"), flags: flags({ quantization: "fp8", maxModelLen: 8192 }) });
    expect(v100.fits).toBe(false);
    expect(v100.diagnostics.find((d) => d.code === code)?.args).toEqual({ method: "fp8", min: 75, cc: 70 });
    for (const g of ["t4", "a100-80g"]) {
      expect(planDeployment({ model: arch, gpu: gpu(g), flags: flags({ quantization: "fp8", maxModelLen: 8192 }) }).diagnostics.some((d) => d.code === code)).toBe(false);
    }
  });

  it("a checkpoint's own method: AWQ (75) on a V100, MXFP4 (80) on a T4 (gpt-oss needs Ampere); fine on an A10G (86)", () => {
    const awq = planDeployment({ model: model("qwen2.5-14b-awq"), gpu: gpu("v100-32g"), flags: flags({ maxModelLen: 8192 }) });
    expect(awq.diagnostics.find((d) => d.code === code)?.args).toEqual({ method: "awq", min: 75, cc: 70 });
    const oss = planDeployment({ model: model("gpt-oss-20b"), gpu: gpu("t4"), flags: flags({ maxModelLen: 8192 }) });
    expect(oss.diagnostics.find((d) => d.code === code)?.args).toEqual({ method: "mxfp4", min: 80, cc: 75 });
    expect(planDeployment({ model: model("gpt-oss-20b"), gpu: gpu("a10g"), flags: flags({ maxModelLen: 8192 }) }).diagnostics.some((d) => d.code === code)).toBe(false);
    // GPTQ keeps its exllama kernel below Marlin's 7.5 (GPTQConfig 60): a V100 runs it.
    expect(planDeployment({ model: model("qwen2.5-7b-gptq-int4"), gpu: gpu("v100-16g"), flags: flags({ maxModelLen: 8192 }) }).diagnostics.some((d) => d.code === code)).toBe(false);
  });

  it("no fix on a V100 proposes fp8 weights (Phi-4, 14.7B in fp16 = 29.3 GB, on 16 GB V100s)", () => {
    const plan = planWithLevers({ model: model("phi-4"), gpu: gpu("v100-16g"), flags: flags({ maxModelLen: 16384 }) });
    expect(plan.fits).toBe(false);
    const fixes = plan.diagnostics.flatMap((d) => d.fix ?? []).map((f) => [f, ...(f.with ?? [])].map((x) => `${x.flag} ${x.value}`).join(" "));
    expect(fixes.length).toBeGreaterThan(0);
    expect(fixes.filter((f) => f.includes("--quantization fp8"))).toEqual([]);
  });
});
