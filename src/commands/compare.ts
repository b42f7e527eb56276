// `vram-plan compare`: the offline (transformers generate) footprint of a workload beside vLLM's plan
// for it, why they differ, and the levers that bring vLLM closest (issue #6).
import { InputError } from "../errors.js";
import type { Io } from "./io.js";
import type { CommonOpts } from "./plan.js";
import { gpuFrom } from "../sources/gpus.js";
import { ATTN_IMPLEMENTATIONS, type AttnImplementation } from "../core/attn-implementations.js";
import type { OfflineImage } from "../core/offline.js";
import type { Outcome } from "../core/exit.js";
import { parseTokens } from "../units.js";
// The offline model, the comparison and the vision rules load only when compare runs (start-up stays light).

export interface CompareOpts extends CommonOpts {
  promptTokens?: string;
  image?: string[];
  images?: string;
  imageSize?: string;
  batch?: string;
  newTokens?: string;
  attn?: string;
}

function size(flag: string, v: string): OfflineImage {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(v);
  if (!m) throw new InputError(flag, `${flag}: expected WIDTHxHEIGHT in pixels such as 1792x1792, got '${v}'`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (!(width > 0 && height > 0)) throw new InputError(flag, `${flag}: width and height must be positive, got '${v}'`);
  return { width, height };
}

function count(flag: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = parseTokens(v);
  if (n === null || !Number.isSafeInteger(n) || n < min) throw new InputError(flag, `${flag}: expected an integer >= ${min}, got '${v}'`);
  return n;
}

export async function compareCommand(o: CompareOpts, io: Io): Promise<Outcome> {
  const { engineFlagsFrom, revisionOpt } = await import("../sources/engine-flags.js");
  const { offlineFootprint } = await import("../core/offline.js");
  const { compareWorkload } = await import("../core/compare.js");
  const { imageTokens, pixelLimits, visionFamily } = await import("../core/vision.js");
  const { ResizeError } = await import("../core/errors.js");
  if (!o.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-vl-7b (vram-plan models lists the catalogue)");
  if (o.promptTokens === undefined) throw new InputError("--prompt-tokens", "--prompt-tokens: required: the text tokens of one prompt (image tokens are added)");
  const promptTokens = count("--prompt-tokens", o.promptTokens, 0, 1);
  const batch = count("--batch", o.batch, 1, 1);
  const newTokens = count("--new-tokens", o.newTokens, 256, 0);
  const attn = (o.attn ?? "sdpa") as AttnImplementation;
  if (!ATTN_IMPLEMENTATIONS.includes(attn)) throw new InputError("--attn", `--attn: '${o.attn}' is not one of ${ATTN_IMPLEMENTATIONS.join(", ")}`);
  const images: OfflineImage[] = (o.image ?? []).map((s) => size("--image", s));
  if (o.images !== undefined || o.imageSize !== undefined) {
    if (o.images === undefined || o.imageSize === undefined) throw new InputError(o.images === undefined ? "--images" : "--image-size", "--images N and --image-size WxH go together");
    const n = count("--images", o.images, 0, 0);
    const s = size("--image-size", o.imageSize);
    for (let i = 0; i < n; i++) images.push({ ...s });
  }
  const flags = engineFlagsFrom(o);
  const gpu = gpuFrom(o);
  const { resolveModel } = await import("../sources/resolve-model.js");
  const model = await resolveModel(o.model, { offline: o.offline === true, env: io.env, ...revisionOpt(o) });
  for (const w of model.warnings) io.stderr(`vram-plan: warning: ${w}\n`);
  const arch = model.arch;
  let imgTokens = 0;
  if (images.length > 0) {
    const v = arch.vision;
    // The offline trace models Qwen-VL towers only (the family's `offline` in src/core/vision/<family>.ts).
    const offline = v ? visionFamily(v)?.offline : undefined;
    if (!v || offline === undefined || offline === "text-only") throw new InputError("--image", `--image: vram-plan's offline model traces Qwen-VL vision towers only; images are not supported for ${arch.id} (compare it without --image)`);
    const lim = pixelLimits(v, flags.mmProcessorKwargs);
    try {
      for (const im of images) imgTokens += imageTokens(v, im.width, im.height, lim).tokens;
    } catch (e) {
      if (e instanceof ResizeError) throw new InputError("--image", `--image: ${e.message}`);
      throw e;
    }
  }
  const offline = offlineFootprint({ model: arch, promptTokens, images, batch, newTokens, attn, ...(flags.dtype ? { dtype: flags.dtype } : {}), ...(flags.mmProcessorKwargs ? { pixels: flags.mmProcessorKwargs } : {}) });
  const cmp = compareWorkload({ model: arch, gpu, flags }, offline, { promptTokens, imageTokens: imgTokens, images, newTokens, batch });
  const fmt = o.json ? "json" : ((o.format as "table" | "json" | "markdown" | undefined) ?? "table");
  const r = await import("../render/compare.js");
  io.stdout(fmt === "json" ? r.renderCompareJson(cmp) : fmt === "markdown" ? r.renderCompareMarkdown(cmp) : r.renderCompareTable(cmp));
  return { command: "compare", comparison: cmp };
}
