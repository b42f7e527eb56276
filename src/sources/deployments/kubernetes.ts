// Kubernetes manifests: every container of a pod template (Deployment, StatefulSet, Pod, Job,
// CronJob, DaemonSet, LeaderWorkerSet, List), `$(VAR)` from the container's env, GPU counts from
// nvidia.com/gpu, the GPU model from node selectors and affinity.
import type { Document } from "yaml";
import { isVllmOpenAiImage } from "../vllm-argv.js";
import { Ctx, expandK8s, expandShell, fromCommandWords, rec, str, type Deployment, type Json, type ReadOptions, type Word } from "./common.js";
import { gpuIdFromLabel, isGpuLabelKey } from "./gpu-labels.js";
import { lineAt, wordsAt, yamlValue, type PathSeg, type YamlFile } from "./yaml.js";
import { MAX_GPU_COUNT, excerpt } from "../../limits.js";
import { kubernetesLimits } from "./limits.js";
import type { HostLimits } from "../../core/host-limits.js";
import type { FileNote } from "../../core/check.js";

const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly PathSeg[][]>> = {
  Pod: [["spec"]],
  Deployment: [["spec", "template", "spec"]],
  StatefulSet: [["spec", "template", "spec"]],
  DaemonSet: [["spec", "template", "spec"]],
  ReplicaSet: [["spec", "template", "spec"]],
  ReplicationController: [["spec", "template", "spec"]],
  Job: [["spec", "template", "spec"]],
  CronJob: [["spec", "jobTemplate", "spec", "template", "spec"]],
  InferenceService: [["spec", "predictor"]],
  LeaderWorkerSet: [
    ["spec", "leaderWorkerTemplate", "leaderTemplate", "spec"],
    ["spec", "leaderWorkerTemplate", "workerTemplate", "spec"],
  ],
};

function getPath(value: Json, path: readonly PathSeg[]): Json {
  let cur: Json = value;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else {
      const record = rec(cur);
      if (!record) return undefined;
      cur = record[String(seg)];
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
    for (const expression of me) {
      const record = rec(expression);
      if (!record || typeof record.key !== "string" || record.operator !== "In" || !Array.isArray(record.values)) continue;
      for (const v of record.values) if (v !== null && typeof v !== "object") out.push([record.key, String(v)]);
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
  for (const [key, value] of podNodeLabels(spec)) {
    if (!isGpuLabelKey(key)) continue;
    const id = gpuIdFromLabel(key, value);
    if (id === null) notes.push(`node label ${key}=${value} is not a GPU vram-plan knows`);
    else if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length > 1) notes.push(`node labels allow several GPU types (${ids.join(", ")}); using ${ids[0]}`);
  return ids[0] ?? null;
}

function containerGpuCount(container: Record<string, Json>, notes: string[], ctx: Ctx, line: number, migOut?: { slice?: string }): number | null {
  const res = rec(container.resources);
  for (const kind of ["limits", "requests"]) {
    const resources = rec(res?.[kind]);
    for (const key of ["nvidia.com/gpu", "amd.com/gpu"]) {
      const value = resources?.[key];
      if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_GPU_COUNT) return value;
      if (typeof value === "string" && /^\d{1,7}$/.test(value.trim()) && Number(value.trim()) <= MAX_GPU_COUNT) return Number(value.trim());
      // Kubernetes takes extended resources such as nvidia.com/gpu only as whole, non-negative quantities.
      if (typeof value === "number" || (typeof value === "string" && /^\s*[-+]?[\d.]+(e[-+]?\d+)?\s*$/i.test(value))) {
        ctx.fail(line, `resources.${kind}.${key}: expected a whole number of GPUs from 0 to ${MAX_GPU_COUNT}, got ${excerpt(value)}`);
      }
      if (value !== undefined && value !== null) notes.push(`${key}: ${String(value)} is not a GPU count`);
    }
    for (const [key, value] of Object.entries(resources ?? {})) {
      const mig = /^nvidia\.com\/mig-(\d+g\.\d+gb(?:\+me)?)$/.exec(key);
      if (!mig) continue;
      // The slice is planned as the GPU (src/data/mig-profiles.json); check joins it to the card's type.
      const slice = (mig[1] ?? "").replace(/\+me$/, "");
      if (migOut) migOut.slice = slice;
      notes.push(`${key}: MIG slice ${slice}`);
      const count = typeof value === "number" ? value : Number(String(value).trim());
      if (Number.isInteger(count) && count > 0) return count;
    }
  }
  return null;
}

/** Literal `env: [{name, value}]` entries of a container (valueFrom entries are unknown). */
function containerEnv(value: Json, outer: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...outer };
  if (!Array.isArray(value)) return out;
  for (const entry of value) {
    const record = rec(entry);
    if (record && typeof record.name === "string" && record.value !== undefined && record.value !== null && typeof record.value !== "object") {
      out[record.name] = expandK8s(String(record.value), out);
    }
  }
  return out;
}

