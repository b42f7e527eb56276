// Searches over planDeployment: whether a deployment meets its constraints (check), which single
// flag change would make it meet them (the fix), and which flags make a model fit a GPU (solve).
// Every answer comes from planning again, never from inverting the core's formulas, so it cannot
// drift from what `vram-plan plan` says.
import type { HostFinding } from "./host-limits.js";
import type { Diagnostic, EngineFlags, GpuProfile, KvCacheDtype, ModelArch, Plan, PlanInput, QuantMethod } from "./types.js";
import { planDeployment } from "./plan.js";
import { roundDownForPeople } from "./levers.js";
import { thousands } from "./text.js";


// ---------------------------------------------------------------------------------------------
// Constraints
// ---------------------------------------------------------------------------------------------

/** What a deployment must achieve beyond starting. */
export interface Target {
  /** Context length (tokens) every request must be allowed: max-model-len >= context. */
  context?: number;
  /** n concurrent sequences of len tokens (default: max-model-len) must fit the KV cache and max-num-seqs. */
  concurrency?: { n: number; len?: number };
  /** Highest acceptable --gpu-memory-utilization. */
  maxUtilization?: number;
  /** Bytes that must stay free on every GPU once vLLM is up (for other processes). */
  headroomBytes?: number;
  /** GPUs the deployment is given (null/undefined: as many as tp × pp × dp). */
  gpuCount?: number | null;
  /**
   * KV-cache bytes per GPU held back when judging the context and concurrency (the planner's own
   * error): the target must still be met with this much less KV cache than planned.
   */
  marginBytes?: number;
}

/**
 * solve's default margin: 0.5 GiB of KV cache per GPU. The planner's available-KV error measured by
 * `npm run bench` over real vLLM start-ups (README, "Accuracy and speed") has a median of 0.16 GiB and
 * misses up to 0.54 GiB; 0.5 GiB is about three medians and the accuracy target's own floor
 * (max(0.5 GiB, 3 %)), so an answer on the edge of the planner's error still starts.
 */
export const SOLVE_MARGIN_BYTES = 512 * 2 ** 20;

/**
 * The plan with `margin` bytes less KV cache per GPU (the same flags, the KV memory given as
 * --kv-cache-memory): what the deployment holds if the planner overestimated the KV cache by that much.
 */
export function planWithKvMargin(input: PlanInput, plan: Plan, margin: number): Plan {
  let kvBytes = Number.POSITIVE_INFINITY;
  for (const g of plan.perGpu) kvBytes = Math.min(kvBytes, g.kvCacheBytes);
  if (!Number.isFinite(kvBytes)) return plan;
  return planDeployment({
    ...input,
    flags: {
      ...input.flags,
      maxModelLen: plan.engine.maxModelLen,
      maxNumSeqs: plan.engine.maxNumSeqs,
      maxNumBatchedTokens: plan.engine.maxNumBatchedTokens,
      kvCacheMemoryBytes: Math.max(0, Math.floor(kvBytes - margin)),
    },
  });
}

export type Failure =
  | { kind: "start"; diagnostic: Diagnostic }
  | { kind: "gpus"; need: number; have: number }
  | { kind: "context"; need: number; have: number }
  | { kind: "concurrency"; need: number; have: number; len: number; limitedBy: "kv-cache" | "max-num-seqs" }
  | { kind: "utilization"; max: number; have: number }
  | { kind: "headroom"; need: number; have: number }
  /** The container's memory limit or /dev/shm below what vLLM needs on the host (check only; host-limits.ts). */
  | { kind: "host"; finding: HostFinding };

export interface FlagChange {
  flag: string;
  value: string;
}

/** One way to make the deployment meet everything, verified by planning it. */
export interface FixOption {
  changes: FlagChange[];
  /** E.g. "needs 2 GPUs" when a larger tensor-parallel size is proposed. */
  note?: string;
}

export interface Evaluation {
  ok: boolean;
  plan: Plan;
  failures: Failure[];
  /** Concurrency the deployment sustains at `concurrencyLen` tokens (KV cache, capped by max-num-seqs). */
  concurrency: number;
  concurrencyLen: number;
  /** Smallest memory left free on a GPU once vLLM is up: total − expected used. */
  /** Signed: negative when the servers on a GPU over-commit it (by that many bytes); shared-gpus.ts relies on it. */
  minFreeBytes: number;
  /** GPUs vLLM uses: tp × pp × dp. */
  gpusUsed: number;
}

