// The one argument table (src/core/vllm-args.ts) read the way vLLM's FlexibleArgumentParser reads argv
// (vllm/utils/argparse_utils.py), into the core's EngineFlags (src/sources/vllm-flags.ts).
import { describe, expect, it } from "vitest";
import { VLLM_ARGS, argCoverage } from "../src/core/vllm-args.js";
import { VllmFlagError, engineFlagsFromArgv, engineFlagsFromOptions } from "../src/sources/vllm-flags.js";

function flagError(f: () => unknown): VllmFlagError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(VllmFlagError);
    return err as VllmFlagError;
  }
  throw new Error("expected a VllmFlagError");
}

describe("the argument table", () => {
  it("has one entry per long name and per alias", () => {
    const names = VLLM_ARGS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    const shorts = VLLM_ARGS.flatMap((a) => a.short ?? []);
    expect(new Set(shorts).size).toBe(shorts.length);
  });
  it("names the EngineFlags field of every modeled flag, and the source of every flag", () => {
    for (const a of VLLM_ARGS) {
      expect(a.source.length).toBeGreaterThan(0);
      if (a.effect === "modeled") expect(a.field, a.name).toBeDefined();
    }
  });
  it("flags that size host memory are modeled, not memory-neutral (the plan's host memory counts them)", async () => {
    const { vllmArg } = await import("../src/core/vllm-args.js");
    expect(["mm-processor-cache-gb", "mm-processor-cache-type", "api-server-count", "disable-mm-preprocessor-cache"].map((n) => [n, vllmArg(n)?.effect, vllmArg(n)?.field])).toEqual([
      ["mm-processor-cache-gb", "modeled", "mmProcessorCacheBytes"],
      ["mm-processor-cache-type", "modeled", "mmProcessorCacheType"],
      ["api-server-count", "modeled", "apiServerCount"],
      ["disable-mm-preprocessor-cache", "modeled", "mmProcessorCacheBytes"],
    ]);
    // And they do change the plan: Qwen2.5-VL's 4 GiB default cache mirrored in the API server and the
    // engine core (2 × 4 GiB = 8 GiB) against 2 × 1 GiB with --mm-processor-cache-gb 1.
    const { runCli } = await import("./helpers/cli.js");
    const mmCache = async (extra: string[]): Promise<number | undefined> => {
      const r = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "h100", ...extra, "--json"]);
      return (JSON.parse(r.out) as { host: { parts: { what: string; bytes: number }[] } }).host.parts.find((p) => p.what === "mm-cache")?.bytes;
    };
    expect(await mmCache([])).toBe(8 * 2 ** 30);
    expect(await mmCache(["--mm-processor-cache-gb", "1"])).toBe(2 * 2 ** 30);
  });
  it("counts the newest release's arguments (vram-plan's own and removed ones apart)", () => {
    const c = argCoverage();
    expect(c.modeled + c.neutral + c["not-modeled"]).toBe(c.total);
    expect(c.total).toBeGreaterThan(200);
  });
});

