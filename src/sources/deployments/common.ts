// Shared by every deployment reader: the Deployment record, file/line errors, variable expansion
// ($VAR, ${VAR:-default}, Kubernetes $(VAR)) and turning a command's words into a deployment.
import { InputError } from "../../errors.js";
import {
  VllmArgError,
  locateVllmInvocation,
  parseVllmArgs,
  shellScriptIndex,
  splitShellCommands,
} from "../vllm-argv.js";

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


/** A command word with the line it is on. */
export interface Word {
  text: string;
  line: number;
}

export class Ctx {
  constructor(readonly file: string) {}
  fail(line: number | null, message: string): never {
    throw new InputError(this.file, line === null ? `${this.file}: ${message}` : `${this.file}:${line}: ${message}`);
  }
}

export type Json = unknown;
export function rec(v: Json): Record<string, Json> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : null;
}
export function str(v: Json): string | null {
  return typeof v === "string" ? v : null;
}
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Count of GPUs in a CUDA_VISIBLE_DEVICES / NVIDIA_VISIBLE_DEVICES value, or null if not a literal list. */
export function countDeviceList(v: string): number | null {
  const s = v.trim();
  if (s === "" || /^(all|none|void)$/i.test(s) || s.includes("$")) return null;
  const parts = s.split(",").map((p) => p.trim()).filter((p) => p !== "");
  return parts.length > 0 ? parts.length : null;
}

/** Variables known for a command: `shell` for $VAR / ${VAR} / ${VAR:-default}, `k8s` for $(VAR). */
export interface KnownEnv {
  shell?: Record<string, string>;
  k8s?: Record<string, string>;
}

export function lookup(env: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Kubernetes' own expansion of $(VAR) in command/args from the container's env; $$ escapes. */
export function expandK8s(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? "$" : (lookup(env, name) ?? m),
  );
}

/** Shell-style expansion of $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}; unknown variables stay verbatim. */
export function expandShell(text: string, env: Record<string, string>): string {
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

export interface BuildBase {
  name: string;
  line: number;
  source: DeploymentSource;
  gpuCount: number | null;
  gpuType: string | null;
  notes: string[];
}

/** Turn the words of one simple command into deployments (unwrapping `sh -c`). */
export function fromCommandWords(
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
