// Input rules of issue #12.11: GPU names as people and nvidia-smi write them, sizes that cannot be a
// GPU, and vLLM values vLLM itself would not run (--block-size 7, an unknown modality).
import { describe, expect, it } from "vitest";
import { gpuCandidates, gpuFrom } from "../src/sources/gpus.js";
import { runCli, unwrapped } from "./helpers/cli.js";
import { inputError } from "./helpers/input-error.js";

describe("GPU names", () => {
  it.each([
    // nvidia-smi --query-gpu=name as printed (fixtures of issue threads and the calibration captures)
    ["NVIDIA A100-SXM4-40GB", "a100-40g"],
    ["NVIDIA A100-SXM4-80GB", "a100-80g"],
    ["NVIDIA A100 80GB PCIe", "a100-80g-pcie"],
    ["NVIDIA H100 80GB HBM3", "h100-sxm"],
    ["NVIDIA H100 PCIe", "h100-pcie"],
    ["NVIDIA H100 NVL", "h100-nvl"],
    ["Tesla T4", "t4"],
    ["NVIDIA GeForce RTX 4090", "rtx4090"],
    ["NVIDIA RTX 6000 Ada Generation", "rtx6000-ada"],
    ["Tesla V100-SXM2-16GB", "v100-16g"],
    // with the memory size some tools append, checked against the datasheet size
    ["NVIDIA GeForce RTX 3090 24GB", "rtx3090"],
    ["NVIDIA Tesla T4 16GB", "t4"],
    // common spellings
    ["h100-80gb", "h100-sxm"],
    ["H100_80GB", "h100-sxm"],
    ["a100-80gb", "a100-80g"],
    ["A100 40GB", "a100-40g"],
  ])("%s → %s", (name, id) => expect(gpuCandidates(name).map((g) => g.id)).toEqual([id]));

  it("a memory suffix that is not the card's size matches nothing (an RTX 4090 has 24 GB, not 48)", () => {
    expect(gpuCandidates("rtx4090-48gb")).toEqual([]);
  });

  it("--gpu a100 is ambiguous (40 and 80 GB, SXM and PCIe): an error listing the four choices", () => {
    expect(() => gpuFrom({ gpu: "a100" })).toThrow("--gpu a100: is it a100-40g, a100-40g-pcie, a100-80g or a100-80g-pcie?");
    expect(gpuCandidates("a100-pcie").map((g) => g.id)).toEqual(["a100-40g-pcie", "a100-80g-pcie"]);
    expect(gpuCandidates("v100").map((g) => g.id)).toEqual(["v100-16g", "v100-32g"]);
  });

  it("--other-process-memory at or above the GPU's total is bad input, not a plan with −11.43 GiB free", async () => {
    const result = await runCli(["--model", "qwen3-8b", "--gpu", "h100", "--other-process-memory", "90GiB"]);
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toBe("vram-plan: --other-process-memory: 90.00 GiB is not less than the 79.18 GiB of the NVIDIA H100 80GB HBM3\n");
    const outcome = await runCli(["compare", "--model", "qwen3-8b", "--gpu", "l4", "--other-process-memory", "22GiB", "--prompt-tokens", "100"]);
    expect(outcome.code).toBe(2);
    // Below the total it plans (and fails vLLM's free-memory check, exit 1).
    expect((await runCli(["--model", "qwen3-8b", "--gpu", "h100", "--other-process-memory", "70GiB"])).code).toBe(1);
    // --sweep reads the GPU through the same helper (commands/deployment-inputs.ts gpuOfFlags): it printed a
    // table of 5.12 GiB KV caches on an L4 of 21.99 GiB with 30 GiB held by others, exit 1.
    const sweep = await runCli(["--model", "qwen2.5-7b", "--gpu", "l4", "--other-process-memory", "30GiB", "--sweep", "max-model-len=4k,8k"]);
    expect(sweep.code).toBe(2);
    expect(sweep.out).toBe("");
    expect(unwrapped(sweep.err)).toBe("vram-plan: --other-process-memory: 30.00 GiB is not less than the 21.99 GiB of the NVIDIA L4\n");
  });

  it("exit 2 on the command line for an ambiguous name and for --gpu-memory below 1 GiB", async () => {
    const result = await runCli(["--model", "qwen2.5-7b", "--gpu", "a100"]);
    expect(result.code).toBe(2);
    // One line within 80 columns (it was 262 characters).
    expect(result.err).toBe("vram-plan: --gpu a100: is it a100-40g, a100-40g-pcie, a100-80g or a100-80g-pcie?\n");
    expect(result.err.trimEnd().length).toBeLessThanOrEqual(80);
    // An unknown name: the nearest ids, not all 27 cut off at 300 characters mid-word.
    const outcome = await runCli(["--model", "qwen2.5-7b", "--gpu", "rtx4080"]);
    expect(outcome.code).toBe(2);
    expect(unwrapped(outcome.err)).toBe("vram-plan: --gpu rtx4080: unknown GPU; did you mean rtx4090, rtx3090 or rtx5090? (vram-plan gpus lists all; --gpu-memory SIZE for another)\n");
    const m = await runCli(["--model", "qwen2.5-7b", "--gpu-memory", "80"]);
    expect(m.code).toBe(2);
    expect(m.err).toBe("vram-plan: --gpu-memory 80: 80 bytes is less than 1 GiB; did you mean 80GiB?\n");
    const mib = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--gpu-memory", "512MiB"]);
    expect(unwrapped(mib.err)).toBe("vram-plan: --gpu-memory 512MiB: 536870912 bytes is less than 1 GiB; did you mean 512GiB?\n");
    const ok = await runCli(["--model", "qwen2.5-7b", "--gpu-memory", "80GiB", "--json"]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.out) as { perGpu: { totalBytes: number }[] }).perGpu[0]?.totalBytes).toBe(80 * 2 ** 30);
  });
});

