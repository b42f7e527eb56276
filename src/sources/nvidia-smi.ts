// This machine's GPUs, read through nvidia-smi's CSV query interface (no NVML binding):
//   nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.reserved,memory.used,mig.mode.current,compute_cap
//              --format=csv,noheader,nounits
//   nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory,process_name --format=csv,noheader,nounits
// Memory fields are MiB (nvidia-smi --help-query-gpu). The CUDA-visible total that vLLM multiplies by
// --gpu-memory-utilization (torch.cuda.mem_get_info's total) is memory.total - memory.reserved:
// fixtures/nvidia-smi/smi_csv_reserved_cc.txt shows 81559 - 480 = 81079 MiB = 85,017,493,504 B, and
// torch reported total_bytes 85,017,493,504 on the same H100 (fixtures/nvidia-smi/README.md); on an
// H200, 143771 - 616 = 143155 MiB against torch's 150,109,880,320 B = 143155.94 MiB: nvidia-smi
// rounds to whole MiB, so the total is exact to within 1 MiB.
import { InputError } from "../errors.js";
import { excerpt } from "../limits.js";
import { cudaDeviceList, stopWords } from "./visible-devices.js";
import { builtin } from "../builtins.js";
import type { ComputeApp, DetectedGpu } from "../core/types.js";

export const GPU_QUERY_FIELDS = ["index", "uuid", "name", "memory.total", "memory.reserved", "memory.used", "mig.mode.current", "compute_cap"] as const;
/** Drivers before memory.reserved / compute_cap existed answer "is not a valid field": asked again without them. */
export const GPU_QUERY_FIELDS_OLD = ["index", "uuid", "name", "memory.total", "memory.used", "mig.mode.current"] as const;
export const APPS_QUERY_FIELDS = ["gpu_uuid", "pid", "used_memory", "process_name"] as const;

const MIB = 2 ** 20;
/** nvidia-smi answers in well under a second; a hung driver must not hang vram-plan. */
const NVIDIA_SMI_TIMEOUT_MS = 10_000;
/** Real output is a few hundred bytes per GPU. */
const NVIDIA_SMI_MAX_OUTPUT = 1 << 20;

// The GPUs and processes nvidia-smi reports are data that render/ lists too: their types live in core.
export type { ComputeApp, DetectedGpu } from "../core/types.js";

/** What ran: how nvidia-smi is called, so tests can stand a script in for it. */
export type RunNvidiaSmi = (args: string[]) => string;

function csvRows(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => l.split(",").map((c) => c.trim()));
}

/** "[N/A]", "N/A", "[Not Supported]" → null; MiB numbers → bytes. */
function mib(text: string | undefined): number | null {
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text)) return null;
  return Math.round(Number(text) * MIB);
}

/** Parses --query-gpu output (noheader,nounits) in the field order given. */
export function parseGpuQuery(text: string, fields: readonly string[]): Omit<DetectedGpu, "apps">[] {
  const out: Omit<DetectedGpu, "apps">[] = [];
  for (const row of csvRows(text)) {
    const at = (field: string): string | undefined => {
      const column = fields.indexOf(field);
      return column < 0 ? undefined : row[column];
    };
    const index = Number(at("index"));
    const total = mib(at("memory.total"));
    if (!Number.isSafeInteger(index) || total === null) {
      throw new InputError("nvidia-smi", `nvidia-smi: unexpected --query-gpu line '${excerpt(row.join(", "))}'`);
    }
    const reserved = mib(at("memory.reserved"));
    const cc = at("compute_cap");
    out.push({
      index,
      uuid: at("uuid") ?? "",
      name: at("name") ?? "unknown GPU",
      totalBytes: total,
      reservedBytes: reserved,
      cudaTotalBytes: total - (reserved ?? 0),
      usedBytes: mib(at("memory.used")) ?? 0,
      migEnabled: (at("mig.mode.current") ?? "").toLowerCase() === "enabled",
      computeCapability: cc !== undefined && /^\d+\.\d+$/.test(cc) ? cc : null,
    });
  }
  return out;
}

/** Parses --query-compute-apps=gpu_uuid,pid,used_memory,process_name output. */
export function parseAppsQuery(text: string): Array<ComputeApp & { gpuUuid: string }> {
  const out: Array<ComputeApp & { gpuUuid: string }> = [];
  for (const row of csvRows(text)) {
    const [uuid, pid, used, ...name] = row;
    const bytes = mib(used);
    if (uuid === undefined || bytes === null) continue; // "[N/A]" under MIG or without permission
    out.push({ gpuUuid: uuid, pid: Number(pid), usedBytes: bytes, name: name.join(",") });
  }
  return out;
}

// node:child_process (with node:net and streams behind it) costs ≈4 ms of start-up to load (--cpu-prof);
// only --gpu auto and gpus --detect run nvidia-smi, so it is loaded when they do.
const childProcess = (): typeof import("node:child_process") => builtin<typeof import("node:child_process")>("node:child_process");

/** Runs the nvidia-smi found on the PATH of `env` (the process's by default). */
export function nvidiaSmiRunner(env: Record<string, string | undefined> = process.env): RunNvidiaSmi {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  return (args) => childProcess().execFileSync("nvidia-smi", args, { encoding: "utf8", timeout: NVIDIA_SMI_TIMEOUT_MS, maxBuffer: NVIDIA_SMI_MAX_OUTPUT, stdio: ["ignore", "pipe", "pipe"], env: childEnv });
}

