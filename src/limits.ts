// The bounds every input is checked against before the core sees it (README "Reliability").
// They are not vLLM's rules: they are the ranges vram-plan can compute with in bounded time and
// memory, each far above anything a real model, GPU or deployment has, so a value outside them
// is a typo or a hostile file, refused with exit 2 instead of hanging, allocating or overflowing.

/** Largest file read as config.json / a preprocessor, quantization or index JSON (real: < 5 MiB; Nemotron-49B's config is 60 KiB). */
export const MAX_JSON_FILE_BYTES = 16 * 2 ** 20;
/**
 * Largest YAML text parsed: the yaml package's document tree costs ~300-600 bytes of memory per byte of
 * dense YAML (a 1 MiB flow list took 580 MB), so YAML is held to 256 KiB (a dense 512 KiB list took 350 MB); real deployment
 * manifests are a few KiB.
 */
export const MAX_YAML_BYTES = 256 * 1024;
/**
 * Largest deployment file read by `check` (real compose / Kubernetes / shell files are a few KiB): the
 * shell reader keeps every word with its line, ~300 bytes of memory per byte of a script of one-letter
 * commands (4 MiB of them took 1.26 GB), so 512 KiB stays under ~250 MB (measured: 240 MB).
 */
export const MAX_DEPLOYMENT_FILE_BYTES = 512 * 1024;
/**
 * A vLLM log (`vram-plan log`): a pasted start-up is kilobytes. The reader splits the text into lines,
 * ~60 bytes of memory per byte of a log of short lines (32 MB of them took 1.97 GB, 8 MiB 537 MB, 4 MiB 316 MB), so 4 MiB.
 */
export const MAX_LOG_FILE_BYTES = 4 * 2 ** 20;
/** vLLM deployments `check` plans in one run (each with its fix search; real repositories hold a few dozen). */
export const MAX_DEPLOYMENTS = 256;
/** Objects and lists in one JSON file (real configs: a few hundred; an index: three). */
export const MAX_JSON_CONTAINERS = 200_000;
/** Deepest nesting of objects/arrays in a JSON or YAML input (real configs: < 10 levels). */
export const MAX_NESTING = 64;
/** YAML aliases expanded per document (the yaml package's default is 100; an alias bomb needs thousands). */
export const MAX_YAML_ALIASES = 1000;
/** Shards named by one checkpoint (DeepSeek-V3: 163; Kimi-K2: 61). */
export const MAX_SHARDS = 10_000;
/** Tensors across a checkpoint's shards (DeepSeek-V3: ~91,000). */
export const MAX_TENSORS = 500_000;
/** Length of a model name or path on the command line. */
export const MAX_MODEL_NAME_LENGTH = 4096;

/** Largest GPU count a deployment file may give (Kubernetes limits, compose reservations, vram-plan files). */
export const MAX_GPU_COUNT = 65_536;
/** Largest tensor/pipeline/data-parallel size (the largest public vLLM deployments use a few hundred GPUs). */
export const MAX_PARALLEL = 4096;
/** Largest token count (max-model-len, batched tokens, sequences): 2^31, above every published context (10M). */
export const MAX_TOKENS = 2 ** 31;
/** Largest memory size (GPU memory, KV cache memory, headroom): 2^50 bytes = 1 PiB. */
export const MAX_BYTES = 2 ** 50;
/** Largest image side in pixels and frames per video for `tokens` / `compare`. */
export const MAX_IMAGE_SIDE = 1 << 20;
export const MAX_VIDEO_FRAMES = 1 << 20;
/**
 * `compare` replays transformers' generate() tensor by tensor: images per prompt, prompts per batch
 * (and images × prompts), and generated tokens per prompt (each decode step replays every layer's
 * K/V concatenation: 32,768 steps take ~3 s on the 2-core development machine).
 */
export const MAX_IMAGES = 256;
export const MAX_BATCH = 4096;
export const MAX_BATCH_IMAGES = 4096;
export const MAX_NEW_TOKENS = 32_768;

/** config.json bounds (counts vram-plan can lay out one by one). */
export const MAX_LAYERS = 10_000;
export const MAX_HIDDEN = 1 << 20;
export const MAX_HEADS = 1 << 16;
export const MAX_VOCAB = 1 << 24;
export const MAX_EXPERTS = 1 << 16;
export const MAX_POSITIONS = 2 ** 34;

/** Longest error line printed for bad input (the flag or file, the rule, an excerpt of the value). */
export const MAX_ERROR_LINE = 300;

/**
 * The one line printed for bad input, whatever a message holds: control characters (a newline in a
 * value) become spaces and a line past MAX_ERROR_LINE is cut, so a 100 KB value is never echoed whole.
 */
export function errorLine(message: string): string {
  const one = message.slice(0, 4 * MAX_ERROR_LINE).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ");
  return one.length > MAX_ERROR_LINE ? `${one.slice(0, MAX_ERROR_LINE - 3)}...` : one;
}

/** An excerpt of a user's value for an error line: one line, at most 40 characters. */
export function excerpt(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value.slice(0, 200);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = text.slice(0, 200).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ");
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
