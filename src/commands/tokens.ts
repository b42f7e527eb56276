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
export function videoFrames(text: string): number {
  return videoFramesFlag("--video", text);
}

/** `tokens()` with the processor's refusal of a size (ResizeError: smart_resize's rules) as bad input naming `flag`, or `framesFlag` for a frame count. */
export function resizedBy<T>(flag: string, tokens: () => T, framesFlag: string = flag): T {
  try {
    return tokens();
  } catch (err) {
    if (err instanceof ResizeError) {
      const named = err.input === "frames" ? framesFlag : flag;
      throw new InputError(named, `${named}: ${err.message}`);
    }
    throw err;
  }
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

export async function tokensCommand(opts: TokensOpts, io: Io): Promise<Outcome> {
  if (!opts.model) throw new InputError("--model", "--model: required, e.g. --model qwen2.5-vl-7b");
  if (!opts.image?.length && !opts.video) throw new InputError("--image", "--image or --video: give at least one item to count");
  if ((opts.image?.length ?? 0) > MAX_IMAGES) throw new InputError("--image", `--image: at most ${MAX_IMAGES} images, got ${opts.image?.length}`);
  const { modelOfFlags } = await import("./deployment-inputs.js");
  const { engineFlagsFrom } = await import("../sources/engine-flags.js");
  const resolved = await modelOfFlags({ model: opts.model, offline: opts.offline === true }, io);
  const vision = resolved.arch.vision;
  if (!vision || vision.family === "other") throw new InputError("--model", `--model ${opts.model}: vram-plan has no image-processor rules for this model (tokens supports ${MODELED_FAMILY_NAMES})`);
  // Each family's video processor (src/core/vision/<family>.ts): per-frame bounds for Qwen2/2.5-VL, bounds
  // over the whole clip for Qwen3-VL; none for Gemma 3.
  const family = visionFamily(vision);
  const videoBounds = family?.video && family.hasVideo(vision) ? family.video.bounds(vision) : null;
  if (opts.video && !videoBounds) throw new InputError("--video", `--video: ${resolved.arch.id} takes no video`);
  const kwargs = opts.mmProcessorKwargs !== undefined ? engineFlagsFrom({ mmProcessorKwargs: opts.mmProcessorKwargs }).mmProcessorKwargs : undefined;
  const lim = pixelLimits(vision, kwargs);
  const items: TokensReport["items"] = [];
  for (const img of opts.image ?? []) {
    const image = size("--image", img);
    items.push({ kind: "image", input: img, tokens: resizedBy("--image", () => imageTokens(vision, image.width, image.height, lim)) });
  }
  if (opts.video) {
    const frame = size("--video-size", opts.videoSize ?? "1280x720");
    const frames = videoFrames(opts.video);
    // A frame size the video processor refuses is --video-size's fault (it was reported as --image's).
    items.push({ kind: "video", input: `${opts.video} at ${frame.width}x${frame.height}`, tokens: resizedBy("--video-size", () => videoTokens(vision, frame.width, frame.height, frames, videoBounds as NonNullable<typeof videoBounds>), "--video") });
  }
  const report: TokensReport = { model: resolved.arch.id, vision, limits: lim, video: videoBounds, items };
  io.stdout(opts.json ? renderTokensJson(report) : renderTokensText(report, outputColumns(io.env)));
  return { command: "info" };
}