/**
 * Requests of `len` tokens the KV cache holds at once: max-model-len's concurrency when len is
 * max-model-len, else the same KV memory planned again with max-model-len = len.
 */
export function concurrencyAt(input: PlanInput, plan: Plan, len: number): number {
  if (len === plan.engine.maxModelLen) return plan.kvCache.maxConcurrency;
  let kvBytes = Number.POSITIVE_INFINITY;
  for (const g of plan.perGpu) kvBytes = Math.min(kvBytes, g.kvCacheBytes);
  if (!(kvBytes > 0)) return 0;
  const again = planDeployment(
    {
      ...input,
      flags: {
        ...input.flags,
        maxModelLen: len,
        maxNumSeqs: plan.engine.maxNumSeqs,
        maxNumBatchedTokens: plan.engine.maxNumBatchedTokens,
        kvCacheMemoryBytes: Math.floor(kvBytes),
      },
    }
  );
  return again.kvCache.maxConcurrency;
}

/** Plans `input` and checks it against `target`. */
export function evaluate(input: PlanInput, target: Target): Evaluation {
  const plan = planDeployment(input);
  return evaluatePlan(input, plan, target);
}

export function evaluatePlan(input: PlanInput, plan: Plan, target: Target): Evaluation {
  const failures: Failure[] = [];
  for (const d of plan.diagnostics) if (d.severity === "error") failures.push({ kind: "start", diagnostic: d });
  // With a margin, the KV cache is judged as if the planner had overestimated it by the margin.
  const margin = target.marginBytes ?? 0;
  const judged = margin > 0 && plan.fits ? planWithKvMargin(input, plan, margin) : plan;
  if (judged !== plan) for (const d of judged.diagnostics) if (d.severity === "error" && (d.code === "KV_CACHE_BELOW_MAX_MODEL_LEN" || d.code === "NO_KV_CACHE_MEMORY")) failures.push({ kind: "start", diagnostic: d });
  const flags = input.flags;
  const gpusUsed = flags.tensorParallelSize * flags.pipelineParallelSize * Math.max(1, flags.dataParallelSize);
  if (target.gpuCount !== undefined && target.gpuCount !== null && target.gpuCount < gpusUsed) {
    failures.push({ kind: "gpus", need: gpusUsed, have: target.gpuCount });
  }
  const maxLen = plan.engine.maxModelLen;
  if (target.context !== undefined && maxLen < target.context) failures.push({ kind: "context", need: target.context, have: maxLen });
  const len = target.concurrency?.len ?? maxLen;
  let concurrency = plan.engine.maxNumSeqs;
  if (target.concurrency !== undefined) {
    const kv = concurrencyAt(input, judged, len);
    concurrency = Math.min(kv, plan.engine.maxNumSeqs);
    if (concurrency + 1e-9 < target.concurrency.n) {
      failures.push({ kind: "concurrency", need: target.concurrency.n, have: concurrency, len, limitedBy: kv < plan.engine.maxNumSeqs ? "kv-cache" : "max-num-seqs" });
    }
  } else {
    concurrency = Math.min(judged.kvCache.maxConcurrency, plan.engine.maxNumSeqs);
  }
  const util = plan.engine.gpuMemoryUtilization;
  if (target.maxUtilization !== undefined && flags.kvCacheMemoryBytes === undefined && util > target.maxUtilization + 1e-9) {
    failures.push({ kind: "utilization", max: target.maxUtilization, have: util });
  }
  let minFree = Number.POSITIVE_INFINITY;
  for (const g of plan.perGpu) minFree = Math.min(minFree, g.totalBytes - g.expectedUsedBytes - g.otherProcessBytes);
  if (!Number.isFinite(minFree)) minFree = 0;
  if (target.headroomBytes !== undefined && minFree < target.headroomBytes) failures.push({ kind: "headroom", need: target.headroomBytes, have: minFree });
  return { ok: failures.length === 0, plan, failures, concurrency, concurrencyLen: len, minFreeBytes: minFree, gpusUsed };
}

