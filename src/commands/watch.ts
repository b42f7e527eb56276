// `vram-plan watch`: samples nvidia-smi every --interval seconds (--count times, or until stopped) and
// puts each GPU's used memory beside the plan's expected nvidia-smi figure for the deployment given —
// flags, a pasted `-- vllm serve …`, or a deployment file (--file) — and reports drift: memory above or
// below the plan past --tolerance, another process appearing, a GPU near full. Exit 1 when a sample drifts.
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import type { CommonOpts } from "./plan.js";
import type { GpuProfile } from "../core/types.js";
import { InputError } from "../errors.js";

export interface WatchOpts extends CommonOpts {
  interval?: string;
  count?: string;
  tolerance?: string;
  nearFull?: string;
  file?: string;
}

function seconds(v: string | undefined): number {
  if (v === undefined) return 5;
  const n = /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= 0 && n <= 86_400)) throw new InputError("--interval", `--interval: expected seconds from 0 to 86400, got '${v}'`);
  return n;
}

export async function watchCommand(o: WatchOpts, io: Io): Promise<Outcome> {
  const { parseSize } = await import("../units.js");
  const interval = seconds(o.interval);
  const count = o.count === undefined ? Number.POSITIVE_INFINITY : /^\s*\d{1,9}\s*$/.test(o.count) && Number(o.count) >= 1 ? Number(o.count) : Number.NaN;
  if (Number.isNaN(count)) throw new InputError("--count", `--count: expected a whole number of samples >= 1, got '${o.count ?? ""}'`);
  const size = (flag: string, v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const b = parseSize(v);
    if (b === null) throw new InputError(flag, `${flag}: expected a size such as 1GiB or 512MiB, got '${v}'`);
    return b;
  };
  const toleranceBytes = size("--tolerance", o.tolerance, 2 ** 30);
  const nearFullBytes = size("--near-full", o.nearFull, 2 ** 30);

  // The deployment: a file's first vLLM deployment, or the flags / pasted command.
  let opts: CommonOpts = o;
  let flags: import("../core/types.js").EngineFlags;
  if (o.file !== undefined) {
    const { readTextFile } = await import("../sources/read-file.js");
    const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
    const { readDeploymentFileWithSchemas } = await import("../sources/deployments.js");
    const d = (await readDeploymentFileWithSchemas(o.file, readTextFile(o.file, MAX_DEPLOYMENT_FILE_BYTES) as string)).deployments.find((x) => x.model !== null && x.problem === undefined);
    if (!d) throw new InputError("--file", `--file ${o.file}: no vLLM deployment with a model in it`);
    const { flagsOfDeployment } = await import("./check.js");
    flags = (await flagsOfDeployment(d.args, `${d.file}:${d.line}: ${d.name}`, o.vllmVersion as string | undefined, d.source === "vram-plan")).flags;
    opts = { ...o, model: o.model ?? d.model ?? undefined };
    if (d.notes.length) for (const n of d.notes) io.stderr(`vram-plan: note: ${n}\n`);
  } else {
    const { engineFlagsFrom } = await import("../sources/engine-flags.js");
    flags = engineFlagsFrom(o);
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
    const k = args.join(" ");
    const v = replay.get(k);
    if (v === undefined) return real(args);
    replay.delete(k);
    return v;
  };
  const sample = (): ReturnType<typeof visibleGpus>["gpus"] => visibleGpus(queryGpus(runSmi), io.env["CUDA_VISIBLE_DEVICES"]).gpus;

  // The GPU: --gpu as given, else this machine's (auto). What is already on the GPUs may be vLLM itself,
  // so it is not taken as other processes' memory (--other-process-memory says so when it is).
  const { gpuFrom } = await import("../sources/gpus.js");
  const ranks = flags.tensorParallelSize * flags.pipelineParallelSize * flags.dataParallelSize;
  const notes: string[] = [];
  const gpu: GpuProfile = gpuFrom({ gpu: opts.gpu ?? "auto", ...(opts.gpuMemory !== undefined ? { gpuMemory: opts.gpuMemory } : {}) }, { env: io.env, ranks, notes, runNvidiaSmi: recording });
  delete gpu.otherProcessBytes;
  for (const n of notes.filter((x) => !/other processes hold/.test(x))) io.stderr(`vram-plan: note: ${n}\n`);
  const { resolveModel } = await import("../sources/resolve-model.js");
  const model = await resolveModel(opts.model, { offline: o.offline === true, env: io.env });
  for (const w of model.warnings) io.stderr(`vram-plan: warning: ${w}\n`);
  const { planDeployment } = await import("../core/plan.js");
  const plan = planDeployment({ model: model.arch, gpu, flags });
  const { compareSample } = await import("../core/watch.js");
  const r = await import("../render/watch.js");
  const json = o.json === true || o.format === "json";
  if (!json) io.stdout(`watching ${plan.gpu.count} GPU${plan.gpu.count === 1 ? "" : "s"} for ${plan.model.id} on ${gpu.name} (vLLM ${plan.engine.vllmVersion}); tolerance ${(toleranceBytes / 2 ** 30).toFixed(2)} GiB\n`);

  let seen: Set<number> | null = null;
  let drifted = false;
  for (let n = 1; n <= count; n++) {
    const gpus = sample();
    if (gpus.length < ranks) throw new InputError("--gpu", `nvidia-smi shows ${gpus.length} visible GPU${gpus.length === 1 ? "" : "s"}; the deployment uses ${ranks}`);
    const s = compareSample(plan, gpus, seen, { toleranceBytes, nearFullBytes });
    drifted ||= s.failing;
    io.stdout(json ? r.renderWatchJsonLine(n, s, toleranceBytes) : r.renderWatchSample(n, s, toleranceBytes));
    if (seen === null) seen = new Set(gpus.slice(0, ranks).flatMap((g) => g.apps.map((a) => a.pid)));
    if (n < count && interval > 0) await new Promise((res) => setTimeout(res, interval * 1000));
  }
  return { command: "watch", drift: drifted };
}
