// Reading vLLM deployments out of files: vLLM --config YAML, shell scripts, Dockerfiles, docker
// compose files, Kubernetes manifests and vram-plan's own deployments file. Pure on text: the CLI
// reads the file and passes its path (for messages) and contents.

import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
} from "yaml";
import { z } from "zod";
import { InputError } from "../errors.js";
import {
  VLLM_BOOLEAN_FLAGS,
  VLLM_VALUE_FLAGS,
  VllmArgError,
  isVllmOpenAiImage,
  locateVllmInvocation,
  normalizeFlagName,
  parseVllmArgs,
  shellScriptIndex,
  splitShellCommands,
} from "./vllm-argv.js";

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface DeploymentConstraints {
  /** Must serve `n` concurrent sequences, each `len` tokens long (default: max-model-len). */
  requireConcurrency?: { n: number; len?: number };
  /** Must fit at least this context length (tokens). */
  requireContext?: number;
  /** Highest acceptable --gpu-memory-utilization (0 < x <= 1). */
  maxUtilization?: number;
  /** Memory to keep free per GPU, as written ("2GiB"); the planner parses it. */
  headroom?: string;
}

export type DeploymentSource = "vllm-config" | "shell" | "dockerfile" | "compose" | "kubernetes" | "vram-plan";

export interface Deployment {
  file: string;
  /** 1-based line of the container / service / entry / command. */
  line: number;
  /** compose service, `workload/container` for Kubernetes (just the container when both are equal),
   *  "script line N", "CMD line N", the config file's name, or the entry's name. */
  name: string;
  /** From the argv (positional or --model) or a `model:` field; null when not given (e.g. only in a --config file we can't see). */
  model: string | null;
  /** parseVllmArgs of the argv, `model` removed (it is in `model`). */
  args: Record<string, string | true>;
  /** The raw vLLM argv after the entrypoint, in order (positional model removed), for a full parser. */
  argv: string[];
  /** nvidia.com/gpu limit, compose device count, CUDA_VISIBLE_DEVICES, docker --gpus, or own file. */
  gpuCount: number | null;
  /** A vram-plan GPU id from a node label (see gpuIdFromLabel), or the own file's `gpu` as written. */
  gpuType: string | null;
  constraints: DeploymentConstraints;
  /** Which reader produced it. */
  source: DeploymentSource;
  /** Things the reader noticed but could not resolve (e.g. `count: all`, an unknown GPU label value). */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// vram-plan's own deployments file
// ---------------------------------------------------------------------------------------------

/*
 * vram-plan deployments file (YAML or JSON):
 *
 *   deployments:                      # one or more
 *     - name: chat                    # unique, non-empty
 *       model: Qwen/Qwen3-32B         # HF repo id or local path
 *       gpu: h100                     # GPU id or alias (vram-plan gpus)
 *       gpus: 2                       # optional, GPU count (default: tp × pp from flags)
 *       flags:                        # optional, vLLM flags, kebab-case or snake_case, no leading --
 *         tensor-parallel-size: 2     #   numbers and strings are passed as strings
 *         max_model_len: 32768
 *         enforce-eager: true         #   true → the bare flag; false → "false" (as --no-<flag>)
 *         limit-mm-per-prompt: {image: 2}   # objects → JSON string
 *         cuda-graph-sizes: [1, 2, 4] #   lists → space-joined values
 *       require:                      # optional constraints, checked against the plan
 *         concurrency: "32@8k"        #   N, or "N@LEN": N sequences of LEN tokens
 *         context: 32k                #   tokens; 32k = 32000, 32K = 32768 (vLLM's convention)
 *         maxUtilization: 0.9         #   highest acceptable --gpu-memory-utilization, (0, 1]
 *         headroom: 2GiB              #   memory to leave free per GPU
 *
 * Unknown keys are errors. Lengths accept k/K/m/M suffixes: lower-case decimal (k = 1000),
 * upper-case binary (K = 1024), as vLLM's --max-model-len does.
 */
const HUMAN_INT = /^\s*\d+(\.\d+)?\s*[kKmMgG]?\s*$/;

const FlagValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
  z.record(z.string(), z.unknown()),
]);

export const VramPlanRequireSchema = z.strictObject({
  concurrency: z
    .union([
      z.number().int().positive(),
      z.string().regex(/^\s*\d+\s*(@\s*\d+(\.\d+)?\s*[kKmMgG]?\s*)?$/, 'expected N or "N@LEN" (e.g. "32@8k")'),
    ])
    .optional(),
  context: z
    .union([z.number().int().positive(), z.string().regex(HUMAN_INT, 'expected a token count such as 32768 or "32k"')])
    .optional(),
  maxUtilization: z.number().gt(0).lte(1).optional(),
  headroom: z.union([z.string().min(1), z.number().nonnegative()]).optional(),
});

export const VramPlanDeploymentSchema = z.strictObject({
  name: z.string().min(1),
  model: z.string().min(1),
  gpu: z.string().min(1),
  gpus: z.number().int().positive().optional(),
  flags: z.record(z.string(), FlagValueSchema).optional(),
  require: VramPlanRequireSchema.optional(),
});

export const VramPlanFileSchema = z.strictObject({
  deployments: z.array(VramPlanDeploymentSchema).min(1),
});

export type VramPlanFile = z.infer<typeof VramPlanFileSchema>;

// ---------------------------------------------------------------------------------------------
// GPU labels
// ---------------------------------------------------------------------------------------------

const AWS_INSTANCE_FAMILIES: ReadonlyArray<[RegExp, string]> = [
  [/^p4d$/, "a100-40g"],
  [/^p4de$/, "a100-80g"],
  [/^p5$/, "h100-sxm"],
  [/^p5e$|^p5en$/, "h200"],
  [/^p6-b200$/, "b200"],
  [/^g5$/, "a10g"],
  [/^g6$/, "l4"],
  [/^g6e$/, "l40s"],
  [/^g4dn$/, "t4"],
  [/^p3$/, "v100-16g"],
  [/^p3dn$/, "v100-32g"],
];