/** evaluate() for fix candidates: the GPU count is what the fix changes, so it is not held against it. */
function meetsWith(input: PlanInput, target: Target, change: Partial<EngineFlags>): boolean {
  return evaluate({ ...input, flags: { ...input.flags, ...change } }, { ...target, gpuCount: null }).ok;
}

const tpValid = (model: ModelArch, tp: number): boolean =>
  model.numHeads % tp === 0 && (model.mla !== null || (tp >= model.numKvHeads ? tp % model.numKvHeads === 0 : model.numKvHeads % tp === 0));

/**
 * Single-flag changes that make the deployment start and meet every constraint, each found by
 * planning candidates, cheapest first: --max-model-len (largest that works), --limit-mm-per-prompt
 * video 0, --max-num-seqs, --gpu-memory-utilization (nearest value that works), --kv-cache-dtype
 * fp8, --quantization fp8, --enforce-eager, --tensor-parallel-size (smallest larger).
 */
export function findFixes(input: PlanInput, target: Target, ev: Evaluation = evaluate(input, target)): FixOption[] {
  const out: FixOption[] = [];
  const flags = input.flags;
  const plan = ev.plan;
  const kinds = new Set(ev.failures.map((x) => x.kind));
  // The GPU count alone: fewer GPUs than vLLM needs is fixed by giving it more (said in the reason).
  if (kinds.size === 1 && kinds.has("gpus")) return out;

  // Cheapest levers first (as core/levers.ts orders a plan's fixes): a smaller workload envelope,
  // then the memory budget, then precision, and more GPUs last.
  // --max-model-len: raised to the required context, or the largest shorter one that works.
  const len0 = plan.engine.maxModelLen;
  if (target.context !== undefined && len0 < target.context) {
    if (meetsWith(input, target, { maxModelLen: target.context })) out.push({ changes: [{ flag: "--max-model-len", value: String(target.context) }] });
  } else {
    const lo = Math.max(1, target.context ?? 1);
    if (lo < len0 && meetsWith(input, target, { maxModelLen: lo })) {
      let low = lo;
      let high = len0 - 1;
      while (low < high) {
        const mid = Math.floor((low + high + 1) / 2);
        if (meetsWith(input, target, { maxModelLen: mid })) low = mid;
        else high = mid - 1;
      }
      // Rounded as plan's fix is (core/levers.ts roundDownForPeople), when the round value still meets the target.
      const round = roundDownForPeople(low);
      if (round >= lo && round < low && meetsWith(input, target, { maxModelLen: round })) low = round;
      out.push({ changes: [{ flag: "--max-model-len", value: String(low) }] });
    }
  }

  if (input.model.vision && flags.limitMmPerPrompt?.["video"] !== 0) {
    const limits = { ...(flags.limitMmPerPrompt ?? {}), video: 0 };
    if (meetsWith(input, target, { limitMmPerPrompt: limits })) out.push({ changes: [{ flag: "--limit-mm-per-prompt", value: JSON.stringify(limits) }], note: "no video input" });
  }
  // --max-num-seqs: when it caps the required concurrency.
  const conc = ev.failures.find((x): x is Extract<Failure, { kind: "concurrency" }> => x.kind === "concurrency");
  if (conc && conc.limitedBy === "max-num-seqs" && meetsWith(input, target, { maxNumSeqs: conc.need })) {
    out.push({ changes: [{ flag: "--max-num-seqs", value: String(conc.need) }] });
  }

  // --gpu-memory-utilization: every value 0.01 … min(0.99, max) planned; the nearest that works.
  if (flags.kvCacheMemoryBytes === undefined) {
    const cap = Math.min(0.99, target.maxUtilization ?? 0.99);
    const u0 = plan.engine.gpuMemoryUtilization;
    let best: number | null = null;
    for (let hundredths = 1; hundredths <= Math.round(cap * 100); hundredths++) {
      const utilization = hundredths / 100;
      if (Math.abs(utilization - u0) < 1e-9) continue;
      if (best !== null && Math.abs(utilization - u0) >= Math.abs(best - u0)) continue;
      if (meetsWith(input, target, { gpuMemoryUtilization: utilization })) best = utilization;
    }
    if (best !== null) out.push({ changes: [{ flag: "--gpu-memory-utilization", value: best.toFixed(2) }] });
  }

  if (plan.engine.kvBytesPerElement > 1 && meetsWith(input, target, { kvCacheDtype: "fp8" })) out.push({ changes: [{ flag: "--kv-cache-dtype", value: "fp8" }] });

  if (input.model.quant.method === "none" && (flags.quantization === undefined || flags.quantization === "none") && meetsWith(input, target, { quantization: "fp8" })) {
    out.push({ changes: [{ flag: "--quantization", value: "fp8" }], note: "fp8 weights, quantized at load time" });
  }
  if (!flags.enforceEager && meetsWith(input, target, { enforceEager: true })) out.push({ changes: [{ flag: "--enforce-eager", value: "" }], note: "no CUDA graphs: slower decoding" });
  for (let tp = flags.tensorParallelSize + 1; tp <= 8; tp++) {
    if (!tpValid(input.model, tp)) continue;
    if (meetsWith(input, target, { tensorParallelSize: tp })) {
      const gpus = tp * flags.pipelineParallelSize * Math.max(1, flags.dataParallelSize);
      const opt: FixOption = { changes: [{ flag: "--tensor-parallel-size", value: String(tp) }] };
      if (target.gpuCount === undefined || target.gpuCount === null || target.gpuCount < gpus) opt.note = `needs ${gpus} GPUs`;
      out.push(opt);
      break;
    }
  }

  return out;
}

