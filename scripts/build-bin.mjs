// Bundles the bin with esbuild, as CommonJS so that src/cli/compile-cache.ts can hand V8 a code cache
// (Node 20 has no compile cache of its own; ES modules cannot be given one):
//   dist/cli.cjs              the installed bin (src/cli/launch.ts): loads dist/bin/vram-plan.cjs
//   dist/cli.js               the same bin for `node dist/cli.js` (an ES module importing dist/cli.cjs)
//   dist/bin/vram-plan.cjs    src/cli/main.ts with everything it imports from src/ and commander
//   dist/bin/vendor/<pkg>.cjs each other package (yaml, undici, chalk …), loaded only by the code
//                             that imports it (`await import()` in src/, or a module only such code loads)
//   dist/bin/*.v8cache        V8's code cache of each bundle per command, written after running that
//                             command's typical jobs in a process of their own (CACHE_JOBS below)
// `tsc` still builds dist/ for the library and its types; this runs after it and replaces dist/cli.js.
import { build } from "esbuild";
import { builtinModules, createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUNDLE = "dist/bin/vram-plan.cjs";
const vendorName = (spec) => spec.replace(/[^a-zA-Z0-9._-]/g, "_");
// Runs in a child process: load the bundle without caches, run the jobs, write the caches under the tag.
const WRITE_CACHE = `
const { bundleLoader } = require("./dist/bin/compile-cache.cjs");
const [tag, jobs] = [process.argv[1], JSON.parse(process.argv[2])];
const loader = bundleLoader(null);
const cli = loader.load(require("node:path").resolve(${JSON.stringify(BUNDLE)}));
(async () => {
  for (const argv of jobs) {
    const code = await cli.runQuietly(argv);
    if (code !== 0 && code !== 1) throw new Error("the compile-cache job vram-plan " + argv.join(" ") + " exited " + code);
  }
  loader.writeCaches(tag);
})().catch((e) => { console.error("build-bin: " + e.message); process.exit(1); });
`;
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
// Inside the main bundle: commander (every run needs it), and zod, which src/ imports as a namespace
// (`import * as z`) so that esbuild keeps only the parts used (≈0.2 of the package's 1 MB; loading the
// whole package was ≈85 M instructions of a run, the used parts ≈31 M: callgrind, Node 20). Code behind
// `await import()` stays lazy inside the bundle, so zod loads only with the schemas that need it.
const inline = new Set(["commander", "zod"]);
const vendored = new Set();
const bareName = (spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);

/** Bare package imports become `require("./vendor/<pkg>.cjs")`, each package bundled once on its own. */
const vendorPlugin = {
  name: "vendor",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (builtins.has(args.path) || inline.has(bareName(args.path))) return undefined;
      vendored.add(args.path);
      return { path: `./vendor/${vendorName(args.path)}.cjs`, external: true };
    });
  },
};

/**
 * commander requires node:child_process at load time, only for executable subcommands, which vram-plan
 * does not use; loading it (and node:net, streams) is ≈7 ms of every run (--cpu-prof). Inside
 * commander, it is required on first use instead.
 */
const lazyChildProcessForCommander = {
  name: "lazy-child-process-for-commander",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy-builtin" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: "js",
    }));
  },
};

