// A deployment's own host limits (a container's memory limit, its /dev/shm) against what the plan
// says vLLM needs there (host-memory.ts): the findings `check` reports (issue #15.4). Pure.
import type { HostMemory } from "./types.js";

/** Docker's and containerd's /dev/shm when nothing sets it (docker run --shm-size default "64m"; Kubernetes pods inherit the runtime's 64 MiB). */
export const CONTAINER_DEFAULT_SHM_BYTES = 64 * 2 ** 20;

export type ShmLimit =
  /** Nothing set: the container runtime's 64 MiB. */
  | { kind: "default" }
  /** A size as written (--shm-size, shm_size, an emptyDir's sizeLimit). */
  | { kind: "sized"; bytes: number; text: string; where: string }
  /** The host's /dev/shm (--ipc=host, ipc: host, hostIPC: true). */
  | { kind: "host"; where: string }
  /** An emptyDir with medium: Memory and no sizeLimit: bounded only by the memory limit. */
  | { kind: "memory"; where: string };

/** The limits a container runtime puts on the processes of one deployment. */
export interface HostLimits {
  runtime: "kubernetes" | "compose" | "docker";
  /** Memory limit (Kubernetes resources.limits.memory, compose mem_limit / deploy.resources.limits.memory, docker --memory). */
  memoryLimit: { bytes: number; text: string; where: string } | null;
  /** Kubernetes resources.requests.memory, compose deploy.resources.reservations.memory. */
  memoryRequest: { bytes: number; text: string; where: string } | null;
  shm: ShmLimit;
}

export type HostFindingCode = "HOST_MEMORY_BELOW_NEED" | "SHM_BELOW_NEED";

export interface HostFinding {
  code: HostFindingCode;
  /** What the deployment needs, bytes. */
  need: number;
  /** What its limit gives, bytes. */
  have: number;
  /** The setting as written, or "Docker's default /dev/shm". */
  where: string;
  text: string | null;
  /** A value that fits: need rounded up to a whole GiB. */
  fitBytes: number;
  runtime: HostLimits["runtime"];
}

const GiB = 2 ** 30;

/** need rounded up to a whole GiB (a value a person writes in a manifest). */
export function fitBytes(need: number): number {
  return Math.max(1, Math.ceil(need / GiB)) * GiB;
}

/**
 * What the limits do not hold: the memory limit below host.memoryBytes (the cgroup OOM-kills the
 * pod while it loads or allocates its buffers), /dev/shm below host.shmBytes (tmpfs maps lazily,
 * so the write that reaches past it dies with SIGBUS: "Bus error"). Requests below the need are
 * returned separately: the pod starts, but may be scheduled where the memory is not there.
 */
export function hostFindings(host: HostMemory, limits: HostLimits): { errors: HostFinding[]; requestBelow: HostFinding | null } {
  const errors: HostFinding[] = [];
  const limit = limits.memoryLimit;
  if (limit !== null && limit.bytes < host.memoryBytes) {
    errors.push({ code: "HOST_MEMORY_BELOW_NEED", need: host.memoryBytes, have: limit.bytes, where: limit.where, text: limit.text, fitBytes: fitBytes(host.memoryBytes), runtime: limits.runtime });
  }
  if (host.shmBytes > 0) {
    const shm = limits.shm;
    const have = shm.kind === "default" ? CONTAINER_DEFAULT_SHM_BYTES : shm.kind === "sized" ? shm.bytes : Number.POSITIVE_INFINITY;
    if (have < host.shmBytes) {
      errors.push({
        code: "SHM_BELOW_NEED",
        need: host.shmBytes,
        have,
        where: shm.kind === "sized" ? shm.where : "/dev/shm not set",
        text: shm.kind === "sized" ? shm.text : null,
        fitBytes: fitBytes(host.shmBytes),
        runtime: limits.runtime,
      });
    }
  }
  const request = limits.memoryRequest;
  const requestBelow =
    request !== null && request.bytes < host.memoryBytes
      ? { code: "HOST_MEMORY_BELOW_NEED" as const, need: host.memoryBytes, have: request.bytes, where: request.where, text: request.text, fitBytes: fitBytes(host.memoryBytes), runtime: limits.runtime }
      : null;
  return { errors, requestBelow };
}
