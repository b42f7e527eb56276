// `vram-plan check <file...>`: reads vLLM deployments out of files (compose, Kubernetes, vLLM
// --config YAML, shell scripts, Dockerfiles, vram-plan's own deployments file), plans each, checks
// its constraints, and exits 0 (all start and meet them), 1 (some do not: each named with its
// reason and fix) or 2 (unreadable or invalid input: file and line named).
// Loaded only when check runs (src/cli/subcommands.ts imports it in the action).
import { colorWanted, outputFormat, type Io } from "./io.js";
import type { Deployment, KServeRuntime, KServeService } from "../sources/deployments.js";
import type { CheckEntry, CheckReport, FileNote } from "../core/check.js";
import type { Outcome } from "../core/exit.js";
import type { Evaluation, Target } from "../core/solve.js";
import type { EngineFlags, GpuProfile, ModelArch, PlanInput } from "../core/types.js";
import type { GpuSharer, SharedVerdict } from "../core/shared-gpus.js";
import { InputError } from "../errors.js";
import { looksLikeHubId, looksLikeModelPath, pathExists } from "../sources/model-name.js";
import { imageRelease } from "../sources/vllm-argv.js";
import { CPU_DEPLOYMENT_NOTE } from "../render/format.js";
import { MAX_DEPLOYMENTS, MAX_TOKENS, excerpt } from "../limits.js";
import { gib } from "../core/text.js";

