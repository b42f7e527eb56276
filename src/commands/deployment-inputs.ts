// The GPU and the model of one deployment given by flags (plan, compare): read through src/sources,
// with the notes and warnings they raise written to stderr, once for every command that needs them.
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
  const notes: string[] = [];
  // --gpu auto plans the GPUs rank r = 0..TP×PP×DP−1 would sit on (sources/nvidia-smi.ts).
  const gpu = gpuFrom(opts, { env: io.env, ranks: flags.tensorParallelSize * flags.pipelineParallelSize * flags.dataParallelSize, notes });
  checkOtherProcessMemory(flags.otherProcessBytes, gpu);
  for (const n of notes) io.stderr(noteText(n, outputColumns(io.env)));
  const { resolveModel } = await import("../sources/resolve-model.js");
  const model = await resolveModel(opts.model, { offline: opts.offline === true, env: io.env, ...revisionOpt(opts) });
  for (const w of model.warnings) io.stderr(warningText(w, outputColumns(io.env)));
  return { gpu, model };
}
