// A model on local disk: a checkpoint directory (or a path to its config.json) with config.json,
// optional quantization / preprocessor configs and .safetensors shards whose headers give the
// exact checkpoint size.
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { InputError } from "../errors.js";
import type { ConfigFiles, Json } from "../core/architecture.js";
import { isObj } from "../core/config-json.js";
import { readSafetensorsHeaderSync, summarizeHeaders, type SafetensorsHeader, type WeightsSummary } from "./safetensors.js";
import { JsonSyntaxError, notJsonMessage, parsePythonJson } from "./python-json.js";
import { checkoutRoot, readTextFile, requireInside } from "./read-file.js";
import { MAX_JSON_CONTAINERS, MAX_JSON_FILE_BYTES, MAX_NESTING, MAX_SHARDS, MAX_TENSORS, excerpt } from "../limits.js";

export interface LocalModel {
  /** "org/name" when the directory is a Hugging Face cache snapshot, else the directory's name. */
  id: string;
  files: ConfigFiles;
  /** Totals over the safetensors shards; null when the checkpoint has none. */
  weights: WeightsSummary | null;
  /** Where it came from: the directory path, or the Hub URL. */
  source: string;
  /** Non-fatal oddities (e.g. the index's total_size disagreeing with the shard headers). */
  warnings: string[];
  /** The files' paths, for messages that name the file at fault. */
  labels?: { config: string; quantConfig: string; preprocessor: string };
}

export const INDEX_FILE = "model.safetensors.index.json";
/** Quantization configs read beside config.json, first found wins. */
export const QUANT_CONFIG_FILES = ["hf_quant_config.json", "quantize_config.json"] as const;
export const PREPROCESSOR_FILE = "preprocessor_config.json";

/**
 * Parses a JSON file's text (Python's Infinity/NaN allowed). A syntax error names the file and the
 * line:column of the fault, never the file's text (python-json.ts).
 */
export function parseJson(text: string, file: string): Json {
  // Objects and arrays cost ~60-200 bytes each once parsed (15 MB of `{},` took 944 MB): count the
  // brackets first (strings may hold some; an upper bound), refusing before JSON.parse allocates them.
  // Counted by the regular-expression engine: a character loop in JavaScript over a 100-shard index
  // runs interpreted at start-up (and then gets compiled by TurboFan), a measurable part of a run.
  const containers = text.replace(/[^{[]+/g, "").length;
  if (containers > MAX_JSON_CONTAINERS) throw new InputError(file, `${file}: more than ${MAX_JSON_CONTAINERS} objects and lists, over the limit for a config or index file`);
  let parsed: Json;
  try {
    parsed = parsePythonJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new InputError(file, notJsonMessage(file, err));
  }
  const depth = jsonDepth(parsed);
  if (depth > MAX_NESTING) throw new InputError(file, `${file}: nested ${depth} levels deep, over the limit of ${MAX_NESTING}`);
  return parsed;
}

/** Nesting depth of a parsed JSON value, walked without recursion (stops counting past the limit). */
export function jsonDepth(value: Json): number {
  let max = 0;
  const stack: [Json, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Json, number];
    if (typeof node !== "object" || node === null) continue;
    if (depth + 1 > max) max = depth + 1;
    if (max > MAX_NESTING) return max;
    for (const c of Array.isArray(node) ? node : Object.values(node)) if (typeof c === "object" && c !== null) stack.push([c, depth + 1]);
  }
  return max;
}

/**
 * A directory's entries, and which of them are regular files (not links): the type comes with the
 * listing (d_type; node lstat-s an entry whose type the file system does not give), so no lstat per shard.
 */
function entriesOf(dir: string): { names: string[]; regularFiles: Set<string> } {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    return { names: entries.map((e) => e.name), regularFiles: new Set(entries.filter((e) => e.isFile()).map((e) => e.name)) };
  } catch {
    return { names: [], regularFiles: new Set() };
  }
}

/**
 * join(dir, name) for the many names of one directory, `dir` normalized once: a plain name (no
 * separator, not . or ..) is appended, anything else goes through join. path.join per shard was ≈1 ms
 * of a 100-shard start-up (--cpu-prof, Node 20).
 */
function joinerFor(dir: string): (name: string) => string {
  const base = normalize(dir);
  const prefix = base === "." ? "" : base.endsWith(sep) ? base : base + sep;
  return (name) => (name === "" || name === "." || name === ".." || name.includes("/") || name.includes(sep) ? join(dir, name) : prefix + name);
}

