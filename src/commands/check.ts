// `vram-plan check <file...>`: reads vLLM deployments out of files (compose, Kubernetes, vLLM
// --config YAML, shell scripts, Dockerfiles, vram-plan's own deployments file), plans each, checks
// its constraints, and exits 0 (all start and meet them), 1 (some do not: each named with its
// reason and fix) or 2 (unreadable or invalid input: file and line named).
// Loaded only when check runs (src/cli/subcommands.ts imports it in the action).
import { colorWanted, type Io } from "./io.js";
import type { Deployment, KServeRuntime, KServeService } from "../sources/deployments.js";
import type { CheckEntry, CheckReport } from "../core/check.js";
import type { Outcome } from "../core/exit.js";
import type { Evaluation, Target } from "../core/solve.js";
import type { EngineFlags, GpuProfile, ModelArch, PlanInput } from "../core/types.js";
import type { GpuSharer, SharedVerdict } from "../core/shared-gpus.js";
import { InputError } from "../errors.js";
import { MAX_BYTES, MAX_DEPLOYMENTS, MAX_TOKENS, excerpt } from "../limits.js";

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

function withWhere(e: unknown, where: string): never {
  if (e instanceof InputError) {
    const msg = e.message.startsWith(where) ? e.message : `${where}: ${e.message}`;
    throw new InputError(e.subject, msg);
  }
  throw e;
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
  } catch (e) {
    withWhere(e, where);
  }
}

// ---------------------------------------------------------------------------------------------
// Constraints
// ---------------------------------------------------------------------------------------------

/** "N" or "N@LEN" (LEN like vLLM's --max-model-len: 8k = 8000, 8K = 8192). */
export async function parseConcurrency(text: string, subject: string): Promise<{ n: number; len?: number }> {
  const { parseTokens } = await import("../units.js");
  const m = /^\s*(\d+)\s*(?:@\s*(\S+)\s*)?$/.exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  const len = m?.[2] !== undefined ? parseTokens(m[2]) : undefined;
  // Both counts bounded like vLLM's token flags (src/limits.ts MAX_TOKENS): 1e20 sequences is a typo.
  if (!m || !(n >= 1) || n > MAX_TOKENS || len === null || (len !== undefined && (len < 1 || len > MAX_TOKENS))) {
    throw new InputError(subject, `${subject}: expected N or N@LEN such as 32 or 32@8k, got '${excerpt(text)}'`);
  }
  return len === undefined ? { n } : { n, len };
}

interface CliTarget {
  target: Target;
  text: CheckEntry["targetText"];
}

async function cliTarget(o: CheckOptions): Promise<CliTarget> {
  const { parseTokens, parseSize } = await import("../units.js");
  const { fractionFlag } = await import("../sources/flag-values.js");
  const target: Target = {};
  const text: CheckEntry["targetText"] = {};
  if (o.requireConcurrency !== undefined) {
    target.concurrency = await parseConcurrency(o.requireConcurrency, "--require-concurrency");
    text.concurrency = o.requireConcurrency;
  }
  if (o.requireContext !== undefined) {
    const c = parseTokens(o.requireContext);
    if (c === null || c < 1) throw new InputError("--require-context", `--require-context: expected a token count such as 32768, 32k (32000) or 32K (32768), got '${excerpt(o.requireContext)}'`);
    target.context = c;
    text.context = o.requireContext;
  }
  if (o.maxUtilization !== undefined) {
    target.maxUtilization = fractionFlag("--max-utilization", o.maxUtilization);
    text.maxUtilization = o.maxUtilization;
  }
  if (o.headroom !== undefined) {
    const h = parseSize(o.headroom);
    if (h === null || h > MAX_BYTES) throw new InputError("--headroom", `--headroom: expected a size such as 2GiB, 2GB or 512MiB, got '${excerpt(o.headroom)}'`);
    target.headroomBytes = h;
    text.headroom = o.headroom;
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
    const k = eq > 0 ? item.slice(0, eq).trim() : "";
    if (eq <= 0 || !key.test(k) || item.slice(eq + 1).trim() === "") throw new InputError(flag, `${flag}: expected ${what}, got '${excerpt(item)}'`);
    out.set(k, item.slice(eq + 1).trim());
  }
  return out;
}

