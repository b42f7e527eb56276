import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readModelDir } from "../src/sources/model-dir.js";
import { findInHfCache, hfCacheDir } from "../src/sources/hf-cache.js";
import { buildSafetensors, rawSafetensors, tensorBytes, type TensorSpec } from "../fixtures/safetensors/build.js";
import { inputError } from "./helpers/input-error.js";
import { runCli } from "./helpers/cli.js";
import { readFileSync } from "node:fs";

const HUB_FIX = join(import.meta.dirname, "..", "fixtures", "hub");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "vram-plan-md-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const CONFIG = { model_type: "llama", hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, vocab_size: 64 };

async function makeDir(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  await Promise.all(Object.entries(files).map(([f, c]) => writeFile(join(dir, f), c)));
  return dir;
}

describe("readModelDir", () => {
  it("reads 100 shards named by an index, with the index total_size agreeing", async () => {
    const files: Record<string, string | Uint8Array> = { "config.json": JSON.stringify(CONFIG) };
    const weightMap: Record<string, string> = {};
    let total = 0;
    let tensorCount = 0;
    for (let s = 0; s < 100; s++) {
      const name = `model-${String(s + 1).padStart(5, "0")}-of-00100.safetensors`;
      const tensors: TensorSpec[] = [
        { name: `model.layers.${s}.mlp.weight`, dtype: "BF16", shape: [32, 16] },
        { name: `model.layers.${s}.mlp.weight_scale`, dtype: "F32", shape: [32] },
        { name: `model.layers.${s}.norm.weight`, dtype: "BF16", shape: [16] },
      ];
      files[name] = buildSafetensors(tensors);
      for (const t of tensors) {
        weightMap[t.name] = name;
        total += tensorBytes(t);
        tensorCount++;
      }
    }
    files["model.safetensors.index.json"] = JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap });
    // A stray file the index does not name must not be counted.
    files["extra.safetensors"] = buildSafetensors([{ name: "x", dtype: "F32", shape: [1000] }]);
    const dir = await makeDir("hundred", files);

    const local = await readModelDir(dir);
    expect(local.weights).toEqual({
      totalBytes: total,
      bytesByDtype: { BF16: 100 * (32 * 16 * 2 + 32), F32: 100 * 128 },
      tensorCount,
      shards: 100,
    });
    expect(local.files.checkpointBytes).toBe(total);
    expect(local.files.config).toEqual(CONFIG);
    expect(local.files.quantConfig).toBeUndefined();
    expect(local.files.preprocessor).toBeUndefined();
    expect(local.warnings).toEqual([]);
    expect(local.id).toBe("hundred");
    expect(local.source).toBe(resolve(dir));
  });

  it("accepts a path to config.json and reads the siblings", async () => {
    const dir = join(HUB_FIX, "acme", "tiny-fp8");
    const local = await readModelDir(join(dir, "config.json"));
    expect(local.id).toBe("tiny-fp8");
    expect(local.files.quantConfig).toMatchObject({ producer: { name: "modelopt" } });
    expect(local.weights?.shards).toBe(1);
    // The fixture's safetensors header: 2 layers × (q 16×16 + k 8×16 + v 8×16 + o 16×16 + gate, up 32×16 + down
    // 16×32) fp8 = 2 × 2304 bytes; bf16 embed and lm_head 64×16 × 2 bytes each + 5 norms of 16 × 2 bytes.
    expect(local.weights?.bytesByDtype["F8_E4M3"]).toBe(2 * (256 + 128 + 128 + 256 + 3 * 512));
    expect(local.weights?.bytesByDtype["BF16"]).toBe(2 * 2048 + 5 * 32);
    expect(local.weights?.bytesByDtype["F32"]).toBe(14 * 4);
    const fromDir = await readModelDir(dir);
    expect(fromDir.weights).toEqual(local.weights);
  });

  it("without an index reads every *.safetensors, leaving out consolidated copies", async () => {
    const a = [{ name: "a", dtype: "BF16", shape: [8, 8] }];
    const b = [{ name: "b", dtype: "F16", shape: [4] }];
    const dir = await makeDir("noindex", {
      "config.json": JSON.stringify(CONFIG),
      "model-00001-of-00002.safetensors": buildSafetensors(a),
      "model-00002-of-00002.safetensors": buildSafetensors(b),
      "consolidated.safetensors": buildSafetensors([...a, ...b]),
      "preprocessor_config.json": JSON.stringify({ patch_size: 14 }),
      "quantize_config.json": JSON.stringify({ bits: 4, group_size: 128 }),
    });
    const local = await readModelDir(dir);
    expect(local.weights).toEqual({ totalBytes: 136, bytesByDtype: { BF16: 128, F16: 8 }, tensorCount: 2, shards: 2 });
    expect(local.files.preprocessor).toEqual({ patch_size: 14 });
    expect(local.files.quantConfig).toEqual({ bits: 4, group_size: 128 });

    const only = await makeDir("consolidated-only", {
      "config.json": JSON.stringify(CONFIG),
      "consolidated.safetensors": buildSafetensors(a),
    });
    expect((await readModelDir(only)).weights?.totalBytes).toBe(128);
  });

  it("prefers hf_quant_config.json over quantize_config.json", async () => {
    const dir = await makeDir("twoquant", {
      "config.json": JSON.stringify(CONFIG),
      "hf_quant_config.json": JSON.stringify({ quantization: { quant_algo: "NVFP4" } }),
      "quantize_config.json": JSON.stringify({ bits: 4 }),
    });
    const local = await readModelDir(dir);
    expect(local.files.quantConfig).toEqual({ quantization: { quant_algo: "NVFP4" } });
    expect(local.weights).toBeNull();
    expect(local.files.checkpointBytes).toBeNull();
  });

  it("warns (does not fail) when the index total_size disagrees with the headers", async () => {
    const dir = await makeDir("badtotal", {
      "config.json": JSON.stringify(CONFIG),
      "s.safetensors": buildSafetensors([{ name: "a", dtype: "F32", shape: [4] }]),
      "model.safetensors.index.json": JSON.stringify({ metadata: { total_size: 999 }, weight_map: { a: "s.safetensors" } }),
    });
    const local = await readModelDir(dir);
    expect(local.weights?.totalBytes).toBe(16);
    expect(local.warnings).toHaveLength(1);
    expect(local.warnings[0]).toContain("total_size is 999 bytes but the shard headers add up to 16");
  });

  it("names the directory when config.json is missing", async () => {
    const dir = await makeDir("noconfig", { "model.safetensors": buildSafetensors([]) });
    const e = await inputError(readModelDir(dir));
    expect(e.message).toBe(`${dir}: no config.json`);
  });

  it("refuses bad JSON, a missing path, a shard the index names but lacks, and traversal", async () => {
    const badJson = await makeDir("badjson", { "config.json": "{ nope" });
    expect((await inputError(readModelDir(badJson))).message).toBe(`${join(badJson, "config.json")}:1:3: not valid JSON (unexpected character, expected a property name in double quotes)`);

    const notJson = join(badJson, "weights.bin");
    await writeFile(notJson, "x");
    expect((await inputError(readModelDir(notJson))).message).toBe(`${notJson}: not a model directory or config.json`);

    const missing = join(tmp, "does-not-exist");
    expect((await inputError(readModelDir(missing))).message).toBe(`${missing}: no such file or directory`);


    const escape = await makeDir("escape", {
      "config.json": JSON.stringify(CONFIG),
      "model.safetensors.index.json": JSON.stringify({ weight_map: { a: "../../etc/passwd" } }),
    });
    expect((await inputError(readModelDir(escape))).message).toContain("points outside the checkpoint");

    const noMap = await makeDir("nomap", {
      "config.json": JSON.stringify(CONFIG),
      "model.safetensors.index.json": JSON.stringify({ metadata: {} }),
    });
    expect((await inputError(readModelDir(noMap))).message).toContain(`no "weight_map" object`);
  });

  it("passes a hostile shard's InputError through", async () => {
    const dir = await makeDir("hostile", {
      "config.json": JSON.stringify(CONFIG),
      "model.safetensors": rawSafetensors("{}", 0, 1n << 60n),
    });
    const err = await inputError(readModelDir(dir));
    expect(err.message).toBe(`${join(dir, "model.safetensors")}: not a valid safetensors file: header length 1152921504606846976 bytes is over the 32 MiB limit`);
  });
});

