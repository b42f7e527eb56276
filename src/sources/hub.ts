// Reads a model's configs and safetensors headers from the Hugging Face Hub (or a mirror), without
// downloading weights: small JSON files whole, then per shard two HTTP range requests (the 8-byte
// length, then exactly the JSON header).
import { InputError } from "../errors.js";
import type { Json } from "../core/architecture.js";
import {
  INDEX_FILE,
  PREPROCESSOR_FILE,
  QUANT_CONFIG_FILES,
  checkpointFiles,
  shardsFromIndex,
  type LocalModel,
} from "./model-dir.js";
import { isHubRepoId } from "./model-name.js";
import { MAX_JSON_FILE_BYTES, excerpt } from "../limits.js";
import { JsonSyntaxError, parsePythonJson } from "./python-json.js";
import {
  headerLengthFromPrefix,
  mapBounded,
  parseSafetensorsHeaderBytes,
  type SafetensorsHeader,
} from "./safetensors.js";

export const DEFAULT_ENDPOINT = "https://huggingface.co";
/**
 * Per request, headers and body together: a stalled server is given up on within a few seconds
 * (HF_HUB_DOWNLOAD_TIMEOUT, huggingface_hub's own setting in seconds, waits longer).
 */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** Redirects followed per file (the Hub: resolve/ → a storage host; renamed repos → their new name). */
const MAX_REDIRECTS = 5;
/** The longest Retry-After a 429 is waited out once; longer, the message says when to come back. */
export const MAX_RETRY_WAIT_MS = 10_000;
/** Shard headers fetched at once. */
const CONCURRENCY = 8;

export type LocalModelLike = LocalModel;

export interface HubOptions {
  endpoint?: string;
  token?: string;
  timeoutMs?: number;
  offline?: boolean;
  /** Branch, tag or commit (vLLM's --revision); default main. */
  revision?: string;
  /** HTTP(S)_PROXY / NO_PROXY as the environment gives them (Node's fetch ignores them unless told). */
  proxy?: ProxySettings;
  /** Longest Retry-After waited out once on HTTP 429 (default MAX_RETRY_WAIT_MS). */
  maxRetryWaitMs?: number;
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

type Env = Record<string, string | undefined>;

/** huggingface_hub's truthy spellings of a boolean environment variable. */
function envTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "ON", "YES", "TRUE"].includes(value.trim().toUpperCase());
}

/**
 * Hub options from HF_ENDPOINT, HF_TOKEN (or HUGGING_FACE_HUB_TOKEN), HF_HUB_OFFLINE,
 * HF_HUB_DOWNLOAD_TIMEOUT (seconds) and the proxy variables (either case, as curl and undici read them).
 */
export function hubOptionsFromEnv(env: Env = process.env): { endpoint: string; token?: string; offline: boolean; timeoutMs?: number; proxy?: ProxySettings } {
  const endpoint = env["HF_ENDPOINT"]?.trim() || DEFAULT_ENDPOINT;
  const token = env["HF_TOKEN"]?.trim() || env["HUGGING_FACE_HUB_TOKEN"]?.trim() || undefined;
  const offline = envTrue(env["HF_HUB_OFFLINE"]);
  const out: { endpoint: string; token?: string; offline: boolean; timeoutMs?: number; proxy?: ProxySettings } = token ? { endpoint, token, offline } : { endpoint, offline };
  const timeoutSeconds = Number(env["HF_HUB_DOWNLOAD_TIMEOUT"]?.trim());
  if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 && timeoutSeconds <= 3600) out.timeoutMs = Math.round(timeoutSeconds * 1000);
  const pick = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
  const proxy: ProxySettings = {};
  const httpProxy = pick("http_proxy", "HTTP_PROXY");
  const httpsProxy = pick("https_proxy", "HTTPS_PROXY");
  const noProxy = pick("no_proxy", "NO_PROXY");
  if (httpProxy) proxy.httpProxy = httpProxy;
  if (httpsProxy) proxy.httpsProxy = httpsProxy;
  if (noProxy) proxy.noProxy = noProxy;
  if (httpProxy || httpsProxy) out.proxy = proxy;
  return out;
}

