// The JSON Schema of `plan --json` (src/render/json-schema.ts): printed by `vram-plan schema`, kept in
// schema/plan.schema.json (exported by the package), and every plan's JSON validates against it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planJson, renderSchema } from "../src/render/json-schema.js";
import { runCli } from "./helpers/cli.js";
import { GOLDEN_CASES } from "./golden/cases.js";
import { schemaFaults } from "./helpers/json-schema.js";

const root = join(import.meta.dirname, "..");
/** The document `vram-plan schema` prints and the package exports (schema/plan.schema.json). */
const printed = JSON.parse(readFileSync(join(root, "schema", "plan.schema.json"), "utf8")) as Record<string, unknown>;

describe("plan --json schema", () => {
  it("vram-plan schema prints it, exit 0, and schema/plan.schema.json is the same (npm run golden:update writes it)", async () => {
    const ran = await runCli(["schema"]);
    expect(ran.code).toBe(0);
    expect(ran.out).toBe(renderSchema());
    expect(readFileSync(join(root, "schema", "plan.schema.json"), "utf8")).toBe(ran.out);
    const schema = JSON.parse(ran.out) as { $schema: string; required: string[]; additionalProperties: boolean };
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.required).toEqual(["fits", "model", "gpu", "engine", "perGpu", "kvCache", "encoder", "diagnostics", "explain", "whatIf"]);
    expect(schema.additionalProperties).toBe(false);
  });

  // The golden plans, plus ones that reach other branches: --explain lines, a GPU too small, a
  // pinned KV cache, an old V0 release, other processes on the GPU, a quantized checkpoint.
  const more = [
    ["--model", "qwen2.5-7b", "--gpu", "l4", "--explain"],
    ["--model", "deepseek-v3", "--gpu", "h100"],
    ["--model", "qwen3-8b", "--gpu", "a100-80g", "--kv-cache-memory", "20GiB"],
    ["--model", "qwen2.5-1.5b", "--gpu", "t4", "--vllm-version", "0.6.4", "--dtype", "half"],
    ["--model", "gemma-3-4b", "--gpu", "l40s", "--other-process-memory", "4GiB"],
    ["--model", "qwen2.5-7b-gptq-int4", "--gpu", "rtx-4090"],
  ];
  for (const argv of [...GOLDEN_CASES.map((c) => c.argv), ...more]) {
    it(`validates: ${argv.join(" ")}`, async () => {
      const ran = await runCli([...argv, "--json"]);
      expect(ran.err).toBe("");
      expect(ran.code).toBeLessThanOrEqual(1);
      const parsed = planJson.safeParse(JSON.parse(ran.out));
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
      // And against the printed JSON Schema document itself, as a user's validator reads it.
      expect(schemaFaults(printed, JSON.parse(ran.out))).toEqual([]);
    });
  }

  it("rejects a field it does not describe (strict objects: a new Plan field must be added to the schema)", async () => {
    const ran = await runCli(["--model", "qwen2.5-7b", "--gpu", "l4", "--json"]);
    const json = JSON.parse(ran.out) as Record<string, unknown>;
    expect(planJson.safeParse({ ...json, surprise: 1 }).success).toBe(false);
    expect(planJson.safeParse({ ...json, fits: "yes" }).success).toBe(false);
    // The printed document refuses them too, and a byte count that is not a whole number of bytes.
    expect(schemaFaults(printed, json)).toEqual([]);
    expect(schemaFaults(printed, { ...json, surprise: 1 })).toEqual(["$: 'surprise' is not allowed (additionalProperties false)"]);
    expect(schemaFaults(printed, { ...json, fits: "yes" })).toEqual(["$.fits: string is not boolean"]);
    const perGpu = json["perGpu"] as Record<string, unknown>[];
    const bad = { ...json, perGpu: [{ ...perGpu[0], weightsBytes: 1.5 }, ...perGpu.slice(1)] };
    expect(schemaFaults(printed, bad)).toEqual(["$.perGpu[0].weightsBytes: number is not integer"]);
  });
});