const GCP_MACHINE_TYPES: ReadonlyArray<[RegExp, string]> = [
  [/^a2-(highgpu|megagpu)-/, "a100-40g"],
  [/^a2-ultragpu-/, "a100-80g"],
  [/^a3-(highgpu|megagpu|edgegpu)-/, "h100-sxm"],
  [/^a3-ultragpu-/, "h200"],
  [/^a4-highgpu-/, "b200"],
  [/^g2-standard-/, "l4"],
];

const AZURE_VM_SIZES: ReadonlyArray<[RegExp, string]> = [
  [/^standard_nd96asr_v4$/, "a100-40g"],
  [/^standard_nd96amsr_a100_v4$/, "a100-80g"],
  [/^standard_nc\d+ads_a100_v4$/, "a100-80g-pcie"],
  [/^standard_nd96isr_h100_v5$/, "h100-sxm"],
  [/^standard_nc\d+ads_h100_v5$/, "h100-nvl"],
  [/^standard_nd96isr_h200_v5$/, "h200"],
  [/^standard_nc\d+as_t4_v3$/, "t4"],
];

/** Map a GPU model name as found in labels (any vendor spelling) to a vram-plan GPU id. */
function gpuIdFromProductName(raw: string): string | null {
  let v = raw.trim().toLowerCase().replace(/[\s_]+/g, "-");
  v = v.replace(/-shared$/, "");
  if (/-mig-|^mig-/.test(v)) return null; // a MIG slice is not a whole GPU
  v = v.replace(/^(nvidia-)?(tesla-)?(geforce-)?/, "");
  const tok = new Set(v.split("-"));
  const has = (re: RegExp): boolean => re.test(v);
  const mem80 = tok.has("80gb") || tok.has("80g") || has(/(^|-)80gb?(-|$)/);
  const pcie = tok.has("pcie");
  if (has(/^a100/)) {
    if (mem80) return pcie ? "a100-80g-pcie" : "a100-80g";
    return pcie ? "a100-40g-pcie" : "a100-40g";
  }
  if (has(/^a800/)) return "a100-80g";
  if (has(/^h100/)) {
    if (tok.has("nvl")) return "h100-nvl";
    if (pcie) return "h100-pcie";
    return "h100-sxm";
  }
  if (has(/^h200/)) return tok.has("nvl") ? "h200-nvl" : "h200";
  if (has(/^h20(-|$)/)) return "h20";
  if (has(/^b200(-|$)/)) return "b200";
  if (has(/^l40s(-|$)/)) return "l40s";
  if (has(/^l40(-|$)/)) return "l40";
  if (has(/^l20(-|$)/)) return "l20";
  if (has(/^l4(-|$)/)) return "l4";
  if (has(/^a10g(-|$)/)) return "a10g";
  if (has(/^a10(-|$)/)) return "a10";
  if (has(/^t4(-|$)/)) return "t4";
  if (has(/^v100/)) return tok.has("32gb") || tok.has("32g") ? "v100-32g" : "v100-16g";
  if (has(/^rtx-pro-6000/)) return "rtx-pro-6000";
  if (has(/^rtx-6000-ada/)) return "rtx6000-ada";
  if (has(/^rtx-a6000(-|$)/)) return "a6000";
  if (has(/^rtx-(3090|4090|5090)(-|$)/)) return `rtx${v.slice(4, 8)}`;
  if (has(/^(amd-)?(instinct-)?mi300x(-|$)/)) return "mi300x";
  return null;
}

/** Node label keys gpuIdFromLabel understands. */
export const GPU_LABEL_KEYS: readonly string[] = [
  "nvidia.com/gpu.product",
  "cloud.google.com/gke-accelerator",
  "karpenter.k8s.aws/instance-gpu-name",
  "node.kubernetes.io/instance-type",
  "beta.kubernetes.io/instance-type",
  "gpu.nvidia.com/class",
];

/**
 * A node label (nodeSelector key / node-affinity key and value) → vram-plan GPU id, or null when
 * the key says nothing about GPUs or the value is not recognised:
 *  - nvidia.com/gpu.product (GPU feature discovery): NVIDIA-A100-SXM4-80GB → a100-80g,
 *    NVIDIA-H100-80GB-HBM3 → h100-sxm, NVIDIA-L40S → l40s, Tesla-T4 → t4; MIG slices → null.
 *  - cloud.google.com/gke-accelerator: nvidia-tesla-a100 → a100-40g, nvidia-a100-80gb → a100-80g,
 *    nvidia-h100-80gb / nvidia-h100-mega-80gb → h100-sxm, nvidia-h200-141gb → h200, nvidia-l4, nvidia-tesla-t4.
 *  - karpenter.k8s.aws/instance-gpu-name: a100 → a100-40g (p4d; p4de's 80 GB is not told apart),
 *    h100 → h100-sxm, h200, l40s, l4, a10g, t4.
 *  - node.kubernetes.io/instance-type (and the beta key): AWS p4d/p4de/p5/p5e/g5/g6/g6e/g4dn...,
 *    GCP a2-highgpu, a2-ultragpu, a3-(high/mega/edge/ultra)gpu, g2-standard, a few Azure ND/NC sizes.
 *  - gpu.nvidia.com/class (CoreWeave): A100_PCIE_40GB, H100_NVLINK_80GB, ...
 */
