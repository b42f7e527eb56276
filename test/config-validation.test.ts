// Config validation (src/sources/config-schema.ts, src/core/arch-check.ts): every real config in the
// catalog passes (the catalog is not schema-checked at start-up, so this test is its gate), and
// each hostile value of issue #13's campaign is refused with the file, the key path and the rule.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog, loadCatalogFiles } from "../src/sources/catalog.js";
import { validateConfigFiles } from "../src/sources/config-schema.js";
import { modelArchFromConfig, type Json } from "../src/core/architecture.js";
import { archProblem } from "../src/core/arch-check.js";
import { InputError } from "../src/errors.js";

const MODELS = join(import.meta.dirname, "..", "src", "data", "models");
const read = (f: string): Record<string, Json> => JSON.parse(readFileSync(join(MODELS, f), "utf8")) as Record<string, Json>;

function refusal(config: Json, extra: { preprocessor?: Json; quantConfig?: Json } = {}): string {
  try {
    validateConfigFiles({ config, ...extra }, { config: "m/config.json", preprocessor: "m/preprocessor_config.json", quantConfig: "m/quantize_config.json" });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as InputError).message;
    expect(msg).not.toContain("\n");
    return msg;
  }
  return "accepted";
}

describe("the catalog's real configs", () => {
  it("every entry passes the schema and gives a ModelArch the core can compute with", () => {
    const entries = catalog();
    expect(entries.length).toBeGreaterThan(40);
    for (const e of entries) {
      const files = loadCatalogFiles(e);
      expect(() => validateConfigFiles(files, { config: e.hfId })).not.toThrow();
      expect(archProblem(modelArchFromConfig(e.hfId, files))).toBeNull();
    }
  });
});

