// Reads a vLLM start-up log (server or offline LLM(), V0 and V1 engines, v0.2 to the newest) as a
// pure function of its text: what the log states, nothing planned. Tolerates what pasted logs carry:
// markdown fences, ANSI colors, docker-compose / Buildkite / kubectl / wrapper prefixes and
// timestamps, (EngineCore pid=…) / (Worker_TP1 pid=…) / (VllmWorker rank=2 pid=…) / Ray prefixes,
// several ranks interleaved, progress bars glued onto lines, and logs cut off mid-line.
// The formats and the releases that print them are cited per pattern (real examples: fixtures/vllm-logs/raw/).
import type { LoggedRank, LoggedStartup } from "../core/startup-log.js";
import type { DiagnosticCode } from "../core/types.js";
import { containerRunIndex, extractVllmArgs, parseVllmArgs, splitShellWords } from "./vllm-argv.js";
import { normalizeFlagName } from "./vllm-flags.js";
import { compareVersions, engineOf, parseVersion } from "../core/vllm-versions.js";
import { gib } from "../core/text.js";

const GIB = 2 ** 30;
const UNIT: Record<string, number> = { b: 1, kib: 2 ** 10, mib: 2 ** 20, gib: GIB, gb: GIB, kb: 2 ** 10, mb: 2 ** 20 };

/** "3.81" GiB → integer bytes (vLLM prints GiB = 2^30 bytes, even where it writes "GB"). */
function gibBytes(gibText: string): number {
  return Math.round(Number(gibText) * GIB);
}
function sizeBytes(num: string, unit: string): number {
  return Math.round(Number(num) * (UNIT[unit.toLowerCase()] ?? GIB));
}
const int = (s: string): number => Number(s.replace(/,/g, ""));

// ---------------------------------------------------------------------------------------------
// Lines: prefixes off, the rank that printed it
// ---------------------------------------------------------------------------------------------

// ANSI SGR color codes (vLLM colors its prefixes on a terminal: "\x1b[1;36m(EngineCore pid=…)\x1b[0;0m").
// eslint-disable-next-line no-control-regex
const ANSI = /(?:\x1b|\^\[)\[[0-9;]*[A-Za-z]|\[[0-9]{1,2}(?:;[0-9]{1,2})*m(?=[(\s]|$)/g; // also "^[[1;36m" (caret notation) and pastes that lost the ESC byte: "[1;36m(EngineCore pid=1)[0;0m"
/**
 * Pastes whose newlines were lost (one line holding many records, as issue excerpts often are): a new
 * record starts at a process prefix or a level + date that follows other text on the line.
 */
const RECORD_START = /(?<=[^)\s]) +(?=\((?:[A-Za-z_][\w:.-]*(?: [\w=]+)? )?pid=\d+[^)]*\) *(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) )|(?<=[^)\s]) +(?=(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) \d\d-\d\d \d\d:\d\d:\d\d)/g;
/** Leading wrappers: markdown quotes/gutters, compose "svc-1  | ", ISO / Buildkite timestamps. */
const LEAD = [
  /^\s*>\s?/, // markdown quote
  /^\s*\|\s/, // Buildkite gutter "  | "
  /^[\w.-]+(?:-\d+)?\s+\|\s/, // docker compose "vllm-1  | "
  /^\[?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?\s/, // kubectl --timestamps, Buildkite
];
/** A process prefix: (EngineCore_DP0 pid=1), (VllmWorker rank=2 pid=3), (RayWorkerWrapper pid=4, ip=1.2.3.4), (Worker_TP1 pid=5). */
const PROC = /\((?:([A-Za-z_][\w:.-]*)(?: rank=(\d+)| ((?:PP\d+_)?TP\d+|DP\d+))? )?pid=(\d+)[^)]*\)\s?/g; // also (VllmWorker TP0 pid=…), (pid=…)

interface Line {
  text: string;
  rank: string;
  /** The process prefixes' names (EngineCore_DP0, Worker_TP1, …): their naming changed between releases. */
  procs: string[];
  /**
   * A table row ("| a | b |"): a markdown table quoting log lines in its cells (fixtures/vllm-logs/raw/SOURCES.md)
   * or an nvidia-smi row. vLLM's logger never prints one, so a row names the GPU but is never read as a log line.
   */
  tableRow: boolean;
}

/** "| cell | cell |" (at least two cells): a Buildkite gutter "  | INFO …" has one leading bar and no trailing one. */
const TABLE_ROW = /^\s*\|[^|]*\|.*\|\s*$/;

function rankOf(prefixes: { name: string; rank?: string; pid: string }[]): string {
  // The innermost worker-like prefix names the rank; EngineCore / APIServer run the driver ("main").
  for (let i = prefixes.length - 1; i >= 0; i--) {
    const prefix = prefixes[i]!;
    // Worker_TP0, Worker_PP1_TP0, Worker_DP0_TP1_EP1 …; pure pipeline parallelism names its ranks Worker_PP0 / Worker_PP1.
    const tp = /^Worker_(PP\d+(?:_TP\d+)?|TP\d+|DP\d+.*)$/.exec(prefix.name);
    if (tp) return tp[1]!;
    if (prefix.rank !== undefined) return `rank ${prefix.rank}`;
    if (/Worker/i.test(prefix.name)) return `pid ${prefix.pid}`;
  }
  return "main";
}

function cleanLines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.replace(ANSI, "").replace(RECORD_START, "\n").split(/\r?\n|\r/)) {
    const tableRow = TABLE_ROW.test(raw);
    let text = raw;
    for (let again = true; again; ) {
      again = false;
      for (const re of LEAD) {
        const match = re.exec(text);
        if (match && match[0].length > 0) {
          text = text.slice(match[0].length);
          again = true;
        }
      }
    }
    const prefixes: { name: string; rank?: string; pid: string }[] = [];
    PROC.lastIndex = 0;
    let prefixMatch: RegExpExecArray | null;
    while ((prefixMatch = PROC.exec(text)) !== null) {
      // "(VllmWorker TP0 pid=…)" names its rank like "(Worker_TP0 pid=…)".
      const prefix: { name: string; rank?: string; pid: string } = { name: prefixMatch[3] !== undefined ? `Worker_${prefixMatch[3]}` : (prefixMatch[1] ?? "process"), pid: prefixMatch[4]! };
      if (prefixMatch[2] !== undefined) prefix.rank = prefixMatch[2];
      prefixes.push(prefix);
    }
    const stripped = text.replace(PROC, "").trim();
    out.push({ text: stripped, rank: rankOf(prefixes), procs: prefixes.map((p) => p.name), tableRow });
  }
  return out;
}