/** The subset of fetch the reader uses (global fetch, or undici's with a proxy dispatcher). */
type Fetcher = (url: string, init: { headers: Record<string, string>; signal: AbortSignal; redirect: "manual" }) => Promise<Response>;

/**
 * Node's fetch ignores HTTP(S)_PROXY (nodejs/node#8381, before Node 24's NODE_USE_ENV_PROXY): with a
 * proxy configured, requests go through undici's EnvHttpProxyAgent, which honors NO_PROXY too.
 * undici loads only then, so a run without a proxy does not pay for it.
 */
async function fetcherFor(proxy: ProxySettings | undefined): Promise<Fetcher> {
  if (!proxy || (!proxy.httpProxy && !proxy.httpsProxy)) return (url, init) => fetch(url, init);
  // undici is CommonJS: Node's ESM loader gives named exports, a bundler may give only `default`.
  const loaded = (await import("undici")) as typeof import("undici") & { default?: typeof import("undici") };
  const undici = typeof loaded.EnvHttpProxyAgent === "function" ? loaded : (loaded.default ?? loaded);
  const agent = new undici.EnvHttpProxyAgent({
    ...(proxy.httpProxy ? { httpProxy: proxy.httpProxy } : {}),
    ...(proxy.httpsProxy ? { httpsProxy: proxy.httpsProxy } : {}),
    ...(proxy.noProxy ? { noProxy: proxy.noProxy } : {}),
  });
  return async (url, init) => (await undici.fetch(url, { ...init, dispatcher: agent })) as unknown as Response;
}

interface Ctx {
  id: string;
  endpoint: string;
  token: string | undefined;
  timeoutMs: number;
  revision: string;
  fetch: Fetcher;
  maxRetryWaitMs: number;
}

function fail(ctx: Ctx, message: string): InputError {
  return new InputError("--model", `--model ${ctx.id}: ${message}`);
}

function fileUrl(ctx: Ctx, file: string): string {
  const repo = ctx.id.split("/").map(encodeURIComponent).join("/");
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${ctx.endpoint}/${repo}/resolve/${encodeURIComponent(ctx.revision)}/${path}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** The error for a request that failed before an answer: a stall, or a network that does not reach the Hub. */
function unreachable(ctx: Ctx, err: unknown): InputError {
  const why = describeFetchError(err, ctx.timeoutMs);
  if (why === "timeout") {
    return fail(ctx, `${ctx.endpoint} did not answer within ${seconds(ctx.timeoutMs)}; gave up (HF_HUB_DOWNLOAD_TIMEOUT=<seconds> waits longer; a downloaded checkout directory plans without the Hub)`);
  }
  return fail(ctx, `could not reach ${ctx.endpoint} (${why}): check the network, or HTTPS_PROXY / NO_PROXY behind a proxy, or HF_ENDPOINT for a mirror; a downloaded checkout directory plans without the Hub`);
}

/** Retry-After as milliseconds (delay-seconds or an HTTP date); null when absent or unreadable. */
function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

function describeFetchError(err: unknown, _timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return "timeout";
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return code ?? cause.message;
    }
    return err.message;
  }
  return String(err);
}

async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/**
 * GET `file`; null on 404 when `optional`. Every other failure is an InputError.
 * Redirects are followed by hand: the Hub's resolve/ answers 302 to a storage host on another origin
 * with a signed query string, and the token must not travel there (huggingface_hub drops
 * Authorization across origins too); Range is kept on every hop. A 429 is waited out once when its
 * Retry-After is short.
 */
