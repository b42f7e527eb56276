// Reads a model's configs and safetensors headers from the Hugging Face Hub (or a mirror), without
// downloading weights: small JSON files whole, then per shard two HTTP range requests (the 8-byte
// length, then exactly the JSON header).
import { InputError } from "../errors.js";
import type { Json } from "../core/architecture.js";
import {
  INDEX_FILE,
  PREPROCESSOR_FILE,
  QUANT_CONFIG_FILES,
  shardsFromIndex,
  totalSizeWarning,
  type LocalModel,
} from "./model-dir.js";
import { isHfId } from "./hf-cache.js";
import { parsePythonJson } from "./python-json.js";
import {
  headerLengthFromPrefix,
  mapBounded,
  parseSafetensorsHeaderBytes,
  summariseHeaders,
  type SafetensorsHeader,
} from "./safetensors.js";

export const DEFAULT_ENDPOINT = "https://huggingface.co";
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Shard headers fetched at once. */
const CONCURRENCY = 8;

export type LocalModelLike = LocalModel;

export interface HubOptions {
  endpoint?: string;
  token?: string;
  timeoutMs?: number;
  offline?: boolean;
}

type Env = Record<string, string | undefined>;

/** huggingface_hub's truthy spellings of a boolean environment variable. */
function envTrue(v: string | undefined): boolean {
  return v !== undefined && ["1", "ON", "YES", "TRUE"].includes(v.trim().toUpperCase());
}

/** Hub options from HF_ENDPOINT, HF_TOKEN (or HUGGING_FACE_HUB_TOKEN) and HF_HUB_OFFLINE. */
export function hubOptionsFromEnv(env: Env = process.env): { endpoint: string; token?: string; offline: boolean } {
  const endpoint = env["HF_ENDPOINT"]?.trim() || DEFAULT_ENDPOINT;
  const token = env["HF_TOKEN"]?.trim() || env["HUGGING_FACE_HUB_TOKEN"]?.trim() || undefined;
  const offline = envTrue(env["HF_HUB_OFFLINE"]);
  return token ? { endpoint, token, offline } : { endpoint, offline };
}

interface Ctx {
  id: string;
  endpoint: string;
  token: string | undefined;
  timeoutMs: number;
}

function fail(ctx: Ctx, message: string): InputError {
  return new InputError("--model", `--model ${ctx.id}: ${message}`);
}