describe("values vLLM refuses or ignores", () => {
  it("--block-size 7 is refused; 16, 32 and 48 (a multiple of 16) are kept", async () => {
    const result = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--block-size", "7"]);
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toBe("vram-plan: --block-size: 7 is not a block size vLLM runs; it takes 1, 8, 16, 32, 64, 128, 256 (vllm/config/cache.py BlockSize) or, where any integer is taken, a multiple of 16 (its CUDA attention backends)\n");
    for (const b of ["16", "32", "48"]) {
      const ok = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--block-size", b, "--json"]);
      expect(ok.code).toBe(0);
      expect((JSON.parse(ok.out) as { engine: { blockSize: number } }).engine.blockSize).toBe(Number(b));
    }
  });

  it("--limit-mm-per-prompt '{\"images\":2}': vLLM ignores an unknown modality, so it is refused with the right name", async () => {
    const result = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--limit-mm-per-prompt", '{"images":2}']);
    expect(result.code).toBe(2);
    expect(unwrapped(result.err)).toBe("vram-plan: --limit-mm-per-prompt: 'images' is not a modality vLLM knows; did you mean 'image'? vLLM ignores keys other than image, video, audio and keeps the default limit\n");
    const ok = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--limit-mm-per-prompt", '{"image":2,"video":0}']);
    expect(ok.code).toBe(0);
  });
});

describe("human_readable_int flags name what they count", () => {
  // --max-num-seqs counts sequences and --kv-cache-memory-bytes bytes: the error used to ask both for
  // "a token count ... such as 32768", the wording of --max-model-len.
  it("--max-num-seqs 0 and --kv-cache-memory-bytes lots: exit 2, each with its own noun and examples", async () => {
    const seqs = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--max-num-seqs", "0"]);
    expect(seqs.code).toBe(2);
    expect(unwrapped(seqs.err)).toBe("vram-plan: --max-num-seqs: expected a number of sequences from 1 to 2147483648 such as 256 or 1k (1000), got '0'\n");
    const bytes = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--kv-cache-memory-bytes", "lots"]);
    expect(bytes.code).toBe(2);
    expect(unwrapped(bytes.err)).toBe("vram-plan: --kv-cache-memory-bytes: expected a byte count from 1 to 1125899906842624 such as 21474836480, 20g (20×10^9) or 20G (20×2^30), got 'lots'\n");
    // The examples are values vLLM's human_readable_int takes: 20G is 20 × 2^30 = 21,474,836,480 bytes.
    const g = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--kv-cache-memory-bytes", "20G", "--json"]);
    const asBytes = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--kv-cache-memory-bytes", "21474836480", "--json"]);
    expect(g.code).toBe(0);
    expect(g.out).toBe(asBytes.out);
  });
});