/** A KServe ServingRuntime's container: how models of its format are served (the model comes from an InferenceService). */
export interface KServeRuntime {
  file: string;
  name: string;
  words: Word[];
  image: string | null;
  gpuCount: number | null;
  env: Record<string, string>;
  notes: string[];
  /** The runtime container's resources and its /dev/shm volume (spec.volumes). */
  limits?: HostLimits;
}

/** A KServe InferenceService that names a runtime: its model (storageUri), extra args and resources. */
export interface KServeService {
  file: string;
  line: number;
  name: string;
  runtime: string | null;
  modelFormat: string | null;
  args: Word[];
  storageUri: string | null;
  gpuCount: number | null;
  gpuType: string | null;
  notes: string[];
  /** The predictor model's resources (KServe sets them over the runtime container's). */
  limits?: HostLimits;
}

export interface KubernetesRead {
  deployments: Deployment[];
  runtimes: KServeRuntime[];
  services: KServeService[];
}

/** Where KServe mounts the model of storageUri. */
const KSERVE_MODEL_DIR = /^\/mnt\/models\/?$/;

export function readKubernetes(ctx: Ctx, yaml: YamlFile, opts: ReadOptions = {}): KubernetesRead {
  const out: Deployment[] = [];
  const runtimes: KServeRuntime[] = [];
  const services: KServeService[] = [];
  const vars = opts.vars ?? {};
  // envsubst-style ${VAR} placeholders (templates applied with envsubst) take --set values.
  const subst = (w: Word): Word => ({ text: Object.keys(vars).length ? expandShell(w.text, vars) : w.text, line: w.line });
  const visit = (doc: Document.Parsed, obj: Json, prefix: PathSeg[]): void => {
    const resource = rec(obj);
    if (!resource) return;
    const kind = str(resource.kind) ?? "";
    if (kind === "List" && Array.isArray(resource.items)) {
      resource.items.forEach((item, k) => visit(doc, item, [...prefix, "items", k]));
      return;
    }
    const workload = str(rec(resource.metadata)?.name) ?? kind;
    if (kind === "ServingRuntime" || kind === "ClusterServingRuntime") {
      const cs = rec(resource.spec)?.containers;
      if (!Array.isArray(cs)) return;
      cs.forEach((cJs, containerIndex) => {
        const container = rec(cJs);
        if (!container) return;
        const cPath = [...prefix, "spec", "containers", containerIndex];
        const line = lineAt(yaml, doc, cPath);
        const command = (wordsAt(yaml, doc, [...cPath, "command"], container.command, line) ?? []).map(subst);
        const args = (wordsAt(yaml, doc, [...cPath, "args"], container.args, line) ?? []).map(subst);
        const notes: string[] = [];
        runtimes.push({ file: ctx.file, name: workload, words: [...command, ...args], image: str(container.image), gpuCount: containerGpuCount(container, notes, ctx, line), env: containerEnv(container.env, vars), notes, limits: kubernetesLimits(rec(resource.spec) ?? {}, container, notes) });
      });
      return;
    }
    if (kind === "InferenceService") {
      const pred = rec(rec(resource.spec)?.predictor);
      const model = rec(pred?.model);
      if (pred && model) {
        const mPath = [...prefix, "spec", "predictor", "model"];
        const line = lineAt(yaml, doc, [...prefix, "spec", "predictor"]);
        const notes: string[] = [];
        services.push({
          file: ctx.file,
          line,
          name: workload,
          runtime: str(model.runtime),
          modelFormat: str(rec(model.modelFormat)?.name),
          args: (wordsAt(yaml, doc, [...mPath, "args"], model.args, line) ?? []).map(subst),
          storageUri: str(model.storageUri) ?? str(model.storage_uri),
          gpuCount: containerGpuCount(model, notes, ctx, line),
          gpuType: podGpuType(pred, notes),
          notes,
          limits: kubernetesLimits({}, model, notes),
        });
        return;
      }
    }
    let paths = POD_TEMPLATE_PATHS[kind];
    if (!paths) paths = Array.isArray(getPath(resource, ["spec", "template", "spec", "containers"])) ? [["spec", "template", "spec"]] : [];
    for (const path of paths) {
      const spec = rec(getPath(resource, path));
      if (!spec || !Array.isArray(spec.containers)) continue;
      spec.containers.forEach((cJs, containerIndex) => {
        const container = rec(cJs);
        if (!container) return;
        const cPath = [...prefix, ...path, "containers", containerIndex];
        const line = lineAt(yaml, doc, cPath);
        const cname = str(container.name) ?? `container ${containerIndex}`;
        const name = cname === workload ? cname : `${workload}/${cname}`;
        const command = (wordsAt(yaml, doc, [...cPath, "command"], container.command, line) ?? []).map(subst);
        const args = (wordsAt(yaml, doc, [...cPath, "args"], container.args, line) ?? []).map(subst);
        if (command.length === 0 && args.length === 0) return;
        const image = str(container.image);
        const vllmEntrypoint = command.length === 0 && isVllmOpenAiImage(image ?? "");
        const notes: string[] = [];
        const migOut: { slice?: string } = {};
        const gpuCount = containerGpuCount(container, notes, ctx, line, migOut);
        const gpuType = podGpuType(spec, notes);
        const env = containerEnv(container.env, vars);
        const hostLimits = kubernetesLimits(spec, container, notes);
        const found = fromCommandWords(
          ctx,
          [...command, ...args],
          () => ({ name, line, source: "kubernetes", gpuCount, gpuType, notes, image }),
          vllmEntrypoint,
          { k8s: env, shell: env },
        );
        // A KServe predictor container: the model is the storage URI KServe mounts at /mnt/models.
        const uri = env["STORAGE_URI"];
        for (const deployment of found) {
          if (uri !== undefined && deployment.model !== null && KSERVE_MODEL_DIR.test(deployment.model)) {
            deployment.notes.push(`model from STORAGE_URI ${uri} (mounted at ${deployment.model})`);
            deployment.model = uri;
          }
          // Kubernetes gives each container its own GPUs: deployments here never share one.
          deployment.host = null;
          // A LeaderWorkerSet spreads the ranks over several pods: one pod's limits hold only its part.
          if (kind !== "LeaderWorkerSet") deployment.limits = hostLimits;
          if (migOut.slice !== undefined) deployment.migSlice = migOut.slice;
        }
        out.push(...found);
      });
    }
  };
  for (const doc of yaml.docs) visit(doc, yamlValue(doc) as Json, []);
  return { deployments: out, runtimes, services };
}