function fileUrl(ctx: Ctx, file: string): string {
  const repo = ctx.id.split("/").map(encodeURIComponent).join("/");
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${ctx.endpoint}/${repo}/resolve/main/${path}`;
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  if (e instanceof Error) {
    if (e.name === "TimeoutError" || e.name === "AbortError") return `timed out after ${timeoutMs} ms`;
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return code ?? cause.message;
    }
    return e.message;
  }
  return String(e);
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** GET `file`; null on 404 when `optional`. Every other failure is an InputError. */
async function get(ctx: Ctx, file: string, optional: boolean, range?: [number, number]): Promise<Response | null> {
  const headers: Record<string, string> = { "User-Agent": "vram-plan" };
  if (ctx.token) headers["Authorization"] = `Bearer ${ctx.token}`;
  if (range) headers["Range"] = `bytes=${range[0]}-${range[1]}`;
  let res: Response;
  try {
    res = await fetch(fileUrl(ctx, file), { headers, signal: AbortSignal.timeout(ctx.timeoutMs), redirect: "follow" });
  } catch (e) {
    throw fail(ctx, `could not reach ${ctx.endpoint} (${describeFetchError(e, ctx.timeoutMs)}): use --offline or a local path`);
  }
  if (res.ok) return res;
  await discard(res);
  const code = res.headers.get("x-error-code");
  if (code === "EntryNotFound" || (res.status === 404 && code !== "RepoNotFound")) {
    if (optional) return null;
    if (code === "EntryNotFound" || file !== "config.json") throw fail(ctx, `no ${file} on ${ctx.endpoint}`);
    throw fail(ctx, `no such model on ${ctx.endpoint}`);
  }
  if (code === "RepoNotFound") {
    // The Hub answers 401 RepoNotFound both for missing repos and for private ones the caller can't see.
    const hint = res.status !== 404 && !ctx.token ? " (or it is private: set HF_TOKEN)" : "";
    throw fail(ctx, `no such model on ${ctx.endpoint}${hint}`);
  }
  if (res.status === 401 || res.status === 403) {
    if (ctx.token) throw fail(ctx, `gated or private on ${ctx.endpoint}, and HF_TOKEN was refused (accept the licence on the model page?)`);
    throw fail(ctx, `gated or private on ${ctx.endpoint}: set HF_TOKEN`);
  }
  if (res.status === 416 && range) return res;
  throw fail(ctx, `${ctx.endpoint} answered HTTP ${res.status} for ${file}`);
}

/** At most `limit` bytes of the body; stops reading (and cancels the stream) once it has them. */
async function readUpTo(res: Response, limit: number): Promise<Uint8Array> {
  const body = res.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let got = 0;
  try {
    while (got < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
    }
  } finally {
    if (got >= limit) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const out = new Uint8Array(Math.min(got, limit));
  let at = 0;
  for (const c of chunks) {
    const take = Math.min(c.length, out.length - at);
    out.set(c.subarray(0, take), at);
    at += take;
    if (at >= out.length) break;
  }
  return out;
}

async function getJson(ctx: Ctx, file: string, optional: boolean): Promise<Json | undefined> {
  const res = await get(ctx, file, optional);
  if (!res) return undefined;
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw fail(ctx, `could not reach ${ctx.endpoint} (${describeFetchError(e, ctx.timeoutMs)}): use --offline or a local path`);
  }
  try {
    return parsePythonJson(text);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw fail(ctx, `${file} from ${ctx.endpoint} is not valid JSON (${why})`);
  }
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/** Bytes [start, end] of `file` and the file's total size. Null when optional and 404. */
async function getRange(ctx: Ctx, file: string, start: number, end: number, optional: boolean, where: string): Promise<{ bytes: Uint8Array; size: number } | null> {
  const res = await get(ctx, file, optional, [start, end]);
  if (!res) return null;
  const want = end - start + 1;
  if (res.status === 416) {
    throw new InputError(where, `${where}: not a valid safetensors file: shorter than the ${end + 1} bytes its header needs`);
  }
  let size: number;
  let bytes: Uint8Array;
  try {
    if (res.status === 206) {
      const m = CONTENT_RANGE.exec(res.headers.get("content-range") ?? "");
      if (!m || m[3] === "*" || Number(m[1]) !== start) {
        await discard(res);
        throw fail(ctx, `${ctx.endpoint} gave a bad Content-Range for ${file}`);
      }
      size = Number(m[3]);
      bytes = await readUpTo(res, want);
    } else {
      // The server ignored Range and sends the whole file: read only what is needed, then hang up.
      const len = res.headers.get("content-length");
      if (len === null) {
        await discard(res);
        throw fail(ctx, `${ctx.endpoint} ignored the Range request for ${file} and gave no size`);
      }
      size = Number(len);
      bytes = (await readUpTo(res, end + 1)).subarray(start);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw fail(ctx, `could not reach ${ctx.endpoint} (${describeFetchError(e, ctx.timeoutMs)}): use --offline or a local path`);
  }
  if (bytes.length < Math.min(want, Math.max(0, size - start))) {
    throw fail(ctx, `${ctx.endpoint} sent ${bytes.length} of ${want} requested bytes of ${file}`);
  }
  return { bytes, size };
}

/** The header of one shard on the Hub: bytes 0-7 for its length, then exactly the JSON. */
async function shardHeader(ctx: Ctx, file: string, optional: boolean): Promise<SafetensorsHeader | null> {
  const where = fileUrl(ctx, file);
  const prefix = await getRange(ctx, file, 0, 7, optional, where);
  if (!prefix) return null;
  const n = headerLengthFromPrefix(prefix.bytes, prefix.size, where);
  const json = await getRange(ctx, file, 8, 8 + n - 1, false, where);
  if (!json) return null;
  if (json.size !== prefix.size) throw fail(ctx, `${file} changed size between requests`);
  return parseSafetensorsHeaderBytes(json.bytes.subarray(0, n), prefix.size, where);
}

/**
 * Configs and safetensors header totals of `hfId` from the Hub (revision main). Throws InputError
 * with one line when offline, unreachable, gated/private or missing.
 */
export async function fetchFromHub(hfId: string, opts: HubOptions = {}): Promise<LocalModelLike> {
  const endpoint = (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const ctx: Ctx = { id: hfId, endpoint, token: opts.token, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  if (opts.offline) {
    throw fail(ctx, "not in the catalogue or the Hugging Face cache, and offline mode (--offline / HF_HUB_OFFLINE=1) forbids the Hub");
  }
  if (!isHfId(hfId)) throw fail(ctx, `not a Hugging Face model id (expected org/name) nor an existing path`);

  const config = await getJson(ctx, "config.json", false);
  if (config === undefined) throw fail(ctx, `no config.json on ${endpoint}`);
  const [quantA, quantB, preprocessor, index] = await Promise.all([
    getJson(ctx, QUANT_CONFIG_FILES[0], true),
    getJson(ctx, QUANT_CONFIG_FILES[1], true),
    getJson(ctx, PREPROCESSOR_FILE, true),
    getJson(ctx, INDEX_FILE, true),
  ]);

  const warnings: string[] = [];
  let headers: SafetensorsHeader[];
  const indexUrl = fileUrl(ctx, INDEX_FILE);
  let totalSize: number | null = null;
  if (index !== undefined) {
    const parsed = shardsFromIndex(index, indexUrl);
    totalSize = parsed.totalSize;
    const got = await mapBounded(parsed.shards, CONCURRENCY, (f) => shardHeader(ctx, f, false));
    headers = got.filter((h): h is SafetensorsHeader => h !== null);
  } else {
    const single = await shardHeader(ctx, "model.safetensors", true);
    headers = single ? [single] : [];
  }
  const weights = headers.length > 0 ? summariseHeaders(headers) : null;
  if (weights) {
    const w = totalSizeWarning(indexUrl, totalSize, weights.totalBytes);
    if (w) warnings.push(w);
  }

  const quantConfig = quantA ?? quantB;
  const files: LocalModel["files"] = { config, checkpointBytes: weights ? weights.totalBytes : null };
  if (quantConfig !== undefined) files.quantConfig = quantConfig;
  if (preprocessor !== undefined) files.preprocessor = preprocessor;
  return { id: hfId, files, weights, source: `${endpoint}/${hfId}`, warnings };
}
