// `vram-plan solve --model M --gpu G [--context LEN] [--concurrency N] [--images-per-prompt K]`:
// the flags that make a model fit, found by planning candidates (src/core/solve.ts), printed as a
// `vllm serve` command line ready to paste. Exit 0 when found, 1 when nothing fits, 2 on bad input.
import type { Io } from "./io.js";
import type { RawEngineFlags } from "../sources/engine-flags.js";
import type { Outcome } from "../core/exit.js";
import { InputError } from "../errors.js";
import { fractionFlag, integerFlag, tokensFlag } from "../sources/flag-values.js";
import { MAX_BYTES, MAX_GPU_COUNT, MAX_TOKENS, excerpt } from "../limits.js";
import { commandLine, renderSolveText, solveToJsonObject, type SolveOutcome } from "../render/solve.js";

export interface SolveOptions extends RawEngineFlags {
  model?: string;
  gpu?: string;
  gpuMemory?: string;
  context?: string;
  concurrency?: string;
  imagesPerPrompt?: string;
  maxGpus?: string;
  maxUtilization?: string;
  margin?: string;
  offline?: boolean;
  format?: string;
  json?: boolean;
}

/** An integer option in [min, max] (src/limits.ts bounds), echoed as a short excerpt when refused. */
function intOpt(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  return v === undefined ? undefined : integerFlag(flag, v, min, max);
}

export async function solveFrom(o: SolveOptions, io: Pick<Io, "env" | "stderr">): Promise<SolveOutcome> {
  if (!o.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-7b (vram-plan models lists the catalog)");
  const { engineFlagsFrom, revisionOpt } = await import("../sources/engine-flags.js");
  const { gpuFrom } = await import("../sources/gpus.js");
  const { resolveModel } = await import("../sources/resolve-model.js");
  const { solve, serveArgv } = await import("../core/solve.js");
  let context: number | undefined;
  if (o.context !== undefined) {
    context = tokensFlag("--context", o.context);
  }
  const concurrency = intOpt("--concurrency", o.concurrency, 1, MAX_TOKENS);
  const images = intOpt("--images-per-prompt", o.imagesPerPrompt, 0, 1_000_000);
  const maxGpus = intOpt("--max-gpus", o.maxGpus, 1, MAX_GPU_COUNT);
  let maxUtilization: number | undefined;
  if (o.maxUtilization !== undefined) {
    maxUtilization = fractionFlag("--max-utilization", o.maxUtilization);
  }
  let marginBytes: number | undefined;
  if (o.margin !== undefined) {
    const { parseSize } = await import("../units.js");
    const m = /^\s*0+(\.0*)?\s*$/.test(o.margin) ? 0 : parseSize(o.margin);
    if (m === null || m === undefined || m < 0 || m > MAX_BYTES) throw new InputError("--margin", `--margin: expected a size such as 0.5GiB, 1GiB or 0, got '${excerpt(o.margin)}'`);
    if (m > 0 && m < 2 ** 20) throw new InputError("--margin", `--margin ${excerpt(o.margin)}: ${m} bytes is less than 1 MiB; did you mean ${o.margin.trim()}GiB?`);
    marginBytes = m;
  }
  const base = engineFlagsFrom(o);
  const notes: string[] = [];
  const gpu = gpuFrom(o, { env: io.env, notes });
  for (const n of notes) io.stderr(`vram-plan: note: ${n}\n`);
  const resolved = await resolveModel(o.model, { offline: o.offline === true, env: io.env, ...revisionOpt(o) });
  for (const w of resolved.warnings) io.stderr(`vram-plan: warning: ${w}\n`);
  const arch = resolved.arch;
  if (images !== undefined && images > 0 && !arch.vision) throw new InputError("--images-per-prompt", `--images-per-prompt: ${arch.id} takes no images (it has no vision encoder)`);
  if (context !== undefined && context > arch.derivedMaxModelLen) {
    throw new InputError("--context", `--context ${o.context}: longer than ${arch.id}'s maximum context (${arch.derivedMaxModelLen} tokens, from its config.json)`);
  }
  const result = solve({
    model: arch,
    gpu,
    base,
    ...(context !== undefined ? { context } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(images !== undefined ? { imagesPerPrompt: images } : {}),
    ...(maxGpus !== undefined ? { maxGpus } : {}),
    ...(maxUtilization !== undefined ? { maxUtilization } : {}),
    ...(marginBytes !== undefined ? { marginBytes } : {}),
  });
  const modelName = resolved.source === "catalog" ? arch.id : o.model;
  const argv = result.found ? serveArgv(modelName, result.flags) : null;
  return { result, model: modelName, modelId: arch.id, gpu, argv, command: argv ? commandLine(argv) : null };
}

/** The solve command: finds the flags and renders them in the chosen format. */
export async function solveCommand(o: SolveOptions, io: Io): Promise<Outcome> {
  const fmt = o.json ? "json" : (o.format ?? "table");
  if (!["table", "markdown", "json"].includes(fmt)) throw new InputError("--format", `--format: '${fmt}' is not one of table, markdown, json`);
  const s = await solveFrom(o, io);
  io.stdout(fmt === "json" ? JSON.stringify(solveToJsonObject(s), null, 2) + "\n" : renderSolveText(s, fmt === "markdown", (await import("../render/format.js")).outputColumns(io.env)));
  return { command: "solve", result: s.result };
}