/**
 * A sentence quoting vLLM's words in backticks ("it prints `# GPU blocks: 0` and then …"): words before the
 * first code span. vLLM's own messages carry code spans too ("Try increasing `gpu_memory_utilization`"), so a
 * line that starts as a logger line or a Python exception ("ValueError: …") is never prose.
 */
function quotedInProse(lineText: string): boolean {
  if (/^`?(?:(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|[\w.]*(?:Error|Exception)\b:?)/.test(lineText)) return false;
  return /^[^`]*[A-Za-z][^`]*`[^`]+`/.test(lineText);
}

/** A vLLM logger line: "INFO 12-13 19:54:18 worker.py:243] …", "INFO 05-16 18:43:01 [gpu_model_runner.py:1186] …", "INFO [kv_cache_utils.py:1777] …". */
const VLLM_LINE = /\b(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)(?: \d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)? \[?[\w.]+\.py:\d+\]/;

// ---------------------------------------------------------------------------------------------
// Python literals (non-default args dicts, Namespace(...), config dumps), tolerant of cut-off text
// ---------------------------------------------------------------------------------------------

type Py = string | number | boolean | null | Py[] | { [k: string]: Py };

/**
 * The reader's own stop: text that is cut off or is not a Python literal. Every caller inside PyReader
 * catches it and keeps what it read so far; the one top-level call (a "non-default args: {" line) starts
 * at a "{", whose reader catches it too, so it never leaves this file.
 */
class UnreadablePython extends Error {
  override readonly name = "UnreadablePython";
}

class PyReader {
  pos = 0;
  constructor(readonly text: string) {}
  ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  /** One value; throws on malformed text; returns what it read so far when the text ends. */
  value(): Py {
    this.ws();
    const char = this.text[this.pos];
    if (char === undefined) throw new UnreadablePython("end");
    if (char === "{") return this.dict();
    if (char === "[" || char === "(") return this.list(char === "[" ? "]" : ")");
    if (char === "'" || char === '"') return this.str(char);
    const match = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|True|False|None|inf|-inf|nan)/.exec(this.text.slice(this.pos, this.pos + 40));
    if (match) {
      this.pos += match[1]!.length;
      const literal = match[1]!;
      return literal === "True" ? true : literal === "False" ? false : literal === "None" ? null : /^-?\d/.test(literal) ? Number(literal) : literal;
    }
    // A call or a bare name: AttentionConfig(backend=None, ...), torch.bfloat16, <CUDAGraphMode.FULL: 2>
    const nameMatch = /^<[^>]*>|^[A-Za-z_][\w.]*/.exec(this.text.slice(this.pos, this.pos + 200));
    if (!nameMatch) throw new UnreadablePython("bad");
    this.pos += nameMatch[0].length;
    if (this.text[this.pos] === "(") {
      this.pos++;
      return this.kwargs(")");
    }
    return nameMatch[0];
  }
  str(quote: string): string {
    let out = "";
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      if (this.text[this.pos] === "\\") this.pos++;
      out += this.text[this.pos] ?? "";
      this.pos++;
    }
    if (this.pos >= this.text.length) throw new UnreadablePython("end");
    this.pos++;
    return out;
  }
  /**
   * Comma-separated items up to `close` (null: the end of the text), each read by `item`, which
   * returns false to stop there. A log cuts lines anywhere, so the end of the text or an item that
   * cannot be read ends the collection with what was read.
   */
  private items(close: string | null, item: () => boolean): void {
    for (;;) {
      this.ws();
      if (this.pos >= this.text.length) return;
      if (close !== null && this.text[this.pos] === close) {
        this.pos++;
        return;
      }
      try {
        if (!item()) return;
      } catch {
        return;
      }
      this.ws();
      if (this.text[this.pos] === ",") this.pos++;
    }
  }
  list(close: string): Py[] {
    const out: Py[] = [];
    this.pos++;
    this.items(close, () => {
      out.push(this.value());
      return true;
    });
    return out;
  }
  dict(): { [k: string]: Py } {
    const out: { [k: string]: Py } = {};
    this.pos++;
    this.items("}", () => {
      const key = this.value();
      this.ws();
      if (this.text[this.pos] !== ":") return false;
      this.pos++;
      out[String(key)] = this.value();
      return true;
    });
    return out;
  }
  /** Past the next ", key=" (elided or unreadable text: "... dtype=…, ..."); false when there is none. */
  private skipToNextKey(): boolean {
    const next = /,\s*(?=[A-Za-z_]\w*=)/.exec(this.text.slice(this.pos));
    if (!next) return false;
    this.pos += next.index + next[0].length;
    return true;
  }
  /** key=value, key=value, ... up to `close` (Namespace(...), dataclass reprs, engine config dumps). */
  kwargs(close: string | null): { [k: string]: Py } {
    const out: { [k: string]: Py } = {};
    this.items(close, () => {
      const keyMatch = /^([A-Za-z_]\w*)=/.exec(this.text.slice(this.pos, this.pos + 100));
      if (!keyMatch) return this.skipToNextKey();
      this.pos += keyMatch[0].length;
      const at = this.pos;
      try {
        out[keyMatch[1]!] = this.value();
      } catch {
        this.pos = at;
        return this.skipToNextKey();
      }
      return true;
    });
    return out;
  }
}

/** Python value → the string a vLLM flag takes (JSON for dicts and lists); null for None. */
function flagValue(value: Py): string | true | null {
  if (value === null) return null;
  if (value === true) return true;
  if (value === false) return "false";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return value.replace(/^torch\./, "");
  return JSON.stringify(value);
}

/** Keys of vLLM's config dumps that are not its flag names. */
const CONFIG_KEY_TO_FLAG: Record<string, string> = { max_seq_len: "max-model-len", model_tag: "model" };

