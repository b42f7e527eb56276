// The engine flags a command runs with: what the CLI read from its vLLM words (sources/vllm-flags.ts,
// set on the command's options as `vllmArgs` before the action runs), or, for callers that hold
// camelCase options (the benchmark, tests, `tokens`), the same table read from those names.
import type { EngineFlags } from "../core/types.js";
import { vllmArg } from "../core/vllm-args.js";
import { engineFlagsFromOptions, type VllmArgs } from "./vllm-flags.js";

export const FORMATS = ["table", "json", "markdown", "html"] as const;
/** Every --kv-cache-dtype value the core sizes (core/kv-dtypes.ts, the one list), e.g. for --sweep. */
export { KV_CACHE_DTYPES as KV_DTYPES } from "../core/kv-dtypes.js";

/** A command's options: `vllmArgs` as the CLI read them, or vLLM flags under camelCase names. */
export interface RawEngineFlags {
  vllmArgs?: VllmArgs;
  [option: string]: unknown;
}

const kebab = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** EngineFlags of a command's options (see RawEngineFlags); VllmFlagError/InputError on bad values. */
export function engineFlagsFrom(raw: RawEngineFlags): EngineFlags {
  if (raw.vllmArgs) return raw.vllmArgs.flags;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const name = kebab(key);
    if (vllmArg(name)) options[name] = value;
  }
  return engineFlagsFromOptions(options, { vramPlanFlags: true }).flags;
}

/** The model revision a command's options ask for (vLLM's --revision), if any. */
export function revisionFrom(raw: RawEngineFlags): string | undefined {
  const revision = raw.vllmArgs ? raw.vllmArgs.revision : raw["revision"];
  return typeof revision === "string" && revision.trim() !== "" ? revision.trim() : undefined;
}

/** `{ revision }` for resolveModel when one was asked for, else nothing. */
export function revisionOpt(raw: RawEngineFlags): { revision?: string } {
  const requested = revisionFrom(raw);
  return requested !== undefined ? { revision: requested } : {};
}

/** Whether the user gave a vLLM flag (long name, e.g. "tensor-parallel-size") in a command's options. */
export function gaveVllmFlag(raw: RawEngineFlags, name: string): boolean {
  if (raw.vllmArgs) return raw.vllmArgs.understood.some((u) => u.name === name);
  return raw[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] !== undefined;
}
