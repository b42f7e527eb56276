// Turns --model into a ModelArch: a local directory or config.json, then the built-in catalog,
// then the Hugging Face cache, then (unless offline) the Hub. Heavier readers load lazily.
import { modelArchFromConfig, type ConfigFiles } from "../core/architecture.js";
import { ConfigError } from "../core/errors.js";
import type { ModelArch } from "../core/types.js";
import { InputError } from "../errors.js";
import { baseStandIn, findInCatalog, loadCatalogFiles, suggestModels } from "./catalog.js";
import { archProblem } from "../core/arch-check.js";
import { MAX_MODEL_NAME_LENGTH, excerpt } from "../limits.js";
import type { ConfigLabels } from "./config-schema.js";
import { hubIdOfPageUrl, isLocalModelPath, looksLikeHubId, pathExists } from "./model-name.js";

export interface ResolvedModel {
  arch: ModelArch;
  /** Where the config came from: "catalog", a path, or a URL. */
  source: string;
  warnings: string[];
}

type Env = Record<string, string | undefined>;

function build(id: string, files: ConfigFiles, subject: string, configLabel = subject): ModelArch {
  let arch: ModelArch;
  try {
    arch = modelArchFromConfig(id, files);
  } catch (err) {
    if (err instanceof ConfigError) throw new InputError(subject, `${subject}: ${err.message}`);
    throw err;
  }
  // Whatever the keys and defaults gave, the core only ever sees numbers it can compute with.
  const problem = archProblem(arch);
  if (problem) throw new InputError(subject, `${configLabel}: the model's ${problem.field} ${problem.rule}, got ${excerpt(problem.value)} (from its config)`);
  return arch;
}

/** Schema validation of config files read from disk or the Hub (zod loads only then). */
async function validated(files: ConfigFiles, labels: ConfigLabels): Promise<ConfigFiles> {
  const { validateConfigFiles } = await import("./config-schema.js");
  validateConfigFiles(files, labels);
  return files;
}


/** A checkpoint on disk (a directory or its config.json): `hfId` names it when it is a Hugging Face cache snapshot (its source is then the snapshot), else the directory does. */
async function fromDisk(path: string, hfId: string | null): Promise<ResolvedModel> {
  const { readModelDir } = await import("./model-dir.js");
  const local = await readModelDir(path);
  const labels = local.labels ?? { config: path };
  const arch = build(hfId ?? local.id, await validated(local.files, labels), path, labels.config);
  return { arch, source: hfId === null ? local.source : path, warnings: local.warnings };
}

export async function resolveModel(name: string, opts: { offline: boolean; env: Env; revision?: string }): Promise<ResolvedModel> {
  if (name.length > MAX_MODEL_NAME_LENGTH || /[\u0000-\u001f]/.test(name)) {
    throw new InputError("--model", `--model: expected a model name or path of at most ${MAX_MODEL_NAME_LENGTH} characters on one line, got '${excerpt(name)}'`);
  }
  if (isLocalModelPath(name)) {
    const pageOf = pathExists(name) ? null : hubIdOfPageUrl(name);
    if (pageOf !== null) throw new InputError("--model", `--model ${excerpt(name)}: a Hugging Face page address, not a model name; give its repo id: --model ${pageOf}`);
    if (!pathExists(name)) throw new InputError("--model", `--model ${name}: no such file or directory`);
    return fromDisk(name, null);
  }
  const entry = findInCatalog(name);
  if (entry) return { arch: build(entry.hfId, loadCatalogFiles(entry), `--model ${name}`), source: "catalog", warnings: [] };
  if (looksLikeHubId(name)) {
    const { findInHfCache } = await import("./hf-cache.js");
    const snap = findInHfCache(name, opts.env, opts.revision);
    if (snap) return fromDisk(snap, name);
    const hub = await import("./hub.js");
    const env = hub.hubOptionsFromEnv(opts.env);
    // Offline, an -Instruct release the catalog lacks is planned with its cataloged base config
    // (same layers and weight shapes), and says so: the two config.json files may differ in length.
    const base = opts.offline || env.offline ? baseStandIn(name) : null;
    if (base) {
      const files = loadCatalogFiles(base);
      const arch = build(base.hfId, files, `--model ${name}`);
      const maxPos = typeof files.config === "object" && files.config !== null && !Array.isArray(files.config) ? files.config["max_position_embeddings"] : undefined;
      const len = typeof maxPos === "number" ? `its max_position_embeddings is ${maxPos}` : "its length keys";
      return {
        arch,
        source: "catalog",
        warnings: [`${name} is not in the catalog and the Hub is off (offline): planned with the cataloged base config ${base.hfId} (same layers and weight shapes; ${len}, which the -Instruct release may not share: pass --max-model-len to pin the context)`],
      };
    }
    const remote = await hub.fetchFromHub(name, { ...env, offline: opts.offline || env.offline, ...(opts.revision !== undefined ? { revision: opts.revision } : {}) });
    const at = (f: string): string => `${remote.source}/${f}`;
    const labels: ConfigLabels = { config: at("config.json"), quantConfig: at("hf_quant_config.json"), preprocessor: at("preprocessor_config.json") };
    return { arch: build(name, await validated(remote.files, labels), `--model ${name}`, labels.config), source: remote.source, warnings: remote.warnings };
  }
  const near = suggestModels(name.slice(0, 200));
  throw new InputError("--model", `--model ${excerpt(name)}: unknown model`, `${near.length ? `did you mean ${near.join(", ")}? ` : ""}vram-plan models lists the catalog; a Hugging Face id or a local directory works too`);
}
