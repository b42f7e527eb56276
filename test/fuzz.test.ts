// Fuzz suite: hostile files and flags of every kind through the whole CLI (run(argv, io), in process),
// asserting the exit-code contract: 0 or 1 with a plan whose numbers are all finite and whose byte
// counts are never negative, or 2 with exactly one short line on stderr; never 3, never a hang (each
// case is bounded by the test timeout). Generated with fast-check from real inputs (catalog configs,
// fixtures' deployment files, safetensors headers) by mutation. `npm test` runs a fixed seed and a
// bounded count; `npm run fuzz` runs longer with a random seed and prints it (FC_SEED reruns one).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, unwrapped, type Ran } from "./helpers/cli.js";
import { RAW_LOG_DIR, rawLog } from "./helpers/vllm-logs.js";

const SEED = Number(process.env["FC_SEED"] ?? 1300);
const SCALE = Number(process.env["FC_RUNS_SCALE"] ?? 1);
const params = (n: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)), endOnFailure: true });
const ROOT = join(import.meta.dirname, "..");
const MODELS = join(ROOT, "src", "data", "models");

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vram-plan-fuzz-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fresh = (): string => {
  const d = join(dir, `c${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/**
 * The exit-code contract every input must keep. Signed byte fields: differences (kvGainBytes,
 * differenceBytes), check's minFreeBytes (over-commit), and what a log itself printed
 * (availableKvBytes: vLLM logs "Available KV cache memory: -2.14 GiB" when the budget is spent).
 */
function contract(result: Ran, what: string): void {
  const ctx = `${what}\n--- exit ${result.code}; stderr: ${result.err.slice(0, 600)}`;
  expect([0, 1, 2], ctx).toContain(result.code);
  if (result.code === 2) {
    expect(result.err.endsWith("\n"), ctx).toBe(true);
    // One error: its first line `vram-plan: …`, any detail indented under it (render/format.ts errorLines).
    const lines = result.err.slice(0, -1).split("\n");
    expect(lines[0], ctx).toMatch(/^vram-plan: /);
    for (const l of lines.slice(1)) expect(l, ctx).toMatch(/^ {2}\S/);
    expect(unwrapped(result.err).length, ctx).toBeLessThan(400);
  } else {
    expect(result.err, ctx).not.toMatch(/internal error|at .*\.js:\d+/);
    if (result.out.trimStart().startsWith("{")) {
      const bad: string[] = [];
      JSON.parse(result.out, (k, v: unknown) => {
        if (typeof v === "number" && (!Number.isFinite(v) || (/Bytes$/.test(k) && !/^(kvGainBytes|differenceBytes|minFreeBytes|availableKvBytes)$/.test(k) && v < 0))) bad.push(`${k}=${v}`);
        return v;
      });
      expect(bad, ctx).toEqual([]);
    }
  }
}

/** Values that broke the planner before (issue #13) or that a file may hold by mistake. */
const HOSTILE: unknown[] = [0, -1, -14, 1e8, 1e12, 1e300, 1.5, 3.5, 2 ** 53 + 2, -0.5, "28", "", "x".repeat(5000), null, true, false, [], [0], {}, { a: 1 }, "Infinity", "NaN", 65537, 4097];
const hostile = fc.constantFrom(...HOSTILE);

function numericPaths(x: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof x === "number") out.push(path);
  else if (Array.isArray(x)) x.slice(0, 8).forEach((v, i) => numericPaths(v, [...path, i], out));
  else if (typeof x === "object" && x !== null) for (const [k, v] of Object.entries(x)) numericPaths(v, [...path, k], out);
  return out;
}
function setAt(root: Record<string, unknown>, path: (string | number)[], v: unknown): void {
  let o: Record<string | number, unknown> = root;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = v;
}

const CONFIGS = readdirSync(MODELS).filter((f) => f.endsWith(".json") && !f.includes("preprocessor") && !f.includes("quant_config") && f !== "sizes.json");
/** Keys the planner reads that real configs often leave out (so mutation alone would never reach them). */
const EXTRA_KEYS = ["num_experts", "first_k_dense_replace", "head_dim", "sliding_window", "max_window_layers", "partial_rotary_factor", "num_experts_per_tok", "kv_lora_rank", "full_attention_interval", "mamba_num_heads", "decoder_sparse_step"];

describe("fuzz: the exit-code contract over hostile inputs (fast-check, fixed seed)", () => {
  it("config.json: a real config with one to three values made hostile", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CONFIGS), fc.array(fc.tuple(fc.nat(), hostile, fc.boolean(), fc.constantFrom(...EXTRA_KEYS)), { minLength: 1, maxLength: 3 }), async (file, edits) => {
        const cfg = JSON.parse(readFileSync(join(MODELS, file), "utf8").replace(/\bNaN\b|-?Infinity/g, "null")) as Record<string, unknown>;
        const paths = numericPaths(cfg);
        for (const [i, v, extra, key] of edits) {
          if (extra || paths.length === 0) cfg[key] = v;
          else setAt(cfg, paths[i % paths.length]!, v);
        }
        const dir = fresh();
        writeFileSync(join(dir, "config.json"), JSON.stringify(cfg));
        contract(await runCli(["--model", dir, "--gpu", "h100", "--json", "--offline"]), `${file} ${JSON.stringify(edits).slice(0, 300)}`);
      }),
      params(40),
    );
  }, 60_000);

  it("preprocessor and quantization configs beside a real vision config", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("min_pixels", "max_pixels", "patch_size", "merge_size", "size"), hostile, fc.constantFrom("bits", "group_size", "quant_method"), hostile, async (pk, pv, qk, qv) => {
        const dir = fresh();
        writeFileSync(join(dir, "config.json"), readFileSync(join(MODELS, "Qwen__Qwen2.5-VL-7B-Instruct.json")));
        writeFileSync(join(dir, "preprocessor_config.json"), JSON.stringify({ min_pixels: 3136, max_pixels: 12845056, [pk]: pv }));
        writeFileSync(join(dir, "quantize_config.json"), JSON.stringify({ quant_method: "gptq", bits: 4, group_size: 128, [qk]: qv }));
        contract(await runCli(["--model", dir, "--gpu", "h100", "--json", "--offline"]), `${pk}=${JSON.stringify(pv)} ${qk}=${JSON.stringify(qv)}`);
      }),
      params(25),
    );
  }, 60_000);

  it("safetensors headers and indexes: hostile length prefixes, dtypes, shapes, offsets and weight maps", async () => {
    const num = fc.oneof(fc.integer({ min: -5, max: 70 }), fc.constantFrom(2 ** 53, 2 ** 60, -1, 1.5));
    const header = fc.dictionary(fc.string({ maxLength: 12 }), fc.record({ dtype: fc.constantFrom("BF16", "F8_E4M3", "F4", "I4", "X9", 7), shape: fc.array(num, { maxLength: 4 }), data_offsets: fc.array(num, { maxLength: 3 }) }), { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(header, fc.oneof(fc.constant(null), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), fc.nat({ max: 64 }), fc.option(fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("../x.safetensors", "/etc/passwd", "a\\b", 3))), { nil: undefined }), async (h, prefix, pad, weightMap) => {
        const dir = fresh();
        writeFileSync(join(dir, "config.json"), readFileSync(join(MODELS, "Qwen__Qwen2.5-0.5B-Instruct.json")));
        const json = Buffer.from(JSON.stringify(h));
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(prefix ?? BigInt(json.length));
        writeFileSync(join(dir, "model.safetensors"), Buffer.concat([len, json, Buffer.alloc(pad)]));
        if (weightMap) writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: 1 }, weight_map: weightMap }));
        contract(await runCli(["--model", dir, "--gpu", "h100", "--json", "--offline"]), `header ${JSON.stringify(h).slice(0, 200)} prefix ${prefix}`);
      }),
      params(40),
    );
  }, 60_000);

  const DEPLOYMENTS = [
    ...readdirSync(join(ROOT, "fixtures", "deployments")).map((f) => join(ROOT, "fixtures", "deployments", f)),
    ...readdirSync(join(ROOT, "fixtures", "ci", "deploy")).map((f) => join(ROOT, "fixtures", "ci", "deploy", f)),
  ].filter((p) => statSync(p).isFile() && !p.endsWith(".md"));

  it("deployment files: real files truncated, spliced with hostile lines, or with bytes replaced", async () => {
    const hostileLine = fc.constantFrom(
      "      nvidia.com/gpu: -3",
      "      nvidia.com/gpu: 1.5",
      "          count: 1e9",
      "x: &a [*a]",
      'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      "vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 99999999999999999999999999",
      "vllm serve Qwen/Qwen2.5-7B-Instruct -tp 9007199254740993",
      "vllm serve Qwen/Qwen2.5-7B-Instruct --gpu-memory-utilization 1e-400",
      'vllm serve "unterminated',
      "vllm serve Qwen/Qwen2.5-7B-Instruct --limit-mm-per-prompt '{\"image\": -1}'",
      "[".repeat(500),
      "\u0000\u0001\u0002",
      "deployments: [{name: a, model: qwen2.5-7b, gpu: h100, gpus: -1}]",
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DEPLOYMENTS), fc.nat(), hostileLine, fc.constantFrom("truncate", "splice", "bytes"), fc.uint8Array({ minLength: 1, maxLength: 8 }), async (file, at, line, how, bytes) => {
        const text = readFileSync(file, "utf8");
        const cut = at % (text.length + 1);
        let out: string | Buffer;
        if (how === "truncate") out = text.slice(0, cut);
        else if (how === "splice") out = `${text.slice(0, cut)}\n${line}\n${text.slice(cut)}`;
        else {
          const b = Buffer.from(text);
          for (let i = 0; i < bytes.length && b.length > 0; i++) b[(cut + i) % b.length] = bytes[i]!;
          out = b;
        }
        const name = file.split("/").pop()!;
        const path = join(fresh(), name);
        writeFileSync(path, out);
        contract(await runCli(["check", path, "--gpu", "h100", "--offline", "--json"]), `${name} ${how} at ${cut}: ${JSON.stringify(line).slice(0, 80)}`);
      }),
      params(60),
    );
  }, 120_000);

  // The raw logs are in the repository: a missing folder is a failure, not a quieter fuzz over one log.
  const LOGS = readdirSync(RAW_LOG_DIR).map(rawLog).filter((p) => statSync(p).isFile()).slice(0, 20);

  it("vLLM logs: real start-up logs truncated, spliced with hostile lines, or with bytes replaced", async () => {
    const hostileLine = fc.constantFrom(
      "INFO 01-01 00:00:00 [gpu_worker.py:1] Available KV cache memory: -99999999999999999999 GiB",
      "INFO Model loading took 1e400 GiB",
      "INFO GPU KV cache size: NaN tokens",
      "INFO Maximum concurrency for 99999999999999999999999 tokens per request: 1e309x",
      "non-default args: {'tensor_parallel_size': 9007199254740993, 'max_model_len': -1}",
      "\u0000".repeat(100),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LOGS), fc.nat(), hostileLine, fc.constantFrom("truncate", "splice"), async (file, at, line, how) => {
        const text = readFileSync(file, "utf8");
        const cut = at % (text.length + 1);
        const out = how === "truncate" ? text.slice(0, cut) : `${text.slice(0, cut)}\n${line}\n${text.slice(cut)}`;
        const path = join(fresh(), "vllm.log");
        writeFileSync(path, out);
        contract(await runCli(["log", path, "--offline", "--json"]), `${file.split("/").pop()} ${how} at ${cut}: ${line.slice(0, 60)}`);
      }),
      params(30),
    );
  }, 120_000);

  it("flags: every number flag with hostile values", async () => {
    const flag = fc.constantFrom("-tp", "-pp", "-dp", "--max-model-len", "--max-num-seqs", "--max-num-batched-tokens", "--gpu-memory-utilization", "--gpu-memory", "--kv-cache-memory", "--block-size", "--other-process-memory", "--limit-mm-per-prompt", "--mm-processor-kwargs", "--vllm-version", "--model", "--gpu", "--sweep");
    const value = fc.oneof(
      fc.constantFrom("9".repeat(400), "9007199254740993", "-1", "0", "1e3", "0x10", "1.5K", "12.5k", "NaN", "Infinity", "", " ", "\n", "a\nb", "{\"image\": 1e400}", "{\"max_pixels\": -5}", "[]", "max-model-len=1..99999999999", "gpu=all", "gpu-memory-utilization=0..1", "tensor-parallel-size=1..4096", "0.0000001", "100%", "x".repeat(100_000)),
      fc.string({ maxLength: 20 }),
      fc.integer().map(String),
      fc.double().map(String),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(flag, value), { minLength: 1, maxLength: 3 }), fc.constantFrom([] as string[], ["tokens", "--image", "1792x1008"], ["compare", "--prompt-tokens", "100", "--new-tokens", "8"], ["solve"]), async (pairs, cmd) => {
        const args = [...cmd, "--model", "qwen2.5-vl-7b", "--gpu", "l40s", "--offline", "--json"];
        for (const [f, v] of pairs) args.push(f, v);
        const result = await runCli(args);
        contract(result, JSON.stringify(args).slice(0, 400));
        // A value is never echoed whole: the line stays short even for a 100 KB value.
        expect(result.err.length).toBeLessThan(400);
      }),
      params(60),
    );
  }, 120_000);

  it("special files: FIFOs, directories, devices, symlink loops and escapes, empty and huge files", async () => {
    const dir = fresh();
    execFileSync("mkfifo", [join(dir, "fifo.yaml")]);
    mkdirSync(join(dir, "dir.yaml"));
    symlinkSync(join(dir, "loop-b"), join(dir, "loop-a"));
    symlinkSync(join(dir, "loop-a"), join(dir, "loop-b"));
    writeFileSync(join(dir, "empty.yaml"), "");
    writeFileSync(join(dir, "big.sh"), Buffer.alloc(5 * 2 ** 20, 0x61));
    for (const f of ["fifo.yaml", "dir.yaml", "loop-a", "empty.yaml", "big.sh", "/dev/zero", "/dev/null", "/dev/stdin", "/proc/self/mem", "/no/such/file"]) {
      const p = f.startsWith("/") ? f : join(dir, f);
      contract(await runCli(["check", p, "--gpu", "h100", "--offline"]), `check ${f}`);
      contract(await runCli(["log", p, "--offline"]), `log ${f}`);
    }
    const path = fresh();
    writeFileSync(join(path, "config.json"), readFileSync(join(MODELS, "Qwen__Qwen2.5-0.5B-Instruct.json")));
    execFileSync("mkfifo", [join(path, "preprocessor_config.json")]);
    execFileSync("mkfifo", [join(path, "model.safetensors")]);
    contract(await runCli(["--model", path, "--gpu", "h100", "--offline"]), "FIFO preprocessor and shard");
    contract(await runCli(["--model", "/dev/zero", "--gpu", "h100", "--offline"]), "--model /dev/zero");
    contract(await runCli(["--model", join(dir, "loop-a"), "--gpu", "h100", "--offline"]), "--model symlink loop");
  }, 60_000);
});