// ---------------------------------------------------------------------------------------------
// Solve: the flags that make a model fit a GPU
// ---------------------------------------------------------------------------------------------

export interface SolveRequest {
  model: ModelArch;
  gpu: GpuProfile;
  /** Flags the user fixed (vLLM version, dtype, enforce-eager, ...); the searched ones are overridden. */
  base: EngineFlags;
  /** Context every request must be allowed (default: the model's derived max-model-len). */
  context?: number;
  /** Concurrent requests of `context` tokens (default 1). */
  concurrency?: number;
  /** Images per prompt (vision models): --limit-mm-per-prompt '{"image":K,"video":0}'. */
  imagesPerPrompt?: number;
  /** Most GPUs to consider (default 8; above 8, pipeline stages of 8-way tensor parallelism). */
  maxGpus?: number;
  /** Highest --gpu-memory-utilization to consider (default 0.95). */
  maxUtilization?: number;
  /** KV-cache bytes per GPU kept spare beyond the target (default SOLVE_MARGIN_BYTES; 0: none). */
  marginBytes?: number;
}

export interface SolveLayout {
  tensorParallelSize: number;
  pipelineParallelSize: number;
  gpus: number;
  kvCacheDtype: KvCacheDtype;
  quantization: QuantMethod | undefined;
  /** "as given", "fp8 KV cache", "fp8 weights", "fp8 weights + fp8 KV cache". */
  precision: string;
}

export interface SolveResult {
  found: boolean;
  context: number;
  concurrency: number;
  /** The chosen layout: fewest GPUs at the least precision change that works. */
  layout: SolveLayout | null;
  /** Layouts with another precision that need fewer GPUs than the chosen one. */
  alternatives: SolveLayout[];
  fp8KvCacheNeeded: boolean;
  quantizationNeeded: boolean;
  /** Smallest --gpu-memory-utilization (2 decimals) that meets the target. */
  gpuMemoryUtilization: number;
  /** --max-model-len: the context asked for (the model's maximum when none was asked). */
  maxModelLen: number;
  /** Largest --max-num-seqs that meets the target, rounded down to a value a person would type. */
  maxNumSeqs: number;
  /** KV-cache bytes per GPU the answer keeps spare beyond the target. */
  marginBytes: number;
  /** The flags of the answer (planned: starts and meets the target). */
  flags: EngineFlags;
  plan: Plan | null;
  /** Concurrency at `context` tokens per request with the answer's flags. */
  concurrencyAtContext: number;
  /** Why nothing was found, with the nearest thing that does fit. */
  reason: string | null;
  /** planDeployment calls the search made. */
  plans: number;
}

interface Precision {
  kv: KvCacheDtype;
  q: QuantMethod | undefined;
  name: string;
}

