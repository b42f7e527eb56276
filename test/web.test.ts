// `vram-plan web --out DIR` and the page it writes. The page is checked in headless Chromium (one
// launch, a few plans): opened from file:// with a query, it shows the same KV tokens as
// `vram-plan --json` for those inputs, with no console error. `npm test` builds dist/web first.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, unwrapped } from "./helpers/cli.js";
import { findChromium, launchChromium, type Browser, type Page } from "./helpers/chromium.js";
import type { Plan } from "../src/core/types.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "vram-plan-web-"));

describe("vram-plan web --out", () => {
  it("writes index.html and app.js into a new directory; the page loads only its own script", async () => {
    const out = join(tmp(), "site");
    const result = await runCli(["web", "--out", out]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain('<script src="app.js"></script>');
    // A classic script (module scripts do not load from file://), nothing else fetched.
    expect(html).not.toMatch(/type="module"|https?:\/\//);
    // The only link: an empty icon, so a static host is not asked for /favicon.ico (a 404 in the console).
    expect(html.match(/<link[^>]*>/g)).toEqual(['<link rel="icon" href="data:,">']);
    const js = readFileSync(join(out, "app.js"), "utf8");
    // No Node module in the bundle, and the catalog's configs embedded as data.
    expect(js).not.toMatch(/require\(["'](node:|fs|path|child_process)/);
    expect(js).toContain("Qwen/Qwen2.5-VL-7B-Instruct");
    expect(js).toContain("h100-sxm");
  });

  it("refuses a non-empty directory that is not its own output, and writes nothing there", async () => {
    const out = tmp();
    writeFileSync(join(out, "index.html"), "my page");
    const result = await runCli(["web", "--out", out]);
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toMatch(/^vram-plan: --out .*not empty and not a previous vram-plan web output/);
    expect(readFileSync(join(out, "index.html"), "utf8")).toBe("my page");
    expect(existsSync(join(out, "app.js"))).toBe(false);
  });

  it("refuses a file, and requires --out", async () => {
    const path = join(tmp(), "file");
    writeFileSync(path, "x");
    expect((await runCli(["web", "--out", path])).err).toContain("is not a directory");
    const result = await runCli(["web"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--out: required");
  });

  it("overwrites its own previous output (and leaves a user's other files there alone)", async () => {
    const out = tmp();
    expect((await runCli(["web", "--out", out])).code).toBe(0);
    writeFileSync(join(out, "index.html"), "stale");
    writeFileSync(join(out, "notes.txt"), "mine");
    expect((await runCli(["web", "--out", out])).code).toBe(0);
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain("vram-plan");
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine");
  });
});

// Held-out plans: different families, GPUs, parallel layouts, releases, and one that does not start.
const CASES: string[][] = [
  ["--model", "qwen2.5-7b", "--gpu", "h100-sxm", "--max-model-len", "32768"],
  ["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--limit-mm-per-prompt", '{"image":2,"video":0}'],
  ["--model", "llama-3.1-8b", "--gpu", "l4", "-tp", "2", "--kv-cache-dtype", "fp8", "--max-num-seqs", "64"],
  ["--model", "nemotron-h-56b-base-8k", "--gpu", "h100-sxm", "--tensor-parallel-size", "2", "--vllm-version", "0.11.0"],
  ["--model", "gpt-oss-20b", "--gpu", "l40s", "--gpu-memory-utilization", "0.85", "--enforce-eager"],
  ["--model", "qwen2.5-32b", "--gpu", "l4"],
];

/** The CLI's argv as the page's query (the CLI's flag names, -tp as tp; a switch is =true). */
function query(argv: readonly string[]): string {
  const q = new URLSearchParams();
  for (let i = 0; i < argv.length; i++) {
    const k = (argv[i] as string).replace(/^-+/, "");
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("-")) q.set(k, "true");
    else {
      q.set(k, v);
      i++;
    }
  }
  return q.toString();
}

const chromium = findChromium();
const title = chromium
  ? `the web page in headless Chromium (${chromium})`
  : "the web page in headless Chromium — SKIPPED: no Chromium found ($CHROMIUM, /usr/bin/chromium); install Debian's: apt-get install chromium";

// Said on the console too, so a skipped browser check is seen in any reporter's output.
if (chromium === null) console.warn(`vram-plan: ${title}`);

describe.skipIf(chromium === null)(title, () => {
  let browser: Browser;
  let page: Page;
  let indexUrl: string;
  let out: string;

  beforeAll(async () => {
    out = join(tmp(), "site");
    expect((await runCli(["web", "--out", out])).code).toBe(0);
    indexUrl = pathToFileURL(resolve(out, "index.html")).href;
    browser = await launchChromium(chromium as string);
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  }, 30_000);

  it("the harness sees a console error (so the checks below can fail)", async () => {
    await page.goto(`${indexUrl}?model=qwen2.5-7b&gpu=l4`);
    await page.evaluate(`console.error("seen")`);
    await page.evaluate(`new Promise((r) => setTimeout(r, 50))`);
    expect(page.errors.map((e) => e.text)).toEqual(['["seen"]']);
    page.errors.length = 0;
  }, 30_000);

  it.each(CASES.map((c) => [c.join(" "), c] as const))("%s: the KV tokens of vram-plan --json", async (_name, argv) => {
    const cli = await runCli([...argv, "--json"]);
    const plan = JSON.parse(cli.out) as Plan;
    await page.goto(`${indexUrl}?${query(argv)}`);
    const shown = await page.evaluate<{ tokens: string | null; text: string | null; fits: string | null; kvBytes: string | null; error: string; serve: string }>(`(() => {
      const kv = document.querySelector(".kv-tokens");
      return {
        tokens: kv ? kv.getAttribute("data-value") : null,
        text: kv ? kv.textContent : null,
        fits: document.querySelector("section.plan")?.getAttribute("data-fits") ?? null,
        kvBytes: document.querySelector('td[data-field="kvCacheBytes"]')?.getAttribute("data-bytes") ?? null,
        error: document.getElementById("error").textContent,
        serve: document.getElementById("serve").textContent,
      };
    })()`);
    expect(shown.error).toBe("");
    expect(Number(shown.tokens)).toBe(plan.kvCache.tokens);
    expect(shown.text).toBe(plan.kvCache.tokens.toLocaleString("en-US"));
    expect(shown.fits).toBe(String(plan.fits));
    expect(Number(shown.kvBytes)).toBe(plan.perGpu[0]!.kvCacheBytes);
    // The command to copy names the model and the vLLM flags, not vram-plan's own.
    expect(shown.serve).toMatch(/^vllm serve \S+/);
    expect(shown.serve).not.toContain("--vllm-version");
    expect(page.errors).toEqual([]);
  }, 30_000);

  it("editing a flag re-plans, puts it in the URL with the CLI's name, and matches the CLI", async () => {
    await page.goto(`${indexUrl}?model=qwen2.5-7b&gpu=h100-sxm`);
    const after = await page.evaluate<{ tokens: string | null; search: string; serve: string }>(`(() => {
      const input = document.querySelector('input[name="max-model-len"]');
      input.value = "16K";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      return { tokens: document.querySelector(".kv-tokens")?.getAttribute("data-value") ?? null, search: location.search, serve: document.getElementById("serve").textContent };
    })()`);
    const plan = JSON.parse((await runCli(["--model", "qwen2.5-7b", "--gpu", "h100-sxm", "--max-model-len", "16K", "--json"])).out) as Plan;
    expect(Number(after.tokens)).toBe(plan.kvCache.tokens);
    expect(new URLSearchParams(after.search).get("max-model-len")).toBe("16K");
    expect(after.serve).toBe("vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 16K");
    expect(page.errors).toEqual([]);
  }, 30_000);

  it("a link written by hand: nvidia-smi's GPU name, a bare switch, the CLI's output options ignored", async () => {
    await page.goto(`${indexUrl}?model=Qwen/Qwen2.5-7B-Instruct&gpu=${encodeURIComponent("NVIDIA L40S")}&enforce-eager&json&explain`);
    const shown = await page.evaluate<{ tokens: string | null; error: string; eager: boolean }>(`({ tokens: document.querySelector(".kv-tokens")?.getAttribute("data-value") ?? null, error: document.getElementById("error").textContent, eager: document.querySelector('input[name="enforce-eager"]').checked })`);
    const plan = JSON.parse((await runCli(["--model", "Qwen/Qwen2.5-7B-Instruct", "--gpu", "NVIDIA L40S", "--enforce-eager", "--json"])).out) as Plan;
    expect(shown.error).toBe("");
    expect(shown.eager).toBe(true);
    expect(Number(shown.tokens)).toBe(plan.kvCache.tokens);
    expect(page.errors).toEqual([]);
  }, 30_000);

  it("served by a static host (a stand-in on loopback): the same numbers, nothing else requested, no console error", async () => {
    const requested: string[] = [];
    const server: Server = createServer((req, res) => {
      requested.push(req.url ?? "");
      const path = (req.url ?? "/").split("?")[0] === "/" ? "index.html" : (req.url ?? "").split("?")[0]!.slice(1);
      if (!["index.html", "app.js"].includes(path)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": path.endsWith(".js") ? "text/javascript" : "text/html" }).end(readFileSync(join(out, path)));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await page.goto(`http://127.0.0.1:${port}/?model=gemma-3-4b&gpu=a10g&max-model-len=8192`);
      const tokens = await page.evaluate<string | null>(`document.querySelector(".kv-tokens")?.getAttribute("data-value") ?? null`);
      const plan = JSON.parse((await runCli(["--model", "gemma-3-4b", "--gpu", "a10g", "--max-model-len", "8192", "--json"])).out) as Plan;
      expect(Number(tokens)).toBe(plan.kvCache.tokens);
      expect(requested.map((u) => u.split("?")[0])).toEqual(["/", "/app.js"]);
      expect(page.errors).toEqual([]);
    } finally {
      server.close();
    }
  }, 30_000);

  it("markup in the link stays text (model, a flag's name and value)", async () => {
    const evil = '<img src=x onerror="console.error(666)">';
    await page.goto(`${indexUrl}?model=${encodeURIComponent(evil)}&gpu=l4&${encodeURIComponent(evil)}=${encodeURIComponent(evil)}`);
    const seen = await page.evaluate<{ imgs: number; error: string }>(`({ imgs: document.querySelectorAll("img").length, error: document.getElementById("error").textContent })`);
    expect(seen.imgs).toBe(0);
    expect(seen.error).toContain("not in the catalog");
    await page.goto(`${indexUrl}?model=qwen2.5-7b&gpu=l4&max-model-len=${encodeURIComponent(evil)}`);
    const again = await page.evaluate<{ imgs: number; error: string }>(`({ imgs: document.querySelectorAll("img").length, error: document.getElementById("error").textContent })`);
    expect(again.imgs).toBe(0);
    expect(again.error).toContain("--max-model-len");
    expect(page.errors).toEqual([]);
  }, 30_000);

  it("bad input is the CLI's one-line message on the page, not a console error", async () => {
    await page.goto(`${indexUrl}?model=qwen2.5-7b&gpu=h100-sxm&gpu-memory-utilization=1.5`);
    const err = await page.evaluate<string>(`document.getElementById("error").textContent`);
    const cli = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100-sxm", "--gpu-memory-utilization", "1.5"]);
    expect(cli.code).toBe(2);
    expect(err).not.toBe("");
    expect(cli.err).toContain(err);
    expect(page.errors).toEqual([]);
  }, 30_000);

  it("a pasted config.json plans a model outside the catalog, the same as the CLI reading that file", async () => {
    const dir = tmp();
    const config = readFileSync("src/data/models/Qwen__Qwen2.5-1.5B-Instruct.json", "utf8");
    mkdirSync(join(dir, "m"));
    writeFileSync(join(dir, "m", "config.json"), config);
    await page.goto(`${indexUrl}?model=config&gpu=l4&config-json=${encodeURIComponent(config)}`);
    const tokens = await page.evaluate<string | null>(`document.querySelector(".kv-tokens")?.getAttribute("data-value") ?? null`);
    const plan = JSON.parse((await runCli(["--model", join(dir, "m", "config.json"), "--gpu", "l4", "--json"])).out) as Plan;
    expect(Number(tokens)).toBe(plan.kvCache.tokens);
    expect(page.errors).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});
