// The prebuilt web page (dist/web, written by scripts/build-web.mjs at `npm run build`) and writing it to
// a directory for `vram-plan web --out DIR`. Nothing is written over a user's file: DIR must be missing,
// empty, or a previous output of vram-plan web (it holds the marker file), and only the page's own
// files are replaced there.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { DATA_DIR } from "./data-dir.js";
import { InputError } from "../errors.js";

/** The marker scripts/build-web.mjs writes beside the page. */
export const WEB_MARKER = ".vram-plan-web";
/** The files of the site, all copied. */
export const WEB_FILES = ["index.html", "app.js", WEB_MARKER] as const;

/** dist/web of this package (DATA_DIR is <package>/src/data). */
export function builtSiteDir(): string {
  return join(dirname(dirname(DATA_DIR)), "dist", "web");
}

/** Copies the site into `out`; returns the paths written. InputError when `out` is someone else's. */
export function writeSite(out: string, from = builtSiteDir()): string[] {
  for (const file of WEB_FILES) {
    if (!existsSync(join(from, file))) throw new InputError("web", `the web page is not built (${join(from, file)} is missing): run npm run build`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new InputError("--out", `--out ${out}: exists and is not a directory; give a new or empty directory`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(WEB_MARKER)) {
      throw new InputError("--out", `--out ${out}: not empty and not a previous vram-plan web output; give a new or empty directory (nothing was written)`);
    }
    for (const webFile of WEB_FILES) {
      const target = join(out, webFile);
      if (existsSync(target) && !statSync(target).isFile()) throw new InputError("--out", `--out ${out}: ${webFile} there is not a file (nothing was written)`);
    }
  } else {
    mkdirSync(out, { recursive: true });
  }
  return WEB_FILES.map((file) => {
    copyFileSync(join(from, file), join(out, file));
    return join(out, file);
  });
}
