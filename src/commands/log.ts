// `vram-plan log <file|->`: read a vLLM start-up log, re-plan the same configuration with the log's
// release rules when the log (or --model/--gpu/flags after --) determines model, GPU and flags, and
// put each logged figure beside the planned one with the likely cause of each difference.
import { readInputText } from "../sources/read-file.js";
import { MAX_LOG_FILE_BYTES } from "../limits.js";
import { colorWanted, outputFormat, type Io } from "./io.js";
import { InputError } from "../errors.js";
import { tokensFlag } from "../sources/flag-values.js";
import { utilizationProblem } from "../sources/vllm-values.js";
import { readVllmLog } from "../sources/vllm-log.js";
import { findGpu, gpuFrom, gpuOfMemory } from "../sources/gpus.js";
import { modelOfFlags } from "./deployment-inputs.js";
import { engineFlagsFromArgv, isVllmArgName, isVllmSwitch, normalizeFlagName, VllmFlagError, type VllmArgs } from "../sources/vllm-flags.js";
import { vllmArg } from "../core/vllm-args.js";
import { planWithLevers } from "../core/levers.js";
import { compareLogToPlan, type LogReport, type LoggedStartup } from "../core/startup-log.js";
import { OLDEST_MODELED, parseVersion, rulesFor } from "../core/vllm-versions.js";
import { CUDA_CONTEXT_BYTES } from "../core/non-torch.js";
import type { EngineFlags, GpuProfile } from "../core/types.js";
import type { Outcome } from "../core/exit.js";
import { outputColumns, warningText } from "../render/format.js";

export interface LogOptions {
  model?: string;
  gpu?: string;
  gpuMemory?: string;
  vllmVersion?: string;
  offline?: boolean;
  format?: string;
  json?: boolean;
  color?: boolean;
}

async function resolveLogModel(name: string, opts: LogOptions, io: Io): Promise<{ arch: import("../core/types.js").ModelArch; from: string } | { missing: string }> {
  const { resolveModel } = await import("../sources/resolve-model.js");
  const offline = opts.offline === true;
  const tried: string[] = [name];
  // A local path in someone else's log (/models/Qwen2.5-VL-7B-Instruct) is not on this machine: its last part may name the model.
  const base = name.replace(/\/+$/, "").split("/").pop() ?? name;
  if (base !== name) tried.push(base);
  let last = "";
  for (const candidate of tried) {
    try {
      const resolved = await resolveModel(candidate, { offline, env: io.env });
      for (const warning of resolved.warnings) io.stderr(warningText(warning, outputColumns(io.env)));
      return { arch: resolved.arch, from: candidate === name ? resolved.source : `${resolved.source}, from the path's last part '${candidate}'` };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      last = err.message;
    }
  }
  return { missing: last };
}

/**
 * A flag a Namespace or config dump (which holds every default too) contributes: one the argument table
 * says the plan models (core/vllm-args.ts effect "modeled"), so the table is the one list of them.
 */
function fromDump(name: string): boolean {
  return vllmArg(normalizeFlagName(name))?.effect === "modeled";
}

/** The log's flags as argv words for the argument table (a switch given False is left out: off is its default). */
function logArgv(logged: LoggedStartup): string[][] {
  const chosen = logged.argsSource.includes("non-default args") || logged.argsSource.includes("command line");
  const out: string[][] = [];
  for (const [flag, value] of Object.entries(logged.args)) {
    if (flag === "model" || !isVllmArgName(flag)) continue;
    if (!chosen && !fromDump(flag)) continue;
    if (value === "false" && isVllmSwitch(flag)) continue;
    if (flag === "dtype" && value === "auto") continue;
    out.push(value === true || (value === "true" && isVllmSwitch(flag)) ? [`--${flag}`] : [`--${flag}`, value]);
  }
  return out;
}

/**
 * EngineFlags from the log's flags, then the user's flags after `--` (later words win), read by the one
 * argument table (sources/vllm-flags.ts) for the log's release; then what the log's messages state
 * (numbers, as read from the log) where neither gave that flag. A flag of the log that the release's
 * parser refuses is dropped and said; the user's are bad input.
 */
function flagsFor(logged: LoggedStartup, facts: LoggedFacts, userArgs: readonly string[], release: string | undefined, notes: string[]): EngineFlags {
  let fromLog = logArgv(logged);
  for (let attempt = 0; attempt < 50; attempt++) {
    const words = fromLog.flat();
    const argv = [...words, ...userArgs, ...(release !== undefined ? ["--vllm-version", release] : [])];
    try {
      return withFacts(engineFlagsFromArgv(argv, { vramPlanFlags: true, positionalModel: false }), facts, notes);
    } catch (err) {
      if (!(err instanceof VllmFlagError) || err.index < 0 || err.index >= words.length) throw err;
      // Drop the log's flag that holds the offending word.
      let at = 0;
      const offending = fromLog.findIndex((f) => (at += f.length) > err.index);
      notes.push(`ignored ${fromLog[offending]?.join(" ")} from the log (${err.message})`);
      fromLog = fromLog.filter((_, i) => i !== offending);
    }
  }
  return engineFlagsFromArgv(userArgs, { vramPlanFlags: true, positionalModel: false }).flags;
}