// dynamic-import off: `await import("yaml")` becomes a require() of the vendor bundle inside a promise,
// so it goes through the same loader (a real import() in a vm.Script has no module loader to call).
const common = { bundle: true, format: "cjs", platform: "node", target: "node20", logLevel: "warning", supported: { "dynamic-import": false } };
// import.meta in src/ (src/sources/data-dir.ts, src/builtins.ts) is the bundle's own once bundled as
// CommonJS: its directory, and its URL made only when asked for (node:url's parse both ways was part of
// every start-up).
const importMetaUrl = {
  define: { "import.meta": "__vramPlanMeta" },
  banner: { js: "const __vramPlanMeta = { dirname: __dirname, get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
};

rmSync("dist/bin", { recursive: true, force: true });
rmSync("dist/chunks", { recursive: true, force: true });
await build({ ...common, ...importMetaUrl, entryPoints: ["src/cli/main.ts"], outfile: BUNDLE, plugins: [lazyChildProcessForCommander, vendorPlugin] });
for (const spec of vendored) {
  await build({
    ...common,
    stdin: { contents: `module.exports = require(${JSON.stringify(spec)});`, resolveDir: process.cwd(), loader: "js" },
    outfile: `dist/bin/vendor/${vendorName(spec)}.cjs`,
  });
}
await build({ ...common, entryPoints: ["src/cli/launch.ts"], outfile: "dist/cli.cjs", banner: { js: "#!/usr/bin/env node" } });
writeFileSync("dist/cli.js", '#!/usr/bin/env node\n// The bin as an ES module path (node dist/cli.js): the same as dist/cli.cjs.\nimport "./cli.cjs";\n');
// Both are run directly (package.json "bin" is dist/cli.cjs): executable whatever tsc left there.
chmodSync("dist/cli.cjs", 0o755);
chmodSync("dist/cli.js", 0o755);

// ASCII bundles: esbuild escapes non-ASCII characters in strings and names but keeps them in comments
// and regular-expression literals, and one such character makes V8 hold the whole 1 MB source as a
// two-byte string decoded from UTF-8 (≈22 M instructions of a run, callgrind). A \uXXXX escape means
// the same in both places, so the loader can read the bundles as latin1 (src/cli/compile-cache.ts).
// Each bundle is also written inside Node's CommonJS wrapper (compile-cache.ts WRAPPER_HEAD/TAIL), so
// the loader compiles the text it reads without copying it into a second, wrapped string.
await build({ ...common, entryPoints: ["src/cli/compile-cache.ts"], outfile: "dist/bin/compile-cache.cjs" });
const { WRAPPER_HEAD, WRAPPER_TAIL } = createRequire(import.meta.url)(join(process.cwd(), "dist/bin/compile-cache.cjs"));
for (const file of ["dist/bin/vram-plan.cjs", ...readdirSync("dist/bin/vendor").map((f) => `dist/bin/vendor/${f}`)]) {
  const text = readFileSync(file, "utf8");
  writeFileSync(file, WRAPPER_HEAD + text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) + WRAPPER_TAIL);
}

// The code caches: each command's typical jobs run in a process of their own (in one process V8 would
// reuse what earlier jobs compiled), output dropped, then what V8 compiled is written as that
// command's cache (src/cli/compile-cache.ts). Jobs that need no network. A command with no jobs
// here uses plan's cache.
const LOCAL_70B = mkdtempSync(join(tmpdir(), "vram-plan-cache-job-"));
copyFileSync("src/data/models/meta-llama__Llama-3.1-70B-Instruct.json", join(LOCAL_70B, "config.json"));
const CACHE_JOBS = {
  plan: [
    ["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"],
    ["--model", "llama-3.1-8b", "--gpu", "h100", "--format", "json"],
    // A local checkpoint (config.json, index and safetensors headers), validated with zod.
    ["--model", "fixtures/hub/acme/tiny-llama", "--gpu", "h100"],
    // A local config.json of a model that does not start: its rope_scaling and counts validated, the fix
    // search and the error's fix list (Llama-3.1-70B's own config.json on one H100).
    ["--model", LOCAL_70B, "--gpu", "h100"],
  ],
  check: [["check", "fixtures/ci/deploy/docker-compose.yaml", "--gpu", "l40s", "--offline"]],
  compare: [["compare", "--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "2048", "--images", "1", "--image-size", "1280x720"]],
  solve: [["solve", "--model", "llama-3.1-8b", "--gpu", "l4", "--context", "32k"]],
  log: [["log", "fixtures/vllm-logs/raw/code-llama3-8b-esc-lost-ansi.md"]],
};
try {
  for (const [tag, jobs] of Object.entries(CACHE_JOBS)) {
    const ran = spawnSync(process.execPath, ["-e", WRITE_CACHE, tag, JSON.stringify(jobs)], { stdio: "inherit" });
    if (ran.status !== 0) throw new Error(`build-bin: writing the ${tag} compile cache failed`);
  }
} finally {
  // The temporary checkout goes whether or not a job failed (a failed build left one in /tmp per run).
  rmSync(LOCAL_70B, { recursive: true, force: true });
}
rmSync("dist/bin/compile-cache.cjs");
