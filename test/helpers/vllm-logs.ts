// The raw vLLM logs in fixtures/vllm-logs/raw/ (SOURCES.md names each source) and the figures they print.
import { join } from "node:path";

export const RAW_LOG_DIR = join(import.meta.dirname, "..", "..", "fixtures", "vllm-logs", "raw");

/** The path of one raw log in fixtures/vllm-logs/raw/. */
export const rawLog = (file: string): string => join(RAW_LOG_DIR, file);

/** A GiB figure as the log prints it → bytes, round(value × 2^30): vLLM's GiB_bytes (vllm/utils). */
export const bytesOfPrintedGiB = (printed: string): number => Math.round(Number(printed) * 2 ** 30);

/** One row of `vram-plan log --json`'s differences (src/render/log.ts). */
export interface LogDifference {
  what: string;
  logged: number | string | null;
  planned: number | string | null;
  agrees: boolean;
  why: string | null;
  whyCode: string | null;
}
