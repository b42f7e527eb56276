// vram-plan tokens: how image and video size drive LLM tokens, by the Hugging Face processor's rules.
import { InputError } from "../errors.js";
import { imageSizeFlag, videoFramesFlag } from "../sources/flag-values.js";
import { MAX_IMAGES } from "../limits.js";
import type { Io } from "./io.js";
import type { Outcome } from "../core/exit.js";
import { imageTokens, pixelLimits, videoTokens, visionFamily } from "../core/vision.js";
import { MODELED_FAMILY_NAMES } from "../core/vision/registry.js";
import { renderTokensJson, renderTokensText, type TokensReport } from "../render/tokens.js";
import { outputColumns } from "../render/format.js";
import { ResizeError } from "../core/errors.js";

const size = imageSizeFlag;

/** "30s@2fps" → 60 frames; "64f" or "64" → 64 frames (1 to MAX_VIDEO_FRAMES). */
export function videoFrames(v: string): number {
  return videoFramesFlag("--video", v);
}

export interface TokensOpts {
  model?: string;
  image?: string[];
  video?: string;
  videoSize?: string;
  mmProcessorKwargs?: string;
  json?: boolean;
  offline?: boolean;
}

export async function tokensCommand(o: TokensOpts, io: Io): Promise<Outcome> {
  if (!o.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-vl-7b");
  if (!o.image?.length && !o.video) throw new InputError("--image", "--image or --video: give at least one item to count");
  if ((o.image?.length ?? 0) > MAX_IMAGES) throw new InputError("--image", `--image: at most ${MAX_IMAGES} images, got ${o.image?.length}`);
  const { resolveModel } = await import("../sources/resolve-model.js");
  const { engineFlagsFrom } = await import("../sources/engine-flags.js");
  const m = await resolveModel(o.model, { offline: o.offline === true, env: io.env });
  const v = m.arch.vision;
  if (!v || v.family === "other") throw new InputError("--model", `--model ${o.model}: vram-plan has no image-processor rules for this model (tokens supports ${MODELED_FAMILY_NAMES})`);
  // Each family's video processor (src/core/vision/<family>.ts): per-frame bounds for Qwen2/2.5-VL, bounds
  // over the whole clip for Qwen3-VL; none for Gemma 3.
  const family = visionFamily(v);
  const videoBounds = family?.video && family.hasVideo(v) ? family.video.bounds(v) : null;
  if (o.video && !videoBounds) throw new InputError("--video", `--video: ${m.arch.id} takes no video`);
  const kwargs = o.mmProcessorKwargs !== undefined ? engineFlagsFrom({ mmProcessorKwargs: o.mmProcessorKwargs }).mmProcessorKwargs : undefined;
  const lim = pixelLimits(v, kwargs);
  const items: TokensReport["items"] = [];
  try {
    for (const img of o.image ?? []) {
      const s = size("--image", img);
      items.push({ kind: "image", input: img, tokens: imageTokens(v, s.width, s.height, lim) });
    }
    if (o.video) {
      const s = size("--video-size", o.videoSize ?? "1280x720");
      const frames = videoFrames(o.video);
      items.push({ kind: "video", input: `${o.video} at ${s.width}x${s.height}`, tokens: videoTokens(v, s.width, s.height, frames, videoBounds as NonNullable<typeof videoBounds>) });
    }
  } catch (e) {
    if (e instanceof ResizeError) throw new InputError("--image", `--image: ${e.message}`);
    throw e;
  }
  const report: TokensReport = { model: m.arch.id, vision: v, limits: lim, video: videoBounds, items };
  io.stdout(o.json ? renderTokensJson(report) : renderTokensText(report, outputColumns(io.env)));
  return { command: "info" };
}
