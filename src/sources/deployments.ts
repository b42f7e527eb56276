// Reading vLLM deployments out of files: picks the format from the file's name and content and
// hands it to its reader in src/sources/deployments/ (compose, kubernetes, shell, dockerfile,
// vllm-config, vram-plan). Pure on text: the command reads the file and passes path and contents.
import { LineCounter, type Document } from "yaml";
import { normalizeFlagName } from "./vllm-argv.js";
import { isVllmArgName } from "./vllm-flags.js";
import { Ctx, baseName, rec, type Deployment, type Json } from "./deployments/common.js";
import { parseYaml, parseYamlDocuments, yamlLimitProblem, yamlValue, type YamlFile } from "./deployments/yaml.js";
import { readCompose } from "./deployments/compose.js";
import { readDockerfile } from "./deployments/dockerfile.js";
import { readKubernetes } from "./deployments/kubernetes.js";
import { readShell } from "./deployments/shell.js";
import { readVllmConfig } from "./deployments/vllm-config.js";
import { readVramPlan } from "./deployments/vram-plan.js";

export type { Deployment, DeploymentConstraints, DeploymentSource } from "./deployments/common.js";
export { gpuIdFromLabel, gpuLabelKeys } from "./deployments/gpu-labels.js";
export { vllmConfigToArgv } from "./deployments/vllm-config.js";
export { VramPlanFileSchema, VramPlanDeploymentSchema, VramPlanRequireSchema, parseTokenCount, type VramPlanFile } from "./deployments/vram-plan.js";

export type DeploymentFormat = "vram-plan" | "compose" | "kubernetes" | "vllm-config" | "dockerfile" | "shell";

const GENERIC_KEYS = new Set(["host", "port", "api-key", "seed", "config", "uvicorn-log-level", "model"]);

function looksLikeVllmConfig(js: Record<string, Json>): boolean {
  const keys = Object.keys(js);
  if (keys.length === 0) return false;
  if (!keys.every((k) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(k))) return false;
  const norm = keys.map(normalizeFlagName);
  const engine = norm.some((k) => !GENERIC_KEYS.has(k) && isVllmArgName(k));
  // Only generic keys (model, port, ...): accept when there is a model and nothing unknown.
  const onlyKnown = norm.every((k) => isVllmArgName(k) || GENERIC_KEYS.has(k));
  return engine || (typeof js.model === "string" && onlyKnown);
}

function isDockerfileName(path: string): boolean {
  const b = baseName(path).toLowerCase();
  return b === "dockerfile" || b === "containerfile" || b.startsWith("dockerfile.") || b.endsWith(".dockerfile") || b.endsWith(".containerfile");
}

function yamlFormat(docs: readonly Document.Parsed[]): DeploymentFormat | null {
  const values = docs.map((d) => yamlValue(d) as Json);
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

/**
 * Read every vLLM deployment in a file. The format is chosen from the name and the content:
 * Dockerfile names → Dockerfile; .sh/.bash → shell; .yaml/.yml/.json (or any text that parses as a
 * YAML mapping) → vram-plan deployments file (`deployments:`), docker compose (`services:`),
 * Kubernetes (`apiVersion` + `kind`), or a vLLM --config file (a flat mapping of vLLM flags);
 * anything else: a Dockerfile if it starts with FROM/ARG/#syntax, otherwise a shell script.
 * Throws InputError (`file:line: what`) for YAML syntax errors, schema violations, a flag without
 * its value, and a file with no deployment at all.
 */
export function readDeployments(path: string, text: string): Deployment[] {
  const ctx = new Ctx(path);
  const lower = baseName(path).toLowerCase();
  let out: Deployment[];
  if (isDockerfileName(path)) out = readDockerfile(ctx, text);
  else if (/\.(sh|bash|zsh|ksh)$/.test(lower)) out = readShell(ctx, text);
  else if (/\.(ya?ml|json)$/.test(lower)) {
    const f = parseYaml(ctx, text);
    out = readYaml(ctx, f);
  } else {
    out = readUnknown(ctx, text);
  }
  if (out.length === 0) ctx.fail(null, NOT_FOUND);
  return out;
}

function readUnknown(ctx: Ctx, text: string): Deployment[] {
  const lc = new LineCounter();
  const docs = parseYamlDocuments(text, lc);
  if (docs.length > 0 && docs.every((d) => d.errors.length === 0) && yamlLimitProblem(docs) === null && yamlFormat(docs) !== null) {
    return readYaml(ctx, { docs, lc });
  }
  const firstInstr = text.split("\n").map((l) => l.trim()).find((l) => l !== "" && !(l.startsWith("#") && !/^#\s*syntax=/i.test(l)));
  if (firstInstr !== undefined && /^(FROM|ARG|#\s*syntax=)\s*/i.test(firstInstr) && /^\s*FROM\s+\S/im.test(text)) return readDockerfile(ctx, text);
  return readShell(ctx, text);
}

function readYaml(ctx: Ctx, f: YamlFile): Deployment[] {
  switch (yamlFormat(f.docs)) {
    case "vram-plan":
      return readVramPlan(ctx, f);
    case "compose":
      return readCompose(ctx, f);
    case "kubernetes":
      return readKubernetes(ctx, f);
    case "vllm-config":
      return readVllmConfig(ctx, f);
    default:
      return [];
  }
}
