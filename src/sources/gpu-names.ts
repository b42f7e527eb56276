// How a GPU name is matched (no I/O: the CLI's sources/gpus.ts and the web page share it).
/**
 * A GPU name as typed, as nvidia-smi prints it ("NVIDIA A100-SXM4-40GB", "NVIDIA H100 80GB HBM3",
 * "Tesla T4", "NVIDIA GeForce RTX 4090") or as a label spells it: lower case, vendor and brand
 * words dropped, spaces and underscores as dashes.
 */
export function normalizeGpuName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/^(nvidia-|tesla-|geforce-|amd-instinct-)+/, "")
    .replace(/-(geforce|tesla)-/g, "-")
    .replace(/-+/g, "-");
}