export function gpuIdFromLabel(key: string, value: string): string | null {
  const k = key.trim();
  const v = value.trim();
  switch (k) {
    case "nvidia.com/gpu.product":
    case "cloud.google.com/gke-accelerator":
    case "gpu.nvidia.com/class":
      return gpuIdFromProductName(v);
    case "karpenter.k8s.aws/instance-gpu-name":
      return v.toLowerCase() === "a100" ? "a100-40g" : gpuIdFromProductName(v);
    case "node.kubernetes.io/instance-type":
    case "beta.kubernetes.io/instance-type": {
      const t = v.toLowerCase();
      const family = t.split(".")[0] ?? "";
      if (t.includes(".")) {
        for (const [re, id] of AWS_INSTANCE_FAMILIES) if (re.test(family)) return id;
        return null;
      }
      for (const [re, id] of GCP_MACHINE_TYPES) if (re.test(t)) return id;
      for (const [re, id] of AZURE_VM_SIZES) if (re.test(t)) return id;
      return null;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared plumbing
// ---------------------------------------------------------------------------------------------

/** A command word with the line it is on. */
interface Word {
  text: string;
  line: number;
}

class Ctx {
  constructor(readonly file: string) {}
  fail(line: number | null, message: string): never {
    throw new InputError(this.file, line === null ? `${this.file}: ${message}` : `${this.file}:${line}: ${message}`);
  }
}

type Json = unknown;
function rec(v: Json): Record<string, Json> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : null;
}
function str(v: Json): string | null {
  return typeof v === "string" ? v : null;
}
function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Count of GPUs in a CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES value, or null if not a literal list. */
function countDeviceList(v: string): number | null {
  const s = v.trim();
  if (s === "" || /^(all|none|void)$/i.test(s) || s.includes("$")) return null;
  const parts = s.split(",").map((p) => p.trim()).filter((p) => p !== "");
  return parts.length > 0 ? parts.length : null;
}

/** Variables known for a command: `shell` for $VAR / ${VAR} / ${VAR:-default}, `k8s` for $(VAR). */
interface KnownEnv {
  shell?: Record<string, string>;
  k8s?: Record<string, string>;
}

function lookup(env: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Kubernetes' own expansion of $(VAR) in command/args from the container's env; $$ escapes. */
function expandK8s(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? "$" : (lookup(env, name) ?? m),
  );
}

/** Shell-style expansion of $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}; unknown variables stay verbatim. */
function expandShell(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, braced: string | undefined, op: string | undefined, def: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? "";
      const v = lookup(env, name);
      if (op !== undefined) return v !== undefined && (op === "-" || v !== "") ? v : (def ?? "");
      return v ?? m;
    },
  );
}

interface BuildBase {
  name: string;
  line: number;
  source: DeploymentSource;
  gpuCount: number | null;
  gpuType: string | null;
  notes: string[];
}

/** Turn the words of one simple command into deployments (unwrapping `sh -c`). */
function fromCommandWords(
  ctx: Ctx,
  words: readonly Word[],
  base: (line: number) => BuildBase,
  entrypointIsVllm: boolean,
  known: KnownEnv = {},
  inShell = false,
): Deployment[] {
  if (known.k8s) {
    const env = known.k8s;
    words = words.map((w) => ({ text: expandK8s(w.text, env), line: w.line }));
  }
  if (inShell) {
    const env = known.shell ?? {};
    words = words.map((w) => ({ text: expandShell(w.text, env), line: w.line }));
  }
  const texts = words.map((w) => w.text);
  const script = shellScriptIndex(texts);
  if (script !== null) {
    const sw = words[script]!;
    const out: Deployment[] = [];
    const inner: KnownEnv = known.shell ? { shell: known.shell } : {};
    for (const cmd of splitShellCommands(sw.text, sw.line)) {
      const ws = cmd.words.map((text, k) => ({ text, line: cmd.lines[k] ?? cmd.line }));
      out.push(...fromCommandWords(ctx, ws, base, false, inner, true));
    }
    return out;
  }
  const inv = locateVllmInvocation(texts, { entrypointIsVllm });
  if (!inv) return [];
  const startLine = words[inv.start]?.line ?? words[0]?.line ?? 1;
  const b = base(startLine);
  const argv = inv.argIndices.map((k) => texts[k]!);
  let args: Record<string, string | true>;
  try {
    args = parseVllmArgs(argv);
  } catch (e) {
    if (e instanceof VllmArgError) {
      const w = words[inv.argIndices[e.index] ?? -1];
      ctx.fail(w?.line ?? b.line, e.message);
    }
    throw e;
  }
  const notes = [...b.notes];
  let model = inv.model;
  if (model === null && typeof args.model === "string") model = args.model;
  delete args.model;

  let gpuCount = b.gpuCount;
  const cvd = lookup(inv.env, "CUDA_VISIBLE_DEVICES");
  if (cvd !== undefined && countDeviceList(cvd) !== null) gpuCount = countDeviceList(cvd);
  if (gpuCount === null && inv.dockerGpus !== null) {
    const g = inv.dockerGpus.replace(/^["']|["']$/g, "");
    const dev = /device=([^"']+)/.exec(g);
    if (/^\d+$/.test(g)) gpuCount = Number(g);
    else if (dev) gpuCount = countDeviceList(dev[1]!);
    else if (/^all$/i.test(g)) notes.push("docker run --gpus all: GPU count depends on the host");
  }
  if (model !== null && model.includes("$")) notes.push(`model ${model} contains a variable vram-plan could not resolve`);
  if (typeof args.config === "string") notes.push(`--config ${args.config} is not read; its flags are missing here`);
  return [
    {
      file: ctx.file,
      line: b.line,
      name: b.name,
      model,
      args,
      argv,
      gpuCount,
      gpuType: b.gpuType,
      constraints: {},
      source: b.source,
      notes,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// YAML helpers
// ---------------------------------------------------------------------------------------------

interface YamlFile {
  docs: Document.Parsed[];
  lc: LineCounter;
}

function parseYaml(ctx: Ctx, text: string): YamlFile {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, merge: true });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const line = lc.linePos(err.pos[0]).line;
      const msg = (err.message.split("\n")[0] ?? err.code).replace(/ at line \d+, column \d+:?\s*$/, "");
      ctx.fail(line, `YAML syntax error: ${msg}`);
    }
  }
  return { docs, lc };
}

type PathSeg = string | number;

/** The AST node at `path` (or null) and the line of the deepest key/item reached on the way. */
function walk(doc: Document.Parsed, lc: LineCounter, path: readonly PathSeg[]): { node: unknown; line: number; found: boolean } {
  let node: unknown = doc.contents;
  let line = 1;
  const lineOf = (n: unknown): number | null => {
    if (typeof n === "object" && n !== null && "range" in n) {
      const r = (n as { range?: [number, number, number] | null }).range;
      if (r) return lc.linePos(r[0]).line;
    }
    return null;
  };
  line = lineOf(node) ?? 1;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) === String(seg) : p.key === seg));
      if (!pair) return { node: null, line, found: false };
      line = lineOf(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) return { node: null, line, found: false };
      line = lineOf(item) ?? line;
      node = item;
    } else {
      return { node: null, line, found: false };
    }
  }
  if (isAlias(node)) node = node.resolve(doc);
  return { node, line, found: true };
}