function readJsonIfPresent(file: string, root?: string): Json | undefined {
  if (root !== undefined) requireInside(file, root);
  const text = readTextFile(file, MAX_JSON_FILE_BYTES, { missingOk: true });
  return text === undefined ? undefined : parseJson(text, file);
}


/**
 * The shard file names an index's weight_map points at, deduplicated, in first-seen order.
 * Rejects names that would leave the checkpoint directory.
 */
export function shardsFromIndex(index: Json, where: string): { shards: string[]; totalSize: number | null } {
  if (!isObj(index) || !isObj(index["weight_map"])) {
    throw new InputError(where, `${where}: no "weight_map" object`);
  }
  const map = index["weight_map"];
  const seen = new Set<string>();
  for (const tensor in map) {
    const file = map[tensor];
    if (typeof file !== "string" || file === "") throw new InputError(where, `${where}: weight_map["${excerpt(tensor)}"] is not a file name`);
    seen.add(file);
    if (seen.size > MAX_SHARDS) throw new InputError(where, `${where}: weight_map names more than ${MAX_SHARDS} shard files`);
  }
  // Checked once per distinct file (a few hundred), not per tensor (up to ~10^5).
  for (const file of seen) {
    const norm = normalize(file);
    if (isAbsolute(file) || norm === ".." || norm.startsWith(`..${sep}`) || file.includes("\\") || file.includes("\0")) {
      throw new InputError(where, `${where}: weight_map names "${excerpt(file)}", which points outside the checkpoint`);
    }
  }
  const meta = index["metadata"];
  const ts = isObj(meta) ? meta["total_size"] : undefined;
  return { shards: [...seen], totalSize: typeof ts === "number" && Number.isFinite(ts) ? ts : null };
}

/** "org/name" for `.../models--org--name/snapshots/<rev>`, else the directory name. */
function idForDir(dir: string): string {
  const parts = resolve(dir).split(sep);
  const count = parts.length;
  const repo = parts[count - 3];
  if (parts[count - 2] === "snapshots" && repo?.startsWith("models--")) {
    return repo.slice("models--".length).split("--").join("/");
  }
  return basename(resolve(dir));
}

/** Compares the index's metadata.total_size with the headers' sum; a warning when they differ. */
export function totalSizeWarning(where: string, totalSize: number | null, headerBytes: number): string | null {
  if (totalSize === null || totalSize === headerBytes) return null;
  return `${where}: metadata.total_size is ${totalSize} bytes but the shard headers add up to ${headerBytes}; using the headers`;
}

/** What was read of a checkpoint, on disk or from the Hub: its JSON files (absent: not there) and shard headers. */
export interface CheckpointRead {
  config: Json;
  /** QUANT_CONFIG_FILES in order: the first present wins. */
  quantConfigs: ReadonlyArray<Json | undefined>;
  preprocessor: Json | undefined;
  headers: readonly SafetensorsHeader[];
  /** The index's metadata.total_size, and where the index is (for the warning when the headers disagree). */
  totalSize: number | null;
  indexLabel: string;
  /** The index names shards that are not here: the checkpoint is sized by the index's total_size. */
  indexOnly?: boolean;
}

/** A checkpoint's config files and weight totals, local or from the Hub alike; a warning into `warnings` when the index's total disagrees with the headers. */
export function checkpointFiles(read: CheckpointRead, warnings: string[]): { files: ConfigFiles; weights: WeightsSummary | null } {
  const weights = read.headers.length > 0 ? summarizeHeaders(read.headers) : null;
  if (weights) {
    const warning = totalSizeWarning(read.indexLabel, read.totalSize, weights.totalBytes);
    if (warning) warnings.push(warning);
  }
  const files: ConfigFiles = { config: read.config, checkpointBytes: weights ? weights.totalBytes : read.indexOnly ? read.totalSize : null };
  const quantConfig = read.quantConfigs.find((q) => q !== undefined);
  if (quantConfig !== undefined) files.quantConfig = quantConfig;
  if (read.preprocessor !== undefined) files.preprocessor = read.preprocessor;
  return { files, weights };
}

/**
 * Reads a local checkpoint: `path` is its directory or its config.json. The safetensors shards are
 * those named by model.safetensors.index.json, else every *.safetensors in the directory (leaving
 * out Mistral's consolidated*.safetensors when other shards are present, as that is a second copy).
 */