export function solve(req: SolveRequest): SolveResult {
  let plans = 0;
  const { model, gpu } = req;
  const maxGpus = Math.max(1, Math.floor(req.maxGpus ?? 8));
  const cap = Math.min(0.99, req.maxUtilization ?? 0.95);
  const capH = Math.max(1, Math.floor(cap * 100 + 1e-9));
  const concurrency = Math.max(1, Math.floor(req.concurrency ?? 1));
  const context = req.context ?? model.derivedMaxModelLen;
  const base: EngineFlags = { ...req.base };
  if (req.imagesPerPrompt !== undefined) base.limitMmPerPrompt = { ...(base.limitMmPerPrompt ?? {}), image: req.imagesPerPrompt, video: base.limitMmPerPrompt?.["video"] ?? 0 };
  delete base.kvCacheMemoryBytes;
  const marginBytes = Math.max(0, Math.floor(req.marginBytes ?? SOLVE_MARGIN_BYTES));
  const target: Target = { context, marginBytes, ...(concurrency > 1 ? { concurrency: { n: concurrency, len: context } } : {}) };

  const plan = (flags: EngineFlags): Plan => {
    plans++;
    return planDeployment({ model, gpu, flags });
  };
  const check = (flags: EngineFlags): Evaluation => {
    const planned = plan(flags);
    if (concurrency > 1 && planned.engine.maxModelLen !== context) plans++;
    if (marginBytes > 0 && planned.fits) plans++;
    return evaluatePlan({ model, gpu, flags }, planned, target);
  };
  const meets = (flags: EngineFlags): boolean => check(flags).ok;

  // vLLM's default max-num-seqs, raised to the concurrency asked for.
  const probe = plan({ ...base, maxModelLen: context });
  const seqs0 = probe.engine.maxNumSeqs < concurrency ? concurrency : undefined;
  const withSeqs = (f: EngineFlags): EngineFlags => (seqs0 !== undefined ? { ...f, maxNumSeqs: seqs0 } : f);

  const precisions: Precision[] = [{ kv: base.kvCacheDtype, q: base.quantization, name: "as given" }];
  const kvCanShrink = probe.engine.kvBytesPerElement > 1;
  const canQuantize = model.quant.method === "none" && (base.quantization === undefined || base.quantization === "none");
  if (kvCanShrink) precisions.push({ kv: "fp8", q: base.quantization, name: "fp8 KV cache" });
  if (canQuantize) precisions.push({ kv: base.kvCacheDtype, q: "fp8", name: "fp8 weights" });
  if (kvCanShrink && canQuantize) precisions.push({ kv: "fp8", q: "fp8", name: "fp8 weights + fp8 KV cache" });

  const layouts: { tp: number; pp: number }[] = [];
  for (let tp = 1; tp <= Math.min(8, maxGpus); tp++) if (tpValid(model, tp)) layouts.push({ tp, pp: 1 });
  const tpMax = [8, 4, 2, 1].find((t) => tpValid(model, t)) ?? 1;
  for (let pp = 2; tpMax * pp <= maxGpus && pp <= model.numLayers; pp++) layouts.push({ tp: tpMax, pp });

  const flagsFor = (precision: Precision, layout: { tp: number; pp: number }, extra: Partial<EngineFlags> = {}): EngineFlags => {
    const flags: EngineFlags = withSeqs({ ...base, tensorParallelSize: layout.tp, pipelineParallelSize: layout.pp, kvCacheDtype: precision.kv, maxModelLen: context, ...extra });
    if (precision.q === undefined) delete flags.quantization;
    else flags.quantization = precision.q;
    return flags;
  };

  // The highest utilization allowed that also passes vLLM's free-memory check at start-up: on a small
  // GPU (a T4's 14.76 GiB less the CUDA context and NCCL) 0.95 asks for more than is free, and the
  // layout that starts at 0.93 must not be reported as not fitting.
  const capFor = (precision: Precision, layout: { tp: number; pp: number }): number => {
    const freeCheck = plan(flagsFor(precision, layout, { gpuMemoryUtilization: cap })).diagnostics.find((x) => x.code === "FREE_MEMORY_BELOW_BUDGET");
    const passes = freeCheck?.fix?.[0]?.flags?.gpuMemoryUtilization;
    return passes !== undefined && passes > 0 ? Math.min(cap, passes) : cap;
  };

  // 1. Fewest GPUs per precision, at the highest utilization allowed.
  const found: SolveLayout[] = [];
  for (const precision of precisions) {
    for (const layout of layouts) {
      if (meets(flagsFor(precision, layout, { gpuMemoryUtilization: capFor(precision, layout) }))) {
        found.push({ tensorParallelSize: layout.tp, pipelineParallelSize: layout.pp, gpus: layout.tp * layout.pp, kvCacheDtype: precision.kv, quantization: precision.q, precision: precision.name });
        break;
      }
    }
  }
  const empty: SolveResult = {
    found: false,
    context,
    concurrency,
    layout: null,
    alternatives: [],
    fp8KvCacheNeeded: false,
    quantizationNeeded: false,
    gpuMemoryUtilization: cap,
    maxModelLen: 0,
    maxNumSeqs: 0,
    marginBytes,
    flags: base,
    plan: null,
    concurrencyAtContext: 0,
    reason: null,
    plans: 0,
  };
  const chosen = found[0];
  if (!chosen) {
    // The nearest thing that fits: the longest context on the largest layout with the smallest precision.
    const last = layouts[layouts.length - 1] ?? { tp: 1, pp: 1 };
    const precision = precisions[precisions.length - 1] ?? precisions[0]!;
    let best = 0;
    let low = 1;
    let high = model.derivedMaxModelLen;
    const lastCap = capFor(precision, last);
    const fits = (len: number): boolean => plan(flagsFor(precision, last, { gpuMemoryUtilization: lastCap, maxModelLen: len })).fits;
    if (fits(1)) {
      while (low < high) {
        const mid = Math.floor((low + high + 1) / 2);
        if (fits(mid)) low = mid;
        else high = mid - 1;
      }
      best = low;
    }
    const where = `${last.tp * last.pp} GPU${last.tp * last.pp > 1 ? "s" : ""} (tensor-parallel ${last.tp}${last.pp > 1 ? `, pipeline ${last.pp}` : ""})`;
    const what = `${concurrency > 1 ? `${concurrency} concurrent requests of ` : ""}a ${thousands(context)}-token context`;
    // When the context itself starts, concurrency is what is short: say how much there is, not the longest
    // context (which is then at least the one asked for, and read as a contradiction).
    let nearest = `the longest --max-model-len that starts there is ${thousands(best)}`;
    if (concurrency > 1 && best >= context) {
      const atContext = flagsFor(precision, last, { gpuMemoryUtilization: lastCap, maxModelLen: context });
      const at = plan(atContext);
      nearest = `it serves ${concurrencyAt({ model, gpu, flags: atContext }, at, context).toFixed(2)} concurrent requests of ${thousands(context)} tokens there`;
    }
    const reason =
      best > 0
        ? `${what} does not fit on ${where} with ${precision.name} at --gpu-memory-utilization ${lastCap.toFixed(2)}; ${nearest}`
        : `the model does not start on ${where} even with ${precision.name} at --gpu-memory-utilization ${lastCap.toFixed(2)}; allow more GPUs (--max-gpus) or a larger GPU`;
    return { ...empty, reason, plans };
  }
  const alternatives = found.slice(1).filter((x) => x.gpus < chosen.gpus);
  const prec: Precision = { kv: chosen.kvCacheDtype, q: chosen.quantization, name: chosen.precision };
  const layout = { tp: chosen.tensorParallelSize, pp: chosen.pipelineParallelSize };

  // 2. Smallest utilization (hundredths) that meets the target: binary search, then step down while it still holds.
  let lo = 1;
  let hi = capH;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (meets(flagsFor(prec, layout, { gpuMemoryUtilization: mid / 100 }))) hi = mid;
    else lo = mid + 1;
  }
  while (lo > 1 && meets(flagsFor(prec, layout, { gpuMemoryUtilization: (lo - 1) / 100 }))) lo--;
  const util = lo / 100;

  // 3. --max-model-len is the context asked for: a longer one would only hide what was asked
  //    (and a user who asked for 32k reads 32000 back, as vLLM parses "32k").
  const maxModelLen = context;

  // 4. Largest max-num-seqs that still meets the target (at most max-num-batched-tokens), then
  //    rounded down to a value a person would type (1024, not 1140), planned again at that value.
  const atLen = check(flagsFor(prec, layout, { gpuMemoryUtilization: util, maxModelLen }));
  let sLo = atLen.plan.engine.maxNumSeqs;
  let sHi = Math.max(sLo, atLen.plan.engine.maxNumBatchedTokens);
  while (sLo < sHi) {
    const mid = Math.floor((sLo + sHi + 1) / 2);
    if (meets(flagsFor(prec, layout, { gpuMemoryUtilization: util, maxModelLen, maxNumSeqs: mid }))) sLo = mid;
    else sHi = mid - 1;
  }
  const seqsFloor = Math.max(concurrency, 1);
  let seqs = Math.max(seqsFloor, roundDownForPeople(sLo));
  while (seqs > seqsFloor && !meets(flagsFor(prec, layout, { gpuMemoryUtilization: util, maxModelLen, maxNumSeqs: seqs }))) seqs = Math.max(seqsFloor, roundDownForPeople(seqs - 1));
  let flags = flagsFor(prec, layout, { gpuMemoryUtilization: util, maxModelLen, maxNumSeqs: seqs });
  let final = check(flags);
  if (!final.ok) {
    // Not monotonic somewhere: fall back to the utilization's own answer.
    flags = flagsFor(prec, layout, { gpuMemoryUtilization: util });
    final = check(flags);
  }
  return {
    found: final.ok,
    context,
    concurrency,
    layout: chosen,
    alternatives,
    fp8KvCacheNeeded: chosen.kvCacheDtype === "fp8" && base.kvCacheDtype !== "fp8",
    quantizationNeeded: chosen.quantization === "fp8" && canQuantize,
    gpuMemoryUtilization: util,
    maxModelLen: final.plan.engine.maxModelLen,
    maxNumSeqs: final.plan.engine.maxNumSeqs,
    marginBytes,
    flags,
    plan: final.plan,
    concurrencyAtContext: concurrencyAt({ model, gpu, flags }, final.plan, context),
    reason: final.ok ? null : "the search found no consistent answer (please report)",
    plans,
  };
}

