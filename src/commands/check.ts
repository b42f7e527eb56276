// `vram-plan check <file...>`: reads vLLM deployments out of files (compose, Kubernetes, vLLM
// --config YAML, shell scripts, Dockerfiles, vram-plan's own deployments file), plans each, checks
// its constraints, and exits 0 (all start and meet them), 1 (some do not: each named with its
// reason and fix) or 2 (unreadable or invalid input: file and line named).
// Loaded only when check runs (src/cli/subcommands.ts imports it in the action).
import { colourWanted, type Io } from "./io.js";
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

// Deployment args (kebab-case, as readDeployments returns them) → EngineFlags, through the one table
// ---------------------------------------------------------------------------------------------

/**
 * A deployment's vLLM args → EngineFlags, read by sources/vllm-flags.ts for the release the
 * deployment runs (--vllm-version, else its image tag, else the newest modelled). A flag vLLM would
 * refuse (unknown, misspelt, removed in that release, bad value) throws an InputError naming `where`.
 */
export async function flagsOfDeployment(args: Readonly<Record<string, string | true>>, where: string, vllmVersion?: string): Promise<import("../sources/vllm-flags.js").VllmArgs> {
  const { engineFlagsFromOptions } = await import("../sources/vllm-flags.js");
  try {
    return engineFlagsFromOptions(args, vllmVersion !== undefined ? { vllmVersion, vramPlanFlags: true } : { vramPlanFlags: true });
  } catch (e) {
    withWhere(e, where);
  }
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
    // The release pinned by the file's vLLM image tag decides the defaults (e.g. utilization 0.90 vs 0.92).
    const release = o.vllmVersion ?? imageVersion.get(d.file);
    const read = await flagsOfDeployment(d.args, label, release);
    const flags = read.flags;
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
    if (flags.notModelledFlags?.length) notes.push(`not modelled (may change memory): ${flags.notModelledFlags.join(", ")}`);
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