export interface CheckOptions {
  gpu?: string;
  /** CUDA-visible memory per GPU (overrides the profile's; alone: a custom GPU). */
  gpuMemory?: string;
  /** NAME=VALUE values of variables set only at run time. */
  set?: string[];
  /** PATH=ID: a local model path as written in a file → the model it holds. */
  modelMap?: string[];
  /** Every shell script and compose file given runs on one machine (their GPUs are shared). */
  oneHost?: boolean;
  /** Read this repository config instead of looking for .vram-plan.yaml upwards; false: none. */
  config?: string | false;
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
// Deployment args (kebab-case, as readDeployments returns them) → EngineFlags, through the one table
// ---------------------------------------------------------------------------------------------

function withWhere(err: unknown, where: string): never {
  if (err instanceof InputError) {
    const msg = err.message.startsWith(where) ? err.message : `${where}: ${err.message}`;
    throw new InputError(err.subject, msg);
  }
  throw err;
}

/**
 * A deployment's vLLM args → EngineFlags, read by sources/vllm-flags.ts for the release the
 * deployment runs (its image tag, else --vllm-version, else the newest modeled). A flag vLLM would
 * refuse (unknown, misspelled, removed in that release, bad value) throws an InputError naming `where`.
 */
export async function flagsOfDeployment(args: Readonly<Record<string, string | true>>, where: string, vllmVersion?: string, vramPlanFile = true): Promise<import("../sources/vllm-flags.js").VllmArgs> {
  const { engineFlagsFromOptions } = await import("../sources/vllm-flags.js");
  try {
    // vram-plan's own flags (--vllm-version, --kv-cache-memory SIZE) only in vram-plan's own files;
    // elsewhere the words are vLLM's (--kv-cache-memory is then a prefix of --kv-cache-memory-bytes).
    return engineFlagsFromOptions(args, { vramPlanFlags: vramPlanFile, ...(vllmVersion !== undefined ? { vllmVersion } : {}) });
  } catch (err) {
    withWhere(err, where);
  }
}

// ---------------------------------------------------------------------------------------------
// Constraints
// ---------------------------------------------------------------------------------------------

/** "N" or "N@LEN" (LEN like vLLM's --max-model-len: 8k = 8000, 8K = 8192). */
export async function parseConcurrency(text: string, subject: string): Promise<{ n: number; len?: number }> {
  const { parseTokens } = await import("../units.js");
  const match = /^\s*(\d+)\s*(?:@\s*(\S+)\s*)?$/.exec(text);
  const sequences = match ? Number(match[1]) : Number.NaN;
  const len = match?.[2] !== undefined ? parseTokens(match[2]) : undefined;
  // Both counts bounded like vLLM's token flags (src/limits.ts MAX_TOKENS): 1e20 sequences is a typo.
  if (!match || !(sequences >= 1) || sequences > MAX_TOKENS || len === null || (len !== undefined && (len < 1 || len > MAX_TOKENS))) {
    throw new InputError(subject, `${subject}: expected N or N@LEN such as 32 or 32@8k, got '${excerpt(text)}'`);
  }
  return len === undefined ? { n: sequences } : { n: sequences, len };
}

interface CliTarget {
  target: Target;
  text: CheckEntry["targetText"];
}

type RepoRequire = NonNullable<import("../sources/repo-config.js").RepoConfig["require"]>;

/**
 * The constraints every deployment is checked against: each from its flag, else from the require: of
 * .vram-plan.yaml — its numbers as the file's schema typed them, its text read like the flag, an error
 * naming the file's key (never turned into a flag's string to be parsed again).
 */
async function cliTarget(opts: CheckOptions, req: RepoRequire = {}, configPath: string | null = null): Promise<CliTarget> {
  const { fractionFlag, sizeFlag, tokensFlag } = await import("../sources/flag-values.js");
  const inFile = (key: string): string => `${configPath ?? ".vram-plan.yaml"}: require.${key}`;
  // A count from the file's schema (a positive integer), bounded like the flags' (src/limits.ts MAX_TOKENS).
  const count = (value: number, key: string): number => {
    if (value > MAX_TOKENS) throw new InputError(inFile(key), `${inFile(key)}: expected at most ${MAX_TOKENS}, got ${value}`);
    return value;
  };
  const target: Target = {};
  const text: CheckEntry["targetText"] = {};
  if (opts.requireConcurrency !== undefined) {
    target.concurrency = await parseConcurrency(opts.requireConcurrency, "--require-concurrency");
    text.concurrency = opts.requireConcurrency;
  } else if (req.concurrency !== undefined) {
    target.concurrency = typeof req.concurrency === "number" ? { n: count(req.concurrency, "concurrency") } : await parseConcurrency(req.concurrency, inFile("concurrency"));
    text.concurrency = String(req.concurrency);
  }
  if (opts.requireContext !== undefined) {
    target.context = tokensFlag("--require-context", opts.requireContext);
    text.context = opts.requireContext;
  } else if (req.context !== undefined) {
    target.context = typeof req.context === "number" ? count(req.context, "context") : tokensFlag(inFile("context"), req.context);
    text.context = String(req.context);
  }
  if (opts.maxUtilization !== undefined) {
    target.maxUtilization = fractionFlag("--max-utilization", opts.maxUtilization);
    text.maxUtilization = opts.maxUtilization;
  } else if (req.maxUtilization !== undefined) {
    // The schema holds it to (0, 1] (repo-config-schema.ts).
    target.maxUtilization = req.maxUtilization;
    text.maxUtilization = String(req.maxUtilization);
  }
  const headroom = opts.headroom ?? req.headroom;
  if (headroom !== undefined) {
    target.headroomBytes = sizeFlag(opts.headroom !== undefined ? "--headroom" : inFile("headroom"), headroom);
    text.headroom = headroom;
  }
  return { target, text };
}

// ---------------------------------------------------------------------------------------------
// Options: the command line over the repository config (.vram-plan.yaml)
// ---------------------------------------------------------------------------------------------

/** NAME=VALUE items of a repeatable option → a map; InputError naming the option for a malformed one. */
function pairs(items: readonly string[] | undefined, flag: string, what: string, key: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    const name = eq > 0 ? item.slice(0, eq).trim() : "";
    if (eq <= 0 || !key.test(name) || item.slice(eq + 1).trim() === "") throw new InputError(flag, `${flag}: expected ${what}, got '${excerpt(item)}'`);
    out.set(name, item.slice(eq + 1).trim());
  }
  return out;
}

interface Settings {
  o: CheckOptions;
  files: string[];
  vars: Record<string, string>;
  modelMap: Map<string, string>;
  configPath: string | null;
  /** .vram-plan.yaml's require: (the flags win over it, cliTarget). */
  require: RepoRequire;
}

async function settingsFrom(files: string[], opts: CheckOptions): Promise<Settings> {
  const rc = await import("../sources/repo-config.js");
  const configPath = opts.config === false ? null : typeof opts.config === "string" ? opts.config : rc.findRepoConfig();
  const cfg = configPath ? await rc.readRepoConfig(configPath) : {};
  const { dirname } = await import("node:path");
  const merged: CheckOptions = { ...opts };
  merged.gpu ??= cfg.gpu;
  merged.gpuMemory ??= cfg.gpuMemory;
  merged.vllmVersion ??= cfg.vllmVersion;
  merged.oneHost ??= cfg.oneHost;
  if (cfg.offline === true) merged.offline ??= true;
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.set ?? {})) vars[k] = String(v);
  for (const [k, v] of pairs(opts.set, "--set", "NAME=VALUE such as LLM_MODEL_ID=Qwen/Qwen3-8B", /^[A-Za-z_][A-Za-z0-9_]*$/)) vars[k] = v;
  const modelMap = new Map<string, string>(Object.entries(cfg.modelMap ?? {}));
  for (const [k, v] of pairs(opts.modelMap, "--model-map", "PATH=ID such as /models/llama=meta-llama/Llama-3.1-8B-Instruct", /\S/)) modelMap.set(k, v);
  let list = files;
  if (list.length === 0 && cfg.files && configPath) list = rc.expandFilePatterns(cfg.files, dirname(configPath));
  list = rc.expandDirectories(list);
  return { o: merged, files: list, vars, modelMap, configPath, require: cfg.require ?? {} };
}