/**
 * `vllm serve` arguments for a model and flags: the searched flags always, the others only where
 * they differ from vLLM's defaults. Values are unquoted; the caller quotes for its shell.
 */
export function serveArgv(modelName: string, flags: EngineFlags): string[] {
  const argv: string[] = ["vllm", "serve", modelName];
  argv.push("--tensor-parallel-size", String(flags.tensorParallelSize));
  if (flags.pipelineParallelSize > 1) argv.push("--pipeline-parallel-size", String(flags.pipelineParallelSize));
  if (flags.dataParallelSize > 1) argv.push("--data-parallel-size", String(flags.dataParallelSize));
  if (flags.gpuMemoryUtilization !== undefined) argv.push("--gpu-memory-utilization", flags.gpuMemoryUtilization.toFixed(2));
  if (flags.maxModelLen !== undefined) argv.push("--max-model-len", String(flags.maxModelLen));
  if (flags.maxNumSeqs !== undefined) argv.push("--max-num-seqs", String(flags.maxNumSeqs));
  if (flags.maxNumBatchedTokens !== undefined) argv.push("--max-num-batched-tokens", String(flags.maxNumBatchedTokens));
  if (flags.kvCacheDtype !== "auto") argv.push("--kv-cache-dtype", flags.kvCacheDtype);
  if (flags.quantization !== undefined && flags.quantization !== "none") argv.push("--quantization", flags.quantization === "nvfp4" ? "modelopt_fp4" : flags.quantization);
  if (flags.dtype !== undefined) argv.push("--dtype", flags.dtype);
  if (flags.blockSize !== undefined) argv.push("--block-size", String(flags.blockSize));
  if (flags.enforceEager) argv.push("--enforce-eager");
  if (flags.enableExpertParallel) argv.push("--enable-expert-parallel");
  if (flags.limitMmPerPrompt !== undefined) argv.push("--limit-mm-per-prompt", JSON.stringify(flags.limitMmPerPrompt));
  if (flags.mmProcessorKwargs !== undefined) argv.push("--mm-processor-kwargs", JSON.stringify(flags.mmProcessorKwargs));
  if (flags.mmEncoderTpMode !== "weights") argv.push("--mm-encoder-tp-mode", flags.mmEncoderTpMode);
  if (flags.skipMmProfiling) argv.push("--skip-mm-profiling");
  if (flags.disableHybridKvCacheManager) argv.push("--disable-hybrid-kv-cache-manager");
  return argv;
}