function lineAt(f: YamlFile, doc: Document.Parsed, path: readonly PathSeg[]): number {
  return walk(doc, f.lc, path).line;
}

function scalarText(node: unknown): string | null {
  if (!isScalar(node)) return null;
  const v = node.value;
  if (typeof v === "string") return v;
  if (v === null) return null;
  const src = (node as { source?: unknown }).source;
  return typeof src === "string" ? src : String(v);
}

/** Line where a scalar's text starts (block scalars start on the next line). */
function scalarContentLine(f: YamlFile, node: unknown, fallback: number): number {
  if (!isScalar(node) || !node.range) return fallback;
  const line = f.lc.linePos(node.range[0]).line;
  return node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED" ? line + 1 : line;
}

/**
 * The words of a `command:` / `args:` / `entrypoint:` value: a list gives one word per item, a
 * string is split like a shell would (compose's rule for string commands). Falls back to the JS
 * value (e.g. when it came through a `<<` merge) with every word on `fallbackLine`.
 */
function wordsAt(f: YamlFile, doc: Document.Parsed, path: readonly PathSeg[], js: Json, fallbackLine: number): Word[] | null {
  if (js === undefined || js === null) return null;
  const { node, line, found } = walk(doc, f.lc, path);
  if (found && isSeq(node)) {
    const out: Word[] = [];
    for (const item of node.items) {
      const text = scalarText(isAlias(item) ? item.resolve(doc) : item);
      if (text === null) continue;
      out.push({ text, line: scalarContentLine(f, item, line) });
    }
    return out;
  }
  if (found && isScalar(node)) {
    const text = scalarText(node);
    if (text === null) return null;
    return shellWords(text, scalarContentLine(f, node, line));
  }
  if (Array.isArray(js)) return js.filter((x) => x !== null && typeof x !== "object").map((x) => ({ text: String(x), line: fallbackLine }));
  if (typeof js === "string") return shellWords(js, fallbackLine);
  return null;
}

