// Any argv the parser is given ends in EngineFlags or one typed input error, never anything else
// (fast-check over words that vLLM command lines are made of, and junk).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.js";
import { engineFlagsFromArgv } from "../src/sources/vllm-flags.js";

const WORDS = [
  "--tensor-parallel-size", "-tp", "2", "-1", "auto", "--max-model-len", "32k", "32K", "12.5K", "--max-num-seq", "--max-num", "--enforce-eager",
  "--no-enforce-eager", "--enforce-eager=true", "--limit-mm-per-prompt", "image=2", '{"image": 2}', "--limit-mm-per-prompt.image", "--speculative-config",
  '{"method": "mtp", "num_speculative_tokens": 2}', "--speculative-config.num_speculative_tokens", "x", "-O3", "-O", "--kv-cache-dtype", "fp8",
  "int8_per_token_head", "--quantization", "-q", "gguf", "--cudagraph-capture-sizes", "1", "4", "--swap-space", "--gpu-memory-utilisation", "0.5",
  "--", "-", "--=", "--.x", "-.5", "Qwen/Qwen3-8B", "--hf-token", "--config", "--lora-modules", "a=b", "--max-lora-rank", "7", "--device", "cpu",
];

describe("vLLM argv fuzz", () => {
  it("returns flags or throws an InputError naming the problem, for any words", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ unit: "binary", maxLength: 12 })), { maxLength: 12 }), fc.constantFrom(undefined, "0.7.3", "0.10.1", "0.29.0"), (argv, version) => {
        try {
          const r = engineFlagsFromArgv(argv, version ? { vllmVersion: version } : {});
          expect(Number.isSafeInteger(r.flags.tensorParallelSize)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          expect((err as Error).message).not.toContain("\n");
        }
      }),
      { numRuns: 1500, seed: 11 },
    );
  });
});
