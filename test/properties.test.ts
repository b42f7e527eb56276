// Property-based tests of the core (fast-check): laws that must hold for every valid input, searched
// over real catalog models, GPUs and flag ranges. A fixed seed and bounded runs keep `npm test`
// reproducible and quick; `npm run fuzz` (test/fuzz/run.ts) runs the same properties longer with a
// random seed. FC_SEED / FC_RUNS override both.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { planDeployment } from "../src/core/plan.js";
import { modelArchFromConfig } from "../src/core/architecture.js";
import { ppLayerRanges, weightsPerRank } from "../src/core/weights.js";
import { imageTokens, pixelLimits } from "../src/core/vision.js";
import { solve, evaluate } from "../src/core/solve.js";
import type { EngineFlags, ModelArch, Plan } from "../src/core/types.js";
import { flags, gpu, model } from "./helpers/models.js";

const SEED = Number(process.env["FC_SEED"] ?? 20261129);
const RUNS = (n: number): number => Math.max(1, Math.round(n * Number(process.env["FC_RUNS_SCALE"] ?? 1)));
const params = (n: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: RUNS(n), endOnFailure: true });

// Real architectures of every kind: dense GQA, MoE, MLA, sliding window, hybrid GDN and Mamba, vision, quantized.
const MODEL_NAMES = ["qwen2.5-7b", "qwen2.5-vl-7b", "qwen3-30b-a3b", "deepseek-v2-lite", "gemma-3-4b-it", "Qwen/Qwen3-Next-80B-A3B-Thinking", "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", "meta-llama/Llama-3.1-8B-Instruct", "openai/gpt-oss-20b", "Qwen/Qwen3-30B-A3B-FP8"];
const MODELS = new Map<string, ModelArch>(MODEL_NAMES.map((n) => [n, model(n)]));
const GPUS = ["a100-80g", "h100-sxm", "l40s", "l4", "a10g", "h200", "b200", "t4"].map((g) => gpu(g));

const anyModel = fc.constantFrom(...MODEL_NAMES).map((n) => MODELS.get(n) as ModelArch);
const anyGpu = fc.constantFrom(...GPUS);
const anyVersion = fc.constantFrom(undefined, "0.6.6", "0.8.5", "0.10.1", "0.11.0", "0.13.0", "0.17.0", "0.21.0", "0.29.0");