/** What the log's messages state beyond its flags: the numbers as read (never written back as flag words). */
interface LoggedFacts {
  gpuMemoryUtilization?: number;
  maxModelLen?: number;
  otherProcessBytes?: number;
}

/**
 * The read flags with the log's facts for the flags neither the log's flags nor the user's gave. A fact
 * vLLM's flag would refuse (a cut or garbled log: 'gpu_memory_utilization 0') is dropped and said, as a
 * refused flag of the log is: the range checks are the flags' own (utilizationProblem, tokensFlag).
 */
function withFacts(read: VllmArgs, facts: LoggedFacts, notes: string[]): EngineFlags {
  const given = new Set(read.understood.map((u) => u.name));
  const flags: EngineFlags = { ...read.flags };
  const utilization = facts.gpuMemoryUtilization;
  const utilizationRefused = utilization === undefined ? null : utilizationProblem(utilization);
  if (utilizationRefused !== null) notes.push(`ignored --gpu-memory-utilization ${utilization} from the log (--gpu-memory-utilization: ${utilizationRefused}, got '${utilization}')`);
  else if (utilization !== undefined && !given.has("gpu-memory-utilization")) flags.gpuMemoryUtilization = utilization;
  let maxModelLen = facts.maxModelLen;
  if (maxModelLen !== undefined) {
    try {
      tokensFlag("--max-model-len", String(maxModelLen));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      notes.push(`ignored --max-model-len ${maxModelLen} from the log (${err.message})`);
      maxModelLen = undefined;
    }
  }
  if (maxModelLen !== undefined && !given.has("max-model-len")) flags.maxModelLen = maxModelLen;
  if (facts.otherProcessBytes !== undefined && !given.has("other-process-memory")) flags.otherProcessBytes = facts.otherProcessBytes;
  return flags;
}

