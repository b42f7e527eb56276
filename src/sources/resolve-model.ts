// Turns --model into a ModelArch: a local directory or config.json, then the built-in catalogue,
// then the Hugging Face cache, then (unless offline) the Hub. Heavier readers load lazily.
import { existsSync } from "node:fs";
import { modelArchFromConfig, type ConfigFiles } from "../core/architecture.js";
import { ConfigError } from "../core/errors.js";
import type { ModelArch } from "../core/types.js";
import { InputError } from "../errors.js";
import { findInCatalogue, loadCatalogueFiles, suggestModels } from "./catalogue.js";

export interface ResolvedModel {
  arch: ModelArch;
  /** Where the config came from: "catalogue", a path, or a URL. */
  source: string;
  warnings: string[];
}

type Env = Record<string, string | undefined>;

function build(id: string, files: ConfigFiles, subject: string): ModelArch {
  try {
    return modelArchFromConfig(id, files);
  } catch (e) {
    if (e instanceof ConfigError) throw new InputError(subject, `${subject}: ${e.message}`);
    throw e;
  }
}

function looksLikePath(s: string): boolean {
  return s.startsWith(".") || s.startsWith("/") || s.startsWith("~") || s.endsWith(".json") || existsSync(s);
}

export async function resolveModel(name: string, opts: { offline: boolean; env: Env }): Promise<ResolvedModel> {
  if (looksLikePath(name)) {
    if (!existsSync(name)) throw new InputError("--model", `--model ${name}: no such file or directory`);
    const { readModelDir } = await import("./model-dir.js");
    const local = await readModelDir(name);
    return { arch: build(local.id, local.files, name), source: local.source, warnings: local.warnings };
  }
  const entry = findInCatalogue(name);
  if (entry) return { arch: build(entry.hfId, loadCatalogueFiles(entry), `--model ${name}`), source: "catalogue", warnings: [] };
  if (/^[\w.-]+\/[\w.-]+$/.test(name)) {
    const { findInHfCache } = await import("./hf-cache.js");
    const snap = findInHfCache(name, opts.env);
    if (snap) {
      const { readModelDir } = await import("./model-dir.js");
      const local = await readModelDir(snap);
      return { arch: build(name, local.files, snap), source: snap, warnings: local.warnings };
    }
    const hub = await import("./hub.js");
    const env = hub.hubOptionsFromEnv(opts.env);
    const remote = await hub.fetchFromHub(name, { ...env, offline: opts.offline || env.offline });
    return { arch: build(name, remote.files, `--model ${name}`), source: remote.source, warnings: remote.warnings };
  }
  const near = suggestModels(name);
  throw new InputError("--model", `--model ${name}: unknown model; did you mean ${near.join(", ")}? (vram-plan models lists them; a Hugging Face id or a local directory also works)`);
}
