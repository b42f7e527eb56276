// The memory features of `vllm serve` beyond the base plan (issue #11): LoRA slots, speculative
// decoding, weight and KV offload, --compilation-config capture sizes, sleep mode, the Mamba ssm
// cache dtype. planDeployment asks this module once per plan (featureEffects) and once per pipeline
// stage (stageFeatures); each feature's arithmetic lives in its own file (lora.ts,
// speculative.ts, offload.ts) and each per-release rule in vllm-versions.ts (FeatureRules).
import type { KvFormatLike } from "./kv-dtypes.js";
import type { Diagnostic, EngineFlags, ExplainLine, HostMemory, ModelArch, QuantSpec, TorchDtype } from "./types.js";
import type { CaptureOptions, VllmRules } from "./vllm-versions.js";
import type { WeightsBreakdown } from "./weights.js";
import { loraActivationExtraBytes, loraExplain, loraSlotBytes } from "./lora.js";
import { speculativePlan, type SpeculativePlan } from "./speculative.js";
import { cpuOffload, kvOffloadExplain } from "./offload.js";
import { textElementsPerToken, type ActivationBreakdown } from "./profile-run.js";
import { DTYPE_BYTES } from "./weights.js";
import type { StateDtypeName } from "./hybrid-kv.js";

export interface FeatureInput {
  model: ModelArch;
  flags: EngineFlags;
  rules: VllmRules;
  tp: number;
  pp: number;
  ep: number;
  cc: number;
  dtype: TorchDtype;
  quant: QuantSpec;
  kvBytes: KvFormatLike;
  /** Dense model (Model Runner V2's default from 0.25.1). */
  dense: boolean;
  maxNumBatchedTokens: number;
  maxNumSeqs: number;
}

export interface FeatureEffects {
  /** Capture options for vllm-versions.captureSizeList, or undefined for vLLM's default list. */
  capture: CaptureOptions | undefined;
  /** cudagraph_mode NONE or -O0: no graphs although --enforce-eager is off. */
  graphsOff: boolean;
  /** LoRA: every capture size captured twice (without and with LoRA). */
  graphMultiplier: number;
  spec: SpeculativePlan | null;
  /** --mamba-ssm-cache-dtype when it names a dtype ("auto" otherwise). */
  mambaSsmCacheDtype: StateDtypeName | undefined;
  host: OffloadHost | null;
  diagnostics: Diagnostic[];
  explain: ExplainLine[];
}

/** What --cpu-offload-gb and --kv-offloading-size ask of the host (the rest: host-memory.ts). */
export type OffloadHost = Pick<HostMemory, "cpuOffloadBytes" | "kvOffloadingBytes" | "totalBytes">;

const SSM_DTYPES = new Set<string>(["auto", "float32", "bfloat16", "float16"]);

/** Optimization levels without CUDA graphs (vllm/config/vllm.py OPTIMIZATION_LEVEL_00: cudagraph_mode NONE). */
function compilationCapture(flags: EngineFlags): { capture: CaptureOptions | undefined; off: boolean; mode: string | undefined } {
  const compilation = flags.compilation;
  const numSpecTokens = flags.speculative?.numSpeculativeTokens;
  // -O0 → NONE, -O1 → PIECEWISE (OPTIMIZATION_LEVEL_00 / _01); an explicit cudagraph_mode wins.
  const mode = compilation?.cudagraphMode?.toUpperCase() ?? (compilation?.level === 0 ? "NONE" : compilation?.level === 1 ? "PIECEWISE" : undefined);
  const capture: CaptureOptions = {};
  if (compilation?.cudagraphCaptureSizes && compilation.cudagraphCaptureSizes.length > 0) capture.sizes = compilation.cudagraphCaptureSizes;
  if (compilation?.maxCudagraphCaptureSize !== undefined) capture.maxCaptureSize = compilation.maxCudagraphCaptureSize;
  if (mode !== undefined) capture.mode = mode;
  return { capture: Object.keys(capture).length > 0 || (numSpecTokens ?? 0) > 0 ? capture : undefined, off: mode === "NONE", mode };
}

