// Reading vLLM deployments out of files: picks the format from the file's name and content and
// hands it to its reader in src/sources/deployments/ (compose, kubernetes, shell, dockerfile,
// vllm-config, vram-plan). Pure on text: the command reads the file and passes path and contents.
import { LineCounter, type Document } from "yaml";
import { ShellSyntaxError } from "./vllm-argv.js";
import { positionAt } from "./text-position.js";
import { JsonSyntaxError, jsonFault, notJsonMessage } from "./python-json.js";
import { InputError } from "../errors.js";
import { normalizeFlagName } from "./vllm-flags.js";
import { isVllmArgName } from "./vllm-flags.js";
import { resetExpansionBudget } from "./deployments/common.js";
import { Ctx, baseName, rec, type Deployment, type Json, type ReadOptions } from "./deployments/common.js";
import { parseYaml, parseYamlDocuments, yamlLimitProblem, yamlTooLarge, yamlValue, type YamlFile } from "./deployments/yaml.js";
import { readCompose } from "./deployments/compose.js";
import { readDockerfile } from "./deployments/dockerfile.js";
import { linkKServe, readKubernetes, type KServeRuntime, type KServeService } from "./deployments/kubernetes.js";
import { readShell } from "./deployments/shell.js";
import { markdownShellText } from "./deployments/markdown.js";
import { readVllmConfig } from "./deployments/vllm-config.js";
import { VramPlanSchemaNotLoaded, loadVramPlanSchema, readVramPlan } from "./deployments/vram-plan.js";

export type { Deployment, DeploymentConstraints, DeploymentSource, ReadOptions } from "./deployments/common.js";
export { unresolvedIn } from "./deployments/common.js";
export { linkKServe, type KServeRuntime, type KServeService } from "./deployments/kubernetes.js";
export { parseDotenv } from "./deployments/compose.js";
export { gpuIdFromLabel, gpuLabelKeys } from "./deployments/gpu-labels.js";
export { vllmConfigToArgv } from "./deployments/vllm-config.js";
export { parseTokenCount } from "./deployments/vram-plan.js";
export type { VramPlanFile } from "./deployments/vram-plan-schema.js";

export type DeploymentFormat = "vram-plan" | "compose" | "kubernetes" | "vllm-config" | "dockerfile" | "shell";

const GENERIC_KEYS = new Set(["host", "port", "api-key", "seed", "config", "uvicorn-log-level", "model"]);

function looksLikeVllmConfig(js: Record<string, Json>): boolean {
  const keys = Object.keys(js);
  if (keys.length === 0) return false;
  if (!keys.every((k) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(k))) return false;
  const norm = keys.map(normalizeFlagName);
  const engine = norm.some((k) => !GENERIC_KEYS.has(k) && isVllmArgName(k));
  // vLLM turns every key of a --config file into a flag and its parser refuses unknown ones
  // (vllm/utils/argparse_utils.py FlexibleArgumentParser.load_config_file), so a real config is
  // mostly vLLM's keys: at least half of them, which keeps a misspelled config (then refused flag by
  // flag) and drops JSON that merely has a "device" or "seed" key (fixtures/nvidia-smi/torch_totals.json).
  const known = norm.filter((k) => isVllmArgName(k) || GENERIC_KEYS.has(k)).length;
  if (known * 2 < norm.length) return false;
  // Only generic keys (model, port, ...): accept when there is a model and nothing unknown.
  const onlyKnown = known === norm.length;
  return engine || (typeof js.model === "string" && onlyKnown);
}

function isDockerfileName(path: string): boolean {
  const name = baseName(path).toLowerCase();
  return name === "dockerfile" || name === "containerfile" || name.startsWith("dockerfile.") || name.endsWith(".dockerfile") || name.endsWith(".containerfile");
}

