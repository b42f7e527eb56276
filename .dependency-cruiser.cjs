// The layer rules of docs/architecture.md, kept by a tool (run by `npm test`):
//   cli ──> commands ──> sources ──> core
//                   └──> render ───> core
// src/errors.ts, src/units.ts and src/limits.ts are leaves every layer but core may use; src/builtins.ts
// (a Node builtin loaded on first use) is a leaf only sources/ and cli/ may use.
// Node's built-in modules and packages are part of the graph (no includeOnly), so the rules below
// that forbid node:* or a package in src/core, src/render and src/web can fire. What a dependency
// graph cannot see (the `process` global, Date.now, Math.random, console) is kept out of src/core
// and src/render by test/purity.test.ts.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "An import loop makes every file in it depend on every other; break it by moving the shared piece down a layer.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-is-pure",
      severity: "error",
      comment: "src/core is plain data in, one result out: it imports nothing outside src/core (no fs, no process, no packages).",
      from: { path: "^src/core/" },
      to: { pathNot: "^src/core/" },
    },
    {
      name: "render-is-pure",
      severity: "error",
      comment: "src/render turns a core result into a string: it imports core and itself (and chalk, zod), nothing that reads or runs.",
      from: { path: "^src/render/" },
      to: { path: "^src/(cli|commands|sources)/|^src/cli\\.ts$|^src/index\\.ts$", dependencyTypes: ["local", "aliased", "type-only"] },
    },
    {
      name: "render-no-io",
      severity: "error",
      comment: "Renderers never read files or the process.",
      from: { path: "^src/render/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "render-packages",
      severity: "error",
      comment: "The renderers' only packages: chalk (color, loaded lazily) and zod (render/json-schema.ts builds the JSON schema).",
      from: { path: "^src/render/" },
      to: { path: "^node_modules/", pathNot: "^node_modules/(chalk|zod)/" },
    },
    {
      name: "commands-read-through-sources",
      severity: "error",
      comment: "src/commands read files, the Hub and the environment through src/sources, never node:fs, node:os, node:child_process or a network client themselves.",
      from: { path: "^src/commands/" },
      to: { path: "^(node:)?(fs|fs/promises|os|child_process|http|https|net)$|^node_modules/undici/" },
    },
    {
      name: "cli-loads-commands-lazily",
      severity: "error",
      comment: "src/cli imports a command module only with await import() inside its action (types are free): start-up loads no command it does not run.",
      from: { path: "^src/cli/|^src/cli[.]ts$" },
      to: { path: "^src/commands/", dependencyTypesNot: ["type-only", "type-import", "dynamic-import"] },
    },
    {
      name: "sources-below-commands",
      severity: "error",
      comment: "src/sources reads the world into core types; it never imports the commands, the CLI or the renderers.",
      from: { path: "^src/sources/" },
      to: { path: "^src/(cli|commands|render)/|^src/cli\\.ts$" },
    },
    {
      name: "commands-below-cli",
      severity: "error",
      comment: "src/commands run one command each; commander wiring, the process and exit codes belong to src/cli.",
      from: { path: "^src/commands/" },
      to: { path: "^src/cli/|^src/cli\\.ts$|^node_modules/commander/" },
    },
    {
      name: "leaves-are-leaves",
      severity: "error",
      comment: "src/errors.ts, src/units.ts, src/limits.ts and src/builtins.ts import nothing from the project.",
      from: { path: "^src/(errors|units|limits|builtins)\\.ts$" },
      to: { path: "^src/" },
    },
    {
      name: "builtins-for-sources-and-cli",
      severity: "error",
      comment: "src/builtins.ts loads a Node builtin by name (node:child_process, node:tty), which the import graph cannot see: only the readers and the CLI may use it, so commands, renderers, the core and the page stay free of I/O.",
      from: { path: "^src/(commands|render|core|web)/" },
      to: { path: "^src/builtins\\.ts$" },
    },
    {
      name: "web-runs-in-a-browser",
      severity: "error",
      comment: "src/web is bundled for the browser (scripts/build-web.mjs): core, render and the pure readers of sources, never node:*, the CLI or the commands.",
      from: { path: "^src/web/" },
      to: { path: "^src/(cli|commands)/|^src/cli\\.ts$|^src/sources/(catalog|gpus|data-dir|hub|hf-cache|model-dir|read-file|safetensors|web-site)\\.ts$" },
    },
    {
      name: "web-no-node",
      severity: "error",
      comment: "No Node-only module in the browser bundle.",
      from: { path: "^src/web/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "nothing-imports-web",
      severity: "error",
      comment: "The page is a leaf: the CLI and the library never import it.",
      from: { pathNot: "^src/web/" },
      to: { path: "^src/web/" },
    },
    {
      name: "library-is-pure",
      severity: "error",
      comment: "The library entry (src/index.ts) exports the pure core and the renderers, not the CLI.",
      from: { path: "^src/index\\.ts$" },
      to: { path: "^src/(cli|commands)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