interface Settings {
  o: CheckOptions;
  files: string[];
  vars: Record<string, string>;
  modelMap: Map<string, string>;
  configPath: string | null;
}

async function settingsFrom(files: string[], o: CheckOptions): Promise<Settings> {
  const rc = await import("../sources/repo-config.js");
  const configPath = o.config === false ? null : typeof o.config === "string" ? o.config : rc.findRepoConfig(process.cwd());
  const cfg = configPath ? await rc.readRepoConfig(configPath) : {};
  const { dirname } = await import("node:path");
  const merged: CheckOptions = { ...o };
  merged.gpu ??= cfg.gpu;
  merged.gpuMemory ??= cfg.gpuMemory;
  merged.vllmVersion ??= cfg.vllmVersion;
  merged.oneHost ??= cfg.oneHost;
  if (cfg.offline === true) merged.offline ??= true;
  const req = cfg.require;
  if (req) {
    if (req.concurrency !== undefined) merged.requireConcurrency ??= String(req.concurrency);
    if (req.context !== undefined) merged.requireContext ??= String(req.context);
    if (req.maxUtilization !== undefined) merged.maxUtilization ??= String(req.maxUtilization);
    if (req.headroom !== undefined) merged.headroom ??= req.headroom;
  }
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.set ?? {})) vars[k] = String(v);
  for (const [k, v] of pairs(o.set, "--set", "NAME=VALUE such as LLM_MODEL_ID=Qwen/Qwen3-8B", /^[A-Za-z_][A-Za-z0-9_]*$/)) vars[k] = v;
  const modelMap = new Map<string, string>(Object.entries(cfg.modelMap ?? {}));
  for (const [k, v] of pairs(o.modelMap, "--model-map", "PATH=ID such as /models/llama=meta-llama/Llama-3.1-8B-Instruct", /\S/)) modelMap.set(k, v);
  let list = files;
  if (list.length === 0 && cfg.files && configPath) list = rc.expandFilePatterns(cfg.files, dirname(configPath));
  list = rc.expandDirectories(list);
  return { o: merged, files: list, vars, modelMap, configPath };
}

// ---------------------------------------------------------------------------------------------
// Releases: per deployment, from its image tag
// ---------------------------------------------------------------------------------------------

export interface ImageRelease {
  /** "X.Y.Z" the tag pins, or null. */
  version: string | null;
  /** latest / nightly / no tag of a vLLM image. */
  latest: boolean;
  /** The image is a vLLM server image (its name says vllm). */
  vllm: boolean;
  tag: string | null;
}

/**
 * What an image reference says about its vLLM release: vllm/vllm-openai:v0.11.0 (any registry), a
 * `vllm` image tagged with a version, `v0.7.0-cuda…` tags; latest / nightly / untagged vLLM images.
 */
export function imageRelease(image: string | null | undefined): ImageRelease {
  const none: ImageRelease = { version: null, latest: false, vllm: false, tag: null };
  if (!image) return none;
  const m = /^(.*?)(?::([^:@/]+))?(?:@sha256:[0-9a-f]+)?$/i.exec(image.trim());
  const repo = m?.[1] ?? image;
  const tag = m?.[2] ?? null;
  const last = repo.split("/").pop() ?? repo;
  const vllm = /vllm/i.test(last);
  if (!vllm) return { ...none, tag };
  if (tag === null && /@sha256:/i.test(image)) return { version: null, latest: false, vllm, tag }; // pinned by digest: release unknown
  if (tag === null || /^(latest|nightly|main)$/i.test(tag)) return { version: null, latest: true, vllm, tag };
  const v = /^v(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag) ?? (/^(vllm-openai|vllm)$/i.test(last) ? /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag) : null);
  return v ? { version: `${v[1]}.${v[2]}.${v[3] ?? "0"}`, latest: false, vllm, tag } : { version: null, latest: false, vllm, tag };
}