export async function readModelDir(path: string): Promise<LocalModel> {
  let dir = path;
  let configPath = join(path, "config.json");
  // Synchronous calls throughout: a local directory answers at once, and the first asynchronous fs call
  // would start libuv's thread pool (threads and hand-offs a short run pays for in wall time).
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(path, `${path}: no such file or directory`);
  }
  if (st.isFile() && path.toLowerCase().endsWith(".json")) {
    dir = dirname(path);
    configPath = path;
  } else if (!st.isDirectory()) {
    throw new InputError(path, `${path}: not a model directory or config.json`);
  }

  // Files of the checkout must resolve inside it (an HF cache snapshot: inside its repository folder).
  const root = checkoutRoot(dir);
  const config = readJsonIfPresent(configPath, configPath === path ? undefined : root);
  const { names: entries, regularFiles } = entriesOf(dir);
  const inDir = joinerFor(dir);
  // An optional file the directory does not list is not looked for: each miss cost two thrown fs errors
  // (realpath, stat) with their stack traces, three misses in most checkouts.
  const listed = new Set(entries);
  const optional = (name: string): Json | undefined => (listed.has(name) ? readJsonIfPresent(inDir(name), root) : undefined);
  const quantA = optional(QUANT_CONFIG_FILES[0]);
  const quantB = optional(QUANT_CONFIG_FILES[1]);
  const preprocessor = optional(PREPROCESSOR_FILE);
  const index = optional(INDEX_FILE);
  if (config === undefined) throw new InputError(path, `${dir}: no config.json`);

  const warnings: string[] = [];
  let shardNames: string[];
  let totalSize: number | null = null;
  const indexPath = inDir(INDEX_FILE);
  let indexOnly = false;
  if (index !== undefined) {
    ({ shards: shardNames, totalSize } = shardsFromIndex(index, indexPath));
    const missing = shardNames.filter((s) => !listed.has(s) && !s.includes("/"));
    if (missing.length > 0) {
      // Downloaded as JSON files only (huggingface-cli download --include "*.json"), or partly: plan
      // from the architecture, with the index's own total as the checkpoint size, and say so.
      indexOnly = true;
      const have = shardNames.length - missing.length;
      warnings.push(
        `${dir}: ${have === 0 ? "no safetensors shards" : `${have} of ${shardNames.length} safetensors shards`} beside ${INDEX_FILE}; weights are sized from the architecture` +
          (totalSize !== null ? `, checked against the index's metadata.total_size (${totalSize} bytes)` : " (the index has no metadata.total_size to check them against)"),
      );
      shardNames = [];
    }
  } else {
    const all = entries.filter((f) => f.endsWith(".safetensors")).sort();
    const plain = all.filter((f) => !f.startsWith("consolidated"));
    shardNames = plain.length > 0 ? plain : all;
  }

  // Local disk: synchronous positioned reads are faster than promises for many small headers.
  if (shardNames.length > MAX_SHARDS) throw new InputError(dir, `${dir}: more than ${MAX_SHARDS} .safetensors shards`);
  let tensors = 0;
  const headers = shardNames.map((shardName) => {
    const path = inDir(shardName);
    // A regular file (not a link) listed directly in the checkout is inside it and safe to open: no
    // realpath walk and second stat (a 100-shard checkout: ≈500 fewer system calls), and the listing's
    // own file types spare an lstat each.
    const plainFile = regularFiles.has(shardName);
    if (!plainFile) requireInside(path, root);
    const header = readSafetensorsHeaderSync(path, plainFile);
    // Every tensor's entry is held until the shards are summed: bounded across the checkpoint.
    tensors += header.tensors.length;
    if (tensors > MAX_TENSORS) throw new InputError(dir, `${dir}: more than ${MAX_TENSORS} tensors across the shards`);
    return header;
  });
  const { files, weights } = checkpointFiles({ config, quantConfigs: [quantA, quantB], preprocessor, headers, totalSize, indexLabel: indexPath, indexOnly }, warnings);
  const labels = { config: configPath, quantConfig: inDir(quantA !== undefined ? QUANT_CONFIG_FILES[0] : QUANT_CONFIG_FILES[1]), preprocessor: inDir(PREPROCESSOR_FILE) };
  return { id: idForDir(dir), files, weights, source: resolve(dir), warnings, labels };
}