export async function logCommand(file: string, userArgs: readonly string[], opts: LogOptions, io: Io): Promise<Outcome> {
  // Only regular files, checked before opening (a FIFO would block forever), at most MAX_LOG_FILE_BYTES.
  const text = readInputText(file, MAX_LOG_FILE_BYTES, io.stdin);
  const logged = readVllmLog(text);
  if (!logged) throw new InputError(file, `${file === "-" ? "standard input" : file}: not a vLLM log (no line vLLM prints at start-up was found)`);

  const notes: string[] = [];
  // Notes that say how the re-plan was made, with their wording for when it is not made (an input missing):
  // the output then says once that nothing was planned, and what a re-plan would use.
  const unplanned = new Map<number, string>();
  const planNote = (planned: string, notPlanned: string): void => {
    unplanned.set(notes.length, notPlanned);
    notes.push(planned);
  };
  const missing: LogReport["missing"] = [];
  const inputs: LogReport["inputs"] = { model: null, gpu: null, version: null, flags: null };

  // What the log's messages state beyond its flags: utilization, max-model-len (concurrency line, errors).
  const facts: LoggedFacts = {};
  if (logged.gpuMemoryUtilization !== null) facts.gpuMemoryUtilization = logged.gpuMemoryUtilization;
  if (logged.maxModelLen !== null) facts.maxModelLen = logged.maxModelLen;
  const flagsShown = logged.argsSource.length > 0 || userArgs.length > 0;

  // Another process: vLLM printed the free memory it found at start-up.
  const ea = logged.error?.args ?? {};
  if (logged.error?.code === "FREE_MEMORY_BELOW_BUDGET" && typeof ea["free"] === "number" && typeof ea["total"] === "number") {
    facts.otherProcessBytes = Math.max(0, ea["total"] - ea["free"] - CUDA_CONTEXT_BYTES);
  }

  // Release: --vllm-version, else the log's; releases older than the oldest modeled plan with its rules.
  let version = opts.vllmVersion ?? logged.vllmVersion ?? undefined;
  if (version !== undefined) {
    const parsed = parseVersion(version);
    if (parsed && !rulesFor(version)) {
      planNote(`vLLM ${version} is older than the oldest release modeled: planned with ${OLDEST_MODELED}'s rules`, `vLLM ${version} is older than the oldest release modeled: a re-plan would use ${OLDEST_MODELED}'s rules`);
      version = OLDEST_MODELED;
    }
    if (parsed && /dev|rc|post|\+/.test(version)) version = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
    inputs.version = { value: version, from: opts.vllmVersion !== undefined ? "--vllm-version" : `${logged.versionSource}: ${logged.versionEvidence ?? ""}` };
  } else {
    planNote("the log does not show the vLLM release: planned with the newest modeled (give --vllm-version)", "the log does not show the vLLM release: a re-plan would use the newest modeled (give --vllm-version)");
  }
  const flags = flagsFor(logged, facts, userArgs, version, notes);
  const notModeled = logged.argsSource.includes("non-default args") || logged.argsSource.includes("command line") || userArgs.length ? (flags.notModeledFlags ?? []) : [];

  // GPU: --gpu / --gpu-memory, else the log's name, else the log's total.
  let gpu: GpuProfile | null = null;
  let gpuTotalFromLog = false;
  if (opts.gpu !== undefined || opts.gpuMemory !== undefined) {
    gpu = gpuFrom(opts);
    inputs.gpu = { value: gpu.name, from: opts.gpu !== undefined ? "--gpu" : "--gpu-memory" };
  } else if (logged.gpuName !== null && findGpu(logged.gpuName)) {
    // The name as the log prints it ("NVIDIA GeForce RTX 3090", "NVIDIA H100 80GB HBM3"): matched by the one
    // GPU-name rule (sources/gpu-names.ts), and the profile is --gpu's for that id.
    gpu = gpuFrom({ gpu: findGpu(logged.gpuName)!.id });
    inputs.gpu = { value: gpu.name, from: `the log ("${logged.gpuName}")` };
  } else if (logged.gpuTotalBytes !== null) {
    gpu = gpuOfMemory(`${(logged.gpuTotalBytes / 2 ** 30).toFixed(2)}GiB`, logged.gpuTotalBytes);
    inputs.gpu = { value: gpu.name, from: "the total memory the log prints" };
  } else {
    missing.push({ input: "gpu", how: "--gpu <id> (vram-plan gpus lists them) or --gpu-memory <size>" + (logged.gpuName !== null ? ` (the log names '${logged.gpuName}', which matches no profile)` : "") });
  }
  if (gpu && logged.gpuTotalBytes !== null && opts.gpuMemory === undefined) {
    gpu.cudaTotalBytes = logged.gpuTotalBytes;
    gpuTotalFromLog = true;
  }

  // Model: --model, else the log's.
  let arch: import("../core/types.js").ModelArch | null = null;
  const modelName = logged.model;
  if (opts.model !== undefined) {
    // The user's own --model is read as plan reads it (modelOfFlags): a name that resolves to nothing is
    // bad input naming the flag (exit 2), not 'the log does not determine the model' with exit 0, and a
    // local path is theirs, so it is not cut to its last part like a path in someone else's log.
    arch = (await modelOfFlags({ model: opts.model, offline: opts.offline }, io)).arch;
    inputs.model = { value: arch.id, from: "--model" };
  } else if (modelName === null) {
    missing.push({ input: "model", how: "--model <catalog name | Hugging Face id | local directory> (the log does not name the model)" });
  } else {
    const model = await resolveLogModel(modelName, opts, io);
    if ("missing" in model) missing.push({ input: "model", how: `--model <catalog name | Hugging Face id | local directory> (${model.missing.replace(/^--model /, "")})` });
    else {
      arch = model.arch;
      inputs.model = { value: model.arch.id, from: `the log ('${modelName}'; ${model.from})` };
    }
  }
  const argv = Object.entries(logged.args).filter(([k]) => k !== "model");
  const shown = argv.map(([k, v]) => (v === true ? `--${k}` : `--${k} ${v}`)).join(" ");
  inputs.flags = {
    value: [shown, userArgs.join(" ")].filter((x) => x !== "").join(" "),
    from: [logged.argsSource.length ? `the log (${logged.argsSource.join(", ")})` : "none in the log", ...(userArgs.length ? ["after --"] : [])].join("; "),
  };
  if (!flagsShown) planNote("the log shows no vLLM flags: planned with vLLM's defaults for the release and the figures the log prints (give the flags after --)", "the log shows no vLLM flags: a re-plan would use vLLM's defaults for the release and the figures the log prints (give the flags after --)");

  const report: LogReport = { file, logged, plan: null, differences: [], fix: null, missing, inputs, notes };
  if (arch && gpu && missing.length === 0) {
    const plan = planWithLevers({ model: arch, gpu, flags });
    report.plan = plan;
    report.differences = compareLogToPlan(logged, plan, { flagsShown, gpuTotalFromLog, notModeled });
    const err = plan.diagnostics.find((d) => d.severity === "error");
    if (logged.outcome === "failed" && err?.fix?.length) report.fix = { code: err.code, fix: err.fix };
  } else {
    for (const [k, text] of unplanned) notes[k] = text;
  }

  const fmt = outputFormat(opts);
  const render = await import("../render/log.js");
  if (fmt === "json") io.stdout(render.renderLogJson(report));
  else if (fmt === "markdown") io.stdout(render.renderLogMarkdown(report));
  else {
    const { colors } = await import("../render/colors.js");
    const { outputColumns } = await import("../render/format.js");
    io.stdout(render.renderLogTable(report, await colors(colorWanted(opts, io)), outputColumns(io.env)));
  }
  return { command: "log", failed: logged.outcome === "failed" };
}