async function get(ctx: Ctx, file: string, optional: boolean, range?: [number, number]): Promise<Response | null> {
  const home = new URL(ctx.endpoint).origin;
  let url = fileUrl(ctx, file);
  let retried = false;
  let hops = 0;
  let res: Response;
  for (;;) {
    const headers: Record<string, string> = { "User-Agent": "vram-plan" };
    if (ctx.token && new URL(url).origin === home) headers["Authorization"] = `Bearer ${ctx.token}`;
    if (range) headers["Range"] = `bytes=${range[0]}-${range[1]}`;
    try {
      res = await ctx.fetch(url, { headers, signal: AbortSignal.timeout(ctx.timeoutMs), redirect: "manual" });
    } catch (err) {
      throw unreachable(ctx, err);
    }
    if ([301, 302, 303, 307, 308].includes(res.status)) {
      const location = res.headers.get("location");
      await discard(res);
      if (!location) throw fail(ctx, `${ctx.endpoint} answered HTTP ${res.status} with no Location for ${file}`);
      if (++hops > MAX_REDIRECTS) throw fail(ctx, `more than ${MAX_REDIRECTS} redirects for ${file} on ${ctx.endpoint}`);
      url = new URL(location, url).toString();
      continue;
    }
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get("retry-after"));
      await discard(res);
      if (!retried && wait !== null && wait <= ctx.maxRetryWaitMs) {
        retried = true;
        await new Promise((r) => setTimeout(r, wait));
        url = fileUrl(ctx, file);
        hops = 0;
        continue;
      }
      const when = wait !== null ? `; it asks to wait ${seconds(wait)}` : "";
      throw fail(ctx, `${ctx.endpoint} is rate-limiting requests (HTTP 429${retried ? ", also after waiting once" : ""})${when}: try again later${ctx.token ? "" : ", or set HF_TOKEN (signed-in requests get a higher limit)"}`);
    }
    break;
  }
  if (res.ok) return res;
  await discard(res);
  const code = res.headers.get("x-error-code");
  const page = `${ctx.endpoint}/${ctx.id}`;
  if (code === "RevisionNotFound") throw fail(ctx, `no revision '${ctx.revision}' on ${ctx.endpoint} (--revision takes a branch, tag or commit of the repository)`);
  if (code === "EntryNotFound" || (res.status === 404 && code !== "RepoNotFound")) {
    if (optional) return null;
    if (code === "EntryNotFound" || file !== "config.json") throw fail(ctx, `no ${file} on ${ctx.endpoint}${ctx.revision !== "main" ? ` at revision ${ctx.revision}` : ""}`);
    throw fail(ctx, `no such model on ${ctx.endpoint}`);
  }
  if (code === "RepoNotFound") {
    // The Hub answers 401 RepoNotFound both for missing repos and for private ones the caller can't see.
    if (res.status === 404) throw fail(ctx, `no such model on ${ctx.endpoint}`);
    if (ctx.token) throw fail(ctx, `no such model on ${ctx.endpoint}, or it is private and HF_TOKEN's account cannot read it`);
    throw fail(ctx, `no such model on ${ctx.endpoint} (or it is private: set HF_TOKEN to a token that can read it)`);
  }
  if (code === "GatedRepo") {
    if (ctx.token) throw fail(ctx, `gated on ${ctx.endpoint} and HF_TOKEN's account has no access yet: request it at ${page} (approval can take a while), or use a token of an account that has it`);
    throw fail(ctx, `gated on ${ctx.endpoint}: accept its conditions at ${page} while signed in, then set HF_TOKEN to a read token of that account`);
  }
  if (res.status === 401 || res.status === 403) {
    const said = res.headers.get("x-error-message");
    const detail = said ? `: ${excerpt(said)}` : "";
    if (res.status === 401 && ctx.token) throw fail(ctx, `${ctx.endpoint} refused HF_TOKEN (HTTP 401${detail}): the token is invalid or expired`);
    if (ctx.token) throw fail(ctx, `${ctx.endpoint} refused access with HF_TOKEN (HTTP 403${detail}): the token may lack read permission for ${page}`);
    throw fail(ctx, `${ctx.endpoint} needs a token for this model (HTTP ${res.status}${detail}): set HF_TOKEN`);
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
  for (const chunk of chunks) {
    const take = Math.min(chunk.length, out.length - at);
    out.set(chunk.subarray(0, take), at);
    at += take;
    if (at >= out.length) break;
  }
  return out;
}