/** No memory feature asked for: one shared answer, so plain plans (sweeps, fix searches) stay fast. */
const NO_EFFECTS: FeatureEffects = Object.freeze({ capture: undefined, graphsOff: false, graphMultiplier: 1, spec: null, mambaSsmCacheDtype: undefined, host: null, diagnostics: [], explain: [] });
const NO_STAGE_FEATURES: StageFeatures = Object.freeze({ weightsDelta: 0, loraBytes: 0, drafterBytes: 0, offloadedBytes: 0, activationExtraBytes: 0, explain: [] });

/** Whether any memory feature of issue #11 is set on the flags. */
export function hasMemoryFeatures(flags: EngineFlags): boolean {
  return (
    flags.speculative !== undefined ||
    flags.lora !== undefined ||
    flags.compilation !== undefined ||
    flags.cpuOffloadBytes !== undefined ||
    flags.kvOffloadingBytes !== undefined ||
    flags.mambaSsmCacheDtype !== undefined ||
    flags.enableSleepMode === true ||
    flags.languageModelOnly === true ||
    (flags.notModeledFlags !== undefined && flags.notModeledFlags.length > 0)
  );
}

export function featureEffects(input: FeatureInput): FeatureEffects {
  const flags = input.flags;
  if (!hasMemoryFeatures(flags)) return NO_EFFECTS;
  const rules = input.rules.features;
  const diagnostics: Diagnostic[] = [];
  const explain: ExplainLine[] = [];
  const notExact = (what: string): void => {
    diagnostics.push({ code: "NOT_EXACT", severity: "warning", args: { what } });
  };

  // --- Speculative decoding.
  let spec: SpeculativePlan | null = null;
  if (flags.speculative) {
    spec = speculativePlan({ spec: flags.speculative, target: input.model, tp: input.tp, pp: input.pp, cc: input.cc, dtype: input.dtype, quant: input.quant, kvBytes: input.kvBytes });
    for (const w of spec.notExact) notExact(w);
    explain.push(...spec.explain);
  }

  // --- Capture sizes (compilation config, speculative tokens).
  const cc = compilationCapture(flags);
  let capture = cc.capture;
  const numSpecTokens = spec?.numSpeculativeTokens ?? 0;
  if (numSpecTokens > 0) capture = { ...(capture ?? {}), numSpeculativeTokens: numSpecTokens };
  if (capture && (capture.sizes || capture.maxCaptureSize !== undefined || capture.mode || numSpecTokens > 0)) {
    explain.push({
      what: "CUDA-graph capture sizes",
      formula: [
        capture.sizes ? `cudagraph_capture_sizes [${capture.sizes.join(", ")}]` : undefined,
        capture.maxCaptureSize !== undefined ? `max_cudagraph_capture_size ${capture.maxCaptureSize}` : undefined,
        capture.mode ? `cudagraph_mode ${capture.mode}` : undefined,
        numSpecTokens > 0 ? `decode query length 1 + ${numSpecTokens}${rules.specCaptureScaling ? " (ceiling min(max_num_seqs × (1 + K) × 2, 512))" : ""}${rules.specUniformDecodeSizes ? " + uniform decode sizes n × (1 + K)" : ""}` : undefined,
      ]
        .filter((s): s is string => s !== undefined)
        .join("; "),
      source: "vllm/config/vllm.py VllmConfig._set_cudagraph_sizes; vllm/v1/cudagraph_dispatcher.py; rules in vllm-versions.ts captureSizeList",
    });
  }

  // --- LoRA.
  let graphMultiplier = 1;
  if (flags.lora) {
    if (rules.loraGraphsTwice) graphMultiplier = 2;
    if (flags.lora.maxCpuLoras !== undefined && flags.lora.maxCpuLoras < flags.lora.maxLoras) {
      // vllm/config/lora.py LoRAConfig.__post_init__ raises ValueError: max_cpu_loras must be >= max_loras.
      diagnostics.push({ code: "MAX_CPU_LORAS_BELOW_MAX_LORAS", severity: "error", args: { maxCpuLoras: flags.lora.maxCpuLoras, maxLoras: flags.lora.maxLoras }, fix: [{ flag: "--max-cpu-loras", value: String(flags.lora.maxLoras), flags: { lora: { ...flags.lora, maxCpuLoras: flags.lora.maxLoras } } }] });
    }
    if (input.model.hybrid || input.model.mamba) notExact("LoRA slots of linear-attention / Mamba mixer projections (sized as ordinary linear layers)");
    if (input.model.moe && flags.lora.fullyShardedLoras) notExact("fully sharded LoRA on MoE experts");
  }

  // --- Mamba ssm cache dtype.
  let mambaSsmCacheDtype: StateDtypeName | undefined;
  if (flags.mambaSsmCacheDtype !== undefined) {
    if (SSM_DTYPES.has(flags.mambaSsmCacheDtype)) mambaSsmCacheDtype = flags.mambaSsmCacheDtype as StateDtypeName;
    else notExact(`--mamba-ssm-cache-dtype ${flags.mambaSsmCacheDtype} (state page sized with the model's default)`);
    if (input.model.hybrid && mambaSsmCacheDtype) {
      explain.push({ what: "Mamba ssm state dtype", formula: `--mamba-ssm-cache-dtype ${mambaSsmCacheDtype}${mambaSsmCacheDtype === "auto" ? " (the family's default)" : ""}`, source: "vllm/model_executor/layers/mamba/mamba_utils.py MambaStateDtypeCalculator; hybrid-kv.ts resolveMambaStateDtypes" });
    }
  }

  // --- Sleep mode: allocation route only.
  if (flags.enableSleepMode) {
    explain.push({
      what: "sleep mode",
      formula: "weights and KV cache allocated through CuMemAllocator pools (tags \"weights\", \"kv_cache\") so sleep() can release them; the start-up budget is unchanged",
      bytes: 0,
      source: "vllm/v1/worker/gpu_worker.py Worker.load_model / initialize_from_config (allocator.use_memory_pool); vllm/device_allocator/cumem.py",
    });
  }
  if (flags.languageModelOnly && input.model.vision) {
    explain.push({ what: "language model only", formula: "no multimodal encoder weights, no encoder profile run", bytes: 0, source: "vllm/config/multimodal.py MultiModalConfig.language_model_only" });
  }

  // --- Host memory: CPU weight offload (per GPU × GPUs, filled per stage) and KV offloading.
  let host: OffloadHost | null = null;
  if ((flags.cpuOffloadBytes ?? 0) > 0 || (flags.kvOffloadingBytes ?? 0) > 0) {
    host = { cpuOffloadBytes: 0, kvOffloadingBytes: flags.kvOffloadingBytes ?? 0, totalBytes: flags.kvOffloadingBytes ?? 0 };
    if ((flags.kvOffloadingBytes ?? 0) > 0) explain.push(kvOffloadExplain(flags.kvOffloadingBytes ?? 0, flags.kvOffloadingBackend));
  }
  for (const flag of flags.notModeledFlags ?? []) notExact(`effect of ${flag} on memory (not modeled)`);

  return { capture, graphsOff: cc.off, graphMultiplier, spec, mambaSsmCacheDtype, host, diagnostics, explain };
}

