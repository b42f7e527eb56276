// --gpu's profile is built once (sources/gpu-names.ts profileOfGpu) for the CLI and the web page.
import { describe, expect, it } from "vitest";
import { gpuCatalog, gpuFrom } from "../src/sources/gpus.js";
import { profileOfGpu } from "../src/sources/gpu-names.js";

describe("a catalog GPU's profile (profileOfGpu)", () => {
  it("keeps the ROCm architecture of an AMD GPU, and takes --gpu-memory's total", () => {
    expect(gpuFrom({ gpu: "mi300x" }).rocmArch).toBe("gfx942");
    const h100 = gpuCatalog().find((g) => g.id === "h100-sxm")!;
    const profile = profileOfGpu(h100, 80 * 2 ** 30);
    expect(profile).toEqual({ id: "h100-sxm", name: h100.name, cudaTotalBytes: 80 * 2 ** 30, computeCapability: "9.0", smCount: h100.smCount, source: h100.source });
    expect(gpuFrom({ gpu: "h100", gpuMemory: "80GiB" })).toEqual(profile);
  });
});
