import { roundDownForPeople } from "../src/core/levers.js";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { commandToBuild, run } from "../src/cli/run.js";
import type { Io } from "../src/commands/io.js";
import { errorLinesOf, unwrapped } from "./helpers/cli.js";

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}, isTTY = false): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), isTTY, env: { HF_HUB_OFFLINE: "1", ...env } };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

async function json(args: string[]): Promise<{ code: number; plan: Record<string, unknown> & { perGpu: Record<string, number>[]; kvCache: Record<string, number>; engine: Record<string, unknown>; diagnostics: { code: string; message: string; fix: { flag: string; value: string }[] }[] } }> {
  const r = await cli([...args, "--json"]);
  return { code: r.code, plan: JSON.parse(r.stdout) };
}

describe("vram-plan plan (in-process)", () => {
  it("plans the seed case and exits 0 when it starts", async () => {
    const result = await cli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("STARTS");
    expect(result.stdout).toContain("1 video item(s) of 114,688 tokens");
    expect(result.stderr).toBe("");
  });

  it("emits the documented JSON with integer bytes", async () => {
    const { code, plan } = await json(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--vllm-version", "0.23.0"]);
    expect(code).toBe(0);
    const g = plan.perGpu[0]!;
    // CUDA total of an A100-SXM4-80GB (src/data/gpus.json) × 0.92 (default since v0.21), floored.
    expect(g["totalBytes"]).toBe(84_987_740_160);
    expect(g["requestedBytes"]).toBe(Math.floor(84_987_740_160 * 0.92));
    for (const k of ["weightsBytes", "activationPeakBytes", "nonTorchBytes", "cudaGraphBytes", "kvCacheBytes"]) expect(Number.isInteger(g[k])).toBe(true);
    // KV arithmetic: 57,344 B/token; blocks = kv // (16 × 2,048 B) // 28; tokens = blocks × 16.
    expect(plan.kvCache["bytesPerToken"]).toBe(57_344);
    expect(plan.kvCache["numGpuBlocks"]).toBe(Math.floor(Math.floor(g["kvCacheBytes"]! / 32_768) / 28));
    expect(plan.kvCache["tokens"]).toBe(plan.kvCache["numGpuBlocks"]! * 16);
    expect(plan.kvCache["maxConcurrency"]).toBeCloseTo(plan.kvCache["numGpuBlocks"]! / 8000, 12);
    // The budget is exactly the sum of its parts.
    expect(g["weightsBytes"]! + g["activationPeakBytes"]! + g["nonTorchBytes"]! + g["cudaGraphBytes"]! + g["kvCacheBytes"]!).toBe(g["requestedBytes"]);
    expect(plan["fits"]).toBe(true);
  });

  it("vram-plan's own short options (-m, -g) stay its own", async () => {
    const result = await cli(["-m", "qwen3-8b", "-g", "h100"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Qwen/Qwen3-8B on 1 × NVIDIA H100");
    expect((await cli(["solve", "-m", "qwen2.5-7b", "-g", "l4", "--offline"])).code).toBe(0);
  });

  it("--help lists vLLM's flags from the argument table, for plan and solve", async () => {
    for (const command of ["plan", "solve"]) {
      const result = await cli([command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("--tensor-parallel-size <value>");
      expect(result.stdout).toContain("--speculative-config <json>");
    }
  });

  it("builds only the command an argv runs, and every command where help or a suggestion may be printed", async () => {
    expect(commandToBuild(["--model", "qwen2.5-7b", "--gpu", "h100"])).toBe("plan");
    expect(commandToBuild(["check", "docker-compose.yaml"])).toBe("check");
    expect(commandToBuild(["--gpu", "h100", "--", "vllm", "serve", "Qwen/Qwen3-8B"])).toBe("plan");
    for (const argv of [[], ["help"], ["chek"], ["check", "--help"], ["-m", "x", "-h"], ["-V"], ["vllm", "serve", "Qwen/Qwen3-8B"]]) expect(commandToBuild(argv)).toBeNull();
    // Built alone, plan reads the same vLLM flags (they go to the argument table, not commander)…
    const alone = await cli(["--model", "qwen2.5-7b", "--gpu", "l4", "--max-model-len", "8k", "-tp", "2", "--json"]);
    expect(JSON.parse(alone.stdout)).toMatchObject({ engine: { maxModelLen: 8000 }, gpu: { tensorParallelSize: 2 } });
    // …and a command built alone still suggests its own options.
    const typo = await cli(["check", "compose.yaml", "--formt", "json"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("(Did you mean --format?)");
  });

  it("refuses a --format a command does not render with the same words in every command", async () => {
    const cases: [string[], string][] = [
      [["--model", "qwen2.5-7b", "--gpu", "h100", "--format", "xml"], "table, json, markdown, html"],
      [["check", "compose.yaml", "--format", "xml"], "table, markdown, json, html"],
      [["log", "vllm.log", "--format", "html"], "table, markdown, json"],
      [["solve", "--model", "llama-3.1-8b", "--gpu", "l4", "--format", "html"], "table, markdown, json"],
    ];
    for (const [argv, allowed] of cases) {
      const result = await cli(argv);
      expect(result.code).toBe(2);
      const bad = argv[argv.length - 1];
      expect(unwrapped(result.stderr).trimEnd()).toBe(`vram-plan: option '--format <format>' argument '${bad}' is invalid. Allowed choices are ${allowed}.`);
    }
  });

  it("reads --max-model-len like vLLM: 32k = 32,000 and 32K = 32,768", async () => {
    expect((await json(["--model", "qwen3-8b", "--gpu", "h100", "--max-model-len", "32k"])).plan.engine["maxModelLen"]).toBe(32_000);
    expect((await json(["--model", "qwen3-8b", "--gpu", "h100", "--max-model-len", "32K"])).plan.engine["maxModelLen"]).toBe(32_768);
  });

  it("accepts vLLM's short and snake_case spellings (-tp 2, --max_num_seqs)", async () => {
    const { plan } = await json(["--model", "qwen3-8b", "--gpu", "h100", "-tp", "2", "--max_num_seqs", "64"]);
    expect(plan.perGpu[0]!["ranks"]).toEqual([0, 1]);
    expect(plan.engine["maxNumSeqs"]).toBe(64);
  });

  it("accepts a pasted vllm serve line's flags that do not change memory, but not typos", async () => {
    const pasted = await cli(["--model", "qwen3-8b", "--gpu", "h100", "--trust-remote-code", "--served-model-name", "chat", "--port", "8000", "--enable-prefix-caching", "--max-model-len", "8192"]);
    expect(pasted.code).toBe(0);
    // vLLM's FlexibleArgumentParser keeps argparse's allow_abbrev: a unique prefix is that flag.
    expect((await cli(["--model", "qwen3-8b", "--gpu", "h100", "--trust-remote-cod"])).code).toBe(0);
    const typo = await cli(["--model", "qwen3-8b", "--gpu", "h100", "--gpu-memory-utilisation", "0.5"]);
    expect(typo.code).toBe(2);
    expect(unwrapped(typo.stderr)).toBe("vram-plan: unknown option '--gpu-memory-utilisation' (did you mean --gpu-memory-utilization?)\n");
    expect((await cli(["--model", "qwen3-8b", "--gpu", "h100", "--explian"])).stderr).toBe("vram-plan: unknown option '--explian' (did you mean --explain?)\n");
  });

  it("exits 1 with vLLM's message when the heads do not divide by TP", async () => {
    const { code, plan } = await json(["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "3"]);
    expect(code).toBe(1);
    expect(plan.diagnostics[0]?.code).toBe("HEADS_NOT_DIVISIBLE_BY_TP");
    expect(plan.diagnostics[0]?.message).toBe("Total number of attention heads (28) must be divisible by tensor parallel size (3).");
    expect(plan.diagnostics[0]?.fix.map((f) => f.value)).toEqual(["2", "4"]);
  });

  it("exits 1 when the KV cache cannot hold one max-length request, with vLLM's estimate and a fix that starts", async () => {
    const { code, plan } = await json(["--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "rtx4090"]);
    expect(code).toBe(1);
    const d = plan.diagnostics.find((x) => x.code === "KV_CACHE_BELOW_MAX_MODEL_LEN");
    expect(d).toBeDefined();
    const est = plan.kvCache["estimatedMaxModelLen"]!;
    // Dense model: the estimate is the blocks it has × 16 tokens.
    expect(est).toBe(plan.kvCache["numGpuBlocks"]! * 16);
    expect(d?.message).toContain(`the estimated maximum model length is ${est}.`);
    // The fix is the first lever, at a value a person would type at or below vLLM's estimate.
    const fix = d?.fix.find((f) => f.flag === "--max-model-len");
    expect(d?.fix[0]?.flag).toBe("--max-model-len");
    expect(fix?.value).toBe(String(roundDownForPeople(est)));
    expect(Number(fix?.value)).toBeLessThanOrEqual(est);
    expect((await cli(["--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "rtx4090", "--max-model-len", String(fix?.value)])).code).toBe(0);
    expect((await cli(["--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "rtx4090", "--max-model-len", String(est)])).code).toBe(0);
    expect((await cli(["--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "rtx4090", "--max-model-len", String(est + 16)])).code).toBe(1);
  });

  it("exits 1 when the weights alone exceed the budget (Llama-3.1-70B on one L4)", async () => {
    const { code, plan } = await json(["--model", "meta-llama/Llama-3.1-70B-Instruct", "--gpu", "l4"]);
    expect(code).toBe(1);
    expect(plan.diagnostics.map((d) => d.code)).toContain("NO_KV_CACHE_MEMORY");
  });

  it("refuses --quantization awq on a 16-bit checkpoint (vLLM quantizes at load only with fp8 or bitsandbytes)", async () => {
    const { code, plan } = await json(["--model", "qwen3-8b", "--gpu", "h100", "--quantization", "awq"]);
    expect(code).toBe(1);
    expect(plan.diagnostics[0]?.code).toBe("QUANTIZATION_NEEDS_CHECKPOINT");
    const fp8 = await json(["--model", "qwen3-8b", "--gpu", "h100", "--quantization", "fp8"]);
    expect(fp8.code).toBe(0);
    // Online fp8: linear layers at 1 B per parameter, embeddings and lm_head stay bf16 — well under the bf16 weights.
    const bf16 = await json(["--model", "qwen3-8b", "--gpu", "h100"]);
    expect(fp8.plan.perGpu[0]!["weightsBytes"]!).toBeLessThan(0.6 * bf16.plan.perGpu[0]!["weightsBytes"]!);
  });

  it("flags max-model-len above the derived maximum", async () => {
    const { code, plan } = await json(["--model", "qwen3-8b", "--gpu", "h100", "--max-model-len", "65536"]);
    expect(code).toBe(1);
    expect(plan.diagnostics[0]?.code).toBe("MAX_MODEL_LEN_ABOVE_DERIVED");
    expect(plan.diagnostics[0]?.message).toContain("derived max_model_len (max_position_embeddings=40960");
  });

  it("fails the start-up free-memory check when other processes hold memory", async () => {
    const { code, plan } = await json(["--model", "qwen3-8b", "--gpu", "h100", "--other-process-memory", "10GiB"]);
    expect(code).toBe(1);
    expect(plan.diagnostics[0]?.code).toBe("FREE_MEMORY_BELOW_BUDGET");
    // free = 85,017,493,504 − 650,969,088 (CUDA context) − 10 GiB = 73,629,782,016 B → 68.57 GiB; largest util = floor(0.866·100)/100.
    expect(plan.diagnostics[0]?.message).toContain("Free memory on device (68.57/79.18 GiB) on startup is less than desired GPU memory utilization (0.92, 72.84 GiB).");
    expect(plan.diagnostics[0]?.fix[0]).toEqual({ flag: "--gpu-memory-utilization", value: "0.86" });
  });

  it("shows a smaller encoder peak and a larger KV cache with one image and max_pixels 1,003,520 (issue #4)", async () => {
    const base = (await json(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"])).plan;
    const less = (await json(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--limit-mm-per-prompt", '{"image":1}', "--mm-processor-kwargs", '{"max_pixels":1003520}'])).plan;
    const b = base.perGpu[0]!;
    const l = less.perGpu[0]!;
    // Default: one 14-frame 3584² video, 458,752 patches × (1,176 + 4·1,280 + 3·3,420) × 2 B, plus its
    // 114,688 × 3,584 × 2 B output. With max_pixels 1,003,520 the video has 7 × 1,280 = 8,960 tokens, 35,840 patches.
    expect(b["encoderPeakBytes"]).toBe(458_752 * 33_112 + 114_688 * 3584 * 2);
    expect(l["encoderPeakBytes"]).toBe(35_840 * 33_112 + 8960 * 3584 * 2);
    // Everything else is unchanged, so the KV cache grows by exactly the activation peak it no longer needs.
    expect(l["kvCacheBytes"]! - b["kvCacheBytes"]!).toBe(b["activationPeakBytes"]! - l["activationPeakBytes"]!);
  });

  it("renders markdown from the same plan", async () => {
    const result = await cli(["--model", "qwen3-8b", "--gpu", "h100", "--format", "markdown"]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith("### ✅ Qwen/Qwen3-8B on 1 × NVIDIA H100 80GB HBM3")).toBe(true);
    expect(result.stdout).toContain("| **KV cache** |");
  });

  it("uses no color when NO_COLOR is set, even on a terminal", async () => {
    const result = await cli(["--model", "qwen3-8b", "--gpu", "h100"], { NO_COLOR: "1" }, true);
    // eslint-disable-next-line no-control-regex
    expect(/\u001b\[/.test(result.stdout)).toBe(false);
    const colored = await cli(["--model", "qwen3-8b", "--gpu", "h100"], {}, true);
    // eslint-disable-next-line no-control-regex
    expect(/\u001b\[/.test(colored.stdout)).toBe(true);
  });

  it("prints the arithmetic with sources under --explain", async () => {
    const r = await cli(["--model", "qwen3-8b", "--gpu", "h100", "--explain"]);
    expect(r.stdout).toContain("source: vllm/v1/worker/gpu_worker.py Worker.init_device");
    expect(r.stdout).toContain("GPU blocks:");
  });
});

describe("no arguments", () => {
  it("prints the commands instead of an error", async () => {
    const result = await cli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: vram-plan");
    expect(result.stdout).toContain("compare [options]");
  });
});

describe("bad input: one error on stderr (its first line names the flag and what is wrong; detail indented under it, within 80 columns), exit 2", () => {
  const cases: [string[], string][] = [
    [["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--gpu-memory-utilization", "1.5"], "vram-plan: --gpu-memory-utilization: expected a fraction in (0, 1], got '1.5'\n"],
    [["--model", "qwen2.5-vl-7b", "--gpu", "a100-81g"], "vram-plan: --gpu a100-81g: unknown GPU; did you mean a100-80g, "],
    // vLLM's human_readable_int: "Decimals are not allowed with binary suffixes like K. Did you mean to use 12.5k instead?"
    [["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--max-model-len", "12.5K"], "vram-plan: --max-model-len: decimals are not allowed with binary suffixes like K; did you mean 12.5k?\n"],
    [["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--limit-mm-per-prompt", "image=2"], "vram-plan: --limit-mm-per-prompt: vLLM 0.29.0 reads JSON such as '{\"image\": 2, \"video\": 1}' (the image=2,video=1 form was read until v0.9)\n"],
    [["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--vllm-version", "0.4.0"], "vram-plan: --vllm-version: 0.4.0 is older than the oldest release modeled"],
    [["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--dtype", "int3"], "vram-plan: --dtype: invalid choice 'int3'; choose from auto, half, float16, bfloat16, float, float32\n"],
    // 18 values: the list is shortened at a comma, not cut mid-word by the 300-character limit ("n...").
    [["--model", "qwen3-8b", "--gpu", "h100", "--kv-cache-dtype", "fp9"], "vram-plan: --kv-cache-dtype: invalid choice 'fp9' (did you mean fp8?); choose from auto, float16, bfloat16, fp8, fp8_e4m3, fp8_e5m2, fp8_inc, fp8_ds_mla, nvfp4_ds_mla, turboquant_k8v4, turboquant_4bit_nc, turboquant_k3v4_nc, … (18 in all)\n"],
    [["--model", "./no/such/dir", "--gpu", "a100-80g"], "vram-plan: --model ./no/such/dir: no such file or directory\n"],
    [["--gpu", "a100-80g"], "vram-plan: --model: required"],
  ];
  for (const [args, line] of cases) {
    it(args.slice(-2).join(" "), async () => {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(unwrapped(result.stderr).startsWith(line)).toBe(true);
      errorLinesOf(result.stderr);
      expect(result.stdout).toBe("");
    });
  }

  it("suggests the closest catalog names for an unknown model", async () => {
    const result = await cli(["--model", "qwen2.5-vl-8b", "--gpu", "a100-80g"]);
    expect(result.code).toBe(2);
    // The error on the first line; the nearest names and where to look under it (it was one 190-cell line).
    expect(errorLinesOf(result.stderr)[0]).toBe("vram-plan: --model qwen2.5-vl-8b: unknown model");
    expect(unwrapped(result.stderr)).toMatch(/^vram-plan: --model qwen2.5-vl-8b: unknown model did you mean [^?]*qwen2\.5-vl-7b[^?]*\?/);
  });

  it("refuses the Hub when offline for an id it does not have", async () => {
    const r = await cli(["--model", "acme/not-a-model", "--gpu", "h100"], { HF_HUB_OFFLINE: "1", HF_HOME: "/nonexistent" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("offline mode");
  });
});

describe("vram-plan tokens", () => {
  it("counts image and video tokens by the processor rules", async () => {
    const result = await cli(["tokens", "--model", "qwen2.5-vl-7b", "--image", "1792x1008", "--video", "30s@2fps", "--json"]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { items: { tokens: { tokens: number; width: number; height: number; gridT: number } }[] };
    expect(out.items[0]?.tokens.tokens).toBe(2304);
    // 1280×720 frames above 602,112 px: beta = sqrt(921,600 / 602,112) → 560×1008; 60 frames → 30 temporal patches × 20 × 36 merged.
    expect([out.items[1]?.tokens.width, out.items[1]?.tokens.height, out.items[1]?.tokens.gridT, out.items[1]?.tokens.tokens]).toEqual([1008, 560, 30, 21_600]);
  });

  it("rejects a malformed size", async () => {
    const r = await cli(["tokens", "--model", "qwen2.5-vl-7b", "--image", "1792by1008"]);
    expect(r.code).toBe(2);
    expect(unwrapped(r.stderr)).toBe("vram-plan: --image: expected WIDTHxHEIGHT in pixels, each from 1 to 1048576, such as 1792x1008, got '1792by1008'\n");
  });

  it("refuses a 0×0 image and a video of no frames instead of counting 256 and 720 tokens", async () => {
    const img = await cli(["tokens", "--model", "qwen2.5-vl-7b", "--image", "0x0"]);
    expect(img.code).toBe(2);
    expect(unwrapped(img.stderr)).toBe("vram-plan: --image: expected WIDTHxHEIGHT in pixels, each from 1 to 1048576, such as 1792x1008, got '0x0'\n");
    const vid = await cli(["tokens", "--model", "qwen2.5-vl-7b", "--video", "0f"]);
    expect(vid.code).toBe(2);
    expect(unwrapped(vid.stderr)).toBe("vram-plan: --video: expected a duration at a frame rate (30s@2fps) or a frame count (64f) of 1 to 1048576 frames, got '0f'\n");
  });

  it("a size the processor refuses (smart_resize: each side at least the 28-pixel factor) names the flag that gave it", async () => {
    const img = await cli(["tokens", "--model", "qwen2.5-vl-7b", "--image", "1x1"]);
    expect([img.code, img.stderr]).toEqual([2, "vram-plan: --image: height:1 or width:1 must be larger than factor:28\n"]);
    // The video's frame size: it was reported as --image's.
    const vid = await cli(["tokens", "--model", "qwen2.5-vl-7b", "--video", "10s@2fps", "--video-size", "1x1"]);
    expect([vid.code, vid.stderr]).toEqual([2, "vram-plan: --video-size: height:1 or width:1 must be larger than factor:28\n"]);
    // Qwen3-VL's frame count under its temporal_patch_size (2) comes from --video, not --video-size
    // (Qwen3VLVideoProcessor: t:1 must be larger than temporal_factor:2); 423508f named --image.
    const frames = await cli(["tokens", "--model", "qwen3-vl-8b", "--video", "1f"]);
    expect([frames.code, frames.stderr]).toEqual([2, "vram-plan: --video: t:1 must be larger than temporal_factor:2\n"]);
    const cmp = await cli(["compare", "--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "100", "--images", "2", "--image-size", "1x1", "--offline"]);
    expect([cmp.code, cmp.stderr]).toEqual([2, "vram-plan: --image-size: height:1 or width:1 must be larger than factor:28\n"]);
  });
});

describe("the built bin", () => {
  it("runs as a process and sets the exit code", () => {
    const bin = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "--model", "qwen3-8b", "--gpu", "h100", "--json"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).fits).toBe(true);
    const bad = spawnSync(process.execPath, [bin, "--model", "qwen3-8b"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("vram-plan: --gpu: required, or --gpu-memory SIZE\n  (vram-plan gpus lists the profiles)\n");
  });
});
