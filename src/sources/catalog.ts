// The built-in model catalog: real config.json files in src/data/models, named <Org>__<Name>.json,
// with provenance in src/data/models/SOURCES.md. Names match case-insensitively by Hugging Face id
// or by short alias (qwen2.5-vl-7b).
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "./data-dir.js";
import { InputError } from "../errors.js";
import type { ConfigFiles, Json } from "../core/architecture.js";
import { JsonSyntaxError, notJsonMessage, parsePythonJson } from "./python-json.js";
import { editDistance } from "./vllm-flags.js";

export interface CatalogEntry {
  hfId: string;
  file: string;
  /** The short alias shown in listings (qwen2.5-vl-7b). */
  short: string;
  aliases: string[];
}

const MODELS_DIR = join(DATA_DIR, "models");
const SIBLING = /\.(preprocessor|hf_quant_config|quantize_config)\.json$/;

/** Short aliases of an HF name: lowercase, without -Instruct/-Chat/-it/-hf, without the Meta- prefix. */
export function aliasesFor(hfId: string): string[] {
  const name = (hfId.split("/")[1] ?? hfId).toLowerCase();
  const out = new Set<string>([hfId.toLowerCase(), name]);
  let short = name.replace(/-(instruct|chat|it|hf)(?=$|-)/g, "");
  out.add(short);
  short = short.replace(/^meta-/, "");
  out.add(short);
  out.add(short.replace(/^llama-/, "llama"));
  return [...out];
}

let cache: CatalogEntry[] | null = null;

/** A lowercase sort key compare without localeCompare (ICU start-up cost). */
function byLower(a: string, b: string): number {
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  return lowerA < lowerB ? -1 : lowerA > lowerB ? 1 : 0;
}

const instructLike = (hfId: string): boolean => /instruct|chat|-it$/i.test(hfId);

/** Prefer instruct releases for a short alias (what people serve), then the shortest id. */
function rank(entry: CatalogEntry): number {
  return (instructLike(entry.hfId) ? 0 : 1000) + entry.hfId.length;
}

/**
 * The catalog, sorted case-insensitively by Hugging Face id. Every alias names one model: where
 * two share one (Qwen2.5-7B and Qwen2.5-7B-Instruct both shorten to qwen2.5-7b), the one
 * findInCatalog would pick (the instruct release) keeps it and the other gets "<alias>-base", so
 * the listed short names are unique and each resolves to the model listed beside it.
 */
export function catalog(): CatalogEntry[] {
  if (cache) return cache;
  const files = readdirSync(MODELS_DIR).filter((f) => f.endsWith(".json") && !SIBLING.test(f) && f.includes("__"));
  const entries = files
    .map((file) => {
      const hfId = file.replace(/\.json$/, "").replace("__", "/");
      return { hfId, file, short: "", aliases: aliasesFor(hfId) };
    })
    .sort((a, b) => byLower(a.hfId, b.hfId));
  const owner = new Map<string, CatalogEntry>();
  for (const entry of entries) {
    for (const alias of entry.aliases) {
      const held = owner.get(alias);
      if (!held || rank(entry) < rank(held)) owner.set(alias, entry);
    }
  }
  for (const entry of entries) {
    const id = entry.hfId.toLowerCase();
    const own = entry.aliases.filter((a) => a !== id && owner.get(a) === entry);
    const lost = entry.aliases.filter((a) => a !== id && owner.get(a) !== entry);
    if (lost.length > 0) {
      const shortest = lost.reduce((x, y) => (y.length < x.length ? y : x));
      const extra = `${shortest}-${instructLike(entry.hfId) ? "instruct" : "base"}`;
      if (!owner.has(extra)) {
        owner.set(extra, entry);
        own.push(extra);
      }
    }
    entry.aliases = [id, ...own];
    entry.short = own.length > 0 ? own.reduce((x, y) => (y.length < x.length ? y : x)) : id;
  }
  cache = entries;
  return cache;
}