function yamlFormat(docs: readonly Document.Parsed[]): DeploymentFormat | null {
  const values = docs.map((d) => d.toJS({ maxAliasCount: 1000 }) as Json);
  const maps = values.map(rec).filter((m): m is Record<string, Json> => m !== null);
  if (maps.some((m) => "deployments" in m)) return "vram-plan";
  if (maps.some((m) => rec(m.services) !== null)) return "compose";
  if (maps.some((m) => typeof m.apiVersion === "string" && typeof m.kind === "string")) return "kubernetes";
  const only = maps[0];
  if (maps.length === 1 && only && looksLikeVllmConfig(only)) return "vllm-config";
  return null;
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

const NOT_FOUND =
  "no vLLM deployment found (looked for vllm serve, vllm.entrypoints.openai.api_server, a vLLM --config file, vram-plan deployments)";

/** What one file holds: its deployments, KServe halves to be paired across files, and notes about the file. */
export interface FileRead {
  deployments: Deployment[];
  runtimes: KServeRuntime[];
  services: KServeService[];
  /** About the file as a whole (a template that must be rendered first, ...). */
  notes: string[];
}

/** `{{ … }}` Go/Helm template actions outside a quoted scalar's use: the file must be rendered first. */
const TEMPLATE_ACTION = /\{\{-?\s*(\.|\$|include\b|if\b|range\b|with\b|toYaml\b|template\b|end\b|-)/;

/**
 * Read every vLLM deployment in a file. The format is chosen from the name and the content:
 * Dockerfile names → Dockerfile; .sh/.bash → shell; .yaml/.yml/.json (or any text that parses as a
 * YAML mapping) → vram-plan deployments file (`deployments:`), docker compose (`services:`),
 * Kubernetes (`apiVersion` + `kind`, KServe included), or a vLLM --config file (a flat mapping of
 * vLLM flags); anything else: a Dockerfile if it starts with FROM/ARG/#syntax, otherwise shell text
 * (scripts, READMEs, Makefiles). Throws InputError (`file:line: what`) only for a file that cannot be
 * parsed (a YAML syntax error, a vram-plan file that breaks its schema); a Helm template is a note.
 */
export function readDeploymentFile(path: string, text: string, opts: ReadOptions = {}): FileRead {
  resetExpansionBudget();
  try {
    return readDeploymentFileOrThrow(path, text, opts);
  } catch (err) {
    // A quote that never closes: bash refuses the script, so does vram-plan (with the file and line).
    if (err instanceof ShellSyntaxError) new Ctx(path).fail(err.line > 0 ? err.line : null, err.message);
    throw err;
  }
}

/**
 * readDeploymentFile for callers that can wait: a vram-plan deployments file needs its zod schema,
 * which is loaded only when such a file is met (start-up of `check` stays light for every other format).
 */
export async function readDeploymentFileWithSchemas(path: string, text: string, opts: ReadOptions = {}): Promise<FileRead> {
  try {
    return readDeploymentFile(path, text, opts);
  } catch (err) {
    if (!(err instanceof VramPlanSchemaNotLoaded)) throw err;
    await loadVramPlanSchema();
    return readDeploymentFile(path, text, opts);
  }
}

function readDeploymentFileOrThrow(path: string, text: string, opts: ReadOptions): FileRead {
  const ctx = new Ctx(path);
  const lower = baseName(path).toLowerCase();
  const out: FileRead = { deployments: [], runtimes: [], services: [], notes: [] };
  if (isDockerfileName(path)) out.deployments = readDockerfile(ctx, text, opts);
  else if (/\.(sh|bash|zsh|ksh)$/.test(lower)) out.deployments = readShell(ctx, text, opts);
  else if (/\.(md|markdown)$/.test(lower)) out.deployments = readShell(ctx, markdownShellText(text), opts);
  else if (/\.(ya?ml|json)$/.test(lower)) {
    let yaml: YamlFile;
    try {
      yaml = parseYaml(ctx, text);
    } catch (err) {
      const match = TEMPLATE_ACTION.exec(text);
      if (!match) {
        // A .json file is read as YAML (JSON is its subset), but a user who wrote JSON is told
        // where it stops being JSON, not a YAML parser's words ('Flow map must end with a }').
        if (lower.endsWith(".json")) failAsJson(ctx, text);
        throw err;
      }
      const { line } = positionAt(text, match.index);
      out.notes.push(`a Helm/Go template ({{ }} on line ${line}): render it first (helm template …) and check the output`);
      return out;
    }
    readYaml(ctx, yaml, opts, out);
  } else {
    readUnknown(ctx, text, opts, out);
  }
  return out;
}

/** Refuses a .json text at its first JSON fault, in --model's config.json words (notJsonMessage); returns when there is none. */
function failAsJson(ctx: Ctx, text: string): void {
  const fault = jsonFault(text);
  if (!fault) return;
  const { line, column } = positionAt(text, fault.offset);
  throw new InputError(ctx.file, notJsonMessage(ctx.file, new JsonSyntaxError(fault.offset, line, column, fault.reason)));
}

/** readDeploymentFile's deployments; InputError when the file holds none (tests and simple callers). */
export function readDeployments(path: string, text: string, opts: ReadOptions = {}): Deployment[] {
  const read = readDeploymentFile(path, text, opts);
  const linked = linkKServe(read.runtimes, read.services).deployments;
  const all = [...read.deployments, ...linked];
  if (all.length === 0) new Ctx(path).fail(null, NOT_FOUND);
  return all;
}

function readUnknown(ctx: Ctx, text: string, opts: ReadOptions, out: FileRead): void {
  const lc = new LineCounter();
  // A text too large to be YAML here is read as a script (the shell reader is linear and light).
  const docs = yamlTooLarge(text) ? [] : parseYamlDocuments(text, lc);
  if (docs.length > 0 && docs.every((d) => d.errors.length === 0) && yamlLimitProblem(docs) === null && yamlFormat(docs) !== null) {
    readYaml(ctx, { docs, lc }, opts, out);
    return;
  }
  const firstInstr = text.split("\n").map((l) => l.trim()).find((l) => l !== "" && !(l.startsWith("#") && !/^#\s*syntax=/i.test(l)));
  if (firstInstr !== undefined && /^(FROM|ARG|#\s*syntax=)\s*/i.test(firstInstr) && /^\s*FROM\s+\S/im.test(text)) out.deployments = readDockerfile(ctx, text, opts);
  else out.deployments = readShell(ctx, text, opts);
}

function readYaml(ctx: Ctx, yaml: YamlFile, opts: ReadOptions, out: FileRead): void {
  switch (yamlFormat(yaml.docs)) {
    case "vram-plan":
      out.deployments = readVramPlan(ctx, yaml);
      return;
    case "compose": {
      out.deployments = readCompose(ctx, yaml, opts);
      const inc = yaml.docs.map((d) => rec(yamlValue(d) as Json)?.include).find((x) => x !== undefined);
      if (inc !== undefined) out.notes.push(`include: ${JSON.stringify(inc)}: included compose files are not read here; pass them to check too`);
      return;
    }
    case "kubernetes": {
      const kubernetes = readKubernetes(ctx, yaml, opts);
      out.deployments = kubernetes.deployments;
      out.runtimes = kubernetes.runtimes;
      out.services = kubernetes.services;
      return;
    }
    case "vllm-config":
      out.deployments = readVllmConfig(ctx, yaml);
      return;
    default:
      return;
  }
}