/** nvidia-smi's own first line of output, on one line and at most 160 characters (its messages are short). */
function toolLine(failure: unknown): string {
  const err = failure as { stderr?: string | Buffer; stdout?: string | Buffer; message?: string };
  const text = `${String(err.stdout ?? "")}\n${String(err.stderr ?? "")}`.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "") ?? err.message ?? "no output";
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

function firstLine(failure: unknown): string {
  const err = failure as { code?: string; signal?: string };
  if (err.code === "ENOENT") return "nvidia-smi was not found on PATH (no NVIDIA driver here?): give --gpu <id> or --gpu-memory <size> instead";
  if (err.signal === "SIGTERM") return `nvidia-smi did not answer within ${NVIDIA_SMI_TIMEOUT_MS / 1000} s`;
  return `nvidia-smi failed: ${toolLine(failure)}`;
}

/** Every GPU nvidia-smi lists, with the compute processes on each. InputError naming nvidia-smi on failure. */
/** `subject`: the option that asked (`--gpu auto`, `gpus --detect`), named in the one-line error. */
export function queryGpus(run: RunNvidiaSmi = nvidiaSmiRunner(), subject = "--gpu auto"): DetectedGpu[] {
  let gpus: Omit<DetectedGpu, "apps">[];
  const ask = (fields: readonly string[]): string => run([`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"]);
  // A line nvidia-smi could not be read from is already an InputError; a failed run becomes one.
  const failure = (err: unknown): InputError => (err instanceof InputError ? err : new InputError(subject, `${subject}: ${firstLine(err)}`));
  try {
    gpus = parseGpuQuery(ask(GPU_QUERY_FIELDS), GPU_QUERY_FIELDS);
  } catch (err) {
    if (err instanceof InputError || !/not a valid field/i.test(toolLine(err))) throw failure(err);
    try {
      gpus = parseGpuQuery(ask(GPU_QUERY_FIELDS_OLD), GPU_QUERY_FIELDS_OLD);
    } catch (again) {
      throw failure(again);
    }
  }
  let apps: ReturnType<typeof parseAppsQuery> = [];
  try {
    apps = parseAppsQuery(run([`--query-compute-apps=${APPS_QUERY_FIELDS.join(",")}`, "--format=csv,noheader,nounits"]));
  } catch {
    // The per-process list is informative only: memory.used already counts every process.
  }
  return gpus.map((g) => ({ ...g, apps: apps.filter((a) => a.gpuUuid === g.uuid).map(({ pid, name, usedBytes }) => ({ pid, name, usedBytes })) }));
}

/**
 * The GPUs a CUDA process started here would see, in its device order, following CUDA_VISIBLE_DEVICES:
 * unset → all; otherwise the entries CUDA reads (visible-devices.ts cudaDeviceList: indices, or
 * GPU-… UUIDs and unique prefixes), up to the first that names no GPU here, which hides itself and
 * every later one (CUDA C Programming Guide, "CUDA Environment Variables"). A GPU named twice makes
 * CUDA refuse to start (cuInit: CUDA_ERROR_INVALID_DEVICE for "0,0", fixtures/cuda-visible-devices/).
 * MIG-… entries name MIG devices, which --query-gpu does not list.
 */
export function visibleGpus(all: readonly DetectedGpu[], cudaVisibleDevices: string | undefined): { gpus: DetectedGpu[]; notes: string[] } {
  if (cudaVisibleDevices === undefined) return { gpus: [...all], notes: [] };
  const notes: string[] = [];
  const out: DetectedGpu[] = [];
  const { entries, stop } = cudaDeviceList(cudaVisibleDevices);
  for (const entry of entries) {
    if (entry.kind === "mig") {
      notes.push(`CUDA_VISIBLE_DEVICES names MIG device ${excerpt(entry.text)}: give its slice as --gpu <profile>:<slice> (vram-plan gpus lists them)`);
      return { gpus: out, notes };
    }
    let hit: DetectedGpu | undefined;
    if (entry.kind === "index") hit = all.find((g) => g.index === entry.index);
    else {
      const matches = all.filter((g) => g.uuid.replace(/^GPU-/, "").replace(/-/g, "").toLowerCase().startsWith(entry.hex));
      hit = matches.length === 1 ? matches[0] : undefined;
    }
    if (!hit) {
      notes.push(`CUDA_VISIBLE_DEVICES entry '${excerpt(entry.text)}' names no GPU here: CUDA ignores it and every entry after it`);
      return { gpus: out, notes };
    }
    if (out.includes(hit)) {
      return { gpus: [], notes: [`CUDA_VISIBLE_DEVICES names GPU ${hit.index} twice: CUDA refuses to start with it (CUDA_ERROR_INVALID_DEVICE), so no GPU is visible`] };
    }
    out.push(hit);
  }
  if (stop !== null && !(stop.why === "empty" && entries.length === 0 && cudaVisibleDevices === "")) {
    notes.push(`CUDA_VISIBLE_DEVICES: CUDA stops at ${stopWords(stop)} and ignores every entry after it`);
  }
  return { gpus: out, notes };
}

/** Memory other processes hold on a GPU now: memory.used, which nvidia-smi counts for every process (the apps list can be hidden in containers). */
export function otherProcessBytesOn(gpu: DetectedGpu): number {
  return gpu.usedBytes;
}