/** Flags within the ranges the CLI accepts (src/limits.ts), kept small enough to plan quickly. */
const anyFlags: fc.Arbitrary<EngineFlags> = fc
  .record({
    tensorParallelSize: fc.constantFrom(1, 2, 3, 4, 8, 16),
    pipelineParallelSize: fc.constantFrom(1, 2, 3, 4, 7),
    dataParallelSize: fc.constantFrom(1, 2),
    gpuMemoryUtilization: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
    maxModelLen: fc.option(fc.integer({ min: 1, max: 300_000 }), { nil: undefined }),
    maxNumSeqs: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
    maxNumBatchedTokens: fc.option(fc.integer({ min: 1, max: 65_536 }), { nil: undefined }),
    kvCacheDtype: fc.constantFrom("auto" as const, "fp8" as const),
    enforceEager: fc.boolean(),
    enableExpertParallel: fc.boolean(),
    vllmVersion: anyVersion,
    usageContext: fc.constantFrom("server" as const, "offline" as const),
    limitMmPerPrompt: fc.option(fc.record({ image: fc.integer({ min: 0, max: 4 }), video: fc.integer({ min: 0, max: 1 }) }), { nil: undefined }),
    otherProcessBytes: fc.integer({ min: 0, max: 4 * 2 ** 30 }),
  })
  .map((f) => {
    const out: Partial<EngineFlags> = {};
    for (const [k, v] of Object.entries(f)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    return flags(out);
  });

/** Every number in a plan: finite; every byte count (…Bytes) an integer ≥ 0, except signed differences. */
function byteProblems(x: unknown, path = "plan"): string[] {
  const out: string[] = [];
  const visit = (v: unknown, p: string, key: string): void => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) out.push(`${p} = ${v}`);
      else if (/Bytes$/.test(key) && !/^(kvGainBytes|differenceBytes|minFreeBytes)$/.test(key) && (v < 0 || !Number.isInteger(v))) out.push(`${p} = ${v}`);
      return;
    }
    if (typeof v !== "object" || v === null) return;
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${p}[${i}]`, key));
    else for (const [k, x] of Object.entries(v)) visit(x, `${p}.${k}`, k);
  };
  visit(x, path, "");
  return out;
}

const minKv = (p: Plan): number => Math.min(...p.perGpu.map((g) => g.kvCacheBytes));

describe("properties of the core (fast-check, fixed seed)", () => {
  it("no NaN, Infinity or negative byte field for any valid input", () => {
    fc.assert(
      fc.property(anyModel, anyGpu, anyFlags, (m, g, f) => {
        const p = planDeployment({ model: m, gpu: g, flags: f }, { whatIf: true });
        expect(byteProblems(p)).toEqual([]);
        expect(p.perGpu.length).toBe(f.pipelineParallelSize);
      }),
      params(120),
    );
  });

  it("a drafter's KV layers keep every byte of the KV plan whole (pages, bytes per token), whatever the target's layout", () => {
    // Targets of every layout (one group, sliding-window groups, MLA, Gemma 4's two shapes); drafts of another shape.
    const targets = ["qwen2.5-7b", "gemma-3-4b-it", "openai/gpt-oss-20b", "deepseek-v2-lite", "google/gemma-4-26B-A4B", "meta-llama/Llama-3.1-8B-Instruct"].map((n) => model(n));
    // A Nemotron-NAS stack whose layers hold 2, 4 and 1 KV heads (the layout whose mean page was fractional).
    const block = (group: number) => ({ attention: { no_op: false, n_heads_in_group: group }, ffn: { no_op: false, ffn_mult: 1.0 } });
    targets.push(modelArchFromConfig("t/nas", { config: { architectures: ["DeciLMForCausalLM"], model_type: "nemotron-nas", hidden_size: 1024, num_hidden_layers: 3, num_attention_heads: 8, num_key_value_heads: null, vocab_size: 1000, torch_dtype: "bfloat16", max_position_embeddings: 4096, block_configs: [block(4), block(2), block(8)] } }));
    // Qwen2.5-1.5B (2 KV heads × 128) has the NAS stack's first-layer shape: the case that used the mean page.
    const drafts = ["Qwen/Qwen3-0.6B", "Qwen/Qwen2.5-1.5B-Instruct", "qwen2.5-7b", "gemma-3-4b-it"].map((n) => model(n));
    const dtypes = ["auto", "fp8", "int8_per_token_head", "nvfp4", "turboquant_k8v4", "turboquant_3bit_nc"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.constantFrom(...drafts), fc.constantFrom(...dtypes), fc.constantFrom(1, 2, 4), (target, draft, kvCacheDtype, tp) => {
        const p = planDeployment({ model: target, gpu: gpu("b200"), flags: flags({ tensorParallelSize: tp, kvCacheDtype, speculative: { method: "draft_model", model: draft.id, numSpeculativeTokens: 2, draftModel: draft } }) });
        const kv = p.kvCache;
        expect([kv.pageSizeBytes, kv.bytesPerToken, kv.bytesNeededForMaxModelLen, kv.numGpuBlocks].every(Number.isInteger)).toBe(true);
        expect(byteProblems(p)).toEqual([]);
      }),
      params(60),
    );
  });

  it("more --gpu-memory-utilization never gives less KV cache", () => {
    fc.assert(
      fc.property(anyModel, anyGpu, anyFlags, fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), (model, gpu, flags, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const base = { ...flags, kvCacheMemoryBytes: undefined };
        const pLo = planDeployment({ model, gpu, flags: { ...base, gpuMemoryUtilization: lo } }, { fixes: false });
        const pHi = planDeployment({ model, gpu, flags: { ...base, gpuMemoryUtilization: hi } }, { fixes: false });
        expect(minKv(pHi)).toBeGreaterThanOrEqual(minKv(pLo));
        expect(pHi.kvCache.numGpuBlocks).toBeGreaterThanOrEqual(pLo.kvCache.numGpuBlocks);
      }),
      params(80),
    );
  });

  it("pipeline stages partition the layers; per-stage layer weights sum to the unsplit model's", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 4096 }), (layers, pp) => {
        const r = ppLayerRanges(layers, pp);
        expect(r.length).toBe(pp);
        // Plain checks in the loop (one expect per stage would cost more than the property).
        let next = 0;
        let contiguous = true;
        for (const [s, e] of r) {
          if (s !== next || e < s) contiguous = false;
          next = e;
        }
        expect(contiguous).toBe(true);
        expect(next).toBe(layers);
        const sizes = r.map(([s, e]) => e - s);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
      params(200),
    );
    fc.assert(
      fc.property(anyModel, fc.integer({ min: 1, max: 12 }), (model, pp0) => {
        const pp = Math.min(pp0, model.numLayers);
        const shape = { tp: 1, ep: 1, visionReplicated: false, cc: 9 };
        const whole = weightsPerRank(model, shape, 1, 0, model.dtype, model.quant);
        let layers = 0;
        for (let s = 0; s < pp; s++) layers += weightsPerRank(model, shape, pp, s, model.dtype, model.quant).layers;
        expect(Math.abs(layers - whole.layers)).toBeLessThanOrEqual(1e-6 * whole.layers + 1);
      }),
      params(40),
    );
  });

  it("tensor and expert parallel ranks together hold at least the whole model, and no rank more than it", () => {
    fc.assert(
      fc.property(anyModel, fc.constantFrom(1, 2, 4, 8), fc.boolean(), (model, tp, epOn) => {
        const ep = epOn && model.moe ? tp : 1;
        const one = weightsPerRank(model, { tp: 1, ep: 1, visionReplicated: false, cc: 9 }, 1, 0, model.dtype, model.quant);
        const rank = weightsPerRank(model, { tp, ep, visionReplicated: false, cc: 9 }, 1, 0, model.dtype, model.quant);
        expect(rank.total).toBeLessThanOrEqual(one.total * 1.05 + 2 ** 20);
        // Replicated norms, padded vocab and rotary caches make tp ranks hold a little more than one copy.
        expect(rank.total * tp).toBeGreaterThanOrEqual(one.total * 0.99);
      }),
      params(60),
    );
  });

  it("memoized weights equal a fresh computation for any parallel sizes (no key collisions)", () => {
    const model = MODELS.get("qwen2.5-7b") as ModelArch;
    fc.assert(
      fc.property(
        fc.array(fc.record({ tp: fc.integer({ min: 1, max: 4096 }), ep: fc.integer({ min: 1, max: 4096 }), pp: fc.integer({ min: 1, max: 300 }), cc: fc.constantFrom(7, 8, 8.9, 9, 10, 12) }), { minLength: 2, maxLength: 6 }),
        (shapes) => {
          // Warm the memo with every shape, then compare each against a fresh copy of the model (new identity: no memo).
          const results = shapes.map((s) => weightsPerRank(model, { tp: s.tp, ep: s.ep, visionReplicated: false, cc: s.cc }, s.pp, s.pp - 1, model.dtype, model.quant));
          shapes.forEach((s, i) => {
            const fresh = { ...model };
            expect(results[i]).toEqual(weightsPerRank(fresh, { tp: s.tp, ep: s.ep, visionReplicated: false, cc: s.cc }, s.pp, s.pp - 1, fresh.dtype, fresh.quant));
          });
        },
      ),
      params(60),
    );
    // The two collisions issue #13 found: pp ≥ 128 and tp·ep ≥ 1024.
    const weights = weightsPerRank(model, { tp: 1, ep: 1, visionReplicated: false, cc: 9 }, 128, 0, model.dtype, model.quant);
    const b = weightsPerRank(model, { tp: 2, ep: 1, visionReplicated: false, cc: 9 }, 0 + 128, 0, model.dtype, model.quant);
    expect(weights).not.toEqual(b);
  });

  it("image tokens never decrease as an image grows between the processor's pixel bounds", () => {
    const v = (MODELS.get("qwen2.5-vl-7b") as ModelArch).vision;
    if (!v) throw new Error("qwen2.5-vl-7b has a vision tower");
    const lim = pixelLimits(v, undefined);
    const side = fc.integer({ min: 64, max: 3000 });
    fc.assert(
      fc.property(side, side, fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), (w, h, dw, dh) => {
        const w2 = w + dw;
        const h2 = h + dh;
        // Below the cap (with room for smart_resize's rounding up to a multiple of 28) and above the floor.
        fc.pre(w2 * h2 * 1.2 < lim.maxPixels && w * h > lim.minPixels * 1.2 && Math.max(w, h) / Math.min(w, h) < 50 && Math.max(w2, h2) / Math.min(w2, h2) < 50);
        expect(imageTokens(v, w2, h2, lim).tokens).toBeGreaterThanOrEqual(imageTokens(v, w, h, lim).tokens);
      }),
      params(300),
    );
  });

  it("the plan of a solve answer meets the target it was solved for", () => {
    fc.assert(
      fc.property(fc.constantFrom("qwen2.5-7b", "meta-llama/Llama-3.1-8B-Instruct", "qwen3-30b-a3b"), anyGpu, fc.integer({ min: 1024, max: 32_768 }), fc.integer({ min: 1, max: 64 }), (name, gpu, context, concurrency) => {
        const model = MODELS.get(name) as ModelArch;
        const result = solve({ model, gpu, base: flags(), context, concurrency, maxGpus: 8 });
        if (!result.found) return;
        const ev = evaluate({ model, gpu, flags: result.flags }, { context, concurrency: { n: concurrency, len: context } });
        expect(ev.failures).toEqual([]);
        expect(ev.ok).toBe(true);
      }),
      params(12),
    );
  });
});
