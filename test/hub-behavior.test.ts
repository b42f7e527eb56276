// The Hub as it really behaves, against stand-ins on loopback that behave the same way:
// - resolve/ of an LFS file (the safetensors shards) answers 302 to a storage host on another
//   origin with a signed query string; the storage host honors Range; the token is not sent there
//   (huggingface_hub drops Authorization on a cross-origin redirect; so does the Fetch standard);
// - gated and private repos answer 401/403 with X-Error-Code (GatedRepo, RepoNotFound), and an
//   unknown revision 404 RevisionNotFound (huggingface_hub's hf_raise_for_status reads the same header);
// - 429 with Retry-After; --revision in the resolve/ path; HTTP(S)_PROXY / NO_PROXY honored;
// - a model's files are fetched once per run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { connect, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { fetchFromHub, forgetHubFetches, hubOptionsFromEnv, DEFAULT_TIMEOUT_MS } from "../src/sources/hub.js";
import { readModelDir } from "../src/sources/model-dir.js";
import { inputError } from "./helpers/input-error.js";

const FIX = join(import.meta.dirname, "..", "fixtures", "hub", "acme", "tiny-llama");
const TOKEN = "hf_reader";
const SIGNATURE = "X-Amz-Signature=5f1c0ffee&X-Amz-Expires=3600";

interface Req {
  host: "hub" | "storage" | "proxy";
  path: string;
  query: string;
  range: string | undefined;
  auth: string | undefined;
}
const reqs: Req[] = [];
let hub: Server;
let storage: Server;
let proxy: Server;
let hubUrl: string;
let storageUrl: string;
let proxyUrl: string;
/** How many 429s the Hub still answers for acme/busy (and with which Retry-After). */
let busy = { left: 0, retryAfter: "0" };

const listen = async (s: Server): Promise<string> => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

function serveBytes(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const match = /^bytes=(\d+)-(\d+)$/.exec(req.headers["range"] ?? "");
  if (match) {
    const start = Number(match[1]);
    const end = Math.min(Number(match[2]), body.length - 1);
    res.writeHead(206, { "Content-Range": `bytes ${start}-${end}/${body.length}`, "Content-Length": String(end - start + 1) }).end(body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { "Content-Length": String(body.length) }).end(body);
}

function hubHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  reqs.push({ host: "hub", path: url.pathname, query: url.search, range: req.headers["range"], auth: req.headers["authorization"] });
  const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (!match) return void res.writeHead(404).end();
  const repo = decodeURIComponent(match[1] ?? "");
  const revision = decodeURIComponent(match[2] ?? "");
  const file = decodeURIComponent(match[3] ?? "");
  if (repo === "acme/stall") return; // accepts, never answers
  if (repo === "acme/busy" && busy.left > 0) {
    busy.left--;
    return void res.writeHead(429, { "Retry-After": busy.retryAfter }).end("Too Many Requests");
  }
  if (repo === "acme/gated" && req.headers["authorization"] !== `Bearer ${TOKEN}`) {
    // The Hub: 401 without a token, 403 with a token of an account that has not been granted access.
    const status = req.headers["authorization"] ? 403 : 401;
    return void res.writeHead(status, { "X-Error-Code": "GatedRepo", "X-Error-Message": "Access to model acme/gated is restricted." }).end();
  }
  if (repo === "acme/private") return void res.writeHead(401, { "X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository Not Found" }).end();
  if (!["main", "v2.0"].includes(revision)) return void res.writeHead(404, { "X-Error-Code": "RevisionNotFound" }).end("Invalid rev id");
  const path = join(FIX, file);
  if (!existsSync(path)) return void res.writeHead(404, { "X-Error-Code": "EntryNotFound" }).end();
  if (file.endsWith(".safetensors")) {
    // LFS files live on the storage host: an absolute Location on another origin, signed.
    res.writeHead(302, { Location: `${storageUrl}/lfs/${revision}/${encodeURIComponent(file)}?${SIGNATURE}` }).end();
    return;
  }
  serveBytes(req, res, readFileSync(path));
}

function storageHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  reqs.push({ host: "storage", path: url.pathname, query: url.search, range: req.headers["range"], auth: req.headers["authorization"] });
  if (url.search !== `?${SIGNATURE}`) return void res.writeHead(403).end("signature");
  const file = decodeURIComponent(url.pathname.split("/").pop() ?? "");
  serveBytes(req, res, readFileSync(join(FIX, file)));
}

