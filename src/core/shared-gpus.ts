// vLLM servers that share GPUs on one machine (services of a compose file, commands of a script):
// vLLM's start-up check needs `gpu_memory_utilization × total` free on each of its GPUs
// (Worker.init_device in vllm/v1/worker/gpu_worker.py, the check in vllm/v1/worker/utils.py
// request_memory() by v0.24, vLLM issues #20305 and #48140: "Free memory on device ... on startup is
// less than desired GPU memory utilization"), so each server's start-up sees, as memory other processes
// hold, what the servers started before it on the same GPUs hold once they are up. Pure: plain data
// in, verdicts out; the words are the caller's.
import { evaluate, type Evaluation, type Target } from "./solve.js";
import type { PlanInput } from "./types.js";

/** One server as the sharing model needs it. */
export interface GpuSharer {
  name: string;
  file: string;
  line: number;
  /** Same key: same machine. Null: never shares (a Kubernetes pod gets its own GPUs). */
  host: string | null;
  /** Host device ids it sees; null: vLLM takes the first tp × pp × dp GPUs. */
  devices: readonly string[] | null;
  /** Servers (by name) that start before it (compose depends_on). */
  dependsOn: readonly string[];
  input: PlanInput;
  target: Target;
}

/** How a server fares next to the others on its GPUs, as data. */
export interface SharedVerdict {
  evaluation: Evaluation;
  /** The plan input it was evaluated with (what the others hold counted as other processes' memory). */
  input: PlanInput;
  /** Its constraints, with at least nothing left over-committed on its GPUs. */
  target: Target;
  /** GPUs it has in common with at least one other server of its group. */
  sharedDevices: string[];
  /** The other servers of its group. */
  others: GpuSharer[];
  /** --gpu-memory-utilization of every server of the group, in the group's order. */
  utilizations: number[];
  /** Servers started before it on a GPU it uses. */
  startedAfter: GpuSharer[];
  /** Bytes they hold on its most loaded GPU when it starts. */
  heldByOthersBytes: number;
  /** A start order in which every server of the group starts, when the declared one does not; else null. */
  betterOrder: GpuSharer[] | null;
  /**
   * The packing answer, when some server of the group does not start as declared: the smallest
   * --gpu-memory-utilization (0.01 steps) at which each one meets its own constraints, in start
   * order, if with those values every server starts in the declared order and they fit together; null
   * when no such values exist (or all start as declared).
   */
  fitUtilizations: Array<{ server: GpuSharer; utilization: number }> | null;
}

function gpusUsedBy(sharer: GpuSharer): number {
  const flags = sharer.input.flags;
  return flags.tensorParallelSize * flags.pipelineParallelSize * Math.max(1, flags.dataParallelSize);
}

export function devicesOf(sharer: GpuSharer): readonly string[] {
  return sharer.devices ?? Array.from({ length: gpusUsedBy(sharer) }, (_, i) => String(i));
}

/** Start order: dependencies before their dependents (compose depends_on), then declaration order. */
function startOrder<T extends GpuSharer>(group: readonly T[]): T[] {
  const out: T[] = [];
  const seen = new Set<T>();
  const visit = (server: T, stack: Set<T>): void => {
    if (seen.has(server) || stack.has(server)) return;
    stack.add(server);
    for (const dep of server.dependsOn) {
      const before = group.find((g) => g.name === dep);
      if (before) visit(before, stack);
    }
    seen.add(server);
    out.push(server);
  };
  for (const p of group) visit(p, new Set());
  return out;
}