async function getJson(ctx: Ctx, file: string, optional: boolean): Promise<Json | undefined> {
  const res = await get(ctx, file, optional);
  if (!res) return undefined;
  // The same cap as a JSON file on disk (src/limits.ts): a server sending more is refused, not buffered.
  let bytes: Uint8Array;
  try {
    bytes = await readUpTo(res, MAX_JSON_FILE_BYTES + 1);
  } catch (err) {
    throw unreachable(ctx, err);
  }
  if (bytes.length > MAX_JSON_FILE_BYTES) throw fail(ctx, `${file} from ${ctx.endpoint} is over the ${MAX_JSON_FILE_BYTES / 2 ** 20} MiB limit for a JSON file`);
  try {
    return parsePythonJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw fail(ctx, `${file} from ${ctx.endpoint} is not valid JSON (line ${err.line}, column ${err.column}: ${err.reason})`);
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
      const match = CONTENT_RANGE.exec(res.headers.get("content-range") ?? "");
      if (!match || match[3] === "*" || Number(match[1]) !== start) {
        await discard(res);
        throw fail(ctx, `${ctx.endpoint} gave a bad Content-Range for ${file}`);
      }
      size = Number(match[3]);
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
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw unreachable(ctx, err);
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
  const headerLength = headerLengthFromPrefix(prefix.bytes, prefix.size, where);
  const json = await getRange(ctx, file, 8, 8 + headerLength - 1, false, where);
  if (!json) return null;
  if (json.size !== prefix.size) throw fail(ctx, `${file} changed size between requests`);
  return parseSafetensorsHeaderBytes(json.bytes.subarray(0, headerLength), prefix.size, where);
}

/**
 * Configs and safetensors header totals of `hfId` from the Hub (revision main). Throws InputError
 * with one line when offline, unreachable, gated/private or missing.
 */
export async function fetchFromHub(hfId: string, opts: HubOptions = {}): Promise<LocalModelLike> {
  const endpoint = (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const revision = opts.revision?.trim() || "main";
  const ctx0 = { id: hfId, endpoint, token: opts.token, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, revision, maxRetryWaitMs: opts.maxRetryWaitMs ?? MAX_RETRY_WAIT_MS };
  if (opts.offline) {
    throw fail({ ...ctx0, fetch }, "not in the catalog or the Hugging Face cache, and offline mode (--offline / HF_HUB_OFFLINE=1) forbids the Hub");
  }
  if (!isHubRepoId(hfId)) throw fail({ ...ctx0, fetch }, `not a Hugging Face model id (expected org/name) nor an existing path`);
  // One fetch per model per run: check and compare plan the same model many times.
  const key = JSON.stringify([endpoint, hfId, revision, opts.token ?? "", opts.proxy ?? null]);
  const known = runCache.get(key);
  if (known) return known;
  const pending = (async () => fetchModel({ ...ctx0, fetch: await fetcherFor(opts.proxy) }))();
  runCache.set(key, pending);
  pending.catch(() => runCache.delete(key));
  return pending;
}

/** Models fetched in this process (one CLI run), by endpoint, id, revision, token and proxy. */
const runCache = new Map<string, Promise<LocalModelLike>>();

/** Forget what this process fetched (tests that count requests; a long-lived library caller). */
export function forgetHubFetches(): void {
  runCache.clear();
}

async function fetchModel(ctx: Ctx): Promise<LocalModelLike> {
  const { id: hfId, endpoint } = ctx;

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
  const { files, weights } = checkpointFiles({ config, quantConfigs: [quantA, quantB], preprocessor, headers, totalSize, indexLabel: indexUrl }, warnings);
  return { id: hfId, files, weights, source: `${endpoint}/${hfId}${ctx.revision !== "main" ? `@${ctx.revision}` : ""}`, warnings };
}