/** CONNECT tunnels (undici's ProxyAgent tunnels every request, as curl does for https://). */
function proxyConnect(req: IncomingMessage, client: Socket, head: Buffer): void {
  reqs.push({ host: "proxy", path: `http://${req.url ?? ""}`, query: "", range: undefined, auth: req.headers["proxy-authorization"] });
  const [host, port] = (req.url ?? "").split(":");
  const up = connect(Number(port), host ?? "127.0.0.1", () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length) up.write(head);
    up.pipe(client);
    client.pipe(up);
  });
  up.on("error", () => client.destroy());
  client.on("error", () => up.destroy());
}

/** A forward proxy for http:// targets (absolute-form request lines), as corporate proxies are. */
function proxyHandler(req: IncomingMessage, res: ServerResponse): void {
  const target = new URL(req.url ?? "");
  reqs.push({ host: "proxy", path: target.toString(), query: "", range: req.headers["range"], auth: req.headers["authorization"] });
  const up = request(target, { method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => res.writeHead(502).end());
  req.pipe(up);
}

beforeAll(async () => {
  hub = createServer(hubHandler);
  storage = createServer(storageHandler);
  proxy = createServer(proxyHandler);
  proxy.on("connect", proxyConnect);
  hubUrl = await listen(hub);
  storageUrl = await listen(storage);
  proxyUrl = await listen(proxy);
});
afterAll(async () => {
  for (const s of [hub, storage, proxy]) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});
beforeEach(() => {
  forgetHubFetches();
  reqs.length = 0;
});

describe("the Hub's redirect to a storage host", () => {
  it("follows resolve/ → 302 → another origin with its signed query, Range kept, the token not sent there", async () => {
    const localModel = await fetchFromHub("acme/tiny-llama", { endpoint: hubUrl, token: TOKEN });
    const local = await readModelDir(FIX);
    expect(localModel.weights).toEqual(local.weights);
    expect(localModel.files.checkpointBytes).toBe(local.files.checkpointBytes);
    const st = reqs.filter((r) => r.host === "storage");
    // Two ranged reads per shard (the 8-byte length, then the JSON header), three shards.
    expect(st).toHaveLength(6);
    expect(st.every((r) => r.query === `?${SIGNATURE}` && /^bytes=\d+-\d+$/.test(r.range ?? ""))).toBe(true);
    expect(st.map((r) => r.auth)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    // The Hub itself gets the token on every request.
    const h = reqs.filter((r) => r.host === "hub");
    expect(h.length).toBeGreaterThan(6);
    expect(h.every((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
  });
});

describe("gated, private, revisions", () => {
  it("GatedRepo: 401 without a token, 403 with one that has no access — each says how to get access", async () => {
    const page = `${hubUrl}/acme/gated`;
    expect((await inputError(fetchFromHub("acme/gated", { endpoint: hubUrl }))).message).toBe(
      `--model acme/gated: gated on ${hubUrl}: accept its conditions at ${page} while signed in, then set HF_TOKEN to a read token of that account`,
    );
    expect((await inputError(fetchFromHub("acme/gated", { endpoint: hubUrl, token: "hf_other" }))).message).toBe(
      `--model acme/gated: gated on ${hubUrl} and HF_TOKEN's account has no access yet: request it at ${page} (approval can take a while), or use a token of an account that has it`,
    );
  });

  it("RepoNotFound on 401: missing or private, said both ways", async () => {
    expect((await inputError(fetchFromHub("acme/private", { endpoint: hubUrl }))).message).toBe(`--model acme/private: no such model on ${hubUrl} (or it is private: set HF_TOKEN to a token that can read it)`);
    expect((await inputError(fetchFromHub("acme/private", { endpoint: hubUrl, token: TOKEN }))).message).toBe(`--model acme/private: no such model on ${hubUrl}, or it is private and HF_TOKEN's account cannot read it`);
  });

  it("--revision: every file from resolve/<revision>/; an unknown revision is named", async () => {
    const local = await fetchFromHub("acme/tiny-llama", { endpoint: hubUrl, revision: "v2.0" });
    expect(local.source).toBe(`${hubUrl}/acme/tiny-llama@v2.0`);
    expect(reqs.filter((r) => r.host === "hub").every((r) => r.path.startsWith("/acme/tiny-llama/resolve/v2.0/"))).toBe(true);
    expect(reqs.filter((r) => r.host === "storage").every((r) => r.path.startsWith("/lfs/v2.0/"))).toBe(true);
    expect((await inputError(fetchFromHub("acme/tiny-llama", { endpoint: hubUrl, revision: "nope" }))).message).toBe(
      `--model acme/tiny-llama: no revision 'nope' on ${hubUrl} (--revision takes a branch, tag or commit of the repository)`,
    );
  });
});

describe("rate limits and stalls", () => {
  it("429 with Retry-After: waited out once, then the request goes through", async () => {
    busy = { left: 1, retryAfter: "0" };
    const local = await fetchFromHub("acme/busy", { endpoint: hubUrl });
    // fixtures/hub/acme/tiny-llama/config.json, read after the one 429.
    expect(local.files.config).toMatchObject({ model_type: "llama", hidden_size: 16, num_hidden_layers: 2, num_key_value_heads: 1 });
    const cfg = reqs.filter((r) => r.path === "/acme/busy/resolve/main/config.json");
    expect(cfg).toHaveLength(2);
  });

  it("429 twice: one bounded retry only, then a message that says so", async () => {
    busy = { left: 2, retryAfter: "0" };
    expect((await inputError(fetchFromHub("acme/busy", { endpoint: hubUrl }))).message).toBe(
      `--model acme/busy: ${hubUrl} is rate-limiting requests (HTTP 429, also after waiting once); it asks to wait 0 ms: try again later, or set HF_TOKEN (signed-in requests get a higher limit)`,
    );
    expect(reqs.filter((r) => r.path === "/acme/busy/resolve/main/config.json")).toHaveLength(2);
  });

  it("429 asking for an hour is not waited out", async () => {
    busy = { left: 1, retryAfter: "3600" };
    expect((await inputError(fetchFromHub("acme/busy", { endpoint: hubUrl }))).message).toBe(
      `--model acme/busy: ${hubUrl} is rate-limiting requests (HTTP 429); it asks to wait 3600 s: try again later, or set HF_TOKEN (signed-in requests get a higher limit)`,
    );
    expect(reqs.filter((r) => r.path === "/acme/busy/resolve/main/config.json")).toHaveLength(1);
    busy = { left: 0, retryAfter: "0" };
  });

  it("a stalled server is given up on with a message; the default wait is a few seconds (HF_HUB_DOWNLOAD_TIMEOUT raises it)", async () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(5000);
    expect(hubOptionsFromEnv({ HF_HUB_DOWNLOAD_TIMEOUT: "30" }).timeoutMs).toBe(30_000);
    expect((await inputError(fetchFromHub("acme/stall", { endpoint: hubUrl, timeoutMs: 200 }))).message).toBe(
      `--model acme/stall: ${hubUrl} did not answer within 200 ms; gave up (HF_HUB_DOWNLOAD_TIMEOUT=<seconds> waits longer; a downloaded checkout directory plans without the Hub)`,
    );
  });
});

describe("proxies and fetching once", () => {
  it("HTTP_PROXY is honored (every request through the proxy); NO_PROXY bypasses it", async () => {
    const env = hubOptionsFromEnv({ HF_ENDPOINT: hubUrl, HTTP_PROXY: proxyUrl });
    expect(env.proxy).toEqual({ httpProxy: proxyUrl });
    const local = await fetchFromHub("acme/tiny-llama", env);
    expect(local.weights?.shards).toBe(3);
    // Both origins (the Hub and the storage host) reached through the proxy only.
    const viaProxy = reqs.filter((r) => r.host === "proxy").map((r) => new URL(r.path).origin);
    expect(new Set(viaProxy)).toEqual(new Set([hubUrl, storageUrl]));

    forgetHubFetches();
    reqs.length = 0;
    const bypass = hubOptionsFromEnv({ HF_ENDPOINT: hubUrl, http_proxy: proxyUrl, no_proxy: "127.0.0.1" });
    await fetchFromHub("acme/tiny-llama", bypass);
    expect(reqs.filter((r) => r.host === "proxy")).toEqual([]);
    expect(reqs.filter((r) => r.host === "hub").length).toBeGreaterThan(0);
  });

  it("the bundled bin loads the proxy agent too (undici is CommonJS inside the bundle)", async () => {
    // The proxy is the stand-in; the Hub behind it is the stand-in too, so this never leaves loopback.
    // Run asynchronously: the stand-ins answer from this process's event loop.
    const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [bin, "--model", "acme/tiny-llama", "--gpu", "h100", "--json"], {
        encoding: "utf8",
        env: { PATH: process.env["PATH"] ?? "", HF_ENDPOINT: hubUrl, HTTP_PROXY: proxyUrl, HF_HUB_CACHE: "/nonexistent-vram-plan-cache" },
      }, (_e, _out, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    expect(r.stderr).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(reqs.filter((x) => x.host === "proxy").length).toBeGreaterThan(0);
  });

  it("a model's files are fetched once per run", async () => {
    await fetchFromHub("acme/tiny-llama", { endpoint: hubUrl });
    const first = reqs.length;
    expect(reqs.filter((r) => r.path.endsWith("/config.json"))).toHaveLength(1);
    await fetchFromHub("acme/tiny-llama", { endpoint: hubUrl });
    expect(reqs.length).toBe(first);
  });
});