describe("vLLM argv → EngineFlags", () => {
  it("reads the positional model, -tp, --snake_case, = values and human-readable ints", () => {
    const parsed = engineFlagsFromArgv(["Qwen/Qwen3-8B", "-tp", "2", "--max_model_len=32k", "--max-num-batched-tokens", "8K", "--gpu-memory-utilization", "0.85"]);
    expect(parsed.model).toBe("Qwen/Qwen3-8B");
    expect(parsed.flags.tensorParallelSize).toBe(2);
    expect(parsed.flags.maxModelLen).toBe(32_000); // human_readable_int: k = 10^3
    expect(parsed.flags.maxNumBatchedTokens).toBe(8_192); // K = 2^10
    expect(parsed.flags.gpuMemoryUtilization).toBe(0.85);
    expect(parsed.flags.notModeledFlags).toBeUndefined();
  });

  it("accepts unique prefixes as argparse's allow_abbrev does, and rejects ambiguous ones", () => {
    expect(engineFlagsFromArgv(["m", "--max-num-seq", "8"]).flags.maxNumSeqs).toBe(8);
    const err = flagError(() => engineFlagsFromArgv(["m", "--max-num", "8"]));
    expect(err.kind).toBe("ambiguous");
    expect(err.message).toContain("--max-num-batched-tokens");
    expect(err.message).toContain("--max-num-seqs");
  });

  it("rejects a misspelled flag with vLLM's nearest one", () => {
    const err = flagError(() => engineFlagsFromArgv(["m", "--gpu-memory-utilisation", "0.5"]));
    expect(err.kind).toBe("unknown");
    expect(err.suggestion).toBe("--gpu-memory-utilization");
    expect(err.index).toBe(1);
    expect(err.message).toBe("--gpu-memory-utilisation: unrecognized vLLM argument (did you mean --gpu-memory-utilization?)");
  });

  it("rejects a flag removed in the planned release, naming the release, and accepts it before", () => {
    const err = flagError(() => engineFlagsFromArgv(["m", "--swap-space", "4"], { vllmVersion: "0.20.0" }));
    expect(err.kind).toBe("removed");
    expect(err.message).toBe("--swap-space: removed in vLLM 0.19.0 (planning for vLLM 0.20.0)");
    expect(engineFlagsFromArgv(["m", "--swap-space", "4"], { vllmVersion: "0.10.1" }).flags.tensorParallelSize).toBe(1);
    const g = flagError(() => engineFlagsFromArgv(["m", "--cuda-graph-sizes", "8"], { vllmVersion: "0.13.0" }));
    expect(g.message).toContain("use --cudagraph-capture-sizes");
  });

  it("rejects a flag newer than the planned release", () => {
    const err = flagError(() => engineFlagsFromArgv(["m", "--kv-offloading-size", "4"], { vllmVersion: "0.10.1" }));
    expect(err.kind).toBe("not-yet");
    expect(err.message).toBe("--kv-offloading-size: not in vLLM 0.10.1 (added after vLLM 0.11.0)");
    expect(engineFlagsFromArgv(["m", "--kv-offloading-size", "4"], { vllmVersion: "0.13.0" }).flags.kvOffloadingBytes).toBe(4 * 2 ** 30);
  });

  it("merges dotted keys into the JSON object (--limit-mm-per-prompt.image, --speculative-config.*)", () => {
    const parsed = engineFlagsFromArgv(["m", "--limit-mm-per-prompt.image", "2", "--limit-mm-per-prompt.video", "0", "--mm-processor-kwargs.max_pixels", "1003520", "--speculative-config.method", "mtp", "--speculative-config.num_speculative_tokens", "2"]);
    expect(parsed.flags.limitMmPerPrompt).toEqual({ image: 2, video: 0 });
    // FlexibleArgumentParser appends the merged dotted object after every other word, so it replaces a
    // whole JSON value of the same flag (argparse keeps the last): only {"video": 0} is left here.
    expect(engineFlagsFromArgv(["m", "--limit-mm-per-prompt.video", "0", "--limit-mm-per-prompt", '{"image": 2}']).flags.limitMmPerPrompt).toEqual({ video: 0 });
    expect(engineFlagsFromArgv(["m", "--limit-mm-per-prompt", '{"image": 2}', "--limit-mm-per-prompt", '{"video": 1}']).flags.limitMmPerPrompt).toEqual({ video: 1 });
    expect(parsed.flags.mmProcessorKwargs).toEqual({ max_pixels: 1_003_520 });
    expect(parsed.flags.speculative?.method).toBe("mtp");
    expect(parsed.flags.speculative?.numSpeculativeTokens).toBe(2);
    expect(parsed.flags.notModeledFlags).toBeUndefined();
  });

  it("reads the older image=2,video=1 form for the releases that had it", () => {
    expect(engineFlagsFromArgv(["m", "--limit-mm-per-prompt", "image=2,video=1"], { vllmVersion: "0.7.3" }).flags.limitMmPerPrompt).toEqual({ image: 2, video: 1 });
    expect(flagError(() => engineFlagsFromArgv(["m", "--limit-mm-per-prompt", "image=2"])).kind).toBe("bad-value");
  });

  it("reads the memory features into their fields, in vLLM's units (core/memory-features.ts models them)", () => {
    const parsed = engineFlagsFromArgv([
      "m", "--enable-lora", "--max-loras", "4", "--max-lora-rank", "64", "--cpu-offload-gb", "8", "--kv-offloading-size", "2.5",
      "--kv-offloading-backend", "lmcache", "--max-model-len", "auto", "--mamba-ssm-cache-dtype", "float32", "-O3",
      "--max-cudagraph-capture-size", "256", "--compilation-config.cudagraph_mode", "piecewise", "--enable-sleep-mode", "--language-model-only",
    ]);
    const flags = parsed.flags;
    expect(flags.lora).toEqual({ maxLoras: 4, maxLoraRank: 64, fullyShardedLoras: false });
    expect(flags.cpuOffloadBytes).toBe(8 * 2 ** 30); // --cpu-offload-gb is GiB
    expect(flags.kvOffloadingBytes).toBe(2.5 * 2 ** 30); // kv_offloading_size is GiB (vllm/config/cache.py)
    expect(flags.kvOffloadingBackend).toBe("lmcache");
    expect(flags.maxModelLenAuto).toBe(true);
    expect(flags.maxModelLen).toBeUndefined();
    expect(flags.mambaSsmCacheDtype).toBe("float32");
    expect(flags.compilation).toEqual({ level: 3, maxCudagraphCaptureSize: 256, cudagraphMode: "PIECEWISE" });
    expect(flags.enableSleepMode).toBe(true);
    expect(flags.languageModelOnly).toBe(true);
    expect(flags.notModeledFlags).toBeUndefined();
    // Accepted flags vram-plan has no memory model for are named, one NOT_EXACT warning each.
    expect(engineFlagsFromArgv(["m", "--num-gpu-blocks-override", "100", "--hf-overrides", '{"num_hidden_layers": 2}']).flags.notModeledFlags).toEqual(["--num-gpu-blocks-override", "--hf-overrides"]);
  });

  it("maps --quantization methods onto the weight layouts the core sizes, and the KV dtypes", () => {
    const q = (m: string) => engineFlagsFromArgv(["x", "-q", m]).flags;
    expect(q("modelopt_fp4").quantization).toBe("nvfp4");
    expect(q("awq_marlin").quantization).toBe("awq");
    expect(q("modelopt").quantization).toBe("fp8");
    expect(q("gguf").quantization).toBeUndefined();
    expect(q("gguf").notModeledFlags?.[0]).toMatch(/^--quantization gguf/);
    const nv = flagError(() => q("nvfp4"));
    expect(nv.message).toMatch(/^--quantization: invalid choice 'nvfp4'/);
    const kv = engineFlagsFromArgv(["x", "--kv-cache-dtype", "int8_per_token_head"]).flags;
    // Every CacheDType value reaches the core as itself (core/kv-dtypes.ts sizes it): no NOT_EXACT note.
    expect(kv.kvCacheDtype).toBe("int8_per_token_head");
    expect(kv.notModeledFlags ?? []).toEqual([]);
    expect(engineFlagsFromArgv(["x", "--kv-cache-dtype", "nvfp4"]).flags.kvCacheDtype).toBe("nvfp4");
    expect(engineFlagsFromArgv(["x", "--kv-cache-dtype", "fp8_e5m2"]).flags.kvCacheDtype).toBe("fp8_e5m2");
    // v0.7's parser offered four values only.
    expect(flagError(() => engineFlagsFromArgv(["x", "--kv-cache-dtype", "bfloat16"], { vllmVersion: "0.7.3" })).message).toBe(
      "--kv-cache-dtype: invalid choice 'bfloat16'; choose from auto, fp8, fp8_e5m2, fp8_e4m3",
    );
  });

  it("reads -O as the release does: --optimization-level now, --compilation-config's alias before", () => {
    expect(engineFlagsFromArgv(["x", "-O", "2"]).flags.compilation).toEqual({ level: 2 });
    expect(engineFlagsFromArgv(["x", "-O", '{"level": 3, "cudagraph_capture_sizes": [1, 2, 4]}'], { vllmVersion: "0.10.1" }).flags.compilation).toEqual({ level: 3, cudagraphCaptureSizes: [1, 2, 4] });
    expect(flagError(() => engineFlagsFromArgv(["x", "-O", '{"level": 3}'])).kind).toBe("missing-value");
  });

  it("reads --max-model-len auto only from the release that has it", () => {
    expect(engineFlagsFromArgv(["x", "--max-model-len", "-1"]).flags.maxModelLenAuto).toBe(true);
    expect(flagError(() => engineFlagsFromArgv(["x", "--max-model-len", "auto"], { vllmVersion: "0.11.0" })).message).toBe(
      "--max-model-len: 'auto' is read from vLLM 0.12.0 (PR #29431); vLLM 0.11.0 expects an integer",
    );
  });

  it("reads switches as argparse does: --no-<flag>, no explicit value", () => {
    expect(engineFlagsFromArgv(["x", "--enforce-eager", "--no-enforce-eager"]).flags.enforceEager).toBe(false);
    expect(flagError(() => engineFlagsFromArgv(["x", "--enforce-eager=true"])).kind).toBe("unexpected-value");
    expect(flagError(() => engineFlagsFromArgv(["x", "--max-model-len"])).kind).toBe("missing-value");
    expect(flagError(() => engineFlagsFromArgv(["x", "y"])).kind).toBe("extra-argument");
  });

  it("takes lists (nargs +) up to the next flag, and --device cpu", () => {
    const r = engineFlagsFromArgv(["x", "--cudagraph-capture-sizes", "1", "2", "4", "--served-model-name", "a", "b", "--device", "cpu"]);
    expect(r.flags.compilation?.cudagraphCaptureSizes).toEqual([1, 2, 4]);
    expect(r.device).toBe("cpu");
  });

  it("reads a record (vram-plan's flags:, a vLLM --config YAML) with typed values", () => {
    const parsed = engineFlagsFromOptions({ tensor_parallel_size: 2, "limit-mm-per-prompt": { image: 1 }, "enforce-eager": true, "enable-prefix-caching": false, "speculative-config": { model: "org/draft", num_speculative_tokens: 5 } });
    expect(parsed.flags.tensorParallelSize).toBe(2);
    expect(parsed.flags.limitMmPerPrompt).toEqual({ image: 1 });
    expect(parsed.flags.enforceEager).toBe(true);
    expect(parsed.flags.speculative).toEqual({ raw: { model: "org/draft", num_speculative_tokens: 5 }, model: "org/draft", numSpeculativeTokens: 5 });
    expect(flagError(() => engineFlagsFromOptions({ "max-num-seqz": 4 })).suggestion).toBe("--max-num-seqs");
  });
});

describe("vLLM's words and vram-plan's own", () => {
  it("--kv-cache-memory is vram-plan's size flag on its command line, and a prefix of --kv-cache-memory-bytes in vLLM's argv", () => {
    // vram-plan: 20g = 20 GiB (units.ts parseSize); vLLM's argparse: the prefix of --kv-cache-memory-bytes, human_readable_int 20g = 20 × 10^9.
    expect(engineFlagsFromArgv(["m", "--kv-cache-memory", "20g"], { vramPlanFlags: true }).flags.kvCacheMemoryBytes).toBe(20 * 2 ** 30);
    expect(engineFlagsFromArgv(["m", "--kv-cache-memory", "20g"]).flags.kvCacheMemoryBytes).toBe(20_000_000_000);
    expect(flagError(() => engineFlagsFromArgv(["m", "--vllm-version", "0.10.0"])).message).toBe("--vllm-version: a vram-plan option, not a vLLM argument (give it on vram-plan's command line)");
  });
});
