// How vLLM splits layers of a uniform page into KV-cache groups: vllm/v1/core/kv_cache_utils.py
// _get_kv_cache_groups_uniform_page_size (@001cabc1). The one rule for attention-only layouts
// (kv-cache.ts kvGroupLayout) and attention + Mamba ones (hybrid-kv.ts hybridGroups).
import { cdiv } from "./math-utils.js";

export interface UniformPageGroups {
  /** Layers per group (tensors sharing one block index): min layers per bucket, or the max when max < 1.5 × min. */
  groupSize: number;
  /** Groups per bucket, in the order given: cdiv(n, group_size). */
  groupsPerBucket: number[];
  /** "Add %d padding layers, may waste at most %.2f%% KV cache memory", one per padded bucket. */
  paddingWarnings: { layers: number; pct: number }[];
}

/** Group size, groups and padding for buckets of `counts` layers (one bucket per distinct spec; no empty bucket). */
export function uniformPageGroups(counts: readonly number[]): UniformPageGroups {
  if (counts.length === 0) return { groupSize: 0, groupsPerBucket: [], paddingWarnings: [] };
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  // "gpt-oss-20b + eagle, with 12 sw + 13 full. We pad it to (13 sw, 13 full) instead of (12 sw, 24 full)."
  const groupSize = max < min * 1.5 ? max : min;
  const paddingWarnings: { layers: number; pct: number }[] = [];
  for (const count of counts) {
    const pad = groupSize - (count % groupSize);
    if (pad !== groupSize) paddingWarnings.push({ layers: pad, pct: (pad / count) * 100 });
  }
  return { groupSize, groupsPerBucket: counts.map((n) => cdiv(n, groupSize)), paddingWarnings };
}