async function releaseFor(d: Deployment, o: CheckOptions): Promise<{ version: string; notes: string[] }> {
  const { NEWEST_MODELED, OLDEST_MODELED, rulesFor, parseVersion } = await import("../core/vllm-versions.js");
  const r = imageRelease(d.image);
  if (r.version !== null) {
    if (parseVersion(r.version) && !rulesFor(r.version)) {
      return { version: OLDEST_MODELED, notes: [`image ${d.image} is vLLM ${r.version}, older than the oldest release modeled (${OLDEST_MODELED}): planned with ${OLDEST_MODELED}'s rules, which may differ`] };
    }
    return { version: r.version, notes: [] };
  }
  if (o.vllmVersion !== undefined) return { version: o.vllmVersion, notes: [] };
  if (r.latest) {
    const how = r.tag !== null ? "" : " (untagged)";
    return { version: NEWEST_MODELED, notes: [`image ${d.image}${how}: planned as vLLM ${NEWEST_MODELED}, the newest release modeled (--vllm-version to choose)`] };
  }
  if (d.image) return { version: NEWEST_MODELED, notes: [`image ${d.image} does not say its vLLM release: planned as ${NEWEST_MODELED}, the newest modeled (--vllm-version to choose)`] };
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
  const q = name.toLowerCase();
  if (q === "" || q === "models" || q.includes("$")) return null;
  const { catalog } = await import("../sources/catalog.js");
  const hit = catalog().find((e) => (e.hfId.split("/")[1] ?? "").toLowerCase() === q);
  if (hit) return hit.hfId;
  const { cachedModels } = await import("../sources/hf-cache.js");
  const cached = cachedModels(env).find(([, repo]) => repo.toLowerCase() === q);
  return cached ? `${cached[0]}/${cached[1]}` : null;
}

