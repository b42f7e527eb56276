// `vram-plan solve --model M --gpu G [--context LEN] [--concurrency N] [--images-per-prompt K]`:
// the flags that make a model fit, found by planning candidates (src/core/solve.ts), printed as a
// `vllm serve` command line ready to paste. Exit 0 when found, 1 when nothing fits, 2 on bad input.
import type { Io } from "./io.js";
import type { RawEngineFlags } from "../sources/engine-flags.js";
import type { Outcome } from "../core/exit.js";
import { InputError } from "../errors.js";
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

function intOpt(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new InputError(flag, `${flag}: expected an integer >= ${min}, got '${v}'`);
  return n;
}

export async function solveFrom(o: SolveOptions, io: Pick<Io, "env" | "stderr">): Promise<SolveOutcome> {
  if (!o.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-7b (vram-plan models lists the catalogue)");
  const { parseTokens } = await import("../units.js");
  const { engineFlagsFrom, revisionOpt } = await import("../sources/engine-flags.js");
  const { gpuFrom } = await import("../sources/gpus.js");
  const { resolveModel } = await import("../sources/resolve-model.js");
  const { solve, serveArgv } = await import("../core/solve.js");
  let context: number | undefined;
  if (o.context !== undefined) {
    const c = parseTokens(o.context);
    if (c === null || c < 1) throw new InputError("--context", `--context: expected a token count such as 32768, 32k (32000) or 32K (32768), got '${o.context}'`);
    context = c;
  }
  const concurrency = intOpt("--concurrency", o.concurrency, 1);
  const images = intOpt("--images-per-prompt", o.imagesPerPrompt, 0);
  const maxGpus = intOpt("--max-gpus", o.maxGpus, 1);
  let maxUtilization: number | undefined;
  if (o.maxUtilization !== undefined) {
    const u = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(o.maxUtilization) ? Number(o.maxUtilization) : Number.NaN;
    if (!(u > 0 && u <= 1)) throw new InputError("--max-utilization", `--max-utilization: expected a fraction in (0, 1], got '${o.maxUtilization}'`);
    maxUtilization = u;
  }
  let marginBytes: number | undefined;
  if (o.margin !== undefined) {
    const { parseSize } = await import("../units.js");
    const m = /^\s*0+(\.0*)?\s*$/.test(o.margin) ? 0 : parseSize(o.margin);
    if (m === null || m === undefined || m < 0) throw new InputError("--margin", `--margin: expected a size such as 0.5GiB, 1GiB or 0, got '${o.margin}'`);
    if (m > 0 && m < 2 ** 20) throw new InputError("--margin", `--margin ${o.margin}: ${m} bytes is less than 1 MiB; did you mean ${o.margin.trim()}GiB?`);
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
  const modelName = resolved.source === "catalogue" ? arch.id : o.model;
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
