// `vram-plan plan --model M --sweep KEY=VALUES [--sweep ...]`: plans the cartesian product of the
// sweeps (src/core/sweep.ts) and prints a table or JSON. Exit 0 when some configuration starts,
// 1 when none does, 2 on bad input. Loaded only when --sweep is given.
//
//   --sweep gpu=all                        every GPU profile, with the fewest GPUs (TP 1, 2, 4, 8) that start
//   --sweep gpu=h100,l40s,a10g             those GPUs
//   --sweep max-model-len=8k..128k         8000, 16000, ... doubling (vLLM's 8k = 8000, 8K = 8192)
//   --sweep max-model-len=4K..32K:4K       4096, 8192, ... in steps of 4096
//   --sweep gpu-memory-utilization=0.5..0.95   0.50, 0.55, ... 0.95 (default step 0.05; :0.01 for finer)
//   --sweep tensor-parallel-size=1,2,4,8   a list; ranges double by default (a..b:x4 multiplies by 4)
//   --sweep max-num-seqs=64..1024   --sweep kv-cache-dtype=auto,fp8
import { outputFormat, type Io } from "./io.js";
import type { CommonOpts } from "./plan.js";
import type { SweepAxis, SweepKey } from "../core/sweep.js";
import type { Outcome } from "../core/exit.js";
import type { GpuProfile, KvCacheDtype } from "../core/types.js";
import { InputError } from "../errors.js";
import { excerpt } from "../limits.js";
import { decimalOf } from "../sources/flag-values.js";
import { utilizationProblem } from "../sources/vllm-values.js";
import { outputColumns } from "../render/format.js";

const KEYS: Readonly<Record<string, SweepKey>> = {
  gpu: "gpu",
  gpus: "gpu",
  "max-model-len": "max-model-len",
  context: "max-model-len",
  "gpu-memory-utilization": "gpu-memory-utilization",
  utilization: "gpu-memory-utilization",
  util: "gpu-memory-utilization",
  "tensor-parallel-size": "tensor-parallel-size",
  tp: "tensor-parallel-size",
  "max-num-seqs": "max-num-seqs",
  "kv-cache-dtype": "kv-cache-dtype",
};

/** At most this many configurations in one sweep (a typo like :0.000001 should not hang). */
export const MAX_CONFIGURATIONS = 5_000_000;

type NumKey = "max-model-len" | "gpu-memory-utilization" | "tensor-parallel-size" | "max-num-seqs";

function numbers(key: NumKey, spec: string, parseTokens: (s: string) => number | null): number[] {
  const fail = (why: string): never => {
    throw new InputError("--sweep", `--sweep ${excerpt(key)}=${excerpt(spec)}: ${why}`);
  };
  const isUtil = key === "gpu-memory-utilization";
  const one = (text: string): number => {
    const value = isUtil ? decimalOf(text) : (parseTokens(text) ?? Number.NaN);
    if (!Number.isFinite(value)) fail(`'${text}' is not ${isUtil ? "a fraction such as 0.9" : "a count such as 8192, 8k (8000) or 8K (8192)"}`);
    if (isUtil ? utilizationProblem(value) !== null : !(Number.isInteger(value) && value >= 1)) fail(`'${text}' is out of range (${isUtil ? "0 < x <= 1" : "a positive integer"})`);
    return value;
  };
  const out: number[] = [];
  for (const part of spec.split(",")) {
    const match = /^(.+?)\.\.(.+?)(?::(.+))?$/.exec(part.trim());
    if (!match) {
      out.push(one(part.trim()));
      continue;
    }
    const from = one(match[1] ?? "");
    const to = one(match[2] ?? "");
    if (to < from) fail(`range ${part} runs backwards`);
    const step = match[3]?.trim();
    const mul = step === undefined ? (isUtil ? null : 2) : /^[x*]/.test(step) ? Number(step.slice(1)) : null;
    if (mul !== null) {
      if (!(mul > 1)) fail(`step '${step}' must multiply by more than 1`);
      for (let value = from; value <= to * (1 + 1e-12); value *= mul) {
        out.push(isUtil ? Math.round(value * 1e4) / 1e4 : Math.round(value));
        if (out.length > MAX_CONFIGURATIONS) fail(`more than ${MAX_CONFIGURATIONS} values`);
      }
      continue;
    }
    const add = step === undefined ? 0.05 : isUtil ? Number(step) : (parseTokens(step) ?? Number.NaN);
    if (!(add > 0)) fail(`step '${step}' must be positive`);
    const count = Math.floor((to - from) / add + 1e-9) + 1;
    if (count > MAX_CONFIGURATIONS) fail(`more than ${MAX_CONFIGURATIONS} values`);
    for (let i = 0; i < count; i++) out.push(isUtil ? Math.round((from + i * add) * 1e4) / 1e4 : Math.round(from + i * add));
  }
  return out;
}

