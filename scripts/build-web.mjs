// Builds the static web page into dist/web/ (run by `npm run build` after tsc; `vram-plan web --out DIR`
// copies it): index.html and app.js, a classic script (module scripts do not load from file://).
// The bundle is src/web/app.ts with src/core, src/render and the pure readers of src/sources, for the
// browser: esbuild's platform "browser" refuses any node: module. The catalog's configs are read by the
// CLI's own code (dist/sources/catalog.js loadCatalogFiles, as the core gets them) and fed to esbuild
// as JSON through a virtual module, so the page plans from the same bytes as the CLI.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { catalog, findInCatalog, loadCatalogFiles } from "../dist/sources/catalog.js";
import { gpuCatalog } from "../dist/sources/gpus.js";
import { HTML_STYLE } from "../dist/render/html.js";

export const WEB_DIR = "dist/web";
/** The file that marks a directory as vram-plan web's output (src/commands/web.ts overwrites only such a directory). */
export const MARKER = ".vram-plan-web";

const models = catalog().map((e) => ({ hfId: e.hfId, short: e.short, files: loadCatalogFiles(e) }));
const aliases = {};
for (const e of catalog()) for (const a of e.aliases) aliases[a] = findInCatalog(a)?.hfId ?? e.hfId;
const gpus = gpuCatalog().map((g) => ({ id: g.id, name: g.name, cudaTotalBytes: g.cudaTotalBytes, computeCapability: g.computeCapability, ...(g.rocmArch ? { rocmArch: g.rocmArch } : {}), smCount: g.smCount, source: g.source, aliases: g.aliases, datasheetBytes: g.datasheetBytes, ...(g.familyNames ? { familyNames: g.familyNames } : {}) }));
const data = JSON.stringify({ models, aliases, gpus });

rmSync(WEB_DIR, { recursive: true, force: true });
mkdirSync(WEB_DIR, { recursive: true });
await build({
  entryPoints: ["src/web/app.ts"],
  outfile: `${WEB_DIR}/app.js`,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  plugins: [
    {
      name: "vram-plan-web-data",
      setup(b) {
        b.onResolve({ filter: /^vram-plan-web-data$/ }, () => ({ path: "vram-plan-web-data", namespace: "vram-plan-web-data" }));
        b.onLoad({ filter: /.*/, namespace: "vram-plan-web-data" }, () => ({ contents: data, loader: "json" }));
      },
    },
  ],
});

const PAGE_STYLE = `
[hidden]{display:none!important}
form{margin:12px 0}
label{display:flex;flex-direction:column;gap:2px;font-size:12.5px}
label>span{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
input,select,textarea,button{font:inherit;font-size:13px;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:4px 6px}
textarea{width:100%;font-family:ui-monospace,monospace}
.pickers{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,2fr) minmax(0,1fr);gap:8px;margin-bottom:8px}
.pickers select,.pickers input,.flags select,.flags input{width:100%;min-width:0}
fieldset{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:8px}
legend{font-size:12.5px;color:var(--muted)}
.flags{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:8px}
.flags label.switch{flex-direction:row;align-items:center;gap:6px;padding-top:18px}
.flags input[type=checkbox]{width:auto;margin:0}
#error{border:1px solid var(--bad);color:var(--bad);border-radius:6px;padding:8px 12px;margin:8px 0}
.serve{display:flex;gap:8px;align-items:flex-start;margin-bottom:16px}.serve pre{flex:1;margin:0;min-width:0}.serve pre .w{white-space:nowrap}
#copied{font-size:12px;color:var(--muted)}
@media (max-width:700px){.pickers{grid-template-columns:1fr}}
`;

writeFileSync(
  `${WEB_DIR}/index.html`,
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vram-plan web">
<link rel="icon" href="data:,">
<title>vram-plan: how vLLM will use GPU memory</title>
<style>${HTML_STYLE}${PAGE_STYLE}</style>
</head>
<body>
<h1>vram-plan</h1>
<p class="muted">How vLLM will use GPU memory before you launch it, computed in this page by the same code as the <code>vram-plan</code> CLI (nothing is sent anywhere). The link holds the plan.</p>
<form id="form" autocomplete="off"></form>
<div class="serve"><pre id="serve" aria-label="vllm serve command"></pre><div><button id="copy" type="button">copy as <code>vllm serve</code></button><div id="copied" aria-live="polite"></div></div></div>
<div id="error" role="alert" hidden></div>
<main id="result"><noscript>This page plans in your browser: it needs JavaScript.</noscript></main>
<script src="app.js"></script>
</body>
</html>
`,
);
writeFileSync(`${WEB_DIR}/${MARKER}`, "vram-plan web output: `vram-plan web --out` may overwrite index.html and app.js here.\n");