async function findModel(written: string, s: Settings, io: Pick<Io, "env">): Promise<ModelFound> {
  const { resolveModel, pathExists } = await import("../sources/resolve-model.js");
  const notes: string[] = [];
  let name = written;
  const mapped = s.modelMap.get(written) ?? s.modelMap.get(written.replace(/\/+$/, ""));
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
    const pathLike = /^[./~]/.test(name) || name.split("/").length > 2 || vars.length > 0;
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
    const m = await resolveModel(name, { offline: s.o.offline === true, env: io.env });
    return { arch: m.arch, id: name, notes: [...notes, ...m.warnings] };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // A relative path that is not here (models/Qwen3-8B) also looks like a Hugging Face id.
    if (name === written && /^[\w.-]+\/[\w.-]+$/.test(name)) {
      const id = await modelByName(lastComponent(name), io.env);
      if (id !== null && id !== name) {
        try {
          const m = await resolveModel(id, { offline: s.o.offline === true, env: io.env });
          return { arch: m.arch, id, notes: [`model ${written} is neither here nor a model on the Hub: planned as ${id}, named like its last component (--model-map ${written}=ID to choose another)`, ...m.warnings] };
        } catch {
          // fall through to the original error
        }
      }
    }
    return { problem: e.message.replace(/^--model /, "model ") };
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

/** The note of a deployment whose vLLM runs on the CPU (render/check.ts counts them by it). */
export const CPU_DEPLOYMENT_NOTE = "vLLM runs on the CPU here (--device cpu): not a GPU deployment, nothing to plan";

/** Planned, refused with a problem, or not a GPU deployment at all (a note of its file). */
type Prep = { ok: Prepared } | { entry: CheckEntry } | { note: { file: string; line: number; text: string } };

/** Flags whose value changes memory: a run-time variable left in one of them stops the plan. */
async function memoryFlag(key: string): Promise<boolean> {
  const { vllmArg } = await import("../core/vllm-args.js");
  return vllmArg(key.split(".")[0] ?? key)?.effect !== "neutral";
}

async function prepare(d0: Deployment, s: Settings, cli: CliTarget, io: Pick<Io, "env">, models: Map<string, Promise<ModelFound>>): Promise<Prep> {
  const { gpuFrom } = await import("../sources/gpus.js");
  const { parseSize } = await import("../units.js");
  const { unresolvedIn } = await import("../sources/deployments.js");
  const o = s.o;
  let d = d0;
  const release = await releaseFor(d, o);
  const blank = (problem: string, model = d.model ?? "(none)"): Prep => ({
    entry: { file: d.file, line: d.line, name: d.name, model, gpu: null, gpuCount: d.gpuCount, release: null, target: cli.target, targetText: cli.text, evaluation: null, problem, fixes: [], args: d.args, notes: [...d.notes] },
  });
  if (d.problem !== undefined) return blank(d.problem);
  if (d.model === null) return blank("no model: the command gives neither a positional model nor --model");
  const runTime: string[] = [];
  for (const [k, v] of Object.entries(d.args)) {
    if (typeof v !== "string") continue;
    const vars = unresolvedIn(v);
    if (vars.length === 0) continue;
    if (await memoryFlag(k)) return blank(`--${k} ${v}: ${setHint(vars)}`);
    runTime.push(k);
  }
  // Flags that do not change memory may wait for their run-time value: left out, and said.
  if (runTime.length > 0) {
    d = { ...d, args: Object.fromEntries(Object.entries(d.args).filter(([k]) => !runTime.includes(k))), notes: [...d.notes, `set at run time, no effect on memory: ${runTime.map((k) => `--${k} ${String(d.args[k])}`).join(", ")}`] };
  }

  let flags: EngineFlags;
  try {
    const read = await flagsOfDeployment(d.args, `${d.file}:${d.line}: ${d.name}`, release.version, d.source === "vram-plan");
    // --device cpu: vLLM's CPU backend, no GPU memory to plan — a note, as `plan` says it, not a finding.
    if (read.device === "cpu") return { note: { file: d.file, line: d.line, text: `${d.name}: ${CPU_DEPLOYMENT_NOTE}` } };
    flags = read.flags;
  } catch (e) {
    // vLLM's argument parser would stop the server before it plans anything.
    if (e instanceof InputError) return blank(`vLLM ${release.version} would refuse its arguments: ${e.message.replace(`${d.file}:${d.line}: ${d.name}: `, "")}`);
    throw e;
  }

  const written = d.model ?? "";
  let pending = models.get(written);
  if (!pending) {
    pending = findModel(written, s, io);
    models.set(written, pending);
  }
  const found = await pending;
  if ("problem" in found) return blank(found.problem);

  let gpuName = d.gpuType ?? o.gpu;
  let migNote: string | null = null;
  if (d.migSlice !== undefined && !(gpuName ?? "").includes(":") && !(gpuName === undefined && o.gpuMemory !== undefined)) {
    // nvidia.com/mig-<slice>: the slice of the card the node label (or --gpu) names; else the one card that has it.
    const { gpusWithMigSlice } = await import("../sources/gpus.js");
    if (gpuName !== undefined) gpuName = `${gpuName}:${d.migSlice}`;
    else {
      const cards = gpusWithMigSlice(d.migSlice);
      if (cards.length !== 1) {
        return blank(`MIG slice ${d.migSlice}: ${cards.length ? `${cards.join(", ")} have it` : "no MIG profile has it (vram-plan gpus lists them)"}: pass --gpu <card> to say which GPU it is a slice of`, found.id);
      }
      gpuName = `${cards[0]}:${d.migSlice}`;
      migNote = `MIG slice ${d.migSlice}: only ${cards[0]} has it`;
    }
  }
  if (gpuName === undefined && o.gpuMemory === undefined) {
    return blank("GPU type unknown: pass --gpu <id> (vram-plan gpus lists them) or --gpu-memory <size>, or give the pod a node selector vram-plan recognizes", found.id);
  }
  let gpu: GpuProfile;
  try {
    gpu = gpuFrom(gpuName === undefined ? { gpuMemory: o.gpuMemory as string } : o.gpuMemory === undefined ? { gpu: gpuName } : { gpu: gpuName, gpuMemory: o.gpuMemory });
  } catch (e) {
    if ((d.gpuType !== null || d.migSlice !== undefined) && e instanceof InputError) return blank(`GPU ${d.gpuType} from the file: ${e.message.replace(/^--gpu \S+: /, "")}`, found.id);
    throw e;
  }

  // The file's own constraints win over the command line's, field by field.
  const target: Target = { ...cli.target, gpuCount: d.gpuCount };
  const text = { ...cli.text };
  const c = d.constraints;
  if (c.requireConcurrency) {
    target.concurrency = c.requireConcurrency;
    text.concurrency = c.requireConcurrency.len !== undefined ? `${c.requireConcurrency.n}@${c.requireConcurrency.len}` : String(c.requireConcurrency.n);
  }
  if (c.requireContext !== undefined) {
    target.context = c.requireContext;
    text.context = String(c.requireContext);
  }
  if (c.maxUtilization !== undefined) {
    target.maxUtilization = c.maxUtilization;
    text.maxUtilization = String(c.maxUtilization);
  }
  if (c.headroom !== undefined) {
    const h = parseSize(c.headroom);
    if (h === null) return blank(`require.headroom: expected a size such as 2GiB, got '${c.headroom}'`, found.id);
    target.headroomBytes = h;
    text.headroom = c.headroom;
  }
  const notes = [...d.notes, ...release.notes, ...found.notes];
  if (flags.speculative?.model) {
    // The draft named in --speculative-config, read like the model (sources/draft-model.ts).
    const { resolveDraftModel } = await import("../sources/draft-model.js");
    notes.push(...(await resolveDraftModel(flags, { offline: o.offline === true, env: io.env })).warnings);
  }
  if (flags.notModeledFlags?.length) notes.push(`not modeled (may change memory): ${flags.notModeledFlags.join(", ")}`);
  const gpuNote = migNote ?? (d.gpuType === null ? (gpuName !== undefined ? `GPU type from --gpu ${gpuName}` : `GPU from --gpu-memory ${o.gpuMemory ?? ""}`) : null);
  return { ok: { d, input: { model: found.arch, gpu, flags }, target, text, release: release.version, model: found.id, notes, gpuNote } };
}

// ---------------------------------------------------------------------------------------------
// GPUs shared between deployments of one machine (the model: src/core/shared-gpus.ts)
// ---------------------------------------------------------------------------------------------

const gibText = (b: number): string => (b / 2 ** 30).toFixed(2);

interface Sharer extends GpuSharer {
  p: Prepared;
}

function sharerOf(p: Prepared): Sharer {
  return { name: p.d.name, file: p.d.file, line: p.d.line, host: p.d.host ?? null, devices: p.d.devices ?? null, dependsOn: p.d.dependsOn ?? [], input: p.input, target: p.target, p };
}

/** The note a shared server gets, and the order fix when another start order works. */
function sharedNote(me: Sharer, v: SharedVerdict): { note: string; orderFix?: string } {
  const label = (q: GpuSharer): string => (q.file === me.file ? q.name : `${q.file}:${q.line} ${q.name}`);
  const sum = v.utilizations.reduce((a, b) => a + b, 0);
  const note =
    `shares GPU ${v.sharedDevices.join(", ")} with ${v.others.map(label).join(", ")} (utilizations ${v.utilizations.join(" + ")} = ${sum.toFixed(2)} of the GPU)` +
    (v.startedAfter.length ? `; starts after ${v.startedAfter.map(label).join(", ")}, holding ${gibText(v.heldByOthersBytes)} GiB of it` : "; starts first");
  if (v.betterOrder) return { note, orderFix: `start them in the order ${v.betterOrder.map(label).join(", ")}` };
  if (v.fitUtilizations) {
    // The packing answer: each server's least utilization that still meets its constraints, all starting in this order.
    const fit = `--gpu-memory-utilization ${v.fitUtilizations.map((x) => `${x.utilization.toFixed(2)} for ${label(x.server)}`).join(", ")}`;
    return { note: `${note}; all start with ${fit} (the least each needs for its constraints)`, orderFix: `set ${fit}` };
  }
  return { note };
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

async function readInput(file: string, io: Pick<Io, "stdin">): Promise<string> {
  // Regular files only, up to the cap: a FIFO, /dev/zero or a directory is refused by stat first;
  // "-" (standard input, documented) is read up to the same cap.
  const { readStdinText, readTextFile } = await import("../sources/read-file.js");
  const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
  if (file === "-") return io.stdin !== undefined ? io.stdin() : readStdinText(MAX_DEPLOYMENT_FILE_BYTES);
  return readTextFile(file, MAX_DEPLOYMENT_FILE_BYTES) as string;
}

/** KEY=VALUE lines of a compose .env file (quotes removed, `#` comments after unquoted values dropped). */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[2] ?? "";
    const q = v[0];
    if ((q === '"' || q === "'") && v.indexOf(q, 1) > 0) v = v.slice(1, v.indexOf(q, 1));
    else v = v.replace(/\s+#.*$/, "").trim();
    out[m[1]!] = v;
  }
  return out;
}

/** Plans every deployment in `files` against the constraints; InputError only for bad command-line input. */
export async function checkFiles(files: string[], o0: CheckOptions, io: Pick<Io, "env" | "stderr" | "stdin">): Promise<CheckReport> {
  const s = await settingsFrom(files, o0);
  if (s.files.length === 0) {
    throw new InputError("check", "check: give one or more files (compose, Kubernetes, vLLM --config YAML, shell script, Dockerfile, vram-plan deployments file), - for standard input, or files: in .vram-plan.yaml");
  }
  const { dirname, join } = await import("node:path");
  const { readTextFile } = await import("../sources/read-file.js");
  const { MAX_DEPLOYMENT_FILE_BYTES } = await import("../limits.js");
  // --gpu is checked even when every file names its own GPU: a typo is an error, not silently unused.
  if (s.o.gpu !== undefined) (await import("../sources/gpus.js")).gpuFrom(s.o.gpuMemory !== undefined ? { gpu: s.o.gpu, gpuMemory: s.o.gpuMemory } : { gpu: s.o.gpu });
  const { readDeploymentFileWithSchemas, linkKServe } = await import("../sources/deployments.js");
  const solve = await import("../core/solve.js");
  const cli = await cliTarget(s.o);

  const report: CheckReport = { entries: [], fileNotes: [], fileErrors: [] };
  const deployments: Deployment[] = [];
  const runtimes: KServeRuntime[] = [];
  const services: KServeService[] = [];
  for (const file of s.files) {
    let text: string;
    try {
      text = await readInput(file, io);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      report.fileErrors.push(e.message);
      continue;
    }
    const name = file === "-" ? "<stdin>" : file;
    const envFile = file === "-" ? null : join(dirname(file), ".env");
    const envText = envFile !== null ? readTextFile(envFile, MAX_DEPLOYMENT_FILE_BYTES, { missingOk: true }) : undefined;
    const dotenv = envText !== undefined ? parseDotenv(envText) : undefined;
    try {
      const r = await readDeploymentFileWithSchemas(name, text, dotenv ? { vars: s.vars, dotenv } : { vars: s.vars });
      for (const d of r.deployments) await withConfigFile(d, file, s.vars);
      deployments.push(...r.deployments);
      runtimes.push(...r.runtimes);
      services.push(...r.services);
      for (const n of r.notes) report.fileNotes.push({ file: name, text: n });
      if (r.deployments.length === 0 && r.runtimes.length === 0 && r.services.length === 0 && r.notes.length === 0) {
        report.fileNotes.push({ file: name, text: "skipped: no vLLM deployment" });
      }
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      report.fileErrors.push(e.message);
    }
  }
  const k = linkKServe(runtimes, services);
  deployments.push(...k.deployments);
  report.fileNotes.push(...k.notes);
  // Each deployment is planned, its fixes searched and its GPU-sharing neighbors ordered: bounded so a
  // generated file of thousands of services is refused in a line instead of running for minutes.
  if (deployments.length > MAX_DEPLOYMENTS) {
    throw new InputError("check", `check: ${deployments.length} vLLM deployments in the files given, over the limit of ${MAX_DEPLOYMENTS} a run checks; split them`);
  }

  const models = new Map<string, Promise<ModelFound>>();
  const prepared: Prepared[] = [];
  const slot = new Map<Deployment, CheckEntry | Prepared>();
  for (const d of deployments) {
    const p = await prepare(d, s, cli, io, models);
    if ("note" in p) report.fileNotes.push(p.note);
    else if ("entry" in p) slot.set(d, p.entry);
    else {
      prepared.push(p.ok);
      slot.set(d, p.ok);
    }
  }
  const { sharedVerdicts, sharingGroups } = await import("../core/shared-gpus.js");
  const verdicts = new Map<Prepared, { evaluation: Evaluation; input: PlanInput; target: Target; notes: string[]; orderFix?: string }>();
  for (const g of sharingGroups(prepared.map(sharerOf), s.o.oneHost === true)) {
    for (const [me, v] of sharedVerdicts(g)) {
      const n = sharedNote(me, v);
      verdicts.set(me.p, { evaluation: v.evaluation, input: v.input, target: v.target, notes: [n.note], ...(n.orderFix ? { orderFix: n.orderFix } : {}) });
    }
  }

  for (const d of deployments) {
    const x = slot.get(d);
    if (!x) continue;
    if (!("input" in x)) {
      report.entries.push(x);
      continue;
    }
    const p = x;
    const shared = verdicts.get(p);
    let evaluation = shared?.evaluation ?? solve.evaluate(p.input, p.target);
    const fixes = evaluation.ok ? [] : solve.findFixes(shared?.input ?? p.input, shared?.target ?? p.target, evaluation);
    const notes = [...p.notes, ...(shared?.notes ?? [])];
    // The container's own memory limit and /dev/shm against the host memory vLLM needs (issue #15.4).
    const host = evaluation.plan.host;
    if (d.limits && host) {
      const { hostFindings } = await import("../core/host-limits.js");
      const hf = hostFindings(host, d.limits);
      if (hf.errors.length > 0) evaluation = { ...evaluation, ok: false, failures: [...evaluation.failures, ...hf.errors.map((finding) => ({ kind: "host" as const, finding }))] };
      if (hf.requestBelow) notes.push(`${hf.requestBelow.where} ${hf.requestBelow.text ?? ""} is below the ${gibText(hf.requestBelow.need)} GiB of host memory vLLM needs: the pod may be scheduled on a node without it`);
    }
    if (d.gpuCount === null) notes.push(`GPU count not given: assumed ${evaluation.gpusUsed} (tensor × pipeline × data parallel)`);
    else if (d.gpuCount > evaluation.gpusUsed) notes.push(`${d.gpuCount} GPUs given, vLLM uses ${evaluation.gpusUsed}`);
    if (p.gpuNote) notes.push(p.gpuNote);
    const entry: CheckEntry = {
      file: d.file,
      line: d.line,
      name: d.name,
      model: p.model,
      gpu: { id: p.input.gpu.id, name: p.input.gpu.name, cudaTotalBytes: p.input.gpu.cudaTotalBytes },
      gpuCount: d.gpuCount,
      release: p.release,
      target: p.target,
      targetText: p.text,
      evaluation,
      problem: null,
      fixes,
      args: d.args,
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
async function withConfigFile(d: Deployment, file: string, vars: Record<string, string>): Promise<void> {
  const cfg = d.args["config"];
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
      d.notes.push(`--config ${cfg} is not beside the file: its flags are missing here`);
      return;
    }
    from = (await readDeploymentFileWithSchemas(cfg, text, { vars })).deployments.find((x) => x.source === "vllm-config");
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    d.notes.push(`--config ${cfg}: ${e.message}`);
    return;
  }
  if (!from) {
    d.notes.push(`--config ${cfg} is not a vLLM config file`);
    return;
  }
  const { config: _c, ...own } = d.args;
  d.args = { ...from.args, ...own };
  d.model ??= from.model;
  d.notes.push(`flags of --config ${cfg} read (the command line's win)`);
}

/** The check command: plans, renders in the chosen format, returns the outcome. */
export async function checkCommand(files: string[], o: CheckOptions, io: Io): Promise<Outcome> {
  const report = await checkFiles(files, o, io);
  const fmt = o.json ? "json" : (o.format ?? "table");
  const r = await import("../render/check.js");
  if (fmt === "json") io.stdout(r.renderCheckJson(report));
  else if (fmt === "markdown") io.stdout(r.renderCheckMarkdown(report));
  else if (fmt === "html") io.stdout((await import("../render/html.js")).renderCheckHtml(report));
  else {
    const { colors } = await import("../render/colors.js");
    const { outputColumns } = await import("../render/format.js");
    io.stdout(r.renderCheckTable(report, await colors(colorWanted(o, io)), outputColumns(io.env)));
  }
  const { errorLines, outputColumns } = await import("../render/format.js");
  for (const e of report.fileErrors) io.stderr(`${errorLines(e, undefined, outputColumns(io.env)).join("\n")}\n`);
  // A file whose only vLLM runs on the CPU is understood (exit 0 with its note), not "no deployment".
  const cpuOnly = report.fileNotes.some((f) => f.text.endsWith(CPU_DEPLOYMENT_NOTE));
  const none = report.entries.length === 0 && report.fileErrors.length === 0 && !cpuOnly;
  if (none) io.stderr("vram-plan: no vLLM deployment in any file given\n");
  return { command: "check", entries: report.entries, broken: report.fileErrors.length > 0 || none };
}
