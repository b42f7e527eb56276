// A GPU added to src/data/gpus.json alone is recognized from the node label NVIDIA's GPU feature
// discovery writes (nvidia.com/gpu.product: the CUDA device name with spaces as '-'), through the
// listed spellings of src/data/gpu-labels.json or, when none lists it, the catalog's own names.
import { describe, expect, it } from "vitest";
import { gpuCatalog } from "../src/sources/gpus.js";
import { gpuIdFromLabel } from "../src/sources/deployments/gpu-labels.js";

describe("GPU node labels", () => {
  it("every cataloged GPU's device name, as gpu-feature-discovery labels it, names that GPU", () => {
    const wrong = gpuCatalog()
      .map((g) => ({ id: g.id, label: g.name.replace(/ /g, "-"), got: gpuIdFromLabel("nvidia.com/gpu.product", g.name.replace(/ /g, "-")) }))
      .filter((x) => x.got !== x.id);
    expect(wrong).toEqual([]);
  });
  it("a spelling no pattern lists falls back to the catalog's names; MIG slices and unknown GPUs stay unknown", () => {
    // "RTX6000-Ada" matches no pattern of gpu-labels.json (^rtx-6000-ada) but is the rtx6000-ada profile's id.
    expect(gpuIdFromLabel("nvidia.com/gpu.product", "NVIDIA-RTX6000-Ada")).toBe("rtx6000-ada");
    expect(gpuIdFromLabel("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB-MIG-1g.10gb")).toBeNull();
    expect(gpuIdFromLabel("nvidia.com/gpu.product", "NVIDIA-GeForce-RTX-2080-Ti")).toBeNull();
  });
});