/**
 * Model formats no vLLM runtime serves: the tabular models of KServe's sklearn, XGBoost, LightGBM and PMML
 * servers (kserve/website docs/modelserving/v1beta1/serving_runtime.md). Any other format may be vLLM's:
 * published vLLM ServingRuntimes and InferenceServices label it "vLLM", "pytorch" or even "onnx", and
 * "huggingface" runs vLLM by default (kserve/website docs/modelserving/v1beta1/llm/huggingface/README.md).
 */
const NOT_VLLM_MODEL_FORMAT = /^(sklearn|xgboost|lightgbm|pmml)$/i;

/**
 * KServe: each InferenceService with the ServingRuntime it names (from any of the files read), as
 * one deployment: the runtime's command and args, then the service's args (KServe appends them), the
 * model from storageUri. A service whose runtime is missing is a deployment that cannot be planned
 * (its problem says which file to add), unless its model format is one vLLM never serves (a "skipped" note);
 * runtimes no service uses are notes.
 */
export function linkKServe(runtimes: readonly KServeRuntime[], services: readonly KServeService[]): { deployments: Deployment[]; notes: FileNote[] } {
  const deployments: Deployment[] = [];
  const notes: FileNote[] = [];
  const used = new Set<KServeRuntime>();
  for (const service of services) {
    const rt = runtimes.find((r) => r.name === service.runtime) ?? (service.runtime === null && runtimes.length === 1 ? runtimes[0] : undefined);
    if (!rt) {
      // A note here, beside "No vLLM deployment in the files given", said two things at once: it is one
      // deployment, counted and not planned, as check counts any deployment the files do not determine.
      if (service.modelFormat !== null && NOT_VLLM_MODEL_FORMAT.test(service.modelFormat)) {
        notes.push({ file: service.file, line: service.line, text: `skipped: InferenceService ${service.name} serves model format ${service.modelFormat}, not vLLM`, kind: "skipped" });
        continue;
      }
      const given = runtimes.length ? ` (runtimes given: ${runtimes.map((r) => r.name).join(", ")})` : "";
      deployments.push({
        file: service.file,
        line: service.line,
        name: service.name,
        model: service.storageUri,
        args: {},
        argv: [],
        gpuCount: service.gpuCount,
        gpuType: service.gpuType,
        constraints: {},
        source: "kubernetes",
        notes: [...service.notes],
        host: null,
        problem: `InferenceService for runtime ${service.runtime ?? "(auto-selected)"}, whose ServingRuntime is not among the files given${given}: pass its file too (its command decides what runs)`,
      });
      continue;
    }
    used.add(rt);
    const ctx = new Ctx(service.file);
    const found = fromCommandWords(
      ctx,
      [...rt.words, ...service.args],
      () => ({ name: `${service.name} (runtime ${rt.name})`, line: service.line, source: "kubernetes", gpuCount: service.gpuCount ?? rt.gpuCount, gpuType: service.gpuType, notes: [...rt.notes, ...service.notes], image: rt.image }),
      false,
      { k8s: rt.env, shell: rt.env },
    );
    // KServe puts the InferenceService's model resources over the runtime container's; /dev/shm is the runtime's volume.
    const limits: HostLimits | undefined = rt.limits
      ? { ...rt.limits, memoryLimit: service.limits?.memoryLimit ?? rt.limits.memoryLimit, memoryRequest: service.limits?.memoryRequest ?? rt.limits.memoryRequest }
      : service.limits;
    for (const deployment of found) {
      deployment.line = service.line;
      deployment.host = null;
      if (limits) deployment.limits = limits;
      if (service.storageUri !== null && (deployment.model === null || KSERVE_MODEL_DIR.test(deployment.model))) {
        deployment.notes.push(`model from storageUri ${service.storageUri}${deployment.model ? ` (mounted at ${deployment.model})` : ""}`);
        deployment.model = service.storageUri;
      }
    }
    deployments.push(...found);
  }
  for (const runtime of runtimes) {
    if (!used.has(runtime)) notes.push({ file: runtime.file, text: `ServingRuntime ${runtime.name}: a template; it is checked with the InferenceService that uses it (none among the files given)` });
  }
  return { deployments, notes };
}