// ---------------------------------------------------------------------------------------------
// Releases: per deployment, from its image tag
// ---------------------------------------------------------------------------------------------

async function releaseFor(deployment: Deployment, opts: CheckOptions): Promise<{ version: string; notes: string[] }> {
  const { NEWEST_MODELED, OLDEST_MODELED, rulesFor, parseVersion } = await import("../core/vllm-versions.js");
  const release = imageRelease(deployment.image);
  if (release.version !== null) {
    if (parseVersion(release.version) && !rulesFor(release.version)) {
      return { version: OLDEST_MODELED, notes: [`image ${deployment.image} is vLLM ${release.version}, older than the oldest release modeled (${OLDEST_MODELED}): planned with ${OLDEST_MODELED}'s rules, which may differ`] };
    }
    return { version: release.version, notes: [] };
  }
  if (opts.vllmVersion !== undefined) return { version: opts.vllmVersion, notes: [] };
  if (release.latest) {
    const how = release.tag !== null ? "" : " (untagged)";
    return { version: NEWEST_MODELED, notes: [`image ${deployment.image}${how}: planned as vLLM ${NEWEST_MODELED}, the newest release modeled (--vllm-version to choose)`] };
  }
  if (deployment.image) return { version: NEWEST_MODELED, notes: [`image ${deployment.image} does not say its vLLM release: planned as ${NEWEST_MODELED}, the newest modeled (--vllm-version to choose)`] };
  return { version: NEWEST_MODELED, notes: [`release not pinned by the file: planned as vLLM ${NEWEST_MODELED}, the newest modeled (--vllm-version to choose)`] };
}

// ---------------------------------------------------------------------------------------------
// Models: ids, local paths that are not here, storage URIs, run-time variables
// ---------------------------------------------------------------------------------------------

type ModelFound = { arch: ModelArch; id: string; notes: string[] } | { problem: string };

function setHint(names: readonly string[]): string {
  const vars = names.filter((n) => !n.startsWith("{{"));
  if (vars.length === 0) return `${names.join(", ")} is a template value: render the file first`;
  return `${vars.map((n) => `$${n}`).join(", ")} ${vars.length === 1 ? "is" : "are"} set at run time: pass ${vars.map((n) => `--set ${n}=...`).join(" ")}`;
}

