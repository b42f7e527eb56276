// `vram-plan solve --model M --gpu G [--context LEN] [--concurrency N] [--images-per-prompt K]`:
// the flags that make a model fit, found by planning candidates (src/core/solve.ts), printed as a
// `vllm serve` command line ready to paste. Exit 0 when found, 1 when nothing fits, 2 on bad input.
import { outputFormat, type Io } from "./io.js";
import type { RawEngineFlags } from "../sources/engine-flags.js";
import type { Outcome } from "../core/exit.js";
import { InputError } from "../errors.js";
import { fractionFlag, integerFlag, sizeFlag, tokensFlag } from "../sources/flag-values.js";
import { MAX_GPU_COUNT, MAX_TOKENS, excerpt } from "../limits.js";
import { commandLine, renderSolveJson, renderSolveText, type SolveOutcome } from "../render/solve.js";
import { noteText, outputColumns } from "../render/format.js";

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
function intOpt(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? undefined : integerFlag(flag, text, min, max);
}

export async function solveFrom(opts: SolveOptions, io: Pick<Io, "env" | "stderr">): Promise<SolveOutcome> {
  if (!opts.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-7b (vram-plan models lists the catalog)");
  const { engineFlagsFrom } = await import("../sources/engine-flags.js");
  const { gpuFrom } = await import("../sources/gpus.js");
  const { modelOfFlags } = await import("./deployment-inputs.js");
  const { solve, serveArgv } = await import("../core/solve.js");
  let context: number | undefined;
  if (opts.context !== undefined) {
    context = tokensFlag("--context", opts.context);
  }
  const concurrency = intOpt("--concurrency", opts.concurrency, 1, MAX_TOKENS);
  const images = intOpt("--images-per-prompt", opts.imagesPerPrompt, 0, 1_000_000);
  const maxGpus = intOpt("--max-gpus", opts.maxGpus, 1, MAX_GPU_COUNT);
  let maxUtilization: number | undefined;
  if (opts.maxUtilization !== undefined) {
    maxUtilization = fractionFlag("--max-utilization", opts.maxUtilization);
  }
  let marginBytes: number | undefined;
  if (opts.margin !== undefined) {
    const margin = sizeFlag("--margin", opts.margin);
    if (margin > 0 && margin < 2 ** 20) throw new InputError("--margin", `--margin ${excerpt(opts.margin)}: ${margin} bytes is less than 1 MiB; did you mean ${opts.margin.trim()}GiB?`);
    marginBytes = margin;
  }
  const base = engineFlagsFrom(opts);
  const notes: string[] = [];
  const gpu = gpuFrom(opts, { env: io.env, notes });
  for (const n of notes) io.stderr(noteText(n, outputColumns(io.env)));
  const resolved = await modelOfFlags({ ...opts, model: opts.model }, io);
  const arch = resolved.arch;
  if (images !== undefined && images > 0 && !arch.vision) throw new InputError("--images-per-prompt", `--images-per-prompt: ${arch.id} takes no images (it has no vision encoder)`);
  if (context !== undefined && context > arch.derivedMaxModelLen) {
    throw new InputError("--context", `--context ${opts.context}: longer than ${arch.id}'s maximum context (${arch.derivedMaxModelLen} tokens, from its config.json)`);
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
  const modelName = resolved.source === "catalog" ? arch.id : opts.model;
  const argv = result.found ? serveArgv(modelName, result.flags) : null;
  return { result, model: modelName, modelId: arch.id, gpu, argv, command: argv ? commandLine(argv) : null };
}

/** The solve command: finds the flags and renders them in the chosen format. */
export async function solveCommand(opts: SolveOptions, io: Io): Promise<Outcome> {
  const fmt = outputFormat(opts);
  const outcome = await solveFrom(opts, io);
  io.stdout(fmt === "json" ? renderSolveJson(outcome) : renderSolveText(outcome, fmt === "markdown", outputColumns(io.env)));
  return { command: "solve", result: outcome.result };
}
