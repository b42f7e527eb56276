// `vram-plan check <file...>`: reads vLLM deployments out of files (compose, Kubernetes, vLLM
// --config YAML, shell scripts, Dockerfiles, vram-plan's own deployments file), plans each, checks
// its constraints, and exits 0 (all start and meet them), 1 (some do not: each named with its
// reason and fix) or 2 (unreadable or invalid input: file and line named).
// Loaded only when check runs (src/cli/subcommands.ts imports it in the action).
import { colourWanted, type Io } from "./io.js";
import type { RawEngineFlags } from "../sources/engine-flags.js";
import type { Deployment } from "../sources/deployments.js";
import type { CheckEntry } from "../core/check.js";
import type { Outcome } from "../core/exit.js";
import type { Target } from "../core/solve.js";
import type { GpuProfile, ModelArch } from "../core/types.js";
import { InputError } from "../errors.js";

export interface CheckOptions {
  gpu?: string;
  requireConcurrency?: string;
  requireContext?: string;
  maxUtilization?: string;
  headroom?: string;
  vllmVersion?: string;
  offline?: boolean;
  format?: string;
  json?: boolean;
  color?: boolean;
}

// ---------------------------------------------------------------------------------------------
/**
 * The vLLM release a file pins through the official image tag (vllm/vllm-openai:v0.23.0), when it
 * names exactly one; null for "latest", no tag, or several different tags.
 */
export function imageVllmVersion(text: string): string | null {
  const tags = new Set<string>();
  for (const m of text.matchAll(/vllm\/vllm-openai:v?(\d+\.\d+(?:\.\d+)?)/g)) if (m[1]) tags.add(m[1]);
  return tags.size === 1 ? ([...tags][0] ?? null) : null;
}

// Deployment args (kebab-case, as readDeployments returns them) → the CLI's raw engine flags
// ---------------------------------------------------------------------------------------------

type StrKey = { [K in keyof RawEngineFlags]-?: NonNullable<RawEngineFlags[K]> extends string ? K : never }[keyof RawEngineFlags];
type BoolKey = { [K in keyof RawEngineFlags]-?: NonNullable<RawEngineFlags[K]> extends boolean ? K : never }[keyof RawEngineFlags];

const VALUE_FLAGS: Readonly<Record<string, StrKey>> = {
  "tensor-parallel-size": "tensorParallelSize",
  "pipeline-parallel-size": "pipelineParallelSize",
  "data-parallel-size": "dataParallelSize",
  "gpu-memory-utilization": "gpuMemoryUtilization",
  "max-model-len": "maxModelLen",
  "max-num-seqs": "maxNumSeqs",
  "max-num-batched-tokens": "maxNumBatchedTokens",
  dtype: "dtype",
  "kv-cache-dtype": "kvCacheDtype",
  "block-size": "blockSize",
  "limit-mm-per-prompt": "limitMmPerPrompt",
  "mm-processor-kwargs": "mmProcessorKwargs",
  "mm-encoder-tp-mode": "mmEncoderTpMode",
  quantization: "quantization",
};

const BOOLEAN_FLAGS: Readonly<Record<string, BoolKey>> = {
  "enforce-eager": "enforceEager",
  "enable-expert-parallel": "enableExpertParallel",
  "skip-mm-profiling": "skipMmProfiling",
  "disable-hybrid-kv-cache-manager": "disableHybridKvCacheManager",
};

/** vLLM flags that do not change GPU memory at start-up: ignored without a note. */
const NO_MEMORY_EFFECT = new Set([
  "host", "port", "api-key", "served-model-name", "tokenizer", "tokenizer-mode", "revision", "code-revision", "tokenizer-revision",
  "trust-remote-code", "enable-prefix-caching", "disable-log-requests", "enable-log-requests", "disable-log-stats", "uvicorn-log-level",
  "chat-template", "tool-call-parser", "enable-auto-tool-choice", "reasoning-parser", "enable-reasoning", "download-dir", "load-format",
  "seed", "generation-config", "override-generation-config", "disable-fastapi-docs", "enable-chunked-prefill", "max-log-len",
  "distributed-executor-backend", "api-server-count", "disable-uvicorn-access-log", "enable-prompt-tokens-details",
  "enable-server-load-tracking", "enable-force-include-usage", "enable-request-id-headers", "enable-tokenizer-info-endpoint",
  "enable-log-outputs", "return-tokens-as-token-ids", "disable-frontend-multiprocessing", "max-logprobs", "root-path", "ssl-keyfile",
  "ssl-certfile", "allowed-origins", "middleware", "response-role", "lora-modules", "max-parallel-loading-workers", "config",
  "use-tqdm-on-load", "headless", "async-scheduling", "disable-cascade-attn", "multi-step-stream-outputs", "use-v2-block-manager",
]);