describe("hostile config.json values", () => {
  const qwen = (): Record<string, Json> => read("Qwen__Qwen2.5-7B-Instruct.json");
  const vl = (): Record<string, Json> => read("Qwen__Qwen2.5-VL-7B-Instruct.json");
  const cases: [string, () => Json, string][] = [
    ["num_hidden_layers 1e12", () => ({ ...qwen(), num_hidden_layers: 1e12 }), "m/config.json: num_hidden_layers must be an integer from 1 to 10000, got 1000000000000"],
    ["num_hidden_layers as a string", () => ({ ...qwen(), num_hidden_layers: "28" }), 'm/config.json: num_hidden_layers must be an integer from 1 to 10000, got "28"'],
    ["zero heads", () => ({ ...qwen(), num_attention_heads: 0 }), "m/config.json: num_attention_heads must be an integer from 1 to 65536, got 0"],
    ["KV heads not dividing heads", () => ({ ...qwen(), num_key_value_heads: 5 }), "m/config.json: num_key_value_heads must divide num_attention_heads (28), got 5"],
    ["hidden not divisible by heads", () => ({ ...qwen(), hidden_size: 3585 }), "m/config.json: hidden_size must be divisible by num_attention_heads (28) when head_dim is absent, got 3585"],
    ["a negative rope factor", () => ({ ...qwen(), rope_scaling: { type: "linear", factor: -4 } }), "m/config.json: rope_scaling.factor must be a finite number above 0 up to 1000000, got -4"],
    ["a linear rope factor below 1", () => ({ ...qwen(), rope_scaling: { type: "linear", factor: 0.5 } }), "m/config.json: rope_scaling.factor must be at least 1 for linear and dynamic scaling, got 0.5"],
    ["top-k above the experts", () => ({ ...qwen(), num_experts: 8, num_experts_per_tok: 9 }), "m/config.json: num_experts_per_tok must not exceed the number of experts (8), got 9"],
    ["first_k_dense_replace 1e9", () => ({ ...qwen(), num_experts: 8, first_k_dense_replace: 1e9 }), "m/config.json: first_k_dense_replace must be an integer from 0 to 10000, got 1000000000"],
    ["GPTQ with 5 bits", () => ({ ...qwen(), quantization_config: { quant_method: "gptq", bits: 5, group_size: 128 } }), "m/config.json: quantization_config.bits must be one of 2, 3, 4, 8 for gptq (vLLM rejects other widths), got 5"],
    ["AWQ with group size 0", () => ({ ...qwen(), quantization_config: { quant_method: "awq", bits: 4, group_size: 0 } }), "m/config.json: quantization_config.group_size must be -1 (per channel) or an integer from 1 to 1048576, got 0"],
    ["vision patch_size -14", () => ({ ...vl(), vision_config: { ...(vl()["vision_config"] as object), patch_size: -14 } }), "m/config.json: vision_config.patch_size must be an integer from 1 to 4096, or a pair of them, got -14"],
    ["vision spatial_merge_size 0", () => ({ ...vl(), vision_config: { ...(vl()["vision_config"] as object), spatial_merge_size: 0 } }), "m/config.json: vision_config.spatial_merge_size must be an integer from 1 to 64, got 0"],
    ["text_config layers", () => ({ model_type: "x", text_config: { ...qwen(), num_hidden_layers: -1 } }), "m/config.json: text_config.num_hidden_layers must be an integer from 1 to 10000, got -1"],
    ["not an object", () => [1, 2], "m/config.json: (top level) must be a JSON object, not a list"],
  ];
  for (const [what, config, line] of cases) it(what, () => expect(refusal(config())).toBe(line));

  it("preprocessor min_pixels above max_pixels, and a zero size", () => {
    expect(refusal(vl(), { preprocessor: { min_pixels: 10, max_pixels: 5 } })).toBe("m/preprocessor_config.json: min_pixels must not exceed max_pixels (5), got 10");
    expect(refusal(vl(), { preprocessor: { size: { shortest_edge: 0 } } })).toBe("m/preprocessor_config.json: size must be a positive size or an object of positive sizes, got {\"shortest_edge\":0}");
  });
  it("a quantize_config.json with 3.5 bits", () => {
    expect(refusal(qwen(), { quantConfig: { quant_method: "gptq", bits: 3.5 } })).toBe("m/quantize_config.json: bits must be an integer from 1 to 64, got 3.5");
  });
  it("a 100 KB value is cut to a short excerpt", () => {
    const msg = refusal({ ...qwen(), num_hidden_layers: "x".repeat(100_000) });
    expect(msg.length).toBeLessThan(150);
  });
});

describe("archProblem: the backstop behind the schema", () => {
  it("catches what only the derivation reveals", () => {
    const model = modelArchFromConfig("m", { config: read("Qwen__Qwen2.5-7B-Instruct.json") });
    expect(archProblem(model)).toBeNull();
    expect(archProblem({ ...model, derivedMaxModelLen: -131072 })).toEqual({ field: "derivedMaxModelLen", rule: "must not be negative", value: -131072 });
    expect(archProblem({ ...model, headDim: Number.NaN })).toEqual({ field: "headDim", rule: "must be a finite number", value: Number.NaN });
    expect(archProblem({ ...model, layers: model.layers.slice(1) })).toEqual({ field: "layers", rule: "must have one entry per layer (28)", value: 27 });
  });
});

describe("valid shapes the schema must not refuse", () => {
  it("a [h, w] or {height, width} patch and image size (PixtralImageProcessor writes patch_size as an object)", () => {
    const vl = read("Qwen__Qwen2.5-VL-7B-Instruct.json");
    expect(refusal(vl, { preprocessor: { patch_size: { height: 16, width: 16 }, size: { longest_edge: 1024 } } })).toBe("accepted");
    expect(refusal({ ...vl, vision_config: { ...(vl["vision_config"] as object), image_size: [384, 384] } })).toBe("accepted");
    expect(refusal({ ...vl, sliding_window: null, rope_scaling: null, quantization_config: null })).toBe("accepted");
  });
});
