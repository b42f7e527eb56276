// Host limits written in deployment files (issue #15.4): a container's memory limit and request, and
// its /dev/shm — Kubernetes resources and an emptyDir {medium: Memory} at /dev/shm (or hostIPC),
// compose mem_limit / deploy.resources / shm_size / ipc, docker run --memory / --shm-size / --ipc.
import type { HostLimits, ShmLimit } from "../../core/host-limits.js";

import { rec, str, type Json } from "./values.js";

/** Kubernetes resource.Quantity suffixes (k8s.io/apimachinery/pkg/api/resource: binary Ki..Ei, decimal k..E, milli m). */
const K8S_UNITS: Readonly<Record<string, number>> = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("16Gi", "32G", "1e9", 17179869184) in bytes, or null when it is not one. */
export function k8sQuantityBytes(value: Json): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.ceil(value) : null;
  if (typeof value !== "string") return null;
  const match = /^\s*\+?(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?\s*$/.exec(value);
  if (!match || (match[2] !== undefined && match[3] !== undefined)) return null;
  const bytes = Number(match[1]) * 10 ** Number(match[2] ?? 0) * (K8S_UNITS[match[3] ?? ""] ?? 1);
  return Number.isFinite(bytes) ? Math.ceil(bytes) : null;
}

/**
 * A Docker / compose size ("16g", "2gb", "512m", "64M", 1073741824) in bytes, or null. Docker's
 * units are binary (go-units RAMInBytes: b, k, m, g, t, p with an optional "b"); compose's byte
 * values follow the same rule.
 */
export function dockerSizeBytes(value: Json): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.ceil(value) : null;
  if (typeof value !== "string") return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([bkmgtp])?(?:i?b)?\s*$/i.exec(value);
  if (!match) return null;
  const pow = "bkmgtp".indexOf((match[2] ?? "b").toLowerCase());
  return Math.ceil(Number(match[1]) * 1024 ** Math.max(0, pow));
}

const sizeText = (v: Json): string => (typeof v === "string" ? v.trim() : String(v));

/**
 * A Kubernetes container's limits: resources.limits/requests.memory, and its /dev/shm — an emptyDir
 * of medium Memory mounted at /dev/shm (its sizeLimit), or hostIPC: true on the pod.
 * Unreadable quantities become notes (Kubernetes itself would refuse them).
 */
export function kubernetesLimits(pod: Record<string, Json>, container: Record<string, Json>, notes: string[]): HostLimits {
  const res = rec(container.resources);
  const mem = (kind: "limits" | "requests"): HostLimits["memoryLimit"] => {
    const memory = rec(res?.[kind])?.memory;
    if (memory === undefined || memory === null) return null;
    const bytes = k8sQuantityBytes(memory);
    if (bytes === null) {
      notes.push(`resources.${kind}.memory: ${sizeText(memory)} is not a Kubernetes quantity`);
      return null;
    }
    return { bytes, text: sizeText(memory), where: `resources.${kind}.memory` };
  };
  let shm: ShmLimit = { kind: "default" };
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
  const shmMount = mounts.map(rec).find((m) => m !== null && typeof m.mountPath === "string" && m.mountPath.replace(/\/+$/, "") === "/dev/shm");
  if (shmMount) {
    const volumes = Array.isArray(pod.volumes) ? pod.volumes : [];
    const vol = volumes.map(rec).find((v) => v !== null && v.name === shmMount.name);
    const ed = rec(vol?.emptyDir);
    const name = str(shmMount.name) ?? "?";
    if (ed && str(ed.medium) === "Memory") {
      const limit = ed.sizeLimit;
      const bytes = limit === undefined || limit === null ? null : k8sQuantityBytes(limit);
      if (limit !== undefined && limit !== null && bytes === null) notes.push(`volume ${name}: emptyDir.sizeLimit ${sizeText(limit)} is not a Kubernetes quantity`);
      shm = bytes === null ? { kind: "memory", where: `emptyDir ${name} (medium: Memory) at /dev/shm` } : { kind: "sized", bytes, text: sizeText(limit), where: `emptyDir ${name} sizeLimit` };
    } else if (vol && vol.hostPath !== undefined) {
      shm = { kind: "host", where: `hostPath volume ${name} at /dev/shm` };
    } else if (ed) {
      // A disk-backed emptyDir at /dev/shm: not tmpfs, bounded by the node's disk (ephemeral storage).
      shm = { kind: "memory", where: `emptyDir ${name} at /dev/shm (disk-backed)` };
    }
  }
  if (pod.hostIPC === true) shm = { kind: "host", where: "hostIPC: true" };
  return { runtime: "kubernetes", memoryLimit: mem("limits"), memoryRequest: mem("requests"), shm };
}