/** The last component of a path or storage URI (`oci://…/catalog:qwen2.5-0.5b-instruct` → its tag). */
function lastComponent(pathish: string): string {
  const trimmed = pathish.replace(/\/+$/, "");
  const last = trimmed.split("/").pop() ?? trimmed;
  const colon = last.lastIndexOf(":");
  if (!/^oci:\/\//i.test(pathish) || colon <= 0) return last;
  // A modelcar image: its tag names the model, unless the tag is a version (then the repository does).
  const tag = last.slice(colon + 1);
  return /^v?\d+(\.\d+)*$/.test(tag) ? last.slice(0, colon) : tag;
}

/** A cataloged or cached model whose name (organization optional) is `name`, case-insensitively. */
async function modelByName(name: string, env: Record<string, string | undefined>): Promise<string | null> {
  const wanted = name.toLowerCase();
  if (wanted === "" || wanted === "models" || wanted.includes("$")) return null;
  const { catalog } = await import("../sources/catalog.js");
  const hit = catalog().find((e) => (e.hfId.split("/")[1] ?? "").toLowerCase() === wanted);
  if (hit) return hit.hfId;
  const { cachedModels } = await import("../sources/hf-cache.js");
  const cached = cachedModels(env).find(([, repo]) => repo.toLowerCase() === wanted);
  return cached ? `${cached[0]}/${cached[1]}` : null;
}

async function findModel(written: string, settings: Settings, io: Pick<Io, "env">): Promise<ModelFound> {
  const { resolveModel } = await import("../sources/resolve-model.js");
  const notes: string[] = [];
  let name = written;
  const mapped = settings.modelMap.get(written) ?? settings.modelMap.get(written.replace(/\/+$/, ""));
  if (mapped !== undefined) {
    notes.push(`model ${written} planned as ${mapped} (model map)`);
    name = mapped;
  } else {
    const byLast = async (why: string): Promise<ModelFound | null> => {
      const last = lastComponent(written);
      const id = await modelByName(last, io.env);
      if (id === null) return null;
      return { id, notes: [`${why}: planned as ${id}, the model named like its last component "${last}" (--model-map ${written}=ID to choose another)`], arch: null as unknown as ModelArch };
    };
    const uri = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/i.exec(written);
    if (uri && uri[1]?.toLowerCase() === "hf") name = (uri[2] ?? "").replace(/\/+$/, "");
    else if (uri) {
      const hit = await byLast(`model ${written} is fetched by the serving platform`);
      if (!hit) return { problem: `model ${written}: not available here, and its name "${lastComponent(written)}" matches no cataloged or cached model: pass --model-map ${written}=<Hugging Face id>` };
      notes.push(...("notes" in hit ? hit.notes : []));
      name = "id" in hit ? hit.id : name;
    }
    const vars = (await import("../sources/deployments.js")).unresolvedIn(name);
    const pathLike = looksLikeModelPath(name) || vars.length > 0;
    if (vars.length > 0 || (pathLike && !pathExists(name))) {
      const lastHasVar = (await import("../sources/deployments.js")).unresolvedIn(lastComponent(name)).length > 0;
      const hit = lastHasVar ? null : await byLast(`model path ${written} is not on this machine`);
      if (hit && "id" in hit) {
        notes.push(...hit.notes);
        name = hit.id;
      } else if (vars.length > 0) {
        return { problem: `model ${written}: ${setHint(vars)}` };
      } else {
        return { problem: `model path ${written} is not on this machine, and its name "${lastComponent(written)}" matches no cataloged or cached model: pass --model-map ${written}=<Hugging Face id>` };
      }
    }
  }
  try {
    const resolved = await resolveModel(name, { offline: settings.o.offline === true, env: io.env });
    return { arch: resolved.arch, id: name, notes: [...notes, ...resolved.warnings] };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // A relative path that is not here (models/Qwen3-8B) also looks like a Hugging Face id.
    if (name === written && looksLikeHubId(name)) {
      const id = await modelByName(lastComponent(name), io.env);
      if (id !== null && id !== name) {
        try {
          const resolved = await resolveModel(id, { offline: settings.o.offline === true, env: io.env });
          return { arch: resolved.arch, id, notes: [`model ${written} is neither here nor a model on the Hub: planned as ${id}, named like its last component (--model-map ${written}=ID to choose another)`, ...resolved.warnings] };
        } catch {
          // fall through to the original error
        }
      }
    }
    return { problem: err.message.replace(/^--model /, "model ") };
  }
}

// ---------------------------------------------------------------------------------------------
// One deployment → a plan input, or the line that says what is missing
// ---------------------------------------------------------------------------------------------

interface Prepared {
  d: Deployment;
  input: PlanInput;
  target: Target;
  text: CheckEntry["targetText"];
  release: string;
  model: string;
  notes: string[];
  gpuNote: string | null;
}

/** The note of a deployment whose vLLM runs on the CPU (its FileNote's kind is "cpu"). */

/** Planned, refused with a problem, or not a GPU deployment at all (a note of its file). */
type Prep = { ok: Prepared } | { entry: CheckEntry } | { note: FileNote };

/** Flags whose value changes memory: a run-time variable left in one of them stops the plan. */
async function memoryFlag(key: string): Promise<boolean> {
  const { vllmArg } = await import("../core/vllm-args.js");
  return vllmArg(key.split(".")[0] ?? key)?.effect !== "neutral";
}

async function prepare(d0: Deployment, settings: Settings, cli: CliTarget, io: Pick<Io, "env">, models: Map<string, Promise<ModelFound>>): Promise<Prep> {
  const { gpuFrom } = await import("../sources/gpus.js");
  const { sizeFlag } = await import("../sources/flag-values.js");
  const { unresolvedIn } = await import("../sources/deployments.js");
  const opts = settings.o;
  let deployment = d0;
  const release = await releaseFor(deployment, opts);
  const blank = (problem: string, model = deployment.model ?? "(none)"): Prep => ({
    entry: { file: deployment.file, line: deployment.line, name: deployment.name, model, gpu: null, gpuCount: deployment.gpuCount, release: null, target: cli.target, targetText: cli.text, evaluation: null, problem, fixes: [], args: deployment.args, notes: [...deployment.notes] },
  });
  if (deployment.problem !== undefined) return blank(deployment.problem);
  if (deployment.model === null) return blank("no model: the command gives neither a positional model nor --model");
  const runTime: string[] = [];
  for (const [flag, value] of Object.entries(deployment.args)) {
    if (typeof value !== "string") continue;
    const vars = unresolvedIn(value);
    if (vars.length === 0) continue;
    if (await memoryFlag(flag)) return blank(`--${flag} ${value}: ${setHint(vars)}`);
    runTime.push(flag);
  }
  // Flags that do not change memory may wait for their run-time value: left out, and said.
  if (runTime.length > 0) {
    deployment = { ...deployment, args: Object.fromEntries(Object.entries(deployment.args).filter(([k]) => !runTime.includes(k))), notes: [...deployment.notes, `set at run time, no effect on memory: ${runTime.map((k) => `--${k} ${String(deployment.args[k])}`).join(", ")}`] };
  }

  let flags: EngineFlags;
  try {
    const read = await flagsOfDeployment(deployment.args, `${deployment.file}:${deployment.line}: ${deployment.name}`, release.version, deployment.source === "vram-plan");
    // --device cpu: vLLM's CPU backend, no GPU memory to plan — a note, as `plan` says it, not a finding.
    if (read.device === "cpu") return { note: { file: deployment.file, line: deployment.line, text: `${deployment.name}: ${CPU_DEPLOYMENT_NOTE}`, kind: "cpu" } };
    flags = read.flags;
  } catch (err) {
    // vLLM's argument parser would stop the server before it plans anything.
    if (err instanceof InputError) return blank(`vLLM ${release.version} would refuse its arguments: ${err.message.replace(`${deployment.file}:${deployment.line}: ${deployment.name}: `, "")}`);
    throw err;
  }

  const written = deployment.model ?? "";
  let pending = models.get(written);
  if (!pending) {
    pending = findModel(written, settings, io);
    models.set(written, pending);
  }
  const found = await pending;
  if ("problem" in found) return blank(found.problem);

  let gpuName = deployment.gpuType ?? opts.gpu;
  let migNote: string | null = null;
  if (deployment.migSlice !== undefined && !(gpuName ?? "").includes(":") && !(gpuName === undefined && opts.gpuMemory !== undefined)) {
    // nvidia.com/mig-<slice>: the slice of the card the node label (or --gpu) names; else the one card that has it.
    const { gpusWithMigSlice } = await import("../sources/gpus.js");
    if (gpuName !== undefined) gpuName = `${gpuName}:${deployment.migSlice}`;
    else {
      const cards = gpusWithMigSlice(deployment.migSlice);
      if (cards.length !== 1) {
        return blank(`MIG slice ${deployment.migSlice}: ${cards.length ? `${cards.join(", ")} have it` : "no MIG profile has it (vram-plan gpus lists them)"}: pass --gpu <card> to say which GPU it is a slice of`, found.id);
      }
      gpuName = `${cards[0]}:${deployment.migSlice}`;
      migNote = `MIG slice ${deployment.migSlice}: only ${cards[0]} has it`;
    }
  }
  if (gpuName === undefined && opts.gpuMemory === undefined) {
    return blank("GPU type unknown: pass --gpu <id> (vram-plan gpus lists them) or --gpu-memory <size>, or give the pod a node selector vram-plan recognizes", found.id);
  }
  let gpu: GpuProfile;
  try {
    gpu = gpuFrom(gpuName === undefined ? { gpuMemory: opts.gpuMemory as string } : opts.gpuMemory === undefined ? { gpu: gpuName } : { gpu: gpuName, gpuMemory: opts.gpuMemory });
  } catch (err) {
    if ((deployment.gpuType !== null || deployment.migSlice !== undefined) && err instanceof InputError) return blank(`GPU ${deployment.gpuType} from the file: ${err.message.replace(/^--gpu \S+: /, "")}`, found.id);
    throw err;
  }

  // The file's own constraints win over the command line's, field by field.
  const target: Target = { ...cli.target, gpuCount: deployment.gpuCount };
  const text = { ...cli.text };
  const constraints = deployment.constraints;
  if (constraints.requireConcurrency) {
    target.concurrency = constraints.requireConcurrency;
    text.concurrency = constraints.requireConcurrency.len !== undefined ? `${constraints.requireConcurrency.n}@${constraints.requireConcurrency.len}` : String(constraints.requireConcurrency.n);
  }
  if (constraints.requireContext !== undefined) {
    target.context = constraints.requireContext;
    text.context = String(constraints.requireContext);
  }
  if (constraints.maxUtilization !== undefined) {
    target.maxUtilization = constraints.maxUtilization;
    text.maxUtilization = String(constraints.maxUtilization);
  }
  if (constraints.headroom !== undefined) {
    // Read as --headroom and the repository config's require.headroom are (sizeFlag); a bad one is this deployment's problem.
    let headroom: number;
    try {
      headroom = sizeFlag("require.headroom", constraints.headroom);
    } catch (err) {
      if (err instanceof InputError) return blank(err.message, found.id);
      throw err;
    }
    target.headroomBytes = headroom;
    text.headroom = constraints.headroom;
  }
  const notes = [...deployment.notes, ...release.notes, ...found.notes];
  if (flags.speculative?.model) {
    // The draft named in --speculative-config, read like the model (sources/draft-model.ts).
    const { resolveDraftModel } = await import("../sources/draft-model.js");
    notes.push(...(await resolveDraftModel(flags, { offline: opts.offline === true, env: io.env })).warnings);
  }
  if (flags.notModeledFlags?.length) notes.push(`not modeled (may change memory): ${flags.notModeledFlags.join(", ")}`);
  const gpuNote = migNote ?? (deployment.gpuType === null ? (gpuName !== undefined ? `GPU type from --gpu ${gpuName}` : `GPU from --gpu-memory ${opts.gpuMemory ?? ""}`) : null);
  return { ok: { d: deployment, input: { model: found.arch, gpu, flags }, target, text, release: release.version, model: found.id, notes, gpuNote } };
}

// ---------------------------------------------------------------------------------------------
// GPUs shared between deployments of one machine (the model: src/core/shared-gpus.ts)
// ---------------------------------------------------------------------------------------------


interface Sharer extends GpuSharer {
  p: Prepared;
}

function sharerOf(prepared: Prepared): Sharer {
  return { name: prepared.d.name, file: prepared.d.file, line: prepared.d.line, host: prepared.d.host ?? null, devices: prepared.d.devices ?? null, dependsOn: prepared.d.dependsOn ?? [], input: prepared.input, target: prepared.target, p: prepared };
}

/** The note a shared server gets, and the order fix when another start order works. */
function sharedNote(me: Sharer, verdict: SharedVerdict): { note: string; orderFix?: string } {
  const label = (q: GpuSharer): string => (q.file === me.file ? q.name : `${q.file}:${q.line} ${q.name}`);
  const sum = verdict.utilizations.reduce((a, b) => a + b, 0);
  const note =
    `shares GPU ${verdict.sharedDevices.join(", ")} with ${verdict.others.map(label).join(", ")} (utilizations ${verdict.utilizations.join(" + ")} = ${sum.toFixed(2)} of the GPU)` +
    (verdict.startedAfter.length ? `; starts after ${verdict.startedAfter.map(label).join(", ")}, holding ${gib(verdict.heldByOthersBytes)} GiB of it` : "; starts first");
  if (verdict.betterOrder) return { note, orderFix: `start them in the order ${verdict.betterOrder.map(label).join(", ")}` };
  if (verdict.fitUtilizations) {
    // The packing answer: each server's least utilization that still meets its constraints, all starting in this order.
    const fit = `--gpu-memory-utilization ${verdict.fitUtilizations.map((x) => `${x.utilization.toFixed(2)} for ${label(x.server)}`).join(", ")}`;
    return { note: `${note}; all start with ${fit} (the least each needs for its constraints)`, orderFix: `set ${fit}` };
  }
  return { note };
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

/** Plans every deployment in `files` against the constraints; InputError only for bad command-line input. */
export async function checkFiles(files: string[], o0: CheckOptions, io: Pick<Io, "env" | "stderr" | "stdin">): Promise<CheckReport> {
  const settings = await settingsFrom(files, o0);
  if (settings.files.length === 0) {
    throw new InputError("check", "check: give one or more files (compose, Kubernetes, vLLM --config YAML, shell script, Dockerfile, vram-plan deployments file), - for standard input, or files: in .vram-plan.yaml");
  }
  const { dirname, join } = await import("node:path");
  const { readInputText, readTextFile } = await import("../sources/read-file.js");
  const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
  // --gpu is checked even when every file names its own GPU: a typo is an error, not silently unused.
  if (settings.o.gpu !== undefined) (await import("../sources/gpus.js")).gpuFrom(settings.o.gpuMemory !== undefined ? { gpu: settings.o.gpu, gpuMemory: settings.o.gpuMemory } : { gpu: settings.o.gpu });
  const { readDeploymentFileWithSchemas, linkKServe, parseDotenv } = await import("../sources/deployments.js");
  const solve = await import("../core/solve.js");
  const cli = await cliTarget(settings.o, settings.require, settings.configPath);

  const report: CheckReport = { entries: [], fileNotes: [], fileErrors: [] };
  const deployments: Deployment[] = [];
  const runtimes: KServeRuntime[] = [];
  const services: KServeService[] = [];
  const dotenvByDir = new Map<string, Record<string, string> | undefined>();
  for (const file of settings.files) {
    let text: string;
    try {
      // Regular files only, up to the cap: a FIFO, /dev/zero or a directory is refused by stat first;
      // "-" (standard input, documented) is read up to the same cap.
      text = readInputText(file, MAX_DEPLOYMENT_FILE_BYTES, io.stdin);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      report.fileErrors.push(err.message);
      continue;
    }
    const name = file === "-" ? "<stdin>" : file;
    // Compose's .env beside the file, read once per directory: a directory of N files shares one.
    const envDir = file === "-" ? null : dirname(file);
    if (envDir !== null && !dotenvByDir.has(envDir)) {
      const envText = readTextFile(join(envDir, ".env"), MAX_DEPLOYMENT_FILE_BYTES, { missingOk: true });
      dotenvByDir.set(envDir, envText !== undefined ? parseDotenv(envText) : undefined);
    }
    const dotenv = envDir !== null ? dotenvByDir.get(envDir) : undefined;
    try {
      const read = await readDeploymentFileWithSchemas(name, text, dotenv ? { vars: settings.vars, dotenv } : { vars: settings.vars });
      for (const d of read.deployments) await withConfigFile(d, file, settings.vars);
      deployments.push(...read.deployments);
      runtimes.push(...read.runtimes);
      services.push(...read.services);
      for (const n of read.notes) report.fileNotes.push({ file: name, text: n });
      if (read.deployments.length === 0 && read.runtimes.length === 0 && read.services.length === 0 && read.notes.length === 0) {
        report.fileNotes.push({ file: name, text: "skipped: no vLLM deployment", kind: "skipped" });
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      report.fileErrors.push(err.message);
    }
  }
  const linked = linkKServe(runtimes, services);
  deployments.push(...linked.deployments);
  report.fileNotes.push(...linked.notes);
  // Each deployment is planned, its fixes searched and its GPU-sharing neighbors ordered: bounded so a
  // generated file of thousands of services is refused in a line instead of running for minutes.
  if (deployments.length > MAX_DEPLOYMENTS) {
    throw new InputError("check", `check: ${deployments.length} vLLM deployments in the files given, over the limit of ${MAX_DEPLOYMENTS} a run checks; split them`);
  }

  const models = new Map<string, Promise<ModelFound>>();
  const prepared: Prepared[] = [];
  const slot = new Map<Deployment, CheckEntry | Prepared>();
  for (const deployment of deployments) {
    const prep = await prepare(deployment, settings, cli, io, models);
    if ("note" in prep) report.fileNotes.push(prep.note);
    else if ("entry" in prep) slot.set(deployment, prep.entry);
    else {
      prepared.push(prep.ok);
      slot.set(deployment, prep.ok);
    }
  }
  const { sharedVerdicts, sharingGroups } = await import("../core/shared-gpus.js");
  const verdicts = new Map<Prepared, { evaluation: Evaluation; input: PlanInput; target: Target; notes: string[]; orderFix?: string }>();
  for (const group of sharingGroups(prepared.map(sharerOf), settings.o.oneHost === true)) {
    for (const [me, verdict] of sharedVerdicts(group)) {
      const shared = sharedNote(me, verdict);
      verdicts.set(me.p, { evaluation: verdict.evaluation, input: verdict.input, target: verdict.target, notes: [shared.note], ...(shared.orderFix ? { orderFix: shared.orderFix } : {}) });
    }
  }

  for (const deployment of deployments) {
    const slotEntry = slot.get(deployment);
    if (!slotEntry) continue;
    if (!("input" in slotEntry)) {
      report.entries.push(slotEntry);
      continue;
    }
    const prepared = slotEntry;
    const shared = verdicts.get(prepared);
    let evaluation = shared?.evaluation ?? solve.evaluate(prepared.input, prepared.target);
    const fixes = evaluation.ok ? [] : solve.findFixes(shared?.input ?? prepared.input, shared?.target ?? prepared.target, evaluation);
    const notes = [...prepared.notes, ...(shared?.notes ?? [])];
    // The container's own memory limit and /dev/shm against the host memory vLLM needs (issue #15.4).
    const host = evaluation.plan.host;
    if (deployment.limits && host) {
      const { hostFindings } = await import("../core/host-limits.js");
      const hf = hostFindings(host, deployment.limits);
      if (hf.errors.length > 0) evaluation = { ...evaluation, ok: false, failures: [...evaluation.failures, ...hf.errors.map((finding) => ({ kind: "host" as const, finding }))] };
      if (hf.requestBelow) notes.push(`${hf.requestBelow.where} ${hf.requestBelow.text ?? ""} is below the ${gib(hf.requestBelow.need)} GiB of host memory vLLM needs: the pod may be scheduled on a node without it`);
    }
    if (deployment.gpuCount === null) notes.push(`GPU count not given: assumed ${evaluation.gpusUsed} (tensor × pipeline × data parallel)`);
    else if (deployment.gpuCount > evaluation.gpusUsed) notes.push(`${deployment.gpuCount} GPUs given, vLLM uses ${evaluation.gpusUsed}`);
    if (prepared.gpuNote) notes.push(prepared.gpuNote);
    const entry: CheckEntry = {
      file: deployment.file,
      line: deployment.line,
      name: deployment.name,
      model: prepared.model,
      gpu: { id: prepared.input.gpu.id, name: prepared.input.gpu.name, cudaTotalBytes: prepared.input.gpu.cudaTotalBytes },
      gpuCount: deployment.gpuCount,
      release: prepared.release,
      target: prepared.target,
      targetText: prepared.text,
      evaluation,
      problem: null,
      fixes,
      args: deployment.args,
      notes,
    };
    if (shared?.orderFix) entry.orderFix = shared.orderFix;
    report.entries.push(entry);
  }
  return report;
}

/**
 * `vllm serve --config FILE`: the file's flags under the command line's (vLLM's rule: the command line
 * wins), read relative to the deployment's file when it is there; otherwise a note says they are missing.
 */
async function withConfigFile(deployment: Deployment, file: string, vars: Record<string, string>): Promise<void> {
  const cfg = deployment.args["config"];
  if (typeof cfg !== "string") return;
  const { dirname, resolve } = await import("node:path");
  const { readTextFile } = await import("../sources/read-file.js");
  const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
  const path = file === "-" ? cfg : resolve(dirname(file), cfg);
  const { readDeploymentFileWithSchemas } = await import("../sources/deployments.js");
  let from: Deployment | undefined;
  try {
    const text = readTextFile(path, MAX_DEPLOYMENT_FILE_BYTES, { missingOk: true });
    if (text === undefined) {
      deployment.notes.push(`--config ${cfg} is not beside the file: its flags are missing here`);
      return;
    }
    from = (await readDeploymentFileWithSchemas(cfg, text, { vars })).deployments.find((x) => x.source === "vllm-config");
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    deployment.notes.push(`--config ${cfg}: ${err.message}`);
    return;
  }
  if (!from) {
    deployment.notes.push(`--config ${cfg} is not a vLLM config file`);
    return;
  }
  const { config: _c, ...own } = deployment.args;
  deployment.args = { ...from.args, ...own };
  deployment.model ??= from.model;
  deployment.notes.push(`flags of --config ${cfg} read (the command line's win)`);
}

/** The check command: plans, renders in the chosen format, returns the outcome. */
export async function checkCommand(files: string[], opts: CheckOptions, io: Io): Promise<Outcome> {
  // An unreadable --vllm-version is bad input for the whole run (exit 2), not a per-deployment "vLLM banana would refuse".
  if (opts.vllmVersion !== undefined) (await import("../sources/vllm-flags.js")).checkedRelease(opts.vllmVersion);
  const report = await checkFiles(files, opts, io);
  const fmt = outputFormat(opts);
  const render = await import("../render/check.js");
  if (fmt === "json") io.stdout(render.renderCheckJson(report));
  else if (fmt === "markdown") io.stdout(render.renderCheckMarkdown(report));
  else if (fmt === "html") io.stdout((await import("../render/html.js")).renderCheckHtml(report));
  else {
    const { colors } = await import("../render/colors.js");
    const { outputColumns } = await import("../render/format.js");
    io.stdout(render.renderCheckTable(report, await colors(colorWanted(opts, io)), outputColumns(io.env)));
  }
  const { errorLines, outputColumns } = await import("../render/format.js");
  for (const e of report.fileErrors) io.stderr(`${errorLines(e, undefined, outputColumns(io.env)).join("\n")}\n`);
  const { checkOutcome } = await import("../core/exit.js");
  const { checkFoundNothing } = await import("../core/check.js");
  if (checkFoundNothing(report)) io.stderr("vram-plan: no vLLM deployment in any file given\n");
  return checkOutcome(report);
}
