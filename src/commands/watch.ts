// `vram-plan watch`: samples nvidia-smi every --interval seconds (--count times, or until stopped) and
// puts each GPU's used memory beside the plan's expected nvidia-smi figure for the deployment given —
// flags, a pasted `-- vllm serve …`, or a deployment file (--file) — and reports drift: memory above or
// below the plan past --tolerance, another process appearing, a GPU near full. Exit 1 when a sample drifts.
import { outputFormat, type Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import type { CommonOpts } from "./plan.js";
import type { GpuProfile } from "../core/types.js";
import { InputError } from "../errors.js";
import { noteText, outputColumns, plural } from "../render/format.js";

export interface WatchOpts extends CommonOpts {
  interval?: string;
  count?: string;
  tolerance?: string;
  nearFull?: string;
  file?: string;
}

function seconds(text: string | undefined): number {
  if (text === undefined) return 5;
  const interval = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(interval >= 0 && interval <= 86_400)) throw new InputError("--interval", `--interval: expected seconds from 0 to 86400, got '${text}'`);
  return interval;
}

export async function watchCommand(options: WatchOpts, io: Io): Promise<Outcome> {
  const { integerFlag, sizeFlag } = await import("../sources/flag-values.js");
  const interval = seconds(options.interval);
  const count = options.count === undefined ? Number.POSITIVE_INFINITY : integerFlag("--count", options.count, 1, 999_999_999);
  const toleranceBytes = options.tolerance === undefined ? 2 ** 30 : sizeFlag("--tolerance", options.tolerance);
  const nearFullBytes = options.nearFull === undefined ? 2 ** 30 : sizeFlag("--near-full", options.nearFull);

  // The deployment: a file's first vLLM deployment, or the flags / pasted command.
  let opts: CommonOpts = options;
  let flags: import("../core/types.js").EngineFlags;
  if (options.file !== undefined) {
    const { readTextFile } = await import("../sources/read-file.js");
    const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
    const { readDeploymentFileWithSchemas } = await import("../sources/deployments.js");
    const deployment = (await readDeploymentFileWithSchemas(options.file, readTextFile(options.file, MAX_DEPLOYMENT_FILE_BYTES) as string)).deployments.find((x) => x.model !== null && x.problem === undefined);
    if (!deployment) throw new InputError("--file", `--file ${options.file}: no vLLM deployment with a model in it`);
    const { flagsOfDeployment } = await import("./check.js");
    flags = (await flagsOfDeployment(deployment.args, `${deployment.file}:${deployment.line}: ${deployment.name}`, options.vllmVersion as string | undefined, deployment.source === "vram-plan")).flags;
    opts = { ...options, model: options.model ?? deployment.model ?? undefined };
    if (deployment.notes.length) for (const n of deployment.notes) io.stderr(noteText(n, outputColumns(io.env)));
  } else {
    const { engineFlagsFrom } = await import("../sources/engine-flags.js");
    flags = engineFlagsFrom(options);
  }
  if (!opts.model) throw new InputError("--model", "--model: required (or --file, or a pasted -- vllm serve MODEL …)");
  const { nvidiaSmiRunner, queryGpus, visibleGpus } = await import("../sources/nvidia-smi.js");
  // --gpu auto reads nvidia-smi once to plan; that reading is also the first sample.
  const real = nvidiaSmiRunner(io.env);
  const replay = new Map<string, string>();
  const recording = (args: string[]): string => {
    const out = real(args);
    replay.set(args.join(" "), out);
    return out;
  };
  const runSmi = (args: string[]): string => {
    const key = args.join(" ");
    const value = replay.get(key);
    if (value === undefined) return real(args);
    replay.delete(key);
    return value;
  };
  // Errors name watch, not --gpu auto: with --gpu h100 nvidia-smi is read only for the samples.
  const sample = (): ReturnType<typeof visibleGpus>["gpus"] => visibleGpus(queryGpus(runSmi, "watch"), io.env["CUDA_VISIBLE_DEVICES"]).gpus;

  // The GPU: --gpu as given, else this machine's (auto). What is already on the GPUs may be vLLM itself,
  // so it is not taken as other processes' memory (--other-process-memory says so when it is).
  const { gpuFrom } = await import("../sources/gpus.js");
  const ranks = flags.tensorParallelSize * flags.pipelineParallelSize * flags.dataParallelSize;
  const notes: string[] = [];
  const gpu: GpuProfile = gpuFrom({ gpu: opts.gpu ?? "auto", ...(opts.gpuMemory !== undefined ? { gpuMemory: opts.gpuMemory } : {}) }, { env: io.env, ranks, notes, runNvidiaSmi: recording });
  delete gpu.otherProcessBytes;
  for (const n of notes.filter((x) => !/other processes hold/.test(x))) io.stderr(noteText(n, outputColumns(io.env)));
  const { modelOfFlags } = await import("./deployment-inputs.js");
  const model = await modelOfFlags({ ...opts, model: opts.model, offline: options.offline === true }, io);
  const { planDeployment } = await import("../core/plan.js");
  const plan = planDeployment({ model: model.arch, gpu, flags });
  const { compareSample } = await import("../core/watch.js");
  const render = await import("../render/watch.js");
  const json = outputFormat(options) === "json";
  // The first sample before the header: no nvidia-smi (or a failing one) is one error, no output above it.
  let next: ReturnType<typeof sample> | null = sample();
  if (!json) io.stdout(render.renderWatchHeader(plan, gpu.name, toleranceBytes, outputColumns(io.env)));

  let seen: Set<number> | null = null;
  let drifted = false;
  for (let round = 1; round <= count; round++) {
    const gpus = next ?? sample();
    next = null;
    if (gpus.length < ranks) throw new InputError("--gpu", `nvidia-smi shows ${gpus.length} visible ${plural(gpus.length, "GPU")}; the deployment uses ${ranks}`);
    const watchSample = compareSample(plan, gpus, seen, { toleranceBytes, nearFullBytes });
    drifted ||= watchSample.failing;
    io.stdout(json ? render.renderWatchJsonLine(round, watchSample, toleranceBytes) : render.renderWatchSample(round, watchSample, toleranceBytes));
    if (seen === null) seen = new Set(gpus.slice(0, ranks).flatMap((g) => g.apps.map((a) => a.pid)));
    if (round < count && interval > 0) await new Promise((res) => setTimeout(res, interval * 1000));
  }
  return { command: "watch", drift: drifted };
}
