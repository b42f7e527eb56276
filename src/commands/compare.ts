// `vram-plan compare`: the offline (transformers generate) footprint of a workload beside vLLM's plan
// for it, why they differ, and the levers that bring vLLM closest (issue #6).
import { InputError } from "../errors.js";
import { outputFormat, type Io } from "./io.js";
import type { CommonOpts } from "./plan.js";
import { deploymentInputs } from "./deployment-inputs.js";
import { ATTN_IMPLEMENTATIONS, type AttnImplementation } from "../core/attn-implementations.js";
import type { OfflineImage } from "../core/offline.js";
import type { Outcome } from "../core/exit.js";
import { imageSizeFlag, tokensFlag } from "../sources/flag-values.js";
import { MAX_BATCH, MAX_BATCH_IMAGES, MAX_IMAGES, MAX_NEW_TOKENS, MAX_TOKENS } from "../limits.js";
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

const size = (flag: string, v: string): OfflineImage => imageSizeFlag(flag, v);

/** A count in [min, max] (vLLM's k/K suffixes allowed): the offline replay works per image, prompt and token. */
function count(flag: string, text: string | undefined, dflt: number, min: number, max: number, what = "a count"): number {
  return text === undefined ? dflt : tokensFlag(flag, text, min, max, what);
}

export async function compareCommand(opts: CompareOpts, io: Io): Promise<Outcome> {
  const { engineFlagsFrom } = await import("../sources/engine-flags.js");
  const { offlineFootprint } = await import("../core/offline.js");
  const { compareWorkload } = await import("../core/compare.js");
  const { imageTokens, pixelLimits, visionFamily } = await import("../core/vision.js");
  if (!opts.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-vl-7b (vram-plan models lists the catalog)");
  if (opts.promptTokens === undefined) throw new InputError("--prompt-tokens", "--prompt-tokens: required: the text tokens of one prompt (image tokens are added)");
  const promptTokens = count("--prompt-tokens", opts.promptTokens, 0, 1, MAX_TOKENS, "a token count");
  const batch = count("--batch", opts.batch, 1, 1, MAX_BATCH);
  const newTokens = count("--new-tokens", opts.newTokens, 256, 0, MAX_NEW_TOKENS, "a token count");
  const attn = (opts.attn ?? "sdpa") as AttnImplementation;
  if (!ATTN_IMPLEMENTATIONS.includes(attn)) throw new InputError("--attn", `--attn: '${opts.attn}' is not one of ${ATTN_IMPLEMENTATIONS.join(", ")}`);
  if ((opts.image?.length ?? 0) > MAX_IMAGES) throw new InputError("--image", `--image: at most ${MAX_IMAGES} images per prompt, got ${opts.image?.length}`);
  const images: OfflineImage[] = (opts.image ?? []).map((s) => size("--image", s));
  if (opts.images !== undefined || opts.imageSize !== undefined) {
    if (opts.images === undefined || opts.imageSize === undefined) throw new InputError(opts.images === undefined ? "--images" : "--image-size", "--images N and --image-size WxH go together");
    const imageCount = count("--images", opts.images, 0, 0, MAX_IMAGES - images.length);
    const image = size("--image-size", opts.imageSize);
    for (let i = 0; i < imageCount; i++) images.push({ ...image });
  }
  if (images.length * batch > MAX_BATCH_IMAGES) throw new InputError("--batch", `--batch: ${batch} prompts of ${images.length} images is over the ${MAX_BATCH_IMAGES} images a replay models`);
  const flags = engineFlagsFrom(opts);
  const { gpu, model } = await deploymentInputs({ ...opts, model: opts.model }, flags, io);
  const arch = model.arch;
  let imgTokens = 0;
  if (images.length > 0) {
    const vision = arch.vision;
    // The offline trace models Qwen-VL towers only (the family's `offline` in src/core/vision/<family>.ts).
    const offline = vision ? visionFamily(vision)?.offline : undefined;
    if (!vision || offline === undefined || offline === "text-only") throw new InputError("--image", `--image: vram-plan's offline model traces Qwen-VL vision towers only; images are not supported for ${arch.id} (compare it without --image)`);
    const lim = pixelLimits(vision, flags.mmProcessorKwargs);
    const { resizedBy } = await import("./tokens.js");
    // Each image under the flag that gave it: --image one by one, then --images × --image-size.
    const given = opts.image?.length ?? 0;
    images.forEach((im, imageIndex) => {
      imgTokens += resizedBy(imageIndex < given ? "--image" : "--image-size", () => imageTokens(vision, im.width, im.height, lim)).tokens;
    });
  }
  const offline = offlineFootprint({ model: arch, promptTokens, images, batch, newTokens, attn, ...(flags.dtype ? { dtype: flags.dtype } : {}), ...(flags.mmProcessorKwargs ? { pixels: flags.mmProcessorKwargs } : {}) });
  const cmp = compareWorkload({ model: arch, gpu, flags }, offline, { promptTokens, imageTokens: imgTokens, images, newTokens, batch }, { explain: opts.explain === true || opts.format === "html" });
  const fmt = outputFormat(opts);
  if (fmt === "html") {
    io.stdout((await import("../render/html.js")).renderCompareHtml(cmp));
    return { command: "compare", comparison: cmp };
  }
  const render = await import("../render/compare.js");
  const { outputColumns } = await import("../render/format.js");
  const columns = fmt === "markdown" ? Number.POSITIVE_INFINITY : outputColumns(io.env);
  let text = fmt === "json" ? render.renderCompareJson(cmp) : fmt === "markdown" ? render.renderCompareMarkdown(cmp) : render.renderCompareTable(cmp, columns);
  if (opts.explain && fmt !== "json") {
    text += render.renderCompareExplain(cmp, columns);
    text += (await import("../render/explain.js")).renderExplain(cmp.vllm, columns).replace("How the numbers were computed:", "How vLLM's numbers were computed:");
  }
  io.stdout(text);
  return { command: "compare", comparison: cmp };
}
