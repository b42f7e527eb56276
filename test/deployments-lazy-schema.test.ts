// vram-plan's deployments file is validated with zod, loaded only when such a file is met
// (src/sources/deployments/vram-plan.ts loadVramPlanSchema): every other format reads without it.
// A file of its own, so the schema module starts unloaded here.
import { describe, expect, it } from "vitest";
import { readDeploymentFile, readDeploymentFileWithSchemas } from "../src/sources/deployments.js";
import { VramPlanSchemaNotLoaded } from "../src/sources/deployments/vram-plan.js";

const VRAM_PLAN_FILE = "deployments:\n  - name: chat\n    model: Qwen/Qwen3-8B\n    gpu: h100\n    gpu_count: 2\n";
const COMPOSE_FILE = "services:\n  vllm:\n    image: vllm/vllm-openai:v0.11.0\n    command: --model Qwen/Qwen2.5-7B-Instruct --max-model-len 16384\n";

describe("the vram-plan file's schema is loaded on first need", () => {
  it("a compose file reads synchronously without it", () => {
    expect(readDeploymentFile("compose.yaml", COMPOSE_FILE).deployments.map((d) => d.model)).toEqual(["Qwen/Qwen2.5-7B-Instruct"]);
  });

  it("a vram-plan file read synchronously before it is loaded is a programming error, not a silent pass", () => {
    expect(() => readDeploymentFile("v.yaml", VRAM_PLAN_FILE)).toThrow(VramPlanSchemaNotLoaded);
  });

  it("readDeploymentFileWithSchemas loads it and validates: the unknown key is named with its line", async () => {
    await expect(readDeploymentFileWithSchemas("v.yaml", VRAM_PLAN_FILE)).rejects.toThrow('v.yaml:5: deployments[0]: Unrecognized key: "gpu_count"');
    // Loaded now: the synchronous reader validates too.
    expect(() => readDeploymentFile("v.yaml", VRAM_PLAN_FILE)).toThrow('v.yaml:5: deployments[0]: Unrecognized key: "gpu_count"');
  });
});