function argsFromPy(obj: { [k: string]: Py }): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const [key, value] of Object.entries(obj)) {
    const flag = flagValue(value);
    if (flag === null) continue;
    out[CONFIG_KEY_TO_FLAG[key] ?? normalizeFlagName(key)] = flag;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------------------

const BANNERS: RegExp[] = [
  /vLLM API server version (v?\d+\.\d+[\w.+-]*)/, // vllm/entrypoints/openai/api_server.py (v0.4+)
  /Initializing an? (?:V[01] )?LLM engine \(v(\d+\.\d+[\w.+-]*)\)/, // llm_engine.py ("a V0 LLM engine" from v0.7) / v1/engine/core.py
  /\bvLLM (?:server )?version:? v?(\d+\.\d+\.\d+[\w.+-]*)/,
  /█\s+version (v?\d+\.\d+\.\d+[\w.+-]*)/, // the block-letter banner of v0.1x+ (vllm/entrypoints/utils.py): "█▄▀ █  version 0.18.0"
];
const TEXT_VERSION: RegExp[] = [
  /vllm\/vllm-openai:v(\d+\.\d+\.\d+)/i, // the docker image a paste names
  /\bvllm(?:==|\s+version\s+|\s+v?)(\d+\.\d+\.\d+(?:\.post\d+)?)\b/i, // "vLLM 0.28.0", "vllm version 0.2.5", "vllm==0.5.4"
  /vLLM Version\s*:\s*`?v?(\d+\.\d+\.\d+[\w.+-]*)/i, // collect_env.py in issue templates; prose "vllm version: `v0.10.1.dev101+g…`" (vllm-project/recipes#12)
  /(?<!Driver |CUDA )\bVersion:\s+(0\.\d+\.\d+(?:\.dev\d+|rc\d+|\.post\d+)?(?:\+[\w.]+)?)/, // "Version: 0.10.1.dev446+g7e3a8dc90…" (vLLM releases are 0.x)
];

/**
 * Releases inferred from the formats a log prints. Each names its evidence and the oldest release that
 * prints the format; a log's inferred release is the newest of those lower bounds (the planner then
 * models that release's rules).
 */
const INFERENCES: { test: RegExp; version: string; engine: "v0" | "v1"; why: string }[] = [
  { test: /\(default since v0\.21\.0\)/, version: "0.21.0", engine: "v1", why: "\"CUDA graph memory profiling is enabled (default since v0.21.0)\" is printed from v0.21" },
  { test: /CUDA graph pool memory: [\d.]+ GiB \(actual\), [\d.]+ GiB \(estimated\)/, version: "0.21.0", engine: "v1", why: "\"CUDA graph pool memory: … (actual), … (estimated)\" follows the CUDA-graph estimate, on by default from v0.21" },
  { test: /In v0\.19, CUDA graph memory profiling will be enabled by default/, version: "0.18.0", engine: "v1", why: "\"In v0.19, CUDA graph memory profiling will be enabled by default\" is printed by v0.18" },
  { test: /This will become the default in v0\.19/, version: "0.18.0", engine: "v1", why: "\"This will become the default in v0.19\" is printed by v0.17-v0.18" },
  { test: /exceeds available Mamba cache blocks/, version: "0.19.0", engine: "v1", why: "\"max_num_seqs (N) exceeds available Mamba cache blocks (M)\" is raised from v0.19 (PR #38270)" },
  { test: /Replace gpu_memory_utilization config with `--kv-cache-memory=\d+`/, version: "0.11.0", engine: "v1", why: "the \"Replace gpu_memory_utilization config with --kv-cache-memory\" suggestion (v0.11+)" },
  { test: /\[model_runner\.py:\d+\] Model loading took [\d.]+ GiB and/, version: "0.25.1", engine: "v1", why: "Model Runner V2's \"[model_runner.py:N] Model loading took X GiB and Y seconds\" (vllm/v1/worker/gpu/model_runner.py; the default runner of dense models from v0.25.1, before it only with VLLM_USE_V2_MODEL_RUNNER=1)" },
  { test: /Model loading took [\d.]+ GiB memory and/, version: "0.11.0", engine: "v1", why: "\"Model loading took X GiB memory and\" (V1, v0.11+)" },
  { test: /non-default args: \{/, version: "0.10.0", engine: "v1", why: "the \"non-default args: {…}\" line (v0.10+)" },
  { test: /the estimated maximum model length is \d+/, version: "0.9.0", engine: "v1", why: "V1's \"estimated maximum model length\" error (v0.9+)" },
  { test: /Free memory on device .*on startup is less than desired GPU memory utilization/, version: "0.9.0", engine: "v1", why: "V1's start-up free-memory check (present by v0.9.1, issue #20305)" },
  { test: /Model loading took [\d.]+ GiB and/, version: "0.8.5", engine: "v1", why: "\"Model loading took X GiB and Y seconds\" (V1, v0.8.5-v0.10; a v0.8.5 log prints it, fixtures/vllm-logs/extra.jsonl line 12)" },
  { test: /Available KV cache memory: -?[\d.]+ GiB/, version: "0.8.0", engine: "v1", why: "\"Available KV cache memory\" is the V1 engine's (v0.8+)" },
  { test: /Model loading took [\d.]+ GB and/, version: "0.8.0", engine: "v1", why: "\"Model loading took X GB and Y seconds\" is V1 v0.8.0-v0.8.4's wording" },
  { test: /GPU KV cache size: [\d,]+ tokens/, version: "0.8.0", engine: "v1", why: "\"GPU KV cache size: N tokens\" is the V1 engine's (v0.7.3+, default engine from v0.8)" },
  { test: /kv_cache_utils\.py:\d+\] # GPU blocks: \d+\s*$/, version: "0.7.0", engine: "v1", why: "V1 kv_cache_utils \"# GPU blocks: N\" without CPU blocks (v0.7.0-v0.7.2, VLLM_USE_V1=1)" },
  { test: /non_torch_memory takes [\d.]+GiB; PyTorch activation peak memory takes|the current vLLM instance can use total_gpu_memory \(|Memory profiling takes [\d.]+ seconds\s*$/, version: "0.6.6", engine: "v0", why: "V0 sentence-form profiling summary (v0.6.6-v0.9)" },
  { test: /# CUDA blocks: \d+/, version: "0.6.6", engine: "v0", why: "V0 executor_base \"# CUDA blocks\" (v0.6.6+)" },
  { test: /model weights take\s+[\d.]+GiB\s*$/, version: "0.6.5", engine: "v0", why: "V0 multi-line \"Memory profiling results\" table (v0.6.5)" },
  { test: /Memory profiling results: total_gpu_memory=/, version: "0.6.4", engine: "v0", why: "V0 one-line \"Memory profiling results: total_gpu_memory=…\" (v0.6.4)" },
  { test: /Loading model weights took [\d.]+ GB/, version: "0.6.0", engine: "v0", why: "V0 \"Loading model weights took X GB\" (v0.4-v0.7); the oldest modeled V0 release is assumed" },
  { test: /vllm\/worker\/worker\.py/, version: "0.6.0", engine: "v0", why: "a traceback through V0's vllm/worker/worker.py; the oldest modeled V0 release is assumed" },
  { test: /# GPU blocks: \d+, # CPU blocks: \d+/, version: "0.3.0", engine: "v0", why: "V0 \"# GPU blocks: N, # CPU blocks: M\" without a memory summary (v0.2-v0.4)" },
];

const INFER_ENGINE_CORE_DP0 = { v: "0.10.2", engine: "v1" as const, why: "the \"(EngineCore_DP0 pid=…)\" process prefix (v0.10.2+)" };
const INFER_ENGINE_CORE_0 = { v: "0.10.0", engine: "v1" as const, why: "the \"(EngineCore_0 pid=…)\" process prefix (v0.10.0-v0.10.1)" };

// ---------------------------------------------------------------------------------------------
// Failures, with vLLM's (and PyTorch's) wording
// ---------------------------------------------------------------------------------------------

interface ErrorRule {
  test: RegExp;
  code: DiagnosticCode;
  args: (m: RegExpExecArray) => Record<string, number | string>;
}

const ERRORS: ErrorRule[] = [
  // vllm/worker/worker.py raise_if_cache_size_invalid (V0); vllm/v1/core/kv_cache_utils.py check_enough_kv_cache_memory (V1)
  { test: /No available memory for the cache blocks/, code: "NO_KV_CACHE_MEMORY", args: () => ({}) },
  // V0: "The model's max seq len (29000) is larger than the maximum number of tokens that can be stored in KV cache (23648)."
  {
    test: /max seq len \((\d+)\) is larger than the maximum number of tokens that can be stored in KV cache \((\d+)\)/,
    code: "KV_CACHE_BELOW_MAX_MODEL_LEN",
    args: (m) => ({ maxModelLen: int(m[1]!), kvTokens: int(m[2]!) }),
  },
  // V1: "To serve at least one request with the models's max seq len (221000), (10.12 GiB KV cache is needed, which is larger than
  // the available KV cache memory (5.59 GiB). Based on the available memory, the estimated maximum model length is 122080."
  {
    test: /max seq len \((\d+)\), \(([\d.]+) GiB KV cache is needed, which is larger than the available KV cache memory \((-?[\d.]+) GiB\)(?:\. Based on the available memory, the estimated maximum model length is (\d+))?/,
    code: "KV_CACHE_BELOW_MAX_MODEL_LEN",
    args: (m) => ({ maxModelLen: int(m[1]!), needed: gibBytes(m[2]!), available: gibBytes(m[3]!), ...(m[4] !== undefined ? { estimatedMaxModelLen: int(m[4]) } : {}) }),
  },
  // vllm/v1/worker/gpu_worker.py init_device / vllm/v1/worker/utils.py request_memory
  {
    test: /Free memory on device (?:\S+ )?\(([\d.]+)\/([\d.]+) GiB\) on startup is less than desired GPU memory utilization \(([\d.]+), ([\d.]+) GiB\)/,
    code: "FREE_MEMORY_BELOW_BUDGET",
    args: (m) => ({ free: gibBytes(m[1]!), total: gibBytes(m[2]!), util: m[3]!, requested: gibBytes(m[4]!) }),
  },
  // vllm/v1/worker/gpu_model_runner.py (PR #38270)
  {
    test: /max_num_seqs \((\d+)\) exceeds available Mamba cache blocks \((\d+)\)/,
    code: "MAMBA_SLOTS_BELOW_MAX_NUM_SEQS",
    args: (m) => ({ maxNumSeqs: int(m[1]!), mambaBlocks: int(m[2]!), message: m[0] }),
  },
  // vllm/config/model.py verify_with_parallel_config
  {
    test: /Total number of attention heads \((\d+)\) must be divisible by tensor parallel size \((\d+)\)/,
    code: "HEADS_NOT_DIVISIBLE_BY_TP",
    args: (m) => ({ heads: int(m[1]!), tp: int(m[2]!) }),
  },
  {
    test: /User-specified max_model_len \((\d+)\) is greater than (?:the )?derived max_model_len \((?:max_position_embeddings=)?(\d+)/,
    code: "MAX_MODEL_LEN_ABOVE_DERIVED",
    args: (m) => ({ maxModelLen: int(m[1]!), derived: int(m[2]!) }),
  },
  {
    test: /max_num_batched_tokens \((\d+)\) (?:is smaller than|must be greater than or equal to) max_num_seqs \((\d+)\)/,
    code: "MAX_NUM_SEQS_ABOVE_BATCHED_TOKENS",
    args: (m) => ({ maxNumBatchedTokens: int(m[1]!), maxNumSeqs: int(m[2]!) }),
  },
  {
    test: /Bfloat16 is only supported on GPUs with compute capability of at least 8\.0\. Your \S+ GPU has compute capability (\d+\.\d+)/,
    code: "BF16_UNSUPPORTED",
    args: (m) => ({ cc: m[1]! }),
  },
  // PyTorch < 2.1: "CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 23.69 GiB total capacity; 22.95 GiB already allocated; 5.06 MiB free; …)"
  {
    test: /CUDA out of memory\. Tried to allocate ([\d.]+) (GiB|MiB|KiB) \(GPU \d+; ([\d.]+) (GiB|MiB) total capacity; [\d.]+ (?:GiB|MiB) already allocated; ([\d.]+) (GiB|MiB|KiB) free/,
    code: "CUDA_OUT_OF_MEMORY",
    args: (m): Record<string, number | string> => ({ tried: sizeBytes(m[1]!, m[2]!), total: sizeBytes(m[3]!, m[4]!), free: sizeBytes(m[5]!, m[6]!) }),
  },
  // The CUDA runtime's own error (cudaErrorMemoryAllocation), e.g. from NCCL or a kernel's workspace.
  { test: /CUDA error: out of memory/, code: "CUDA_OUT_OF_MEMORY", args: () => ({}) },
  // PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp); "capacty" is PyTorch <= 2.1's spelling.
  {
    test: /CUDA out of memory\.(?: Tried to allocate ([\d.]+) (GiB|MiB|KiB)\. GPU \d+ has a total capac(?:i)?ty of ([\d.]+) (GiB|MiB) of which ([\d.]+) (GiB|MiB|KiB) is free)?/,
    code: "CUDA_OUT_OF_MEMORY",
    args: (m): Record<string, number | string> => (m[1] !== undefined ? { tried: sizeBytes(m[1], m[2]!), total: sizeBytes(m[3]!, m[4]!), free: sizeBytes(m[5]!, m[6]!) } : {}),
  },
];

/** A failure whose message is not in the log (cut off): the start-up still failed. */
const FAILED = /EngineCore failed to start|Engine core initialization failed|EngineCore hit an exception|RuntimeError: Worker failed|Error in model execution|ERROR.*Traceback \(most recent call last\)/;
/** Words every pattern of the reader contains at least one of (a prefilter for long logs). */
const INTERESTING = /GiB|GB|blocks|tokens|memory|rror|heads|max_num|seq len|Namespace|args|config|vllm|version|GPU|Mamba|took|take|capac|Uvicorn|startup|failed|Traceback|engine|MODEL|Starting|max model len|hit an exception|\| +\d+ +\S/i;
const SERVER_UP = /Application startup complete|Uvicorn running on|Starting vLLM API server|init engine \(profile, create kv cache, warmup model\) took/;

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

function emptyRank(rank: string): LoggedRank {
  return { rank, weightsBytes: null, torchPeakBytes: null, nonTorchBytes: null, cudaGraphEstimateBytes: null, cudaGraphActualBytes: null, availableKvBytes: null, requestedBytes: null };
}

type RankKey = Exclude<keyof LoggedRank, "rank">;
/** The start-up summary's "X GiB for peak activation": torch peak + the applied CUDA-graph estimate (LoggedStartup.torchPeakFromSummary). */
const SUMMARY_PEAK: { test: RegExp; field: RankKey; value: (m: RegExpExecArray) => number } = { test: /([\d.]+) GiB for peak activation/, field: "torchPeakBytes", value: (m) => gibBytes(m[1]!) };

/** Per-rank figures: pattern → field; the first value a rank prints wins. */
const RANK_FIGURES: { test: RegExp; field: RankKey; value: (m: RegExpExecArray) => number }[] = [
  // V0 model_runner.py "Loading model weights took %.4f GB" (GiB), V1 gpu_model_runner.py "Model loading took %.4f GB|GiB"
  { test: /Loading model weights took ([\d.]+) GB/, field: "weightsBytes", value: (m) => gibBytes(m[1]!) },
  { test: /Model loading took ([\d.]+) (?:GiB|GB)/, field: "weightsBytes", value: (m) => gibBytes(m[1]!) },
  { test: /model weights take\s+([\d.]+)\s?GiB/, field: "weightsBytes", value: (m) => gibBytes(m[1]!) },
  { test: /weights memory: ([\d.]+)\s?GiB/, field: "weightsBytes", value: (m) => gibBytes(m[1]!) },
  { test: /non_torch_memory(?: takes|=|\s+)\s*([\d.]+)\s?GiB/, field: "nonTorchBytes", value: (m) => gibBytes(m[1]!) },
  { test: /non-torch forward increase memory: ([\d.]+)\s?GiB/, field: "nonTorchBytes", value: (m) => gibBytes(m[1]!) },
  { test: /PyTorch activation peak memory(?: takes)?\s+([\d.]+)\s?GiB/, field: "torchPeakBytes", value: (m) => gibBytes(m[1]!) },
  { test: /torch peak memory increase: ([\d.]+)\s?GiB/, field: "torchPeakBytes", value: (m) => gibBytes(m[1]!) },
  { test: /Available KV cache memory: (-?[\d.]+) GiB/, field: "availableKvBytes", value: (m) => gibBytes(m[1]!) },
  { test: /kv_cache_size=(-?[\d.]+)GiB/, field: "availableKvBytes", value: (m) => gibBytes(m[1]!) },
  { test: /available_kv_cache_memory\s+(-?[\d.]+)\s?GiB/, field: "availableKvBytes", value: (m) => gibBytes(m[1]!) },
  { test: /the rest of the memory reserved for KV Cache is (-?[\d.]+)\s?GiB/, field: "availableKvBytes", value: (m) => gibBytes(m[1]!) },
  { test: /the current vLLM instance can use (?:total_gpu_memory \([\d.]+GiB\) x gpu_memory_utilization \([\d.]+\) = |\s*)([\d.]+)\s?GiB/, field: "requestedBytes", value: (m) => gibBytes(m[1]!) },
  { test: /requested GPU memory: ([\d.]+) GiB/, field: "requestedBytes", value: (m) => gibBytes(m[1]!) },
  // vllm/v1/worker/gpu_worker.py (v0.11+), after graph capture: "Free memory on device (30.27/31.4 GiB) on startup. Desired GPU
  // memory utilization is (0.92, 28.88 GiB). Actual usage is 15.03 GiB for consumed memory (weights + non-torch), 1.59 GiB for
  // peak activation, and 0.09 GiB for CUDAGraph memory. … Current kv cache memory in use is 12.26 GiB."
  { test: /Desired GPU memory utilization is \([\d.]+, ([\d.]+) GiB\)/, field: "requestedBytes", value: (m) => gibBytes(m[1]!) },
  SUMMARY_PEAK,
  { test: /([\d.]+) GiB for CUDAGraph memory/, field: "cudaGraphActualBytes", value: (m) => gibBytes(m[1]!) },
  { test: /Current kv cache memory in use is (-?[\d.]+) GiB/, field: "availableKvBytes", value: (m) => gibBytes(m[1]!) },
  { test: /Estimated CUDA graph memory: ([\d.]+) GiB total/, field: "cudaGraphEstimateBytes", value: (m) => gibBytes(m[1]!) },
  { test: /CUDA graph pool memory: [\d.]+ GiB \(actual\), ([\d.]+) GiB \(estimated\)/, field: "cudaGraphEstimateBytes", value: (m) => gibBytes(m[1]!) },
  { test: /Graph capturing finished in \d+ secs?, took (-?[\d.]+) GiB/, field: "cudaGraphActualBytes", value: (m) => gibBytes(m[1]!) },
  { test: /CUDA graph pool memory: ([\d.]+) GiB \(actual\)/, field: "cudaGraphActualBytes", value: (m) => gibBytes(m[1]!) },
];

/** Everything a vLLM start-up log states, or null when the text is not a vLLM log. */
export function readVllmLog(text: string): LoggedStartup | null {
  const lines = cleanLines(text);
  const ranks = new Map<string, LoggedRank>();
  const summaryPeakRanks = new Set<string>();
  const logged: LoggedStartup = {
    vllmVersion: null,
    versionSource: null,
    versionEvidence: null,
    engine: null,
    model: null,
    args: {},
    argsSource: [],
    gpuName: null,
    gpuTotalBytes: null,
    gpuMemoryUtilization: null,
    maxModelLen: null,
    ranks: [],
    weightsBytes: null,
    torchPeakBytes: null,
    torchPeakFromSummary: false,
    nonTorchBytes: null,
    cudaGraphEstimateBytes: null,
    cudaGraphActualBytes: null,
    availableKvBytes: null,
    requestedBytes: null,
    numGpuBlocks: null,
    kvTokens: null,
    maxConcurrency: null,
    concurrencyTokens: null,
    error: null,
    outcome: "incomplete",
    vllmLines: 0,
  };
  // Args by source, lowest precedence first: engine config < command line < Namespace < non-default args.
  const argLayers: { source: string; rank: number; args: Record<string, string | true> }[] = [];
  let kvSized = false;
  let logShaped = 0;
  let usingMaxModelLen: number | null = null;
  let serverUp = false;
  let failed = false;
  let peakTorchTotal: { rank: string; bytes: number } | null = null;
  let textVersion: { v: string; line: string } | null = null;
  let inferred: { v: string; why: string; engine: "v0" | "v1" } | null = null;
  const infer = (candidate: { v: string; why: string; engine: "v0" | "v1" }): void => {
    if (!inferred || compareVersions(candidate.v, inferred.v) > 0) inferred = candidate;
  };

  for (let li = 0; li < lines.length; li++) {
    const { text: lineText, rank, procs, tableRow } = lines[li]!;
    if (lineText === "") continue;
    if (tableRow) {
      // nvidia-smi's GPU row (the LEAD pattern took its leading "| "): "|   0  NVIDIA H100 80GB HBM3   On  | …".
      const smi = /^\s*\d+\s+((?:NVIDIA|Tesla|Quadro|AMD|Instinct)[^|]*?)\s{2,}(?:On|Off)\s+\|/.exec(lineText);
      if (smi && logged.gpuName === null) logged.gpuName = smi[1]!.trim();
      continue;
    }
    let recognized = VLLM_LINE.test(lineText);
    // The engine-core process prefix: "(EngineCore_0 pid=…)" in v0.10.0-v0.10.1, "(EngineCore_DP0 pid=…)" from v0.10.2 (vllm/v1/engine/core.py process names).
    const proc = procs.includes("EngineCore_0") ? INFER_ENGINE_CORE_0 : procs.includes("EngineCore_DP0") ? INFER_ENGINE_CORE_DP0 : null;
    if (proc) infer(proc);
    if (procs.some((p) => p.startsWith("EngineCore")) || /Initializing a V1 LLM engine|VLLM_USE_V1=1/.test(lineText)) logged.engine = "v1";
    // Most lines of a long server log (requests, metrics) carry none of the patterns below: one test skips them.
    if (!INTERESTING.test(lineText)) {
      if (recognized) logged.vllmLines++;
      continue;
    }

    // Version: banner first, then a version the paste names, then inference from formats.
    if (logged.versionSource !== "banner") {
      for (const re of BANNERS) {
        const match = re.exec(lineText);
        if (match) {
          logged.vllmVersion = match[1]!.replace(/^v/, "");
          logged.versionSource = "banner";
          logged.versionEvidence = match[0];
          break;
        }
      }
    }
    if (!textVersion) {
      for (const re of TEXT_VERSION) {
        const match = re.exec(lineText);
        if (match) {
          textVersion = { v: match[1]!, line: match[0] };
          break;
        }
      }
    }
    for (const inf of INFERENCES) if (inf.test.test(lineText)) infer({ v: inf.version, why: inf.why, engine: inf.engine });

    // Per-rank figures.
    for (const figure of RANK_FIGURES) {
      const match = figure.test.exec(lineText);
      if (!match) continue;
      recognized = true;
      let rk = ranks.get(rank);
      if (!rk) ranks.set(rank, (rk = emptyRank(rank)));
      if (rk[figure.field] === null) {
        rk[figure.field] = figure.value(match);
        if (figure === SUMMARY_PEAK) summaryPeakRanks.add(rank);
      }
    }
    // V0 v0.6.4 one-line summary: peak_torch_memory is the whole torch peak (weights included).
    const pt = /peak_torch_memory=([\d.]+)GiB/.exec(lineText);
    if (pt && !peakTorchTotal) peakTorchTotal = { rank, bytes: gibBytes(pt[1]!) };
    const total =
      /total_gpu_memory(?:=|\s+|\s\()([\d.]+)\s?GiB/.exec(lineText) ?? /Free memory on device (?:\S+ )?\([\d.]+\/([\d.]+) GiB\)/.exec(lineText) ?? /GPU \d+ has a total capac(?:i)?ty of ([\d.]+) GiB/.exec(lineText) ?? /\(GPU \d+; ([\d.]+) GiB total capacity;/.exec(lineText);
    if (total && logged.gpuTotalBytes === null) logged.gpuTotalBytes = gibBytes(total[1]!);
    const util =
      /gpu_memory_utilization(?:=|\s+|\s\()([\d.]+)/.exec(lineText) ??
      /less than desired GPU memory utilization \(([\d.]+),/.exec(lineText) ??
      // vllm/v1/worker/gpu_worker.py (v0.17+): "The current --gpu-memory-utilization=0.2200 is equivalent to …"
      /The current --gpu-memory-utilization=([\d.]+) is equivalent/.exec(lineText) ??
      /Desired GPU memory utilization is \(([\d.]+),/.exec(lineText) ??
      /increase --gpu-memory-utilization from ([\d.]+) to/.exec(lineText);
    if (util && logged.gpuMemoryUtilization === null) logged.gpuMemoryUtilization = Number(util[1]);

    // Engine-wide KV figures.
    const blocks = /(?:^|[\s\]#])(?:GPU|CUDA) blocks: (\d+)/.exec(lineText) ?? /with num_gpu_blocks_override=(\d+)/.exec(lineText);
    if (blocks) {
      recognized = true;
      if (logged.numGpuBlocks === null || /override/.test(lineText)) logged.numGpuBlocks = int(blocks[1]!);
      if (int(blocks[1]!) > 0) kvSized = true;
    }
    const tokens = /GPU KV cache size: ([\d,]+) tokens/.exec(lineText);
    if (tokens) {
      recognized = true;
      kvSized = true;
      if (logged.kvTokens === null) logged.kvTokens = int(tokens[1]!);
    }
    const conc = /Maximum concurrency for ([\d,]+) tokens per request: ([\d.]+)x/.exec(lineText);
    if (conc) {
      recognized = true;
      kvSized = true;
      if (logged.maxConcurrency === null) {
        logged.maxConcurrency = Number(conc[2]);
        logged.concurrencyTokens = int(conc[1]!);
      }
    }

    // Failures.
    if (!logged.error) {
      for (const knownError of ERRORS) {
        const match = knownError.test.exec(lineText);
        if (match) {
          recognized = true;
          logged.error = { code: knownError.code, line: lineText, args: knownError.args(match) };
          break;
        }
      }
    }
    if (FAILED.test(lineText)) {
      recognized = true;
      failed = true;
    }
    if (SERVER_UP.test(lineText)) serverUp = true;

    // Model, flags.
    const ndIdx = lineText.indexOf("non-default args: {");
    if (ndIdx >= 0) {
      const obj = new PyReader(lineText.slice(ndIdx + "non-default args: ".length)).value();
      if (obj && typeof obj === "object" && !Array.isArray(obj)) argLayers.push({ source: "non-default args", rank: 3, args: argsFromPy(obj) });
      recognized = true;
    }
    const nsIdx = lineText.indexOf("args: Namespace(");
    if (nsIdx >= 0) {
      const pr = new PyReader(lineText.slice(nsIdx + "args: Namespace(".length));
      argLayers.push({ source: "args: Namespace(...)", rank: 2, args: argsFromPy(pr.kwargs(")")) });
      recognized = true;
    }
    const cfgIdx = lineText.search(/LLM engine (?:\(v[^)]*\) )?with config: /);
    if (cfgIdx >= 0) {
      // The dump may wrap onto following lines (fixtures/vllm-logs/raw/kvcached-29-…): join until a new log line.
      let body = lineText.slice(lineText.indexOf("with config: ", cfgIdx) + "with config: ".length);
      for (let k = li + 1; k < lines.length && k < li + 4; k++) {
        const next = lines[k]!.text;
        if (next === "" || VLLM_LINE.test(next) || next.startsWith("```")) break;
        body += next;
      }
      const cfg = argsFromPy(new PyReader(body).kwargs(null));
      // The dump holds resolved values, defaults included; only these mean what the flag means.
      const keep = ["model", "max-model-len", "dtype", "tensor-parallel-size", "pipeline-parallel-size", "quantization", "enforce-eager", "kv-cache-dtype"];
      argLayers.push({ source: "engine config", rank: 0, args: Object.fromEntries(Object.entries(cfg).filter(([k, v]) => keep.includes(k) && !(k === "kv-cache-dtype" && v === "auto"))) });
      recognized = true;
    }
    // A command broken over lines with trailing backslashes (a README's `docker run … \` block) is read whole.
    let cmdText = lineText;
    for (let k = li + 1; /\\\s*$/.test(cmdText) && k < lines.length && k < li + 40; k++) cmdText = cmdText.replace(/\\\s*$/, " ") + lines[k]!.text;
    const cmd = commandArgs(cmdText);
    if (cmd) argLayers.push({ source: "command line", rank: 1, args: cmd });
    // vllm/config/model.py: "Using max model len 128000" (the resolved max-model-len, v0.10+).
    const using = /Using max model len (\d+)/.exec(lineText);
    if (using && usingMaxModelLen === null) usingMaxModelLen = int(using[1]!);
    const loading = /Starting to load model (\S+?)(?:\.\.\.)?$/.exec(lineText) ?? /^MODEL:\s+(\S+)\s*$/.exec(lineText) ?? /█\s+model\s+(\S+)\s*$/.exec(lineText);
    if (loading && logged.model === null) logged.model = loading[1]!;

    // GPU name: collect_env "GPU 0: NVIDIA …", a "GPU: …" line in the paste (nvidia-smi rows: tableRow above).
    if (logged.gpuName === null) {
      const env = /GPU \d+: ((?:NVIDIA|Tesla|Quadro)[^,]*?)\s*$/.exec(lineText);
      const said = /^GPU:\s+(.+?)\s*$/.exec(lineText);
      const match = env ?? said;
      if (match) {
        // A device line that also prints torch's total and the arch ("GPU 0: NVIDIA RTX PRO 6000 Blackwell
        // Server Edition 95.01 GiB sm_120", a pasted environment summary): the name is what precedes the size.
        const sized = /^(.*?)\s+(\d+(?:\.\d+)?)\s*GiB\b(?:\s+sm_\d+\w*)?\s*$/.exec(match[1]!.trim());
        logged.gpuName = (sized ? sized[1]! : match[1]!).trim();
        if (sized && logged.gpuTotalBytes === null) logged.gpuTotalBytes = gibBytes(sized[2]!);
      }
    }
    if (recognized) logged.vllmLines++;
    if (recognized && !quotedInProse(lineText)) logShaped++;
  }
  // Text that only quotes vLLM's words inside sentences (a README, notes) is not a log.
  if (logShaped === 0) return null;

  // Ranks and the head rank's figures.
  logged.ranks = [...ranks.values()];
  if (peakTorchTotal) {
    const rk = ranks.get(peakTorchTotal.rank);
    if (rk && rk.weightsBytes !== null && rk.torchPeakBytes === null) rk.torchPeakBytes = peakTorchTotal.bytes - rk.weightsBytes;
  }
  const pick = (field: RankKey): number | null => {
    for (const rk of logged.ranks) if (rk[field] !== null) return rk[field];
    return null;
  };
  logged.weightsBytes = pick("weightsBytes");
  logged.torchPeakBytes = pick("torchPeakBytes");
  const peakRank = logged.ranks.find((rk) => rk.torchPeakBytes !== null);
  logged.torchPeakFromSummary = peakRank !== undefined && summaryPeakRanks.has(peakRank.rank);
  logged.nonTorchBytes = pick("nonTorchBytes");
  logged.cudaGraphEstimateBytes = pick("cudaGraphEstimateBytes");
  logged.cudaGraphActualBytes = pick("cudaGraphActualBytes");
  logged.availableKvBytes = pick("availableKvBytes");
  logged.requestedBytes = pick("requestedBytes");

  // Args: layered by precedence.
  argLayers.sort((a, b) => a.rank - b.rank);
  for (const layer of argLayers) {
    Object.assign(logged.args, layer.args);
    if (!logged.argsSource.includes(layer.source)) logged.argsSource.push(layer.source);
  }
  const modelArg = logged.args["model"];
  if (typeof modelArg === "string") logged.model = modelArg;
  delete logged.args["model"];
  const mml = logged.args["max-model-len"];
  if (typeof mml === "string" && /^\d+$/.test(mml)) logged.maxModelLen = Number(mml);
  if (logged.maxModelLen === null && usingMaxModelLen !== null) logged.maxModelLen = usingMaxModelLen;
  if (logged.maxModelLen === null && logged.error?.args["maxModelLen"] !== undefined) logged.maxModelLen = Number(logged.error.args["maxModelLen"]);
  if (logged.maxModelLen === null && logged.concurrencyTokens !== null) logged.maxModelLen = logged.concurrencyTokens;
  if (logged.gpuMemoryUtilization === null) {
    const utilization = logged.args["gpu-memory-utilization"];
    if (typeof utilization === "string" && Number.isFinite(Number(utilization))) logged.gpuMemoryUtilization = Number(utilization);
  }

  // Figures the error messages state.
  const ea = logged.error?.args ?? {};
  if (logged.kvTokens === null && ea["kvTokens"] !== undefined) logged.kvTokens = Number(ea["kvTokens"]);
  if (logged.availableKvBytes === null && ea["available"] !== undefined) logged.availableKvBytes = Number(ea["available"]);
  if (logged.requestedBytes === null && ea["requested"] !== undefined) logged.requestedBytes = Number(ea["requested"]);
  // A negative KV memory is vLLM's "No available memory for the cache blocks" (V1 raises right after printing it).
  if (!logged.error && logged.availableKvBytes !== null && logged.availableKvBytes <= 0 && !kvSized) {
    logged.error = { code: "NO_KV_CACHE_MEMORY", line: `Available KV cache memory: ${gib(logged.availableKvBytes)} GiB`, args: { available: logged.availableKvBytes } };
  }
  // V0 "# GPU blocks: 0" is followed by the same ValueError (vllm/worker/worker.py raise_if_cache_size_invalid).
  if (!logged.error && logged.numGpuBlocks === 0) logged.error = { code: "NO_KV_CACHE_MEMORY", line: "# GPU blocks: 0", args: {} };
  if (!logged.error && failed) logged.error = { code: null, line: lines.find((l) => FAILED.test(l.text))?.text ?? "", args: {} };
  logged.outcome = logged.error ? "failed" : kvSized || serverUp ? "started" : "incomplete";

  // Version.
  if (logged.versionSource === null && textVersion) {
    logged.vllmVersion = textVersion.v;
    logged.versionSource = "text";
    logged.versionEvidence = textVersion.line;
  }
  const best = inferred as { v: string; why: string; engine: "v0" | "v1" } | null; // assigned inside infer()
  if (logged.versionSource === null && best) {
    logged.vllmVersion = best.v;
    logged.versionSource = "inferred";
    logged.versionEvidence = best.why;
    logged.engine = best.engine;
  }
  if (logged.engine === null && logged.vllmVersion !== null) {
    // The release's default engine, from the one rule (core/vllm-versions.ts engineOf).
    if (parseVersion(logged.vllmVersion)) logged.engine = engineOf(logged.vllmVersion);
  }
  return logged;
}

