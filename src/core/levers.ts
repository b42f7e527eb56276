// Levers: the flag changes that make a failing plan start (fixes) and the vision levers shown for a
// plan that starts (what-ifs). Every answer comes from planning again through planDeployment, never
// from inverting the core's formulas, so a fix printed is a fix the planner itself agrees with.
//
// Levers are tried cheapest first: the ones that cost nothing but a smaller workload envelope
// (max-model-len, multimodal limits, image size, batch limits), then the memory budget
// (utilization), then precision (fp8 KV cache, quantized weights), and only then more GPUs (TP, PP).
import type { Diagnostic, DiagnosticCode, EngineFlags, GpuBudget, Plan, PlanInput, WhatIf } from "./types.js";
import { planDeployment, type PlanOptions } from "./plan.js";
import { hasVideo, maxPixelsForTokens } from "./vision.js";

/** One entry of a diagnostic's fix list: a flag (and any companion flags) that makes the plan start. */
export type FixEntry = NonNullable<Diagnostic["fix"]>[number];

export interface LeverOptions extends PlanOptions {
  /** Re-plan the vision levers (one image per prompt, smaller max_pixels, fewer batched tokens). */
  whatIf?: boolean;
}

/** planDeployment, then fixes for each error (re-planned) and, when asked, the vision what-ifs. */
export function planWithLevers(input: PlanInput, opts: LeverOptions = {}): Plan {
  const plan = planDeployment(input, opts.explain ? { explain: true } : {});
  if (!plan.fits) addFixes(input, plan);
  if (opts.whatIf && plan.encoder) plan.whatIf = whatIfsFor(input, plan);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Round values
// ---------------------------------------------------------------------------------------------

/**
 * The largest value at most `x` that a person would type, losing as little as possible: a multiple of
 * 1000 or of 1024 (28000 for 28032, 30720 for 30720), else a multiple of 256, each only within 10 % of
 * x; else two significant decimal digits (1400 for 1453, 370 for 379), which is always within 10 %.
 * `x` itself when it is already such a value.
 */
export function roundDownForPeople(x: number): number {
  const whole = Math.floor(x);
  if (whole <= 16) return Math.max(0, whole);
  const big = Math.max(Math.floor(whole / 1000) * 1000, Math.floor(whole / 1024) * 1024);
  if (big > 0 && big >= 0.9 * whole) return big;
  const multipleOf256 = Math.floor(whole / 256) * 256;
  if (multipleOf256 > 0 && multipleOf256 >= 0.9 * whole) return multipleOf256;
  const mag = 10 ** Math.max(0, Math.floor(Math.log10(whole)) - 1);
  return Math.floor(whole / mag) * mag;
}

/** Ladder of round values strictly below `x` and at least `min`, largest first (powers of two). */
function powersOfTwoBelow(x: number, min: number): number[] {
  const out: number[] = [];
  for (let p = 2 ** Math.ceil(Math.log2(Math.max(1, x))) / 2; p >= Math.max(1, min); p /= 2) if (p < x) out.push(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fixes
// ---------------------------------------------------------------------------------------------

/** Errors that more memory for the KV cache, or less memory taken before it, fixes. */
const MEMORY_ERRORS: ReadonlySet<DiagnosticCode> = new Set(["NO_KV_CACHE_MEMORY", "KV_CACHE_BELOW_MAX_MODEL_LEN", "FREE_MEMORY_BELOW_BUDGET", "MAMBA_SLOTS_BELOW_MAX_NUM_SEQS"]);

/** A context too short to be useful is no fix: a lever that also shortens --max-model-len keeps at least this many tokens (or the model's own, if shorter). */
const SHORTEST_USEFUL_CONTEXT = 4096;

interface Candidate {
  entry: FixEntry;
  flags: Partial<EngineFlags>;
}

class Replanner {
  plans = 0;
  constructor(private readonly input: PlanInput) {}
  plan(change: Partial<EngineFlags>, base: EngineFlags = this.input.flags): Plan {
    this.plans++;
    return planDeployment({ ...this.input, flags: { ...base, ...change } });
  }
  starts(change: Partial<EngineFlags>, base?: EngineFlags): boolean {
    return this.plan(change, base).fits;
  }
}

const shown = (flag: string, value: string, note?: string): FixEntry => (note ? { flag, value, note } : { flag, value });

/**
 * Every lever that on its own makes the plan start, cheapest first, each at the smallest change
 * found by re-planning (rounded to a value a person would type, and planned again at that value).
 */
export function startingLevers(input: PlanInput, plan: Plan, base: EngineFlags = input.flags): Candidate[] {
  const replan = new Replanner(input);
  const out: Candidate[] = [];
  const engine = plan.engine;
  const model = input.model;
  const try1 = (candidate: Candidate): boolean => {
    if (replan.starts(candidate.flags, base)) {
      out.push(candidate);
      return true;
    }
    return false;
  };

  // Weights alone over a GPU's memory: vLLM loads them before it profiles (gpu_model_runner.py load_model,
  // then determine_available_memory), so no lever that leaves them as they are (1, 4-7: context, batch,
  // utilization, KV dtype) can start it; those are not re-planned. The same levers come out, in fewer
  // plans: Llama-3.1-70B on one H100 took 46 re-plans, now 23 (Llama-3.1-8B on a T4: 38, now 18).
  const weightsOverflow = plan.perGpu.some((g) => g.weightsBytes > g.totalBytes);

  // 1. --max-model-len: the longest context that starts (binary search; shorter is never worse), rounded down.
  const len1 = weightsOverflow ? null : longestStartingLen(replan, base, engine.maxModelLen);
  if (len1 !== null) out.push({ entry: shown("--max-model-len", String(len1)), flags: { maxModelLen: len1 } });

  // 2-3. Multimodal: no video, then one image and no video; then smaller images (Qwen-VL max_pixels).
  const vision = model.vision;
  const limits = base.limitMmPerPrompt ?? {};
  if (vision && !(limits["image"] === 0 && limits["video"] === 0)) {
    const video = hasVideo(vision);
    const options: Record<string, number>[] = [];
    if (video && limits["video"] !== 0) options.push({ ...limits, video: 0 });
    if ((limits["image"] ?? 1) !== 1 || (video && limits["video"] !== 0)) options.push(video ? { ...limits, image: 1, video: 0 } : { ...limits, image: 1 });
    let mmStarts = false;
    for (const l of options) if ((mmStarts = try1({ entry: shown("--limit-mm-per-prompt", JSON.stringify(l)), flags: { limitMmPerPrompt: l } }))) break;
    // Neither alone starts: the smallest multimodal limit with the longest context that then starts, when that
    // keeps more context than --max-model-len alone (Qwen2.5-VL-7B on an RTX 4090: one image and no video
    // start at 60,000 tokens, --max-model-len alone at 32,000). One binary search more.
    const one = options[options.length - 1];
    let bestLen = len1 ?? 0;
    if (!mmStarts && one) {
      const withOne: EngineFlags = { ...base, limitMmPerPrompt: one };
      const len = longestStartingLen(replan, withOne, engine.maxModelLen);
      if (len !== null && len >= Math.min(SHORTEST_USEFUL_CONTEXT, engine.maxModelLen) && len > bestLen) {
        out.push({ entry: { ...shown("--limit-mm-per-prompt", JSON.stringify(one)), with: [{ flag: "--max-model-len", value: String(len) }] }, flags: { limitMmPerPrompt: one, maxModelLen: len } });
        bestLen = len;
      }
    }

    if (maxPixelsForTokens(vision, 1) !== null) {
      // max_pixels of 2^k merged tokens per image (the family's own pixels per token), largest that starts.
      const cur = base.mmProcessorKwargs?.max_pixels ?? vision.maxPixels;
      let pxStarts = false;
      for (const tokens of [16384, 8192, 4096, 2048, 1280, 1024, 512, 256]) {
        const px = maxPixelsForTokens(vision, tokens) as number;
        if (px >= cur || px < vision.minPixels) continue;
        const kwargs = { ...(base.mmProcessorKwargs ?? {}), max_pixels: px };
        if ((pxStarts = try1({ entry: shown("--mm-processor-kwargs", JSON.stringify(kwargs), `images of at most ${tokens} tokens`), flags: { mmProcessorKwargs: kwargs } }))) break;
      }
      // No size alone starts: images of at most 1280 tokens (the what-if's lever) with the longest context
      // that then starts, when that keeps more context than the levers above (Qwen2.5-VL-7B on an RTX 4090:
      // 81,000 tokens, where one image and no video keep 63,000). One binary search more.
      const px = maxPixelsForTokens(vision, SMALLER_IMAGE_TOKENS);
      if (!pxStarts && px !== null && px < cur && px >= vision.minPixels) {
        const kwargs = { ...(base.mmProcessorKwargs ?? {}), max_pixels: px };
        const len = longestStartingLen(replan, { ...base, mmProcessorKwargs: kwargs }, engine.maxModelLen);
        if (len !== null && len >= Math.min(SHORTEST_USEFUL_CONTEXT, engine.maxModelLen) && len > bestLen) {
          out.push({ entry: { ...shown("--mm-processor-kwargs", JSON.stringify(kwargs), `images of at most ${SMALLER_IMAGE_TOKENS} tokens`), with: [{ flag: "--max-model-len", value: String(len) }] }, flags: { mmProcessorKwargs: kwargs, maxModelLen: len } });
        }
      }
    }
  }

  // 4. --max-num-seqs: fewer sequences shrink the sampler warm-up and the CUDA-graph capture sizes.
  if (!weightsOverflow) for (const s of powersOfTwoBelow(engine.maxNumSeqs, 1)) if (try1({ entry: shown("--max-num-seqs", String(s)), flags: { maxNumSeqs: s } })) break;

  // 5. --max-num-batched-tokens: a smaller profile-run batch (never below max-num-seqs, nor below
  //    max-model-len without chunked prefill: SchedulerConfig.verify_max_model_len).
  const minTokens = Math.max(engine.maxNumSeqs, engine.chunkedPrefill ? 1 : engine.maxModelLen);
  if (!weightsOverflow) for (const t of powersOfTwoBelow(engine.maxNumBatchedTokens, minTokens)) if (try1({ entry: shown("--max-num-batched-tokens", String(t)), flags: { maxNumBatchedTokens: t } })) break;

  // 6. --gpu-memory-utilization: the nearest value (hundredths, at most 0.99) that starts.
  if (base.kvCacheMemoryBytes === undefined && !weightsOverflow) {
    const u0 = Math.round(engine.gpuMemoryUtilization * 100);
    for (let step = 1; step <= 98; step++) {
      const up = u0 + step;
      const down = u0 - step;
      if (up > 99 && down < 1) break;
      if (up <= 99 && try1({ entry: shown("--gpu-memory-utilization", (up / 100).toFixed(2)), flags: { gpuMemoryUtilization: up / 100 } })) break;
      // Going down is for free memory: the value must pass vLLM's free-memory check outright, not only
      // with the smallest CUDA context seen (that still prints FREE_MEMORY_BELOW_BUDGET as a warning).
      if (down >= 1 && plan.diagnostics.some((x) => x.code === "FREE_MEMORY_BELOW_BUDGET")) {
        const lower = replan.plan({ gpuMemoryUtilization: down / 100 }, base);
        if (lower.fits && !lower.diagnostics.some((x) => x.code === "FREE_MEMORY_BELOW_BUDGET")) {
          out.push({ entry: shown("--gpu-memory-utilization", (down / 100).toFixed(2)), flags: { gpuMemoryUtilization: down / 100 } });
          break;
        }
      }
    }
  }

  // 7. fp8 KV cache (half the bytes per token of a 16-bit cache).
  if (engine.kvBytesPerElement > 1 && !weightsOverflow) try1({ entry: shown("--kv-cache-dtype", "fp8"), flags: { kvCacheDtype: "fp8" } });

  // 8. Quantized weights: fp8 at load time from a 16-bit checkpoint (or a checkpoint quantized offline).
  if (model.quant.method === "none" && (base.quantization === undefined || base.quantization === "none")) {
    try1({ entry: shown("--quantization", "fp8", "fp8 weights quantized at load time, or a quantized checkpoint"), flags: { quantization: "fp8" } });
  }

  // 8b. When no lever alone starts it on these GPUs: fp8 (KV cache, weights, both) with a shorter
  //     context, so the same GPUs are offered before more of them.
  if (out.length === 0) {
    const precision: { flags: Partial<EngineFlags>; shown: { flag: string; value: string }[] }[] = [];
    const kvFp8 = engine.kvBytesPerElement > 1;
    const weightsFp8 = model.quant.method === "none" && (base.quantization === undefined || base.quantization === "none");
    if (kvFp8) precision.push({ flags: { kvCacheDtype: "fp8" }, shown: [{ flag: "--kv-cache-dtype", value: "fp8" }] });
    if (weightsFp8) precision.push({ flags: { quantization: "fp8" }, shown: [{ flag: "--quantization", value: "fp8" }] });
    if (kvFp8 && weightsFp8) precision.push({ flags: { quantization: "fp8", kvCacheDtype: "fp8" }, shown: [{ flag: "--quantization", value: "fp8" }, { flag: "--kv-cache-dtype", value: "fp8" }] });
    for (const change of precision) {
      const withP: EngineFlags = { ...base, ...change.flags };
      const len = longestStartingLen(replan, withP, engine.maxModelLen);
      if (len === null || len < Math.min(SHORTEST_USEFUL_CONTEXT, engine.maxModelLen)) continue;
      const [first, ...rest] = change.shown as [{ flag: string; value: string }, ...{ flag: string; value: string }[]];
      out.push({ entry: { ...first, with: [...rest, { flag: "--max-model-len", value: String(len) }] }, flags: { ...change.flags, maxModelLen: len } });
      break;
    }
  }

  // 9. More GPUs: the smallest tensor-parallel size that splits the heads and starts.
  const dp = Math.max(1, base.dataParallelSize);
  // 9a. The smallest extra-GPU step, when it alone does not start, combined with one free lever
  //     (a shorter context, fp8 KV cache, fp8 weights): listed before bigger GPU counts. Bounded: at most
  //     one binary search and two re-plans more.
  const tpStep = [...Array(8).keys()].map((i) => i + 1).find((tp) => tp > base.tensorParallelSize && tpSplitsHeads(input, tp));
  if (tpStep !== undefined && !replan.starts({ tensorParallelSize: tpStep }, base)) {
    const withTp: EngineFlags = { ...base, tensorParallelSize: tpStep };
    const gpuEntry = shown("--tensor-parallel-size", String(tpStep), `needs ${tpStep * base.pipelineParallelSize * dp} GPUs`);
    const len = longestStartingLen(replan, withTp, engine.maxModelLen);
    const combos: { flags: Partial<EngineFlags>; shown: { flag: string; value: string } }[] = [];
    if (len !== null && len >= Math.min(SHORTEST_USEFUL_CONTEXT, engine.maxModelLen)) combos.push({ flags: { maxModelLen: len }, shown: { flag: "--max-model-len", value: String(len) } });
    if (engine.kvBytesPerElement > 1) combos.push({ flags: { kvCacheDtype: "fp8" }, shown: { flag: "--kv-cache-dtype", value: "fp8" } });
    if (model.quant.method === "none" && (base.quantization === undefined || base.quantization === "none")) combos.push({ flags: { quantization: "fp8" }, shown: { flag: "--quantization", value: "fp8" } });
    for (const combo of combos) {
      if (replan.starts(combo.flags, withTp)) {
        out.push({ entry: { ...gpuEntry, with: [combo.shown] }, flags: { tensorParallelSize: tpStep, ...combo.flags } });
        break;
      }
    }
  }
  // 9b. The smallest tensor-parallel size, and 10. the fewest pipeline stages, that start alone: listed by
  //     the GPUs each needs, so "-pp 2 (needs 4 GPUs)" comes before "-tp 5 (needs 5 GPUs)" (Phi-4 on T4s at -tp 2).
  const more: { c: Candidate; gpus: number }[] = [];
  for (let tp = base.tensorParallelSize + 1; tp <= 8; tp++) {
    if (!tpSplitsHeads(input, tp)) continue;
    const gpus = tp * base.pipelineParallelSize * dp;
    const candidate: Candidate = { entry: shown("--tensor-parallel-size", String(tp), `needs ${gpus} GPUs`), flags: { tensorParallelSize: tp } };
    if (replan.starts(candidate.flags, base)) {
      more.push({ c: candidate, gpus });
      break;
    }
  }
  for (let pp = base.pipelineParallelSize + 1; pp <= Math.min(8, model.numLayers); pp++) {
    const gpus = base.tensorParallelSize * pp * dp;
    const candidate: Candidate = { entry: shown("--pipeline-parallel-size", String(pp), `needs ${gpus} GPUs`), flags: { pipelineParallelSize: pp } };
    if (replan.starts(candidate.flags, base)) {
      more.push({ c: candidate, gpus });
      break;
    }
  }
  for (const m of more.sort((a, b) => a.gpus - b.gpus)) out.push(m.c);
  return out;
}

/**
 * The longest --max-model-len below `len0` with which the plan starts (binary search: a shorter
 * context never needs more memory), rounded down to a value a person would type and planned again
 * there; null when even 256 tokens do not start.
 */
function longestStartingLen(replan: Replanner, base: EngineFlags, len0: number): number | null {
  const floorLen = Math.min(len0 - 1, 256);
  if (floorLen < 1 || !replan.starts({ maxModelLen: floorLen }, base)) return null;
  let lo = floorLen;
  let hi = len0 - 1;
  // vLLM's own estimate of the longest context the KV cache holds (estimate_max_model_len, which
  // searches only up to the max_model_len asked, so it is read from a plan at the top of the range)
  // is the answer whenever the KV cache is what limits: tried first and confirmed by its neighbor,
  // the search takes five plans instead of ~19. Otherwise it only narrows the bounds; the binary
  // search below stays exact either way.
  const top = replan.plan({ maxModelLen: hi }, base);
  if (top.fits) lo = hi;
  else {
    hi -= 1;
    const guess = Math.min(hi, top.kvCache.estimatedMaxModelLen);
    if (guess > lo) {
      if (replan.starts({ maxModelLen: guess }, base)) {
        lo = guess;
        if (lo < hi && !replan.starts({ maxModelLen: lo + 1 }, base)) hi = lo;
      } else hi = guess - 1;
    }
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (replan.starts({ maxModelLen: mid }, base)) lo = mid;
    else hi = mid - 1;
  }
  const round = Math.max(floorLen, roundDownForPeople(lo));
  return replan.starts({ maxModelLen: round }, base) ? round : lo;
}

function tpSplitsHeads(input: PlanInput, tp: number): boolean {
  const model = input.model;
  if (model.numHeads % tp !== 0) return false;
  return model.mla !== null || (tp >= model.numKvHeads ? tp % model.numKvHeads === 0 : model.numKvHeads % tp === 0);
}

/**
 * Fills each error's fix list, every entry verified to make the plan start: the error's own fix
 * (with the cheapest lever added when it alone is not enough), and for memory errors every lever
 * that starts, cheapest first. An entry that would not start is dropped, not printed.
 */
export function addFixes(input: PlanInput, plan: Plan): void {
  const replan = new Replanner(input);
  let levers: Candidate[] | null = null;
  let memoryListed = false;
  for (const diagnostic of plan.diagnostics) {
    if (diagnostic.severity !== "error") continue;
    const fix: FixEntry[] = [];
    for (const own of diagnostic.fix ?? []) {
      // An own fix without its engine flags as data cannot be verified, so is not kept.
      const change = own.flags;
      if (!change) continue;
      const plan = replan.plan(change);
      if (plan.fits) fix.push(own);
      else if (!plan.diagnostics.some((x) => x.code === diagnostic.code)) {
        // It clears this error but not the plan: add the cheapest lever that starts on top of it.
        // The lever keeps its own companions and note (-tp 2 with fp8 weights, "needs 2 GPUs"): printed
        // without them, "--max-model-len 16384 --tensor-parallel-size 2" did not start Phi-4 on T4s.
        const extra = startingLevers(input, plan, { ...input.flags, ...change }).find((c) => replan.starts({ ...change, ...c.flags }));
        if (extra) {
          const note = extra.entry.note ?? own.note;
          fix.push({ flag: own.flag, value: own.value, ...(note ? { note } : {}), with: [...(own.with ?? []), { flag: extra.entry.flag, value: extra.entry.value }, ...(extra.entry.with ?? [])], flags: { ...change, ...extra.flags } });
        }
      }
    }
    if (MEMORY_ERRORS.has(diagnostic.code) && !memoryListed) {
      levers ??= startingLevers(input, plan);
      // A lever on a flag the error's own fix already sets is the same advice twice (vLLM's own value wins).
      for (const c of levers) if (!fix.some((x) => x.flag === c.entry.flag && !x.with)) fix.push(c.entry);
      memoryListed = true;
    }
    diagnostic.fix = fix;
  }
}

// ---------------------------------------------------------------------------------------------
// What-ifs (vision models)
// ---------------------------------------------------------------------------------------------

/**
 * Merged tokens per image of the "smaller images" lever: 1280, the Qwen2-VL image processor's class
 * default max_pixels (28·28·1280) and the value Qwen's model cards suggest. The pixels come from each
 * family's own token size (vision/<family>.ts maxPixelsForTokens): 28·28·1280 for Qwen2/2.5-VL (patch 14 ×
 * merge 2), 32·32·1280 for Qwen3-VL (patch 16 × merge 2).
 */
export const SMALLER_IMAGE_TOKENS = 1280;

/** The vision levers, each re-planned alone against the plan as given. */
export function whatIfsFor(input: PlanInput, plan: Plan): WhatIf[] {
  const flags = input.flags;
  const base = plan.perGpu[0];
  if (!base) return [];
  const limits = flags.limitMmPerPrompt ?? {};
  const variants: { code: WhatIf["code"]; flags: Partial<EngineFlags>; shown: { flag: string; value: string }[] }[] = [];
  const vision = input.model.vision;
  const video = vision !== null && hasVideo(vision);
  if (video ? limits["image"] !== 1 || limits["video"] !== 0 : limits["image"] !== 1) {
    // A family without video (Gemma 3) has no video limit to turn off.
    const oneImage = video ? { ...limits, image: 1, video: 0 } : { ...limits, image: 1 };
    variants.push({ code: video ? "ONE_IMAGE_NO_VIDEO" : "ONE_IMAGE", flags: { limitMmPerPrompt: oneImage }, shown: [{ flag: "--limit-mm-per-prompt", value: JSON.stringify(oneImage) }] });
  }
  const maxPixels = flags.mmProcessorKwargs?.max_pixels ?? vision?.maxPixels ?? 0;
  const smaller = vision ? maxPixelsForTokens(vision, SMALLER_IMAGE_TOKENS) : null;
  if (smaller !== null && maxPixels > smaller) {
    const kwargs = { ...(flags.mmProcessorKwargs ?? {}), max_pixels: smaller };
    variants.push({ code: "SMALLER_MAX_PIXELS", flags: { mmProcessorKwargs: kwargs }, shown: [{ flag: "--mm-processor-kwargs", value: JSON.stringify(kwargs) }] });
  }
  const batched = plan.engine.maxNumBatchedTokens;
  const half = Math.floor(batched / 2);
  if (half >= plan.engine.maxNumSeqs) variants.push({ code: "HALF_BATCHED_TOKENS", flags: { maxNumBatchedTokens: half }, shown: [{ flag: "--max-num-batched-tokens", value: String(half) }] });
  const off = video ? { ...limits, image: 0, video: 0 } : { ...limits, image: 0 };
  variants.push({ code: "TEXT_ONLY", flags: { limitMmPerPrompt: off }, shown: [{ flag: "--limit-mm-per-prompt", value: JSON.stringify(off) }] });
  return variants.map((whatIf) => {
    const plan = planDeployment({ ...input, flags: { ...flags, ...whatIf.flags } });
    const budget = plan.perGpu.reduce((m, x) => (x.kvCacheBytes < m.kvCacheBytes ? x : m), plan.perGpu[0] as GpuBudget);
    return {
      code: whatIf.code,
      flags: whatIf.shown,
      fits: plan.fits,
      activationPeakBytes: budget.activationPeakBytes,
      kvCacheBytes: budget.kvCacheBytes,
      kvTokens: plan.kvCache.tokens,
      maxConcurrency: plan.kvCache.maxConcurrency,
      kvGainBytes: budget.kvCacheBytes - base.kvCacheBytes,
    };
  });
}