describe("findInHfCache", () => {
  async function snapshot(cache: string, repo: string, rev: string, withConfig = true): Promise<string> {
    const dir = join(cache, repo, "snapshots", rev);
    await mkdir(dir, { recursive: true });
    if (withConfig) await writeFile(join(dir, "config.json"), JSON.stringify(CONFIG));
    return dir;
  }

  it("resolves the cache dir from HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, then HOME", () => {
    expect(hfCacheDir({ HF_HUB_CACHE: "/a", HF_HOME: "/b" })).toBe("/a");
    expect(hfCacheDir({ HF_HOME: "/b" })).toBe(join("/b", "hub"));
    expect(hfCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "huggingface", "hub"));
    expect(hfCacheDir({ HOME: "/home/u" })).toBe(join("/home/u", ".cache", "huggingface", "hub"));
    expect(hfCacheDir({ HF_HUB_CACHE: "", HF_HOME: "/b" })).toBe(join("/b", "hub"));
  });

  it("picks the snapshot refs/main names, else the newest", async () => {
    const cache = join(tmp, "hfcache");
    const repo = "models--acme--tiny";
    const old = await snapshot(cache, repo, "aaaa");
    const newer = await snapshot(cache, repo, "bbbb");
    await snapshot(cache, repo, "cccc", false); // newest but no config.json
    await utimes(old, new Date(1_000_000), new Date(1_000_000));
    await utimes(newer, new Date(2_000_000), new Date(2_000_000));
    const env = { HF_HUB_CACHE: cache };
    expect(findInHfCache("acme/tiny", env)).toBe(newer);

    await mkdir(join(cache, repo, "refs"), { recursive: true });
    await writeFile(join(cache, repo, "refs", "main"), "aaaa\n");
    expect(findInHfCache("acme/tiny", env)).toBe(old);

    // refs/main naming a snapshot that is not there falls back to the newest.
    await writeFile(join(cache, repo, "refs", "main"), "dddd");
    expect(findInHfCache("acme/tiny", env)).toBe(newer);

    expect(findInHfCache("acme/other", env)).toBeNull();
    expect(findInHfCache("../../etc", env)).toBeNull();
  });

  it("looks under HF_HOME/hub and reads the snapshot as a model dir with an org/name id", async () => {
    const home = join(tmp, "hfhome");
    const dir = await snapshot(join(home, "hub"), "models--Org--Model-1.5B", "0123abcd");
    await writeFile(join(dir, "model.safetensors"), buildSafetensors([{ name: "w", dtype: "BF16", shape: [2, 2] }]));
    const found = findInHfCache("Org/Model-1.5B", { HF_HOME: home });
    expect(found).toBe(dir);
    expect(findInHfCache("Org/Model-1.5B", { HF_HOME: home, HF_HUB_CACHE: join(tmp, "elsewhere") })).toBeNull();
    const local = await readModelDir(found ?? "");
    expect(local.id).toBe("Org/Model-1.5B");
    expect(local.weights?.totalBytes).toBe(8);
  });
});

