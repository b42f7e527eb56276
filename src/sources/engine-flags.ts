// vLLM's engine flags: names and meanings as `vllm serve` takes them, validated with zod into the
// core's EngineFlags. Shared by plan, check and solve so a deployment file means what the CLI means.
import { createRequire } from "node:module";
import type { EngineFlags, KvCacheDtype, QuantMethod, TorchDtype } from "../core/types.js";
import { InputError } from "../errors.js";
import { MAX_PARALLEL, MAX_TOKENS, excerpt } from "../limits.js";
import { fractionFlag, integerFlag, sizeFlag as sizeValue, tokensFlag as tokensValue } from "./flag-values.js";
import { parseVersion, rulesFor, OLDEST_MODELLED, NEWEST_MODELLED } from "../core/vllm-versions.js";

export const DTYPES = ["auto", "bfloat16", "float16", "half", "float32", "float"] as const;
export const KV_DTYPES = ["auto", "fp8", "fp8_e4m3", "fp8_e5m2", "bfloat16", "float16"] as const;
export const QUANTIZATIONS = ["fp8", "awq", "awq_marlin", "gptq", "gptq_marlin", "bitsandbytes", "compressed-tensors", "mxfp4", "modelopt", "modelopt_fp4", "none"] as const;
export const FORMATS = ["table", "json", "markdown"] as const;

/** Raw flag values as commander hands them over (strings, booleans). */
export interface RawEngineFlags {
  tensorParallelSize?: string;
  pipelineParallelSize?: string;
  dataParallelSize?: string;
  gpuMemoryUtilization?: string;
  maxModelLen?: string;
  maxNumSeqs?: string;
  maxNumBatchedTokens?: string;
  dtype?: string;
  kvCacheDtype?: string;
  blockSize?: string;
  enforceEager?: boolean;
  kvCacheMemory?: string;
  limitMmPerPrompt?: string;
  mmProcessorKwargs?: string;
  quantization?: string;
  vllmVersion?: string;
  usageContext?: string;
  otherProcessMemory?: string;
  enableExpertParallel?: boolean;
  mmEncoderTpMode?: string;
  skipMmProfiling?: boolean;
  disableHybridKvCacheManager?: boolean;
}

// zod costs ~80 ms to import (measured: `npm run bench`, start-up target <= 2x bare node), so the
// scalar flags are checked with plain code and zod is loaded, synchronously, only for the
// structured (JSON) flags and deployment files that need a schema.
type Zod = typeof import("zod");
let zod: Zod | null = null;
function z(): Zod {
  if (!zod) zod = createRequire(import.meta.url)("zod") as Zod;
  return zod;
}

function fail(flag: string, what: string): never {
  throw new InputError(flag, `${flag}: ${what}`);
}

function positiveInt(flag: string, v: string | undefined, max: number): number | undefined {
  return v === undefined ? undefined : integerFlag(flag, v, 1, max);
}

function oneOf<T extends string>(flag: string, v: string | undefined, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) fail(flag, `'${excerpt(v)}' is not one of ${choices.join(", ")}`);
  return v as T;
}

function json(flag: string, v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    fail(flag, `expected JSON such as '{"image": 1}', got '${excerpt(v)}'`);
  }
}

function limitSchema() {
  const { z: zz } = z();
  const count = zz.number().int().min(0).max(1_000_000);
  return zz.record(zz.string(), zz.union([count, zz.object({ count }).loose()]));
}
function kwargsSchema() {
  const { z: zz } = z();
  const pixels = zz.number().int().positive().max(2 ** 40);
  return zz.object({ max_pixels: pixels.optional(), min_pixels: pixels.optional() }).loose();
}

function quantFrom(v: string | undefined): QuantMethod | undefined {
  const q = oneOf("--quantization", v, QUANTIZATIONS);
  if (q === undefined) return undefined;
  if (q === "awq_marlin") return "awq";
  if (q === "gptq_marlin") return "gptq";
  if (q === "modelopt") return "fp8";
  if (q === "modelopt_fp4") return "nvfp4";
  return q;
}