/** Parses the --sweep values into axes (InputError naming --sweep and the value when invalid). */
export async function parseSweeps(specs: readonly string[]): Promise<SweepAxis[]> {
  const { parseTokens } = await import("../units.js");
  const axes: SweepAxis[] = [];
  const seen = new Set<SweepKey>();
  for (const flagSpec of specs) {
    const eq = flagSpec.indexOf("=");
    const rawKey = (eq < 0 ? flagSpec : flagSpec.slice(0, eq)).trim().replace(/^--/, "").replace(/_/g, "-");
    const spec = eq < 0 ? "" : flagSpec.slice(eq + 1).trim();
    const key = KEYS[rawKey];
    if (key === undefined) throw new InputError("--sweep", `--sweep ${flagSpec}: unknown key '${rawKey}'; sweepable: gpu, max-model-len, gpu-memory-utilization, tensor-parallel-size, max-num-seqs, kv-cache-dtype`);
    if (spec === "") throw new InputError("--sweep", `--sweep ${flagSpec}: expected ${rawKey}=VALUES, e.g. gpu=all or max-model-len=8k..128k`);
    if (seen.has(key)) throw new InputError("--sweep", `--sweep ${flagSpec}: ${key} is swept twice`);
    seen.add(key);
    if (key === "gpu") {
      const { findGpu, gpuByName, gpuCandidates, gpuCatalog } = await import("../sources/gpus.js");
      const ids = spec.toLowerCase() === "all" ? gpuCatalog().map((g) => g.id) : spec.split(",").map((x) => x.trim());
      const values: GpuProfile[] = ids.map((id) => {
        const gpu = findGpu(id);
        if (!gpu && gpuCandidates(id).length > 1) gpuByName("--sweep", id);
        if (!gpu) throw new InputError("--sweep", `--sweep gpu=${excerpt(spec)}: unknown GPU '${excerpt(id)}'; known: ${gpuCatalog().map((x) => x.id).join(", ")}`);
        return { id: gpu.id, name: gpu.name, cudaTotalBytes: gpu.cudaTotalBytes, computeCapability: gpu.computeCapability, smCount: gpu.smCount, source: gpu.source };
      });
      axes.push({ key, values });
    } else if (key === "kv-cache-dtype") {
      const { KV_DTYPES } = await import("../sources/engine-flags.js");
      const values = spec.split(",").map((x) => x.trim());
      for (const v of values) if (!(KV_DTYPES as readonly string[]).includes(v)) throw new InputError("--sweep", `--sweep kv-cache-dtype=${excerpt(spec)}: '${excerpt(v)}' is not one of ${KV_DTYPES.join(", ")}`);
      axes.push({ key, values: values as KvCacheDtype[] });
    } else {
      axes.push({ key, values: numbers(key, spec, parseTokens) });
    }
  }
  let total = 1;
  for (const a of axes) total *= a.values.length;
  if (total > MAX_CONFIGURATIONS) throw new InputError("--sweep", `--sweep: ${total} configurations is more than ${MAX_CONFIGURATIONS}; use coarser steps`);
  return axes;
}

export type SweepCliOptions = CommonOpts & { sweep?: string[] };

/**
 * The plan command's body when --sweep is given: resolves the model (and the GPU unless swept),
 * plans every configuration, prints the table (or --json / --format markdown), returns the exit code.
 */
export async function runSweepCommand(opts: SweepCliOptions, io: Io): Promise<Outcome> {
  if (!opts.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-7b --sweep gpu=all");
  const axes = await parseSweeps(opts.sweep ?? []);
  const { engineFlagsFrom, gaveVllmFlag } = await import("../sources/engine-flags.js");
  const base = engineFlagsFrom(opts);
  const gpuSwept = axes.some((a) => a.key === "gpu");
  let gpu: GpuProfile | null = null;
  const { gpuOfFlags, modelOfFlags } = await import("./deployment-inputs.js");
  if (!gpuSwept) gpu = gpuOfFlags(opts, base, io);
  else if (opts.gpu !== undefined) throw new InputError("--gpu", "--gpu: not with --sweep gpu=...; the sweep names the GPUs");
  const model = await modelOfFlags({ ...opts, model: opts.model }, io);
  const searchedTp = gpuSwept && !gaveVllmFlag(opts, "tensor-parallel-size") && !axes.some((a) => a.key === "tensor-parallel-size");
  const { runSweep } = await import("../core/sweep.js");
  const res = runSweep({ model: model.arch, gpu, base, axes, ...(searchedTp ? { searchTensorParallel: [1, 2, 4, 8] } : {}) });
  const meta = { model: model.arch.id, gpu: gpu?.id ?? null, searchedTp };
  const render = await import("../render/sweep.js");
  const fmt = outputFormat(opts);
  if (fmt === "json") io.stdout(render.renderSweepJson(res, meta));
  else if (fmt === "markdown") io.stdout(render.renderSweepMarkdown(res, meta));
  else if (fmt === "html") io.stdout((await import("../render/html.js")).renderSweepHtml(res, meta));
  else io.stdout(render.renderSweepTable(res, meta, outputColumns(io.env)));
  return { command: "sweep", result: res };
}
