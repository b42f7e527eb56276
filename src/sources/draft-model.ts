// The speculative draft named in --speculative-config ("model": an EAGLE head, an EAGLE-3 head or a
// small draft model) read like --model, so the core can size its weights and KV layers
// (core/speculative.ts). ngram/suffix and MTP need no draft checkpoint. A draft that cannot be read
// (not in the catalog, no local copy, offline) is left unresolved: the plan then carries a
// NOT_EXACT warning that names it, never a silent zero.
import type { EngineFlags } from "../core/types.js";
import { speculativeKind } from "../core/speculative.js";

type Env = Record<string, string | undefined>;

export async function resolveDraftModel(flags: EngineFlags, opts: { offline: boolean; env: Env }): Promise<{ warnings: string[] }> {
  const spec = flags.speculative;
  if (!spec || spec.draftModel || !spec.model) return { warnings: [] };
  const kind = speculativeKind(spec);
  if (kind === "ngram" || kind === "mtp") return { warnings: [] };
  const { resolveModel } = await import("./resolve-model.js");
  try {
    const draft = await resolveModel(spec.model, opts);
    spec.draftModel = draft.arch;
    return { warnings: draft.warnings };
  } catch (err) {
    return { warnings: [`--speculative-config model ${spec.model}: not read (${err instanceof Error ? err.message : String(err)}); its weights and KV layers are not counted`] };
  }
}