function respectsDeps(order: readonly GpuSharer[]): boolean {
  return order.every((p, i) => p.dependsOn.every((dep) => !order.slice(i + 1).some((q) => q.name === dep)));
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

interface Step {
  ev: Evaluation;
  other: number;
  input: PlanInput;
  target: Target;
}

/** Plans servers in `order`, each seeing what the ones before it on its GPUs hold once up. */
function evaluateInOrder<T extends GpuSharer>(order: readonly T[]): Map<T, Step> {
  const used = new Map<string, number>();
  const out = new Map<T, Step>();
  for (const server of order) {
    const devs = devicesOf(server);
    const other = Math.max(0, ...devs.map((dv) => used.get(dv) ?? 0));
    const input: PlanInput = { ...server.input, flags: { ...server.input.flags, otherProcessBytes: server.input.flags.otherProcessBytes + other } };
    // Sharing, its memory must also fit next to theirs once up: nothing may be left over-committed.
    const target: Target = { ...server.target, headroomBytes: Math.max(server.target.headroomBytes ?? 0, 0) };
    const ev = evaluate(input, target);
    out.set(server, { ev, other, input, target });
    // What it holds once up: the most any of its GPUs is expected to use.
    const held = Math.max(0, ...ev.plan.perGpu.map((g) => g.expectedUsedBytes));
    for (const dv of devs) used.set(dv, (used.get(dv) ?? 0) + held);
  }
  return out;
}

/** Servers that fail for lack of room next to the others: vLLM's free-memory check, or an over-committed GPU. */
const crowded = (r: Map<GpuSharer, Step>): number =>
  [...r.values()].filter((x) => x.ev.failures.some((f) => (f.kind === "start" && f.diagnostic.code === "FREE_MEMORY_BELOW_BUDGET") || f.kind === "headroom")).length;

/**
 * Verdicts of a group of servers that share GPUs, in their declared start order. When some of them
 * fail vLLM's free-memory check, other orders that keep depends_on are tried (groups of up to 6).
 */
export function sharedVerdicts<T extends GpuSharer>(group: readonly T[]): Map<T, SharedVerdict> {
  const declared = startOrder(group);
  const results = evaluateInOrder(declared);
  let better: T[] | null = null;
  if (crowded(results) > 0 && group.length <= 6) {
    for (const perm of permutations(declared)) {
      if (!respectsDeps(perm)) continue;
      if (crowded(evaluateInOrder(perm)) === 0) {
        better = perm;
        break;
      }
    }
  }
  const utilizations = group.map((q) => results.get(q)?.ev.plan.engine.gpuMemoryUtilization ?? 0);
  const anyFails = [...results.values()].some((x) => !x.ev.ok);
  const fit = anyFails ? packedUtilizations(declared) : null;
  const fitUtilizations = fit ? declared.map((q) => ({ server: q as GpuSharer, utilization: fit.get(q) ?? 0 })) : null;
  const sharedDevices = [...new Set(group.flatMap((p) => [...devicesOf(p)]))].filter((dv) => group.filter((p) => devicesOf(p).includes(dv)).length > 1);
  const out = new Map<T, SharedVerdict>();
  for (const [position, server] of declared.entries()) {
    const step = results.get(server);
    if (!step) continue;
    out.set(server, {
      evaluation: step.ev,
      input: step.input,
      target: step.target,
      sharedDevices: sharedDevices.filter((dv) => devicesOf(server).includes(dv)),
      others: group.filter((q) => q !== server),
      utilizations,
      startedAfter: declared.slice(0, position).filter((q) => devicesOf(q).some((dv) => devicesOf(server).includes(dv))),
      heldByOthersBytes: step.other,
      betterOrder: better && !step.ev.ok ? better : null,
      fitUtilizations,
    });
  }
  return out;
}

/**
 * The smallest utilization (0.01 steps, up to 1) at which a server meets its own constraints on an
 * otherwise empty GPU: what others hold only enters vLLM's start-up check, never its KV budget
 * (gpu_worker.py: requested = utilization × total), so this is the least it can be given when sharing.
 * Null when its own value (at most 0.99) does not do either. The flag's own value when it sets --kv-cache-memory (utilization unused).
 */
export function leastUtilization(sharer: GpuSharer): number | null {
  const flags = sharer.input.flags;
  if (flags.kvCacheMemoryBytes !== undefined) return flags.gpuMemoryUtilization ?? null;
  const ok = (pct: number): boolean => {
    const input: PlanInput = { ...sharer.input, flags: { ...flags, gpuMemoryUtilization: pct / 100, otherProcessBytes: 0 } };
    return evaluate(input, { ...sharer.target, maxUtilization: undefined }).ok;
  };
  // Up to the server's own value (or 0.99: at 1.0 the CUDA context leaves less free than asked): more
  // memory never makes a plan fail its own constraints below that, so a binary search finds the least.
  const top = Math.min(99, Math.round((flags.gpuMemoryUtilization ?? 0.99) * 100));
  if (!ok(top)) return null;
  let lo = 1;
  let hi = top;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi / 100;
}

/** Each server at its least utilization, checked in start order next to the others: the values, or null. */
function packedUtilizations<T extends GpuSharer>(declared: readonly T[]): Map<T, number> | null {
  const least = new Map<T, number>();
  for (const server of declared) {
    const utilization = leastUtilization(server);
    if (utilization === null) return null;
    least.set(server, utilization);
  }
  const trial = declared.map((p) => ({ ...p, input: { ...p.input, flags: { ...p.input.flags, gpuMemoryUtilization: least.get(p) ?? 1 } } }));
  const steps = evaluateInOrder(trial);
  return [...steps.values()].every((x) => x.ev.ok) ? least : null;
}

/** Groups of servers on one machine that see a common GPU (one-member groups left out). */
export function sharingGroups<T extends GpuSharer>(servers: readonly T[], oneHost: boolean): T[][] {
  const byHost = new Map<string, T[]>();
  for (const server of servers) {
    if (server.host === null) continue;
    const key = oneHost ? "*" : server.host;
    byHost.set(key, [...(byHost.get(key) ?? []), server]);
  }
  const groups: T[][] = [];
  for (const members of byHost.values()) {
    const left = new Set(members);
    while (left.size > 0) {
      const first = [...left][0]!;
      left.delete(first);
      const comp = [first];
      for (let k = 0; k < comp.length; k++) {
        const devs = devicesOf(comp[k]!);
        for (const other of [...left]) {
          if (devicesOf(other).some((dv) => devs.includes(dv))) {
            left.delete(other);
            comp.push(other);
          }
        }
      }
      if (comp.length > 1) groups.push(members.filter((m) => comp.includes(m)));
    }
  }
  return groups;
}