export function engineFlagsFrom(raw: RawEngineFlags): EngineFlags {
  const util = raw.gpuMemoryUtilization;
  let gpuMemoryUtilization: number | undefined;
  if (util !== undefined) gpuMemoryUtilization = fractionFlag("--gpu-memory-utilization", util);
  const maxModelLen = raw.maxModelLen !== undefined ? tokensValue("--max-model-len", raw.maxModelLen, 1, MAX_TOKENS) : undefined;
  const tokensFlag = (flag: string, v: string | undefined): number | undefined => (v === undefined ? undefined : tokensValue(flag, v, 1, MAX_TOKENS));
  const sizeFlag = (flag: string, v: string | undefined): number | undefined => (v === undefined ? undefined : sizeValue(flag, v));
  const dtypeRaw = oneOf("--dtype", raw.dtype, DTYPES);
  const dtype: TorchDtype | undefined = dtypeRaw === undefined || dtypeRaw === "auto" ? undefined : dtypeRaw === "half" ? "float16" : dtypeRaw === "float" ? "float32" : dtypeRaw;
  const limitsRaw = json("--limit-mm-per-prompt", raw.limitMmPerPrompt);
  let limitMmPerPrompt: Record<string, number> | undefined;
  if (limitsRaw !== undefined) {
    const r = limitSchema().safeParse(limitsRaw);
    if (!r.success) fail("--limit-mm-per-prompt", `expected an object of counts such as '{"image": 1, "video": 0}'`);
    limitMmPerPrompt = Object.fromEntries(Object.entries(r.data).map(([k, v]) => [k, typeof v === "number" ? v : v.count]));
  }
  const kwargsRaw = json("--mm-processor-kwargs", raw.mmProcessorKwargs);
  let mmProcessorKwargs: EngineFlags["mmProcessorKwargs"];
  if (kwargsRaw !== undefined) {
    const r = kwargsSchema().safeParse(kwargsRaw);
    if (!r.success) fail("--mm-processor-kwargs", `max_pixels and min_pixels must be positive integers`);
    mmProcessorKwargs = {};
    if (r.data.max_pixels !== undefined) mmProcessorKwargs.max_pixels = r.data.max_pixels;
    if (r.data.min_pixels !== undefined) mmProcessorKwargs.min_pixels = r.data.min_pixels;
  }
  let vllmVersion: string | undefined;
  if (raw.vllmVersion !== undefined) {
    if (raw.vllmVersion.length > 40 || !parseVersion(raw.vllmVersion)) fail("--vllm-version", `expected a version such as 0.11.0, got '${excerpt(raw.vllmVersion)}'`);
    if (!rulesFor(raw.vllmVersion)) fail("--vllm-version", `${raw.vllmVersion} is older than the oldest release modelled (${OLDEST_MODELLED}); newest modelled: ${NEWEST_MODELLED}`);
    vllmVersion = raw.vllmVersion;
  }
  // One object literal with every key (undefined when unset): a stable shape keeps the core's
  // property accesses monomorphic — sweeps that spread these flags plan ~5× faster than with
  // conditionally added keys (measured with test/bench).
  const flags: EngineFlags = {
    tensorParallelSize: positiveInt("--tensor-parallel-size", raw.tensorParallelSize, MAX_PARALLEL) ?? 1,
    pipelineParallelSize: positiveInt("--pipeline-parallel-size", raw.pipelineParallelSize, MAX_PARALLEL) ?? 1,
    dataParallelSize: positiveInt("--data-parallel-size", raw.dataParallelSize, MAX_PARALLEL) ?? 1,
    gpuMemoryUtilization,
    maxModelLen,
    maxNumSeqs: tokensFlag("--max-num-seqs", raw.maxNumSeqs),
    maxNumBatchedTokens: tokensFlag("--max-num-batched-tokens", raw.maxNumBatchedTokens),
    dtype,
    kvCacheDtype: (oneOf("--kv-cache-dtype", raw.kvCacheDtype, KV_DTYPES) ?? "auto") as KvCacheDtype,
    blockSize: positiveInt("--block-size", raw.blockSize, 1 << 20),
    enforceEager: raw.enforceEager === true,
    kvCacheMemoryBytes: sizeFlag("--kv-cache-memory", raw.kvCacheMemory),
    limitMmPerPrompt,
    mmProcessorKwargs,
    quantization: quantFrom(raw.quantization),
    vllmVersion,
    usageContext: oneOf("--usage-context", raw.usageContext, ["server", "offline"] as const) ?? "server",
    otherProcessBytes: sizeFlag("--other-process-memory", raw.otherProcessMemory) ?? 0,
    enableExpertParallel: raw.enableExpertParallel === true,
    mmEncoderTpMode: oneOf("--mm-encoder-tp-mode", raw.mmEncoderTpMode, ["weights", "data"] as const) ?? "weights",
    skipMmProfiling: raw.skipMmProfiling === true,
    disableHybridKvCacheManager: raw.disableHybridKvCacheManager === true,
  };
  return flags;
}

/**
 * vLLM's FlexibleArgumentParser accepts --snake_case and the short forms -tp/-pp/-dp and dotted
 * JSON keys (--limit-mm-per-prompt.image 1); commander wants one spelling, so argv is normalised first.
 */
export function normaliseArgv(argv: string[]): string[] {
  const out: string[] = [];
  const dotted = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i] ?? "";
    const short = /^-(tp|pp|dp)(?:=(.*))?$/.exec(a);
    if (short) {
      const long = { tp: "--tensor-parallel-size", pp: "--pipeline-parallel-size", dp: "--data-parallel-size" }[short[1] as "tp" | "pp" | "dp"];
      a = short[2] !== undefined ? `${long}=${short[2]}` : long;
    } else if (a.startsWith("--")) {
      const [name, ...rest] = a.split("=");
      a = (name ?? "").replace(/_/g, "-") + (rest.length ? "=" + rest.join("=") : "");
      const dot = /^--(limit-mm-per-prompt|mm-processor-kwargs)\.([A-Za-z0-9_]+)(?:=(.*))?$/.exec(a);
      if (dot) {
        const key = `--${dot[1]}`;
        const value = dot[3] ?? argv[++i] ?? "";
        const obj = dotted.get(key) ?? {};
        const num = Number(value);
        obj[dot[2] ?? ""] = Number.isFinite(num) && value.trim() !== "" ? num : value;
        dotted.set(key, obj);
        continue;
      }
    }
    out.push(a);
  }
  for (const [k, v] of dotted) out.push(k, JSON.stringify(v));
  return out;
}