export interface StageFeatures {
  /** Bytes added to (LoRA, drafter) or removed from (CPU offload) the stage's weights. */
  weightsDelta: number;
  loraBytes: number;
  drafterBytes: number;
  offloadedBytes: number;
  activationExtraBytes: number;
  explain: ExplainLine[];
}

/** What the features add to one pipeline stage's rank. */
export function stageFeatures(input: FeatureInput, fx: FeatureEffects, stage: number, weights: WeightsBreakdown, dtypeBytes: number): StageFeatures {
  const flags = input.flags;
  if (fx === NO_EFFECTS) return NO_STAGE_FEATURES;
  const last = stage === input.pp - 1;
  const explain: ExplainLine[] = [];
  let loraBytes = 0;
  let activationExtraBytes = 0;
  if (flags.lora) {
    const loraSlot = loraSlotBytes(input.model, flags.lora, input.tp, input.ep, input.pp, stage, input.dtype);
    loraBytes = loraSlot.bytes;
    activationExtraBytes += loraActivationExtraBytes(input.model, flags.lora, input.tp, input.maxNumBatchedTokens, dtypeBytes);
    explain.push(...loraExplain(loraSlot, fx.graphMultiplier > 1));
  }
  const drafterBytes = last && fx.spec ? fx.spec.weightsBytes : 0;
  let offloadedBytes = 0;
  if ((flags.cpuOffloadBytes ?? 0) > 0) {
    const offload = cpuOffload(flags.cpuOffloadBytes ?? 0, weights.layers, input.rules.features.cpuOffloadIgnoredOnMrv2 && input.dense);
    offloadedBytes = offload.offloadedBytes;
    explain.push(offload.explain);
    if (fx.host) {
      // Pinned host memory: the bytes moved on every GPU of the deployment (this stage's TP ranks).
      fx.host.cpuOffloadBytes += offloadedBytes * input.tp;
      fx.host.totalBytes = fx.host.cpuOffloadBytes + fx.host.kvOffloadingBytes;
    }
  }
  return { weightsDelta: loraBytes + drafterBytes - offloadedBytes, loraBytes, drafterBytes, offloadedBytes, activationExtraBytes, explain };
}