/** A compose service's limits: mem_limit or deploy.resources.limits.memory, reservations, shm_size, ipc: host. */
export function composeLimits(svc: Record<string, Json>, notes: string[], interp: (s: string) => string): HostLimits {
  const size = (value: Json, where: string): { bytes: number; text: string; where: string } | null => {
    if (value === undefined || value === null) return null;
    const resolved = typeof value === "string" ? interp(value) : value;
    const bytes = dockerSizeBytes(resolved);
    if (bytes === null) {
      notes.push(`${where}: ${sizeText(resolved)} is not a size`);
      return null;
    }
    return { bytes, text: sizeText(resolved), where };
  };
  const deployRes = rec(rec(svc.deploy)?.resources);
  const memoryLimit = size(svc.mem_limit, "mem_limit") ?? size(rec(deployRes?.limits)?.memory, "deploy.resources.limits.memory");
  const memoryRequest = size(svc.mem_reservation, "mem_reservation") ?? size(rec(deployRes?.reservations)?.memory, "deploy.resources.reservations.memory");
  let shm: ShmLimit = { kind: "default" };
  const shmSize = size(svc.shm_size, "shm_size");
  if (shmSize) shm = { kind: "sized", ...shmSize };
  if (typeof svc.ipc === "string" && interp(svc.ipc) === "host") shm = { kind: "host", where: "ipc: host" };
  return { runtime: "compose", memoryLimit, memoryRequest, shm };
}

/** `docker run` options before the image: --memory/-m, --memory-reservation, --shm-size, --ipc host. */
export function dockerRunLimits(words: readonly string[], notes: string[]): HostLimits {
  let memoryLimit: HostLimits["memoryLimit"] = null;
  let memoryRequest: HostLimits["memoryRequest"] = null;
  let shm: ShmLimit = { kind: "default" };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const eq = word.indexOf("=");
    const opt = word.startsWith("-") && eq > 0 ? word.slice(0, eq) : word;
    const value = (): string | undefined => (word.startsWith("-") && eq > 0 ? word.slice(eq + 1) : words[++i]);
    const sized = (where: string): { bytes: number; text: string; where: string } | null => {
      const sizeValue = value();
      if (sizeValue === undefined) return null;
      const bytes = dockerSizeBytes(sizeValue);
      if (bytes === null) {
        notes.push(`docker run ${where} ${sizeValue}: not a size`);
        return null;
      }
      return { bytes, text: sizeValue, where };
    };
    if (opt === "--memory" || opt === "-m") memoryLimit = sized("--memory") ?? memoryLimit;
    else if (opt === "--memory-reservation") memoryRequest = sized("--memory-reservation") ?? memoryRequest;
    else if (opt === "--shm-size") {
      const shmSize = sized("--shm-size");
      if (shmSize && shm.kind !== "host") shm = { kind: "sized", ...shmSize };
    } else if (opt === "--ipc") {
      if (value() === "host") shm = { kind: "host", where: "--ipc=host" };
    }
  }
  return { runtime: "docker", memoryLimit, memoryRequest, shm };
}