function findByAlias(name: string): CatalogEntry | null {
  const alias = name.trim().toLowerCase();
  const hits = catalog().filter((e) => e.aliases.includes(alias));
  if (hits.length === 0) return null;
  return hits.sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

interface Rename {
  from: string;
  to: string;
  source: string;
}

let renames: Rename[] | null = null;

/**
 * The other ids of the same Hugging Face repository: src/data/models/renames.json lists repositories
 * their owners renamed (meta-llama/Meta-Llama-3.1-8B-Instruct → meta-llama/Llama-3.1-8B-Instruct); the
 * Hub redirects the old id, so either id names the one config.json.
 */
export function renamedIds(name: string): string[] {
  if (!renames) {
    const file = join(MODELS_DIR, "renames.json");
    renames = existsSync(file) ? ((JSON.parse(readFileSync(file, "utf8")) as { renames: Rename[] }).renames ?? []) : [];
  }
  const query = name.trim().toLowerCase();
  const out: string[] = [];
  for (const rename of renames) {
    if (rename.from.toLowerCase() === query) out.push(rename.to);
    else if (rename.to.toLowerCase() === query) out.push(rename.from);
  }
  return out;
}

/** The catalog entry for a name or alias, or for the same repository under its other (renamed) id. */
export function findInCatalog(name: string): CatalogEntry | null {
  const direct = findByAlias(name);
  if (direct) return direct;
  for (const id of renamedIds(name)) {
    const hit = findByAlias(id);
    if (hit) return hit;
  }
  return null;
}

/**
 * The cataloged base release an "<org>/<name>-Instruct" id was fine-tuned from (Qwen/Qwen2.5-72B for
 * Qwen/Qwen2.5-72B-Instruct), under either id of a renamed repository. An instruct fine-tune keeps its
 * base's layers and weight shapes; its config.json may still differ in max_position_embeddings and
 * eos tokens, so a caller that plans with it must say so (resolveModel does, offline only).
 */
export function baseStandIn(name: string): CatalogEntry | null {
  for (const id of [name, ...renamedIds(name)]) {
    const match = /^([^/\s]+\/[^/\s]+)-instruct$/i.exec(id.trim());
    if (!match?.[1]) continue;
    const base = findInCatalog(match[1]);
    if (base && !instructLike(base.hfId)) return base;
  }
  return null;
}

/** The closest catalog names, for an "unknown model" message. */
export function suggestModels(name: string, limit = 3): string[] {
  const query = name.trim().toLowerCase();
  // Spelled without separators, "nemotron-super-49b" and "llama-3.3-nemotron-super-49b" are inside
  // llama3_3-nemotron-super-49b-v1 (nvidia/Llama-3_3-Nemotron-Super-49B-v1): such a name comes first,
  // where plain edit distance preferred gemma-3-4b.
  const bare = (s: string): string => s.toLowerCase().replace(/[-_.\s/]/g, "");
  const qb = bare(query);
  const scored = catalog().map((entry) => {
    const distance = Math.min(...entry.aliases.map((a) => editDistance(query, a)));
    const inside = qb.length >= 4 && [entry.short, entry.hfId, ...entry.aliases].some((a) => bare(a).includes(qb));
    return { name: entry.short, distance: inside ? -1 : distance - (entry.short.includes(query) || query.includes(entry.short) ? 3 : 0) };
  });
  const seen = new Set<string>();
  const ranked = scored.sort((a, b) => a.distance - b.distance).filter((s) => (seen.has(s.name) ? false : (seen.add(s.name), true)));
  // Names that contain what was typed, when there are any; otherwise the nearest few.
  const inside = ranked.filter((s) => s.distance < 0);
  return (inside.length > 0 ? inside : ranked).slice(0, limit).map((s) => s.name);
}

function readJson(path: string, subject: string): Json {
  try {
    return parsePythonJson(readFileSync(path, "utf8"));
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new InputError(subject, notJsonMessage(path, err));
  }
}

let sizes: Record<string, { total_size: number }> | null = null;

/** The catalog entry's config.json and its siblings, as the core reads them. */
export function loadCatalogFiles(entry: CatalogEntry): ConfigFiles {
  const base = join(MODELS_DIR, entry.file.replace(/\.json$/, ""));
  const files: ConfigFiles = { config: readJson(join(MODELS_DIR, entry.file), "--model") };
  for (const [suffix, key] of [
    [".hf_quant_config.json", "quantConfig"],
    [".quantize_config.json", "quantConfig"],
    [".preprocessor.json", "preprocessor"],
  ] as const) {
    if (existsSync(base + suffix)) files[key] = readJson(base + suffix, "--model");
  }
  if (!sizes) {
    const file = join(MODELS_DIR, "sizes.json");
    sizes = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, { total_size: number }>) : {};
  }
  files.checkpointBytes = sizes[entry.hfId]?.total_size ?? null;
  return files;
}
