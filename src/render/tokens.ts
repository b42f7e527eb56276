// `vram-plan tokens` output: each image or video item, resized as the processor does, and its tokens.
import type { VisionSpec } from "../core/types.js";
import type { ItemTokens, PixelLimits, VideoBounds } from "../core/vision.js";
import { wrapLine } from "./format.js";

/** What tokens counted, as the renderers take it. */
export interface TokensReport {
  model: string;
  vision: Pick<VisionSpec, "patchSize" | "spatialMergeSize" | "temporalPatchSize"> & Partial<Pick<VisionSpec, "imageSize">>;
  limits: PixelLimits;
  /** The video processor's pixel bounds (per frame or over the whole clip); null when the model takes no video. */
  video: VideoBounds | null;
  items: { kind: "image" | "video"; input: string; tokens: ItemTokens }[];
}

function itemLine(kind: string, tokens: ItemTokens): string {
  const frames = kind === "video" ? `, ${tokens.frames} frames → ${tokens.gridT} temporal patches` : "";
  return `${kind} resized to ${tokens.width}x${tokens.height}${frames}: ${tokens.gridT * tokens.gridH * tokens.gridW} patches (${tokens.gridH}×${tokens.gridW} per frame) → ${tokens.tokens} LLM tokens`;
}

function imagesText(lim: PixelLimits, imageSize: number | undefined): string {
  // Sliced / tiled families (MiniCPM-V, InternVL) have no pixel bounds: images are cut into image_size² pieces.
  if (lim.maxPixels === 0) return `images cut into ${imageSize ?? 0}×${imageSize ?? 0} slices or tiles`;
  return `images ${lim.minPixels}–${lim.maxPixels} pixels`;
}

function videoText(bounds: VideoBounds | null): string {
  if (!bounds) return "";
  if (bounds.per === "slice") {
    const side = Math.round(Math.sqrt(bounds.maxPixels));
    return `, video frames as one ${side}×${side} slice each`;
  }
  return bounds.per === "frame" ? `, video frames ${bounds.minPixels}–${bounds.maxPixels} pixels each` : `, video ${bounds.minPixels}–${bounds.maxPixels} pixels over frames × height × width`;
}

/** Text, every line within `columns` (outputColumns: COLUMNS, at least 80). */
export function renderTokensText(report: TokensReport, columns = 80): string {
  const vision = report.vision;
  const lim = report.limits;
  const out = [`${report.model}: patch ${vision.patchSize}, merge ${vision.spatialMergeSize}×${vision.spatialMergeSize}, temporal patch ${vision.temporalPatchSize}; ${imagesText(lim, vision.imageSize)}${videoText(report.video)}`];
  for (const item of report.items) out.push(`${item.input}: ${itemLine(item.kind, item.tokens)}`);
  const total = report.items.reduce((sum, item) => sum + item.tokens.tokens, 0);
  if (report.items.length > 1) out.push(`total: ${total} LLM tokens`);
  return out.flatMap((l) => wrapLine(l, columns, ["; ", ": ", ", "])).join("\n") + "\n";
}

export function renderTokensJson(report: TokensReport): string {
  return JSON.stringify({ model: report.model, minPixels: report.limits.minPixels, maxPixels: report.limits.maxPixels, items: report.items }, null, 2) + "\n";
}