describe("a checkpoint downloaded as JSON files only", () => {
  // Llama-3.1-8B-Instruct's config (src/data/models) beside its model.safetensors.index.json without
  // the four shards (huggingface-cli download --include "*.json"). metadata.total_size 16060522496 is
  // the published index's value (quoted in the Hugging Face docs' "model.safetensors.index.json"
  // example); the weight_map names the real four shard files.
  const config = readFileSync(join(import.meta.dirname, "..", "src", "data", "models", "meta-llama__Llama-3.1-8B-Instruct.json"), "utf8");
  const shards = [1, 2, 3, 4].map((i) => `model-0000${i}-of-00004.safetensors`);
  const weightMap: Record<string, string> = { "model.embed_tokens.weight": shards[0] as string, "lm_head.weight": shards[3] as string };
  for (let l = 0; l < 32; l++) weightMap[`model.layers.${l}.mlp.down_proj.weight`] = shards[Math.min(3, Math.floor(l / 9))] as string;

  it("plans from the architecture with the index's total_size as the checkpoint size, and says so (not exit 2)", async () => {
    const dir = await makeDir("llama-json-only", {
      "config.json": config,
      "model.safetensors.index.json": JSON.stringify({ metadata: { total_size: 16060522496 }, weight_map: weightMap }),
    });
    const local = await readModelDir(dir);
    expect(local.weights).toBeNull();
    expect(local.files.checkpointBytes).toBe(16060522496);
    expect(local.warnings).toEqual([
      `${dir}: no safetensors shards beside model.safetensors.index.json; weights are sized from the architecture, checked against the index's metadata.total_size (16060522496 bytes)`,
    ]);
    const result = await runCli(["--model", dir, "--gpu", "h100", "--json"]);
    expect(result.code).toBe(0);
    expect(result.err).toContain("vram-plan: warning: ");
    const plan = JSON.parse(result.out) as { diagnostics: { code: string }[]; perGpu: { weightsBytes: number }[] };
    // 8,030,261,248 parameters × 2 bytes = 16,060,522,496: the architecture agrees with the index (no mismatch warning).
    expect(plan.diagnostics.map((d) => d.code)).not.toContain("CHECKPOINT_SIZE_MISMATCH");
    expect(Math.abs((plan.perGpu[0]?.weightsBytes ?? 0) - 16060522496)).toBeLessThan(0.01 * 16060522496);
  });

  it("an index without total_size still plans, from the architecture alone", async () => {
    const dir = await makeDir("llama-json-only-no-total", { "config.json": config, "model.safetensors.index.json": JSON.stringify({ weight_map: weightMap }) });
    const local = await readModelDir(dir);
    expect(local.files.checkpointBytes).toBeNull();
    expect(local.warnings[0]).toContain("(the index has no metadata.total_size to check them against)");
  });
});
