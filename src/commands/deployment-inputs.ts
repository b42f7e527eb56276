// The GPU and the model of one deployment given by flags (plan, compare, sweep, solve, watch): read
// through src/sources, with the notes and warnings they raise written to stderr, once for every
// command that needs them.
import type { Io } from "./io.js";
import type { EngineFlags, GpuProfile } from "../core/types.js";
import type { ResolvedModel } from "../sources/resolve-model.js";
import { gpuFrom, checkOtherProcessMemory, type GpuOptions } from "../sources/gpus.js";
import { revisionOpt, type RawEngineFlags } from "../sources/engine-flags.js";
import { noteText, outputColumns, warningText } from "../render/format.js";

export async function deploymentInputs(
  opts: GpuOptions & RawEngineFlags & { model: string; offline?: boolean },
  flags: EngineFlags,
  io: Io,
): Promise<{ gpu: GpuProfile; model: ResolvedModel }> {
  const gpu = gpuOfFlags(opts, flags, io);
  return { gpu, model: await modelOfFlags(opts, io) };
}

/**
 * The GPU of --gpu / --gpu-memory, its notes on stderr; --other-process-memory must leave room on it.
 * --gpu auto plans the GPUs ranks r = 0..TP×PP×DP−1 would sit on (sources/nvidia-smi.ts).
 */
export function gpuOfFlags(opts: GpuOptions, flags: EngineFlags, io: Pick<Io, "env" | "stderr">): GpuProfile {
  const notes: string[] = [];
  const gpu = gpuFrom(opts, { env: io.env, ranks: flags.tensorParallelSize * flags.pipelineParallelSize * flags.dataParallelSize, notes });
  checkOtherProcessMemory(flags.otherProcessBytes, gpu);
  for (const n of notes) io.stderr(noteText(n, outputColumns(io.env)));
  return gpu;
}

/** The model of --model (at --revision, also a pasted command's), its warnings on stderr. */
export async function modelOfFlags(opts: RawEngineFlags & { model: string; offline?: boolean }, io: Pick<Io, "env" | "stderr">): Promise<ResolvedModel> {
  const { resolveModel } = await import("../sources/resolve-model.js");
  const model = await resolveModel(opts.model, { offline: opts.offline === true, env: io.env, ...revisionOpt(opts) });
  for (const w of model.warnings) io.stderr(warningText(w, outputColumns(io.env)));
  return model;
}
