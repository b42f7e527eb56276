// A compile cache for the bundled bin. Node 20 has none (module.enableCompileCache arrived in Node 22.1),
// and compiling the bin's JavaScript was most of what a run cost above a bare `node -e ""` (measured
// with --cpu-prof: V8's compile of ~40 ES modules ≈ 11 ms, reading them ≈ 10 ms; npm run bench
// reports the whole-process ratios). So the bin is CommonJS bundles (dist/bin/*.cjs) compiled here
// with vm.Script and V8's code cache, written by the build after running a command's typical jobs
// in a process of their own (scripts/build-bin.mjs): V8 deserializes the bytecode instead of parsing
// and compiling. Each command has its own cache (only the functions its runs compile, so less to
// deserialize); a command without one uses plan's.
// A cache is used only for the build it came from: its name carries the bundle's size and mtime (a
// rebuild or an edit changes them), and V8 rejects a cache made by another V8 version or with other
// flags (vm.Script's cachedDataRejected). Then the bundle compiles as usual: slower, never wrong.
import { isAscii } from "node:buffer";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { Script } from "node:vm";

/** Node's CommonJS wrapper around a bundle's text (the build writes it into the bundle files). */
export const WRAPPER_HEAD = "(function (exports, require, module, __filename, __dirname) {";
export const WRAPPER_TAIL = "\n})";

/** The cache tag used when the command has no cache of its own. */
export const DEFAULT_CACHE_TAG = "plan";

/** The cache file of one bundle build for one command. */
export function cacheFileFor(file: string, tag: string): string {
  return `${cacheStem(file)}.${tag}.v8cache`;
}

/** A bundle's path with its build's size and mtime: what every cache of that build is named after. */
function cacheStem(file: string): string {
  const st = statSync(file);
  return `${file}.${st.size}-${Math.trunc(st.mtimeMs)}`;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export interface BundleLoader {
  /** Loads a CommonJS bundle (once); `require("./x.cjs")` inside it loads sibling bundles the same way. */
  load(file: string): unknown;
  /** Writes V8's code cache of every bundle loaded so far (with the functions compiled so far) under `tag`. */
  writeCaches(tag: string): string[];
}

/**
 * cacheTag: the command whose caches to use (falling back to DEFAULT_CACHE_TAG's), or null to compile
 * without any (the build, before it writes them).
 */
export function bundleLoader(cacheTag: string | null): BundleLoader {
  const loaded = new Map<string, { script: Script; module: { exports: unknown } }>();
  // Bundles require only node's builtins and each other (scripts/build-bin.mjs): one resolver serves all.
  let nodeRequire: NodeRequire | null = null;
  const load = (file: string): unknown => {
    const hit = loaded.get(file);
    if (hit) return hit.module.exports;
    let cachedData: Buffer | undefined;
    if (cacheTag !== null) {
      const stem = cacheStem(file);
      cachedData = readIfPresent(`${stem}.${cacheTag}.v8cache`) ?? (cacheTag === DEFAULT_CACHE_TAG ? undefined : readIfPresent(`${stem}.${DEFAULT_CACHE_TAG}.v8cache`));
    }
    // The build makes every bundle ASCII (scripts/build-bin.mjs), so latin1 decodes it exactly and V8
    // keeps it as a one-byte string; a bundle edited since (any byte above 0x7f) is read as UTF-8.
    const bytes = readFileSync(file);
    const body = bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
    // Node's own CommonJS wrapper, so the bundle sees exports/require/module/__filename/__dirname. The
    // build writes it into the file (scripts/build-bin.mjs), so the text read is compiled as it is: a
    // 1 MB text with the wrapper added here was copied into a second string on V8's young heap (Node
    // keeps the one read off the heap), an early scavenge of every run (--trace-gc).
    const source = body.startsWith(WRAPPER_HEAD) ? body : `${WRAPPER_HEAD}${body}${WRAPPER_TAIL}`;
    const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
    const module = { exports: {} as unknown };
    // Registered before it runs, as Node does, so bundles that require each other get the one module.
    loaded.set(file, { script, module });
    // Builtins only: the launcher's own require where it has one (the CommonJS bin), else one made here.
    nodeRequire ??= typeof require === "function" ? require : createRequire(file);
    const requireFromBundle = (id: string): unknown => (id.startsWith("./") || id.startsWith("../") ? load(resolve(dirname(file), id)) : (nodeRequire as NodeRequire)(id));
    const wrapper = script.runInThisContext() as (exports: unknown, require: (id: string) => unknown, module: { exports: unknown }, filename: string, dirname: string) => void;
    wrapper(module.exports, requireFromBundle, module, file, dirname(file));
    return module.exports;
  };
  return {
    load,
    writeCaches: (tag) =>
      [...loaded].map(([file, { script }]) => {
        const out = cacheFileFor(file, tag);
        writeFileSync(out, script.createCachedData());
        return out;
      }),
  };
}
