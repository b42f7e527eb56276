// Kubernetes manifests: every container of a pod template (Deployment, StatefulSet, Pod, Job,
// CronJob, DaemonSet, LeaderWorkerSet, List), `$(VAR)` from the container's env, GPU counts from
// nvidia.com/gpu, the GPU model from node selectors and affinity.
import type { Document } from "yaml";
import { isVllmOpenAiImage } from "../vllm-argv.js";
import { expandK8s, fromCommandWords, rec, str, type Ctx, type Deployment, type Json } from "./common.js";
import { gpuIdFromLabel, isGpuLabelKey } from "./gpu-labels.js";
import { lineAt, wordsAt, type PathSeg, type YamlFile, yamlValue } from "./yaml.js";

const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly PathSeg[][]>> = {
  Pod: [["spec"]],
  Deployment: [["spec", "template", "spec"]],
  StatefulSet: [["spec", "template", "spec"]],
  DaemonSet: [["spec", "template", "spec"]],
  ReplicaSet: [["spec", "template", "spec"]],
  ReplicationController: [["spec", "template", "spec"]],
  Job: [["spec", "template", "spec"]],
  CronJob: [["spec", "jobTemplate", "spec", "template", "spec"]],
  LeaderWorkerSet: [
    ["spec", "leaderWorkerTemplate", "leaderTemplate", "spec"],
    ["spec", "leaderWorkerTemplate", "workerTemplate", "spec"],
  ],
};

function getPath(v: Json, path: readonly PathSeg[]): Json {
  let cur: Json = v;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else {
      const r = rec(cur);
      if (!r) return undefined;
      cur = r[String(seg)];
    }
  }
  return cur;
}

/** Node labels a pod asks for: nodeSelector, then required, then preferred node affinity (In/= values). */
function podNodeLabels(spec: Record<string, Json>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const sel = rec(spec.nodeSelector);
  if (sel) for (const [k, v] of Object.entries(sel)) if (v !== null && typeof v !== "object") out.push([k, String(v)]);
  const na = rec(rec(spec.affinity)?.nodeAffinity);
  const exprs = (term: Json): void => {
    const me = rec(term)?.matchExpressions;
    if (!Array.isArray(me)) return;
    for (const e of me) {
      const r = rec(e);
      if (!r || typeof r.key !== "string" || r.operator !== "In" || !Array.isArray(r.values)) continue;
      for (const v of r.values) if (v !== null && typeof v !== "object") out.push([r.key, String(v)]);
    }
  };
  const req = rec(na?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms;
  if (Array.isArray(req)) req.forEach(exprs);
  const pref = na?.preferredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(pref)) pref.forEach((p) => exprs(rec(p)?.preference));
  return out;
}

function podGpuType(spec: Record<string, Json>, notes: string[]): string | null {
  const ids: string[] = [];
  for (const [k, v] of podNodeLabels(spec)) {
    if (!isGpuLabelKey(k)) continue;
    const id = gpuIdFromLabel(k, v);
    if (id === null) notes.push(`node label ${k}=${v} is not a GPU vram-plan knows`);
    else if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length > 1) notes.push(`node labels allow several GPU types (${ids.join(", ")}); using ${ids[0]}`);
  return ids[0] ?? null;
}

function containerGpuCount(c: Record<string, Json>, notes: string[]): number | null {
  const res = rec(c.resources);
  for (const kind of ["limits", "requests"]) {
    const r = rec(res?.[kind]);
    for (const key of ["nvidia.com/gpu", "amd.com/gpu"]) {
      const v = r?.[key];
      if (typeof v === "number" && Number.isInteger(v)) return v;
      if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v.trim());
      if (v !== undefined && v !== null) notes.push(`${key}: ${String(v)} is not a GPU count`);
    }
  }
  return null;
}

/** Literal `env: [{name, value}]` entries of a container (valueFrom entries are unknown). */
function containerEnv(v: Json): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const e of v) {
    const r = rec(e);
    if (r && typeof r.name === "string" && r.value !== undefined && r.value !== null && typeof r.value !== "object") {
      out[r.name] = expandK8s(String(r.value), out);
    }
  }
  return out;
}

export function readKubernetes(ctx: Ctx, f: YamlFile): Deployment[] {
  const out: Deployment[] = [];
  const visit = (doc: Document.Parsed, obj: Json, prefix: PathSeg[]): void => {
    const r = rec(obj);
    if (!r) return;
    const kind = str(r.kind) ?? "";
    if (kind === "List" && Array.isArray(r.items)) {
      r.items.forEach((item, k) => visit(doc, item, [...prefix, "items", k]));
      return;
    }
    let paths = POD_TEMPLATE_PATHS[kind];
    if (!paths) paths = Array.isArray(getPath(r, ["spec", "template", "spec", "containers"])) ? [["spec", "template", "spec"]] : [];
    const workload = str(rec(r.metadata)?.name) ?? kind;
    for (const p of paths) {
      const spec = rec(getPath(r, p));
      if (!spec || !Array.isArray(spec.containers)) continue;
      spec.containers.forEach((cJs, i) => {
        const c = rec(cJs);
        if (!c) return;
        const cPath = [...prefix, ...p, "containers", i];
        const line = lineAt(f, doc, cPath);
        const cname = str(c.name) ?? `container ${i}`;
        const name = cname === workload ? cname : `${workload}/${cname}`;
        const command = wordsAt(f, doc, [...cPath, "command"], c.command, line) ?? [];
        const args = wordsAt(f, doc, [...cPath, "args"], c.args, line) ?? [];
        if (command.length === 0 && args.length === 0) return;
        const vllmEntrypoint = command.length === 0 && isVllmOpenAiImage(str(c.image) ?? "");
        const notes: string[] = [];
        const gpuCount = containerGpuCount(c, notes);
        const gpuType = podGpuType(spec, notes);
        const env = containerEnv(c.env);
        out.push(
          ...fromCommandWords(
            ctx,
            [...command, ...args],
            () => ({ name, line, source: "kubernetes", gpuCount, gpuType, notes }),
            vllmEntrypoint,
            { k8s: env, shell: env },
          ),
        );
      });
    }
  };
  for (const doc of f.docs) visit(doc, yamlValue(doc) as Json, []);
  return out;
}