export interface MappedFlags {
  raw: RawEngineFlags;
  /** vLLM flags vram-plan does not model that may change memory (listed in a note). */
  notModelled: string[];
}

/**
 * A deployment's kebab-case vLLM args → RawEngineFlags for engineFlagsFrom. Dotted JSON keys
 * (`limit-mm-per-prompt.image`) are merged; `--enable-multimodal-encoder-data-parallel` is
 * `--mm-encoder-tp-mode data`; `--kv-cache-memory-bytes` reads vLLM's human-readable integers.
 * Throws InputError naming `where` and the flag for a value vLLM would reject.
 */
export function rawFlagsFromArgs(args: Readonly<Record<string, string | true>>, where: string): MappedFlags {
  const raw: RawEngineFlags = {};
  const notModelled: string[] = [];
  const dotted = new Map<string, Record<string, unknown>>();
  const bad = (flag: string, what: string): never => {
    throw new InputError(where, `${where}: --${flag}: ${what}`);
  };
  for (const [key, value] of Object.entries(args)) {
    const dot = /^(limit-mm-per-prompt|mm-processor-kwargs)\.([A-Za-z0-9_]+)$/.exec(key);
    if (dot) {
      if (value === true) bad(key, "needs a value");
      const obj = dotted.get(dot[1] ?? "") ?? {};
      const num = Number(value);
      obj[dot[2] ?? ""] = typeof value === "string" && value.trim() !== "" && Number.isFinite(num) ? num : value;
      dotted.set(dot[1] ?? "", obj);
      continue;
    }
    const vk = VALUE_FLAGS[key];
    if (vk !== undefined) {
      if (value === true) bad(key, "needs a value");
      raw[vk] = value as string;
      continue;
    }
    const bk = BOOLEAN_FLAGS[key];
    if (bk !== undefined) {
      if (value === true || value === "true" || value === "True") raw[bk] = true;
      else if (value === "false" || value === "False") raw[bk] = false;
      else bad(key, `expected true or false, got '${value}'`);
      continue;
    }
    if (key === "kv-cache-memory-bytes" || key === "kv-cache-memory") {
      if (value === true) bad(key, "needs a value");
      const m = /^\s*(\d+(?:\.\d+)?)([kKmMgGtT]?)\s*$/.exec(value as string);
      if (!m) bad(key, `expected a byte count such as 21474836480, 20G (2^30) or 20g (10^9), got '${value}'`);
      const mult: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
      raw.kvCacheMemory = String(Math.trunc(Number(m?.[1]) * (mult[m?.[2] ?? ""] ?? 1)));
      continue;
    }
    if (key === "enable-multimodal-encoder-data-parallel") {
      if (value !== "false") raw.mmEncoderTpMode = "data";
      continue;
    }
    if (NO_MEMORY_EFFECT.has(key)) continue;
    notModelled.push(`--${key}`);
  }
  for (const [key, obj] of dotted) {
    const k = VALUE_FLAGS[key];
    if (k === undefined) continue;
    let merged: Record<string, unknown> = obj;
    const prev = raw[k];
    if (typeof prev === "string") {
      try {
        const p = JSON.parse(prev) as unknown;
        if (typeof p === "object" && p !== null && !Array.isArray(p)) merged = { ...(p as Record<string, unknown>), ...obj };
      } catch {
        // the whole-JSON value is validated (and reported) by engineFlagsFrom
      }
    }
    raw[k] = JSON.stringify(merged);
  }
  return { raw, notModelled };
}

// ---------------------------------------------------------------------------------------------
// Constraints
// ---------------------------------------------------------------------------------------------