function shellWords(text: string, firstLine: number): Word[] {
  const out: Word[] = [];
  for (const cmd of splitShellCommands(text, firstLine)) cmd.words.forEach((w, k) => out.push({ text: w, line: cmd.lines[k] ?? cmd.line }));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Format detection
// ---------------------------------------------------------------------------------------------

export type DeploymentFormat = "vram-plan" | "compose" | "kubernetes" | "vllm-config" | "dockerfile" | "shell";

const GENERIC_KEYS = new Set(["host", "port", "api-key", "seed", "config", "uvicorn-log-level", "model"]);

function looksLikeVllmConfig(js: Record<string, Json>): boolean {
  const keys = Object.keys(js);
  if (keys.length === 0) return false;
  if (!keys.every((k) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(k))) return false;
  const norm = keys.map(normalizeFlagName);
  const engine = norm.some((k) => !GENERIC_KEYS.has(k) && (VLLM_VALUE_FLAGS.has(k) || VLLM_BOOLEAN_FLAGS.has(k)));
  // Only generic keys (model, port, ...): accept when there is a model and nothing unknown.
  const onlyKnown = norm.every((k) => VLLM_VALUE_FLAGS.has(k) || VLLM_BOOLEAN_FLAGS.has(k) || GENERIC_KEYS.has(k));
  return engine || (typeof js.model === "string" && onlyKnown);
}

function isDockerfileName(path: string): boolean {
  const b = baseName(path).toLowerCase();
  return b === "dockerfile" || b === "containerfile" || b.startsWith("dockerfile.") || b.endsWith(".dockerfile") || b.endsWith(".containerfile");
}

function yamlFormat(docs: readonly Document.Parsed[]): DeploymentFormat | null {
  const values = docs.map((d) => d.toJS({ maxAliasCount: 1000 }) as Json);
  const maps = values.map(rec).filter((m): m is Record<string, Json> => m !== null);
  if (maps.some((m) => "deployments" in m)) return "vram-plan";
  if (maps.some((m) => rec(m.services) !== null)) return "compose";
  if (maps.some((m) => typeof m.apiVersion === "string" && typeof m.kind === "string")) return "kubernetes";
  const only = maps[0];
  if (maps.length === 1 && only && looksLikeVllmConfig(only)) return "vllm-config";
  return null;
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

const NOT_FOUND =
  "no vLLM deployment found (looked for vllm serve, vllm.entrypoints.openai.api_server, a vLLM --config file, vram-plan deployments)";

/**
 * Read every vLLM deployment in a file. The format is chosen from the name and the content:
 * Dockerfile names → Dockerfile; .sh/.bash → shell; .yaml/.yml/.json (or any text that parses as a
 * YAML mapping) → vram-plan deployments file (`deployments:`), docker compose (`services:`),
 * Kubernetes (`apiVersion` + `kind`), or a vLLM --config file (a flat mapping of vLLM flags);
 * anything else: a Dockerfile if it starts with FROM/ARG/#syntax, otherwise a shell script.
 * Throws InputError (`file:line: what`) for YAML syntax errors, schema violations, a flag without
 * its value, and a file with no deployment at all.
 */
export function readDeployments(path: string, text: string): Deployment[] {
  const ctx = new Ctx(path);
  const lower = baseName(path).toLowerCase();
  let out: Deployment[];
  if (isDockerfileName(path)) out = readDockerfile(ctx, text);
  else if (/\.(sh|bash|zsh|ksh)$/.test(lower)) out = readShell(ctx, text);
  else if (/\.(ya?ml|json)$/.test(lower)) {
    const f = parseYaml(ctx, text);
    out = readYaml(ctx, f);
  } else {
    out = readUnknown(ctx, text);
  }
  if (out.length === 0) ctx.fail(null, NOT_FOUND);
  return out;
}

function readUnknown(ctx: Ctx, text: string): Deployment[] {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, merge: true });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  if (docs.length > 0 && docs.every((d) => d.errors.length === 0) && yamlFormat(docs) !== null) {
    return readYaml(ctx, { docs, lc });
  }
  const firstInstr = text.split("\n").map((l) => l.trim()).find((l) => l !== "" && !(l.startsWith("#") && !/^#\s*syntax=/i.test(l)));
  if (firstInstr !== undefined && /^(FROM|ARG|#\s*syntax=)\s*/i.test(firstInstr) && /^\s*FROM\s+\S/im.test(text)) return readDockerfile(ctx, text);
  return readShell(ctx, text);
}

function readYaml(ctx: Ctx, f: YamlFile): Deployment[] {
  switch (yamlFormat(f.docs)) {
    case "vram-plan":
      return readVramPlan(ctx, f);
    case "compose":
      return readCompose(ctx, f);
    case "kubernetes":
      return readKubernetes(ctx, f);
    case "vllm-config":
      return readVllmConfig(ctx, f);
    default:
      return [];
  }
}

// --- shell ------------------------------------------------------------------------------------

function readShell(ctx: Ctx, text: string): Deployment[] {
  const out: Deployment[] = [];
  // Top-level `VAR=value` / `export VAR=value` lines, in order, expand later $VAR / ${VAR}.
  const vars: Record<string, string> = {};
  for (const cmd of splitShellCommands(text)) {
    const ws = cmd.words;
    const assignOnly = ws.every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    if ((ws[0] === "export" || ws[0] === "readonly" || ws[0] === "declare") || assignOnly) {
      for (const w of ws) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
        if (m) vars[m[1]!] = expandShell(m[2]!, vars);
      }
      continue;
    }
    const words = ws.map((t, k) => ({ text: t, line: cmd.lines[k] ?? cmd.line }));
    const cvd = lookup(vars, "CUDA_VISIBLE_DEVICES");
    const cvdCount = cvd === undefined ? null : countDeviceList(cvd);
    const found = fromCommandWords(
      ctx,
      words,
      () => ({ name: `script line ${cmd.line}`, line: cmd.line, source: "shell", gpuCount: cvdCount, gpuType: null, notes: [] }),
      false,
      { shell: { ...vars } },
      true,
    );
    out.push(...found);
  }
  return out;
}

// --- Dockerfile -------------------------------------------------------------------------------

interface DockerInstr {
  keyword: string;
  /** The instruction's arguments with continuations kept (`\` + newline), comment lines blanked. */
  raw: string;
  line: number;
}

function dockerInstructions(text: string): DockerInstr[] {
  const lines = text.split(/\r?\n/);
  const out: DockerInstr[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const t = l.trim();
    if (t === "" || t.startsWith("#")) continue;
    const m = /^\s*([A-Za-z]+)(\s+(.*))?$/.exec(l);
    if (!m) continue;
    const line = i + 1;
    const parts = [m[3] ?? ""];
    let cur = parts[0]!;
    while (/\\\s*$/.test(cur) && i + 1 < lines.length) {
      parts[parts.length - 1] = cur.replace(/\\\s*$/, "\\");
      i++;
      const next = lines[i]!;
      cur = next.trim().startsWith("#") ? "\\" : next; // comment lines inside a continuation are dropped
      parts.push(cur);
    }
    out.push({ keyword: m[1]!.toUpperCase(), raw: parts.join("\n"), line });
  }
  return out;
}

/** Parse a Dockerfile exec-form JSON array, with the line of each element; null if not exec form. */
function execForm(raw: string, firstLine: number): Word[] | null {
  let i = 0;
  let line = firstLine;
  const n = raw.length;
  const skip = (): void => {
    while (i < n) {
      const c = raw[i]!;
      if (c === "\n") {
        line++;
        i++;
      } else if (c === " " || c === "\t" || c === "\r" || (c === "\\" && raw[i + 1] === "\n")) i++;
      else break;
    }
  };
  skip();
  if (raw[i] !== "[") return null;
  i++;
  const out: Word[] = [];
  skip();
  if (raw[i] === "]") return out;
  for (;;) {
    skip();
    if (raw[i] !== '"') return null;
    const start = i;
    i++;
    while (i < n && raw[i] !== '"') i += raw[i] === "\\" ? 2 : 1;
    if (i >= n) return null;
    i++;
    let value: unknown;
    try {
      value = JSON.parse(raw.slice(start, i));
    } catch {
      return null;
    }
    if (typeof value !== "string") return null;
    out.push({ text: value, line });
    skip();
    if (raw[i] === ",") {
      i++;
      continue;
    }
    if (raw[i] === "]") {
      i++;
      skip();
      return i >= n ? out : null;
    }
    return null;
  }
}

interface CmdSpec {
  exec: Word[] | null;
  raw: string;
  line: number;
}

function readDockerfile(ctx: Ctx, text: string): Deployment[] {
  interface Stage {
    vllmBase: boolean;
    entrypoint: CmdSpec | null;
    cmd: CmdSpec | null;
    name: string | null;
    /** ENV values (runtime environment of shell-form / sh -c commands). */
    env: Record<string, string>;
    /** ARG defaults (only used to expand ENV values at build time). */
    args: Record<string, string>;
  }
  const stages: Stage[] = [];
  const named = new Map<string, Stage>();
  let st: Stage | null = null;
  for (const ins of dockerInstructions(text)) {
    if (ins.keyword === "FROM") {
      const w = splitShellCommands(ins.raw)[0]?.words.filter((x) => !x.startsWith("--")) ?? [];
      const image = w[0] ?? "";
      const parent = named.get(image.toLowerCase());
      st = {
        vllmBase: parent ? parent.vllmBase : isVllmOpenAiImage(image),
        entrypoint: parent?.entrypoint ?? null,
        cmd: parent?.cmd ?? null,
        name: w[1]?.toLowerCase() === "as" ? (w[2] ?? null) : null,
        env: { ...(parent?.env ?? {}) },
        args: {},
      };
      stages.push(st);
      if (st.name) named.set(st.name.toLowerCase(), st);
      continue;
    }
    if (!st) continue;
    if (ins.keyword === "ENV" || ins.keyword === "ARG") {
      const ws = splitShellCommands(ins.raw).flatMap((c) => c.words);
      const scope = { ...st.args, ...st.env };
      const target = ins.keyword === "ENV" ? st.env : st.args;
      if (ins.keyword === "ENV" && ws.length >= 2 && !ws[0]!.includes("=")) target[ws[0]!] = expandShell(ws.slice(1).join(" "), scope);
      else
        for (const w of ws) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
          if (m) target[m[1]!] = expandShell(m[2]!, scope);
        }
      continue;
    }
    if (ins.keyword === "CMD" || ins.keyword === "ENTRYPOINT") {
      const spec: CmdSpec = { exec: execForm(ins.raw, ins.line), raw: ins.raw, line: ins.line };
      if (ins.keyword === "CMD") st.cmd = spec;
      else {
        st.entrypoint = spec;
        st.vllmBase = false; // the image's own entrypoint is replaced
      }
    }
  }

  const out: Deployment[] = [];
  const seen = new Set<string>();
  for (const s of stages) {
    const e = s.entrypoint;
    const c = s.cmd;
    let found: Deployment[] = [];
    const base = (label: string, spec: CmdSpec) => (line: number): BuildBase => ({
      name: `${label} line ${spec.line}`,
      line: line || spec.line,
      source: "dockerfile",
      gpuCount: null,
      gpuType: null,
      notes: [],
    });
    const known: KnownEnv = { shell: s.env };
    const shellForm = (spec: CmdSpec, label: string): Deployment[] =>
      splitShellCommands(spec.raw, spec.line).flatMap((cmd) =>
        fromCommandWords(ctx, cmd.words.map((t, k) => ({ text: t, line: cmd.lines[k] ?? cmd.line })), base(label, spec), false, known, true),
      );
    if (e) {
      if (e.exec) {
        const cmdWords = c === null ? [] : c.exec ?? [{ text: "/bin/sh", line: c.line }, { text: "-c", line: c.line }, { text: c.raw, line: c.line }];
        found = fromCommandWords(ctx, [...e.exec, ...cmdWords], base(c ? "ENTRYPOINT+CMD" : "ENTRYPOINT", e), false, known);
      } else found = shellForm(e, "ENTRYPOINT");
    } else if (c) {
      found = c.exec ? fromCommandWords(ctx, c.exec, base("CMD", c), s.vllmBase, known) : shellForm(c, "CMD");
    }
    for (const d of found) {
      const key = `${d.line}:${d.name}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(d);
      }
    }
  }
  return out;
}

// --- docker compose ---------------------------------------------------------------------------

function composeGpuCount(svc: Record<string, Json>, notes: string[]): number | null {
  const env = composeEnv(svc.environment);
  const cvd = lookup(env, "CUDA_VISIBLE_DEVICES");
  if (cvd !== undefined && countDeviceList(cvd) !== null) return countDeviceList(cvd);

  const devices = rec(rec(rec(svc.deploy)?.resources)?.reservations)?.devices;
  let total: number | null = null;
  if (Array.isArray(devices)) {
    for (const d of devices) {
      const dev = rec(d);
      if (!dev) continue;
      const caps = Array.isArray(dev.capabilities) ? dev.capabilities.flat() : [];
      if (dev.driver !== "nvidia" && !caps.includes("gpu")) continue;
      let n: number | null = null;
      if (Array.isArray(dev.device_ids)) n = dev.device_ids.length;
      else if (typeof dev.count === "number") n = dev.count;
      else if (typeof dev.count === "string" && /^\d+$/.test(dev.count.trim())) n = Number(dev.count.trim());
      else if (typeof dev.count === "string" && dev.count.trim().toLowerCase() === "all") {
        notes.push("GPU reservation count: all; the GPU count depends on the host");
        return null;
      } else if (dev.count === undefined) {
        notes.push("GPU reservation without count or device_ids (means all GPUs); the GPU count depends on the host");
        return null;
      }
      if (n !== null) total = (total ?? 0) + n;
    }
  }
  if (total !== null) return total;
  const nvd = lookup(env, "NVIDIA_VISIBLE_DEVICES");
  if (nvd !== undefined) return countDeviceList(nvd);
  return null;
}

function expandCompose(text: string): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])([^}]*)\}/g, (m, name: string | undefined, op: string | undefined, def: string | undefined) =>
    name === undefined ? "$" : op === ":-" || op === "-" ? (def ?? "") : m,
  );
}

function composeEnv(v: Json): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item !== "string") continue;
      const eq = item.indexOf("=");
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else {
    const r = rec(v);
    if (r) for (const [k, x] of Object.entries(r)) if (x !== null && typeof x !== "object") out[k] = String(x);
  }
  return out;
}

function readCompose(ctx: Ctx, f: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  for (const doc of f.docs) {
    const js = rec(doc.toJS({ maxAliasCount: 1000 }) as Json);
    const services = rec(js?.services);
    if (!services) continue;
    for (const [name, svcJs] of Object.entries(services)) {
      const svc = rec(svcJs);
      if (!svc) continue;
      const line = lineAt(f, doc, ["services", name]);
      const image = expandCompose(str(svc.image) ?? "");
      // Compose interpolates the file itself: $$ → $, ${VAR:-default} → default (host variables are unknown here).
      const interp = (w: Word): Word => ({ text: expandCompose(w.text), line: w.line });
      const entry = (wordsAt(f, doc, ["services", name, "entrypoint"], svc.entrypoint, line) ?? []).map(interp);
      const cmd = (wordsAt(f, doc, ["services", name, "command"], svc.command, line) ?? []).map(interp);
      const vllmEntrypoint = svc.entrypoint === undefined && isVllmOpenAiImage(image);
      if (entry.length === 0 && cmd.length === 0) continue;
      const notes: string[] = [];
      const gpuCount = composeGpuCount(svc, notes);
      out.push(
        ...fromCommandWords(
          ctx,
          [...entry, ...cmd],
          () => ({ name, line, source: "compose", gpuCount, gpuType: null, notes }),
          vllmEntrypoint,
          { shell: composeEnv(svc.environment) },
        ),
      );
    }
  }
  return out;
}

// --- Kubernetes -------------------------------------------------------------------------------

const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly PathSeg[][]>> = {
  Pod: [["spec"]],
  Deployment: [["spec", "template", "spec"]],
  StatefulSet: [["spec", "template", "spec"]],
  DaemonSet: [["spec", "template", "spec"]],
  ReplicaSet: [["spec", "template", "spec"]],
  ReplicationController: [["spec", "template", "spec"]],
  Job: [["spec", "template", "spec"]],
  CronJob: [["spec", "jobTemplate", "spec", "template", "spec"]],
  LeaderWorkerSet: [
    ["spec", "leaderWorkerTemplate", "leaderTemplate", "spec"],
    ["spec", "leaderWorkerTemplate", "workerTemplate", "spec"],
  ],
};

function getPath(v: Json, path: readonly PathSeg[]): Json {
  let cur: Json = v;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else {
      const r = rec(cur);
      if (!r) return undefined;
      cur = r[String(seg)];
    }
  }
  return cur;
}

/** Node labels a pod asks for: nodeSelector, then required, then preferred node affinity (In/= values). */
function podNodeLabels(spec: Record<string, Json>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const sel = rec(spec.nodeSelector);
  if (sel) for (const [k, v] of Object.entries(sel)) if (v !== null && typeof v !== "object") out.push([k, String(v)]);
  const na = rec(rec(spec.affinity)?.nodeAffinity);
  const exprs = (term: Json): void => {
    const me = rec(term)?.matchExpressions;
    if (!Array.isArray(me)) return;
    for (const e of me) {
      const r = rec(e);
      if (!r || typeof r.key !== "string" || r.operator !== "In" || !Array.isArray(r.values)) continue;
      for (const v of r.values) if (v !== null && typeof v !== "object") out.push([r.key, String(v)]);
    }
  };
  const req = rec(na?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms;
  if (Array.isArray(req)) req.forEach(exprs);
  const pref = na?.preferredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(pref)) pref.forEach((p) => exprs(rec(p)?.preference));
  return out;
}

function podGpuType(spec: Record<string, Json>, notes: string[]): string | null {
  const ids: string[] = [];
  for (const [k, v] of podNodeLabels(spec)) {
    if (!GPU_LABEL_KEYS.includes(k)) continue;
    const id = gpuIdFromLabel(k, v);
    if (id === null) notes.push(`node label ${k}=${v} is not a GPU vram-plan knows`);
    else if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length > 1) notes.push(`node labels allow several GPU types (${ids.join(", ")}); using ${ids[0]}`);
  return ids[0] ?? null;
}

function containerGpuCount(c: Record<string, Json>, notes: string[]): number | null {
  const res = rec(c.resources);
  for (const kind of ["limits", "requests"]) {
    const r = rec(res?.[kind]);
    for (const key of ["nvidia.com/gpu", "amd.com/gpu"]) {
      const v = r?.[key];
      if (typeof v === "number" && Number.isInteger(v)) return v;
      if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v.trim());
      if (v !== undefined && v !== null) notes.push(`${key}: ${String(v)} is not a GPU count`);
    }
  }
  return null;
}

/** Literal `env: [{name, value}]` entries of a container (valueFrom entries are unknown). */
function containerEnv(v: Json): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const e of v) {
    const r = rec(e);
    if (r && typeof r.name === "string" && r.value !== undefined && r.value !== null && typeof r.value !== "object") {
      out[r.name] = expandK8s(String(r.value), out);
    }
  }
  return out;
}

function readKubernetes(ctx: Ctx, f: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  const visit = (doc: Document.Parsed, obj: Json, prefix: PathSeg[]): void => {
    const r = rec(obj);
    if (!r) return;
    const kind = str(r.kind) ?? "";
    if (kind === "List" && Array.isArray(r.items)) {
      r.items.forEach((item, k) => visit(doc, item, [...prefix, "items", k]));
      return;
    }
    let paths = POD_TEMPLATE_PATHS[kind];
    if (!paths) paths = Array.isArray(getPath(r, ["spec", "template", "spec", "containers"])) ? [["spec", "template", "spec"]] : [];
    const workload = str(rec(r.metadata)?.name) ?? kind;
    for (const p of paths) {
      const spec = rec(getPath(r, p));
      if (!spec || !Array.isArray(spec.containers)) continue;
      spec.containers.forEach((cJs, i) => {
        const c = rec(cJs);
        if (!c) return;
        const cPath = [...prefix, ...p, "containers", i];
        const line = lineAt(f, doc, cPath);
        const cname = str(c.name) ?? `container ${i}`;
        const name = cname === workload ? cname : `${workload}/${cname}`;
        const command = wordsAt(f, doc, [...cPath, "command"], c.command, line) ?? [];
        const args = wordsAt(f, doc, [...cPath, "args"], c.args, line) ?? [];
        if (command.length === 0 && args.length === 0) return;
        const vllmEntrypoint = command.length === 0 && isVllmOpenAiImage(str(c.image) ?? "");
        const notes: string[] = [];
        const gpuCount = containerGpuCount(c, notes);
        const gpuType = podGpuType(spec, notes);
        const env = containerEnv(c.env);
        out.push(
          ...fromCommandWords(
            ctx,
            [...command, ...args],
            () => ({ name, line, source: "kubernetes", gpuCount, gpuType, notes }),
            vllmEntrypoint,
            { k8s: env, shell: env },
          ),
        );
      });
    }
  };
  for (const doc of f.docs) visit(doc, doc.toJS({ maxAliasCount: 1000 }) as Json, []);
  return out;
}

// --- vLLM --config file -----------------------------------------------------------------------

/** vLLM's own conversion of a config file to argv (FlexibleArgumentParser.load_config_file). */
export function vllmConfigToArgv(config: Record<string, unknown>): string[] {
  const argv: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "boolean") {
      if (value) argv.push(`--${key}`);
    } else if (Array.isArray(value)) {
      if (value.length > 0) argv.push(`--${key}`, ...value.map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))));
    } else if (typeof value === "object" && value !== null) {
      argv.push(`--${key}`, JSON.stringify(value));
    } else if (value !== null && value !== undefined) {
      argv.push(`--${key}`, String(value));
    }
  }
  return argv;
}

function readVllmConfig(ctx: Ctx, f: YamlFile): Deployment[] {
  const doc = f.docs[0];
  if (!doc) return [];
  const js = rec(doc.toJS({ maxAliasCount: 1000 }) as Json) ?? {};
  // Keep numbers as written (0.90 stays "0.90") by reading scalars from the AST.
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(js)) {
    const { node } = walk(doc, f.lc, [k]);
    config[k] = typeof v === "number" ? (scalarText(node) ?? String(v)) : v;
  }
  const argv = vllmConfigToArgv(config);
  let args: Record<string, string | true>;
  try {
    args = parseVllmArgs(argv);
  } catch (e) {
    if (e instanceof VllmArgError) ctx.fail(lineAt(f, doc, [e.subject.replace(/^--/, "")]), e.message);
    throw e;
  }
  const model = typeof args.model === "string" ? args.model : null;
  delete args.model;
  const notes: string[] = [];
  for (const [k, v] of Object.entries(js)) {
    if (v === null) notes.push(`${k}: null is ignored`);
    if (v === false) notes.push(`${k}: false is ignored (vLLM drops false booleans from config files)`);
  }
  const line = "model" in js ? lineAt(f, doc, ["model"]) : lineAt(f, doc, []);
  return [
    {
      file: ctx.file,
      line,
      name: baseName(ctx.file),
      model,
      args,
      argv,
      gpuCount: null,
      gpuType: null,
      constraints: {},
      source: "vllm-config",
      notes,
    },
  ];
}

// --- vram-plan's own file ---------------------------------------------------------------------

const SUFFIX: Readonly<Record<string, number>> = { k: 1e3, K: 1024, m: 1e6, M: 1024 ** 2, g: 1e9, G: 1024 ** 3 };

/** "32k" → 32000, "32K" → 32768, "8192" → 8192 (vLLM's human-readable integers); null if not one. */
export function parseTokenCount(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)\s*$/.exec(s);
  if (!m) return null;
  const n = Number(m[1]) * (m[2] ? (SUFFIX[m[2]] ?? 1) : 1);
  return Number.isFinite(n) && Number.isInteger(n) && n > 0 ? n : null;
}

function flagValue(v: z.infer<typeof FlagValueSchema>): string | true {
  if (v === true) return true;
  if (v === false) return "false";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(String).join(" ");
  return JSON.stringify(v);
}

function flagsToArgv(flags: Record<string, string | true>): string[] {
  const argv: string[] = [];
  for (const [k, v] of Object.entries(flags)) {
    if (v === true) argv.push(`--${k}`);
    else if (v === "false" && VLLM_BOOLEAN_FLAGS.has(k)) argv.push(`--no-${k}`);
    else argv.push(`--${k}`, ...(v.includes(" ") && !/^[[{"]/.test(v) ? v.split(" ") : [v]));
  }
  return argv;
}

function readVramPlan(ctx: Ctx, f: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  for (const doc of f.docs) {
    const js = doc.toJS({ maxAliasCount: 1000 }) as Json;
    if (js === null || js === undefined) continue;
    const res = VramPlanFileSchema.safeParse(js);
    if (!res.success) {
      const issue = res.error.issues[0];
      const path = (issue?.path ?? []).filter((p): p is string | number => typeof p !== "symbol");
      // An unknown key is reported at the key itself.
      const keys = issue?.code === "unrecognized_keys" ? issue.keys : [];
      const at = keys[0] !== undefined ? [...path, keys[0]] : path;
      const where = formatPath(path);
      ctx.fail(lineAt(f, doc, at), `${where ? where + ": " : ""}${issue?.message ?? "invalid vram-plan deployments file"}`);
    }
    const names = new Map<string, number>();
    res.data.deployments.forEach((d, i) => {
      const line = lineAt(f, doc, ["deployments", i]);
      const prev = names.get(d.name);
      if (prev !== undefined) ctx.fail(lineAt(f, doc, ["deployments", i, "name"]), `deployments[${i}].name: "${d.name}" is already used on line ${prev}`);
      names.set(d.name, line);

      const args: Record<string, string | true> = {};
      for (const [rawKey, v] of Object.entries(d.flags ?? {})) {
        const key = normalizeFlagName(rawKey.replace(/^--?/, ""));
        if (key === "model") ctx.fail(lineAt(f, doc, ["deployments", i, "flags", rawKey]), `deployments[${i}].flags.${rawKey}: put the model in "model:", not in flags`);
        args[key] = flagValue(v);
      }
      const constraints: DeploymentConstraints = {};
      const req = d.require;
      if (req?.concurrency !== undefined) {
        if (typeof req.concurrency === "number") constraints.requireConcurrency = { n: req.concurrency };
        else {
          const [nStr, lenStr] = req.concurrency.split("@");
          const n = Number((nStr ?? "").trim());
          const len = lenStr === undefined ? undefined : parseTokenCount(lenStr);
          if (!Number.isInteger(n) || n <= 0 || len === null) {
            ctx.fail(lineAt(f, doc, ["deployments", i, "require", "concurrency"]), `deployments[${i}].require.concurrency: expected N or "N@LEN" (e.g. "32@8k")`);
          }
          constraints.requireConcurrency = len === undefined ? { n } : { n, len };
        }
      }
      if (req?.context !== undefined) {
        const c = typeof req.context === "number" ? req.context : parseTokenCount(req.context);
        if (c === null) ctx.fail(lineAt(f, doc, ["deployments", i, "require", "context"]), `deployments[${i}].require.context: expected a token count such as 32768 or "32k"`);
        constraints.requireContext = c;
      }
      if (req?.maxUtilization !== undefined) constraints.maxUtilization = req.maxUtilization;
      if (req?.headroom !== undefined) constraints.headroom = String(req.headroom);
      out.push({
        file: ctx.file,
        line,
        name: d.name,
        model: d.model,
        args,
        argv: flagsToArgv(args),
        gpuCount: d.gpus ?? null,
        gpuType: d.gpu,
        constraints,
        source: "vram-plan",
        notes: [],
      });
    });
  }
  return out;
}

function formatPath(path: readonly (string | number)[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  return s;
}
