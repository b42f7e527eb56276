// MIG slices as GPUs (issue #15.2): src/data/mig-profiles.json, --gpu CARD:SLICE, Kubernetes
// nvidia.com/mig-<slice> resources in check, and the gpus listing. Memory figures are the GiB
// `nvidia-smi mig -lgip` printed in the captures the data file cites.
import { describe, expect, it } from "vitest";
import { gpuFrom, gpusWithMigSlice, migProfiles } from "../src/sources/gpus.js";
import { InputError } from "../src/errors.js";
import { runCli, type Ran } from "./helpers/cli.js";
import { runCheck } from "./helpers/check-text.js";

const GiB = 2 ** 30;

describe("--gpu CARD:SLICE", () => {
  it("h100-sxm:3g.40gb: 39.50 GiB and 60 SMs (mig -lgip on an H100 80GB), the card's compute capability", () => {
    const gpu = gpuFrom({ gpu: "h100-sxm:3g.40gb" });
    expect([gpu.id, gpu.cudaTotalBytes, gpu.smCount, gpu.computeCapability]).toEqual(["h100-sxm:3g.40gb", 39.5 * GiB, 60, "9.0"]);
    expect(gpu.name).toBe("NVIDIA H100 80GB HBM3 MIG 3g.40gb");
    // nvidia-smi's spelling and the card's other names work too.
    expect(gpuFrom({ gpu: "H100:MIG 3g.40gb" }).cudaTotalBytes).toBe(39.5 * GiB);
    expect(gpuFrom({ gpu: "h200:1g.18gb" }).cudaTotalBytes).toBe(16 * GiB);
    expect(gpuFrom({ gpu: "rtx-pro-6000:2g.48gb" }).cudaTotalBytes).toBe(46.5 * GiB);
    // --gpu-memory still overrides.
    expect(gpuFrom({ gpu: "h100-sxm:3g.40gb", gpuMemory: "39GiB" }).cudaTotalBytes).toBe(39 * GiB);
  });

  it("estimates say so: B200 3g.90gb = 4 memory slices × 2g.45gb's 44.25 / 2 GiB", () => {
    const b = migProfiles().get("b200")!.find((p) => p.name === "3g.90gb")!;
    expect(b.exact).toBe(false);
    expect(b.cudaTotalBytes).toBe(88.5 * GiB);
    expect(b.source).toMatch(/^estimate: /);
  });

  it("a slice the card does not have, or a card without MIG: one line naming the flag and what exists", () => {
    expect(() => gpuFrom({ gpu: "h100-sxm:3g.20gb" })).toThrow(new InputError("--gpu", "--gpu h100-sxm:3g.20gb: h100-sxm has no MIG slice 3g.20gb; its slices: 1g.10gb, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb"));
    expect(() => gpuFrom({ gpu: "l4:1g.5gb" })).toThrow(/l4 has no MIG slice 1g\.5gb; vram-plan has no MIG profiles for it/);
  });

  it("plan on a slice: Qwen3-8B fits a 3g.40gb but not a 1g.10gb", async () => {
    const ok = await runCli(["--model", "qwen3-8b", "--gpu", "h100-sxm:3g.40gb", "--max-model-len", "8192"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("Qwen/Qwen3-8B on 1 × NVIDIA H100 80GB HBM3 MIG 3g.40gb");
    const small = await runCli(["--model", "qwen3-8b", "--gpu", "h100-sxm:1g.10gb", "--max-model-len", "8192"]);
    expect(small.code).toBe(1);
  });

  it("gpus lists every slice under its card", async () => {
    const result = await runCli(["gpus"]);
    // Slices in their own section (id, CUDA GiB, cc), within 80 columns; an estimated size is marked *, a captured one is not.
    expect(result.out).toMatch(/^h100-sxm:3g\.40gb +39\.50 +9\.0$/m);
    expect(result.out).toMatch(/^b200:7g\.180gb +\d+\.\d\d +10\.0 \*$/m);
    const js = JSON.parse((await runCli(["gpus", "--json"])).out) as Array<{ id: string; mig?: { gpu: string; captured: boolean } }>;
    expect(js.find((g) => g.id === "h200:7g.141gb")?.mig).toMatchObject({ gpu: "h200", captured: true });
  });
});

describe("Kubernetes nvidia.com/mig-<slice> in check", () => {
  const pod = (resource: string, selector = ""): string =>
    [
      "apiVersion: v1",
      "kind: Pod",
      "metadata: {name: p}",
      "spec:",
      ...(selector ? ["  nodeSelector:", `    ${selector}`] : []),
      "  containers:",
      "    - name: vllm",
      "      image: vllm/vllm-openai:v0.11.0",
      "      args: [--model, Qwen/Qwen3-0.6B, --max-model-len, '4096']",
      "      resources:",
      "        limits:",
      `          ${resource}: 1`,
      "",
    ].join("\n");
  const check = (text: string, ...argv: string[]): Promise<Ran> => runCheck(["-", "--no-config", ...argv], text);

  it("a MIG resource: planned on the slice of the card --gpu names (src/data/mig-profiles.json)", async () => {
    const r = await check(pod("nvidia.com/mig-3g.40gb"), "--gpu", "a100-80g");
    expect(r.code).toBe(0);
    expect(r.out).toContain("— Qwen/Qwen3-0.6B on 1× a100-80g:3g.40gb, vLLM 0.11.0:");
  });

  it("the slice of the card a node label names", async () => {
    const r = await check(pod("nvidia.com/mig-1g.10gb", "nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3"));
    expect(r.out).toContain("— Qwen/Qwen3-0.6B on 1× h100-sxm:1g.10gb, vLLM 0.11.0:");
  });

  it("no GPU type: the one card that has the slice, else a NEED line asking for --gpu", async () => {
    expect(gpusWithMigSlice("1g.18gb")).toEqual(["h200"]);
    const one = await check(pod("nvidia.com/mig-1g.18gb"));
    expect(one.out).toContain("on 1× h200:1g.18gb");
    expect(gpusWithMigSlice("3g.40gb")).toEqual(["h100-sxm", "a100-80g"]);
    const two = await check(pod("nvidia.com/mig-3g.40gb"));
    expect(two.out).toContain("MIG slice 3g.40gb: h100-sxm, a100-80g have it: pass --gpu <card> to say which GPU it is a slice of");
  });
});