/**
 * The drafter's share of the profile run (last stage): GPUModelRunner._dummy_run runs the target over
 * max_num_batched_tokens, then `self.drafter.dummy_run(num_tokens)` (EagleProposer, MTP included)
 * while the target's output hidden states [N, H] — and for EAGLE-3 the three auxiliary hidden states
 * still held by `outputs` — stay allocated. The drafter's layer transient is the target layer's for
 * MTP (the same layer), else the draft's own (profile-run.ts textElementsPerToken). What this phase
 * holds beyond the target's text phase is added to it.
 */
export function drafterActivationExtra(input: FeatureInput, fx: FeatureEffects, act: ActivationBreakdown, eager: boolean): { bytes: number; line?: ExplainLine } {
  const spec = fx.spec;
  const model = input.flags.speculative?.draftModel;
  if (!spec || spec.kind === "ngram" || (spec.kind !== "mtp" && !model)) return { bytes: 0 };
  const N = input.maxNumBatchedTokens;
  const dtypeBytes = DTYPE_BYTES[input.dtype];
  const held = N * input.model.hiddenSize * dtypeBytes * (spec.kind === "eagle3" ? 4 : 1);
  const targetTransient = act.textPhaseBytes - act.encoderOutputBytes;
  const dtp = input.flags.speculative?.draftTensorParallelSize ?? input.tp;
  const drafterTransient = spec.kind === "mtp" || !model ? targetTransient : textElementsPerToken(model, dtp, 1, eager, false) * dtypeBytes * N;
  const phase = act.encoderOutputBytes + held + drafterTransient;
  const bytes = Math.max(0, Math.round(phase - act.textPhaseBytes));
  return {
    bytes,
    line: {
      what: "drafter dummy run",
      formula: `target hidden states ${spec.kind === "eagle3" ? "+ 3 auxiliary " : ""}[${N}, ${input.model.hiddenSize}] held (${held} B) + drafter layer transient ${Math.round(drafterTransient)} B, beyond the target's text phase`,
      bytes,
      source: "vllm/v1/worker/gpu_model_runner.py GPUModelRunner._dummy_run (drafter.dummy_run after the target's forward)",
    },
  };
}