/** "N" or "N@LEN" (LEN like vLLM's --max-model-len: 8k = 8000, 8K = 8192). */
export async function parseConcurrency(text: string, subject: string): Promise<{ n: number; len?: number }> {
  const { parseTokens } = await import("../units.js");
  const m = /^\s*(\d+)\s*(?:@\s*(\S+)\s*)?$/.exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  const len = m?.[2] !== undefined ? parseTokens(m[2]) : undefined;
  if (!m || !(n >= 1) || len === null || (len !== undefined && len < 1)) {
    throw new InputError(subject, `${subject}: expected N or N@LEN such as 32 or 32@8k, got '${text}'`);
  }
  return len === undefined ? { n } : { n, len };
}

async function cliTarget(o: CheckOptions): Promise<{ target: Target; text: CheckEntry["targetText"] }> {
  const { parseTokens, parseSize } = await import("../units.js");
  const target: Target = {};
  const text: CheckEntry["targetText"] = {};
  if (o.requireConcurrency !== undefined) {
    target.concurrency = await parseConcurrency(o.requireConcurrency, "--require-concurrency");
    text.concurrency = o.requireConcurrency;
  }
  if (o.requireContext !== undefined) {
    const c = parseTokens(o.requireContext);
    if (c === null || c < 1) throw new InputError("--require-context", `--require-context: expected a token count such as 32768, 32k (32000) or 32K (32768), got '${o.requireContext}'`);
    target.context = c;
    text.context = o.requireContext;
  }
  if (o.maxUtilization !== undefined) {
    const u = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(o.maxUtilization) ? Number(o.maxUtilization) : Number.NaN;
    if (!(u > 0 && u <= 1)) throw new InputError("--max-utilization", `--max-utilization: expected a fraction in (0, 1], got '${o.maxUtilization}'`);
    target.maxUtilization = u;
    text.maxUtilization = o.maxUtilization;
  }
  if (o.headroom !== undefined) {
    const h = parseSize(o.headroom);
    if (h === null) throw new InputError("--headroom", `--headroom: expected a size such as 2GiB, 2GB or 512MiB, got '${o.headroom}'`);
    target.headroomBytes = h;
    text.headroom = o.headroom;
  }
  return { target, text };
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

function withWhere(e: unknown, where: string): never {
  if (e instanceof InputError) {
    const msg = e.message.startsWith(where) ? e.message : `${where}: ${e.message}`;
    throw new InputError(e.subject, msg);
  }
  throw e;
}

/** Plans every deployment in `files` against the constraints; InputError on bad input. */
export async function checkFiles(files: string[], o: CheckOptions, io: Pick<Io, "env" | "stderr">): Promise<CheckEntry[]> {
  if (files.length === 0) throw new InputError("check", "check: give one or more files (compose, Kubernetes, vLLM --config YAML, shell script, Dockerfile, vram-plan deployments file)");
  const { readTextFile } = await import("../sources/read-file.js");
  const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
  const { readDeployments } = await import("../sources/deployments.js");
  const { engineFlagsFrom } = await import("../sources/engine-flags.js");
  const { gpuFrom } = await import("../sources/gpus.js");
  const { resolveModel } = await import("../sources/resolve-model.js");
  const { parseSize } = await import("../units.js");
  const { evaluate, findFixes } = await import("../core/solve.js");
  const cli = await cliTarget(o);

  const deployments: Deployment[] = [];
  const imageVersion = new Map<string, string>();
  for (const file of files) {
    // Regular files only, up to the cap: a FIFO, /dev/zero or a directory is refused by stat first.
    const text = readTextFile(file, MAX_DEPLOYMENT_FILE_BYTES) as string;
    deployments.push(...readDeployments(file, text));
    const v = imageVllmVersion(text);
    if (v) imageVersion.set(file, v);
  }

  const models = new Map<string, Promise<{ arch: ModelArch; warnings: string[] }>>();
  const entries: CheckEntry[] = [];
  for (const d of deployments) {
    const where = `${d.file}:${d.line}`;
    const label = `${where}: ${d.name}`;
    if (d.model === null || d.model.includes("$")) {
      throw new InputError(d.file, `${label}: no model${d.model ? ` (${d.model} is an unresolved variable)` : ""}: give --model or a positional model in the command`);
    }
    const gpuName = d.gpuType ?? o.gpu;
    if (gpuName === undefined) {
      throw new InputError(d.file, `${label}: GPU type unknown: give --gpu <id>, a node selector vram-plan recognises (e.g. nvidia.com/gpu.product), or gpu: in a vram-plan file`);
    }
    let gpu: GpuProfile;
    try {
      gpu = await gpuFrom({ gpu: gpuName });
    } catch (e) {
      withWhere(e, label);
    }
    const mapped = rawFlagsFromArgs(d.args, label);
    if (o.vllmVersion !== undefined && mapped.raw.vllmVersion === undefined) mapped.raw.vllmVersion = o.vllmVersion;
    // The release pinned by the file's vLLM image tag decides the defaults (e.g. utilization 0.90 vs 0.92).
    if (mapped.raw.vllmVersion === undefined && imageVersion.has(d.file)) mapped.raw.vllmVersion = imageVersion.get(d.file);
    let flags;
    try {
      flags = engineFlagsFrom(mapped.raw);
    } catch (e) {
      withWhere(e, label);
    }
    const modelName = d.model;
    let pending = models.get(modelName);
    if (!pending) {
      pending = resolveModel(modelName, { offline: o.offline === true, env: io.env });
      models.set(modelName, pending);
    }
    let model: { arch: ModelArch; warnings: string[] };
    try {
      model = await pending;
    } catch (e) {
      withWhere(e, label);
    }

    // The file's own constraints win over the command line's, field by field.
    const target: Target = { ...cli.target, gpuCount: d.gpuCount };
    const text = { ...cli.text };
    const c = d.constraints;
    if (c.requireConcurrency) {
      target.concurrency = c.requireConcurrency;
      text.concurrency = c.requireConcurrency.len !== undefined ? `${c.requireConcurrency.n}@${c.requireConcurrency.len}` : String(c.requireConcurrency.n);
    }
    if (c.requireContext !== undefined) {
      target.context = c.requireContext;
      text.context = String(c.requireContext);
    }
    if (c.maxUtilization !== undefined) {
      target.maxUtilization = c.maxUtilization;
      text.maxUtilization = String(c.maxUtilization);
    }
    if (c.headroom !== undefined) {
      const h = parseSize(c.headroom);
      if (h === null) throw new InputError(d.file, `${label}: require.headroom: expected a size such as 2GiB, got '${c.headroom}'`);
      target.headroomBytes = h;
      text.headroom = c.headroom;
    }

    const input = { model: model.arch, gpu, flags };
    const evaluation = evaluate(input, target);
    const fixes = evaluation.ok ? [] : findFixes(input, target, evaluation);
    const notes = [...d.notes, ...model.warnings];
    if (mapped.notModelled.length) notes.push(`not modelled (may change memory): ${mapped.notModelled.join(", ")}`);
    if (d.gpuCount === null) notes.push(`GPU count not given: assumed ${evaluation.gpusUsed} (tensor × pipeline × data parallel)`);
    else if (d.gpuCount > evaluation.gpusUsed) notes.push(`${d.gpuCount} GPUs given, vLLM uses ${evaluation.gpusUsed}`);
    if (d.gpuType === null) notes.push(`GPU type from --gpu ${gpuName}`);
    entries.push({
      file: d.file,
      line: d.line,
      name: d.name,
      model: modelName,
      gpu: { id: gpu.id, name: gpu.name, cudaTotalBytes: gpu.cudaTotalBytes },
      gpuCount: d.gpuCount,
      target,
      targetText: text,
      evaluation,
      fixes,
      args: d.args,
      notes,
    });
  }
  return entries;
}

/** The check command: plans every deployment, renders the verdicts in the chosen format. */
export async function checkCommand(files: string[], o: CheckOptions, io: Io): Promise<Outcome> {
  const entries = await checkFiles(files, o, io);
  const fmt = o.json ? "json" : (o.format ?? "table");
  const r = await import("../render/check.js");
  if (fmt === "json") io.stdout(r.renderCheckJson(entries));
  else if (fmt === "markdown") io.stdout(r.renderCheckMarkdown(entries));
  else {
    const { colours } = await import("../render/colours.js");
    io.stdout(r.renderCheckTable(entries, await colours(colourWanted(o, io))));
  }
  return { command: "check", entries };
}