/** A `vllm serve …` / `python -m vllm.entrypoints…` command line inside the log → its flags (model as "model"). */
function commandArgs(text: string): Record<string, string | true> | null {
  if (!/\bvllm\b|api_server|Run vllm with arguments: serve/.test(text)) return null;
  const line = text.replace(/^.*Run vllm with arguments: /, "vllm ").replace(/^\$\s*/, "").replace(/\\\s*$/, "");
  let words: string[];
  try {
    words = splitShellWords(line);
  } catch {
    return null;
  }
  // A command, not prose: `vllm serve`, `python -m vllm.entrypoints…` (after any VAR=value), or a container
  // run of vLLM's image, whose entrypoint is `vllm serve` (vllm-argv.ts containerRunIndex, the one reading
  // of docker / podman / nerdctl [container] run).
  const first = words.findIndex((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  const command = (words[first] === "vllm" && words[first + 1] === "serve") || (/^python3?$/.test(words[first] ?? "") && words[first + 1] === "-m" && (words[first + 2] ?? "").startsWith("vllm.entrypoints"));
  if (!command && !(containerRunIndex(words) >= 0 && words.some((word) => word.includes("vllm-openai")))) return null;
  const found = extractVllmArgs(words);
  if (!found) return null;
  let args: Record<string, string | true>;
  try {
    args = parseVllmArgs(found.args);
  } catch {
    return null;
  }
  if (found.model) args["model"] = found.model;
  return args;
}
