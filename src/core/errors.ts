// The core's typed errors: what a user's input can make the core refuse. The layer that knows the
// flag or file (src/sources, src/commands) turns each into an InputError naming it (exit 2); any
// other error escaping the core is a bug (exit 3).

/** A config.json the core cannot model (a key missing or of the wrong type). */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * A broken invariant of the core: a state no input can reach (each throw site says why it cannot). Never
 * a user's mistake, so never exit 2: src/cli/run.ts reports it as a bug (exit 3, stack on stderr).
 */
export class InternalError extends Error {
  override readonly name = "InternalError";
}

/**
 * A vLLM release the core cannot read (not "X.Y[.Z]", "vX.Y.Z", a dev/rc build of one, or "latest"). The
 * edges read --vllm-version, image tags and logs first and refuse such a value with exit 2
 * (sources/vllm-flags.ts checkedRelease), so the core never guesses an order for it.
 */
export class VersionError extends Error {
  override readonly name = "VersionError";
}

/**
 * An image or video size the processor's resize rules reject (e.g. an aspect ratio over 200).
 * `input`: what was out of range, an item's width × height or a video's frame count (Qwen3-VL's
 * temporal factor), so the CLI can name the flag that gave it.
 */
export class ResizeError extends Error {
  override readonly name = "ResizeError";
  constructor(message: string, readonly input: "size" | "frames" = "size") {
    super(message);
  }
}
