// Issue #17 item 7, kept by a tool: one spelling (US, as vLLM's flags: --gpu-memory-utilization) in
// names, comments, messages, docs and goldens, and no source cited by a path outside the repository.
// Scanned: src/, test/, scripts/, docs/, README.md, .dependency-cruiser.cjs. Not scanned: fixtures/
// (verbatim real files, quoted as found).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOTS = ["src", "test", "scripts", "docs"];
const FILES = ["README.md", ".dependency-cruiser.cjs"];
const TEXT = /\.(ts|mts|mjs|cjs|js|md|json|txt|html|css|ya?ml)$/;

// British spellings and their US ones. `-ise` words are stems with their endings (so "organism" and
// "finalist" pass). A word matches in lower case, capitalized (a camelCase part: `normaliseGpuName`,
// `notModelledFlags`) or upper case (`NOT_MODELLED`), so `maxModelLen` and `quantIsFp8` are not caught.
const ISE = "(?:e|es|ed|ing|ation|ations|er|ers)";
const BRITISH: [british: string, us: string][] = [
  ["modelled", "modeled"],
  ["modelling", "modeling"],
  ["catalogue", "catalog"],
  ["colour", "color"],
  ["behaviour", "behavior"],
  ["centre", "center"],
  ["licence", "license"],
  ["honour", "honor"],
  ["neighbour", "neighbor"],
  ["flavour", "flavor"],
  ["favour", "favor"],
  ["labelled", "labeled"],
  ["labelling", "labeling"],
  ["cancelled", "canceled"],
  ["travelled", "traveled"],
  ["misspelt", "misspelled"],
  ["analyse", "analyze"],
  ["analysed", "analyzed"],
  ["analysing", "analyzing"],
  ...["recogn", "normal", "summar", "initial", "optim", "serial", "util", "organ", "memo", "material", "quant", "minim", "maxim", "priorit", "final"].map(
    (stem): [string, string] => [`${stem}is${ISE}`, `${stem}iz…`],
  ),
];

const variants = (word: string): string => `${word}|${word[0]!.toUpperCase()}${word.slice(1)}|${word.toUpperCase()}`;
const SUFFIX = "(?:s|d|ed|ing|ite|ites|able|ful|less|ly)?";
const BRITISH_RE = new RegExp(`(?:${BRITISH.map(([b]) => variants(b)).join("|")})${SUFFIX}(?![a-z])`, "g");
const usOf = (found: string): string =>
  BRITISH.find(([b]) => new RegExp(`^(?:${b})${SUFFIX}$`, "i").test(found))?.[1] ?? "?";

/** The British spellings in a line of text, as written. */
export function britishSpellings(line: string): string[] {
  return [...line.matchAll(BRITISH_RE)].map((m) => m[0]);
}

// Where the British spelling is the point, and why. Each entry: a file and a text its line contains.
const ALLOWED: { file: string; line: string; why: string }[] = [
  // The typo under test: vLLM refuses it and names --gpu-memory-utilization.
  { file: "*", line: "gpu-memory-utilisation", why: "the misspelled flag the tests feed vLLM's parser" },
  { file: "src/index.ts", line: "NEWEST_MODELED as NEWEST_MODELLED", why: "deprecated alias for callers of the old export" },
  { file: "README.md", line: "Renamed in this version", why: "the rename note lists the old names" },
  { file: "README.md", line: "`VLLM_VERSION_NOT_MODELED` (its `args.modelled`", why: "the rename note" },
  { file: "README.md", line: "`UNMODELLED_FEATURE` → `UNMODELED_FEATURE`", why: "the rename note" },
  { file: "README.md", line: "`EngineFlags.notModelledFlags` → `notModeledFlags`", why: "the rename note" },
  { file: "README.md", line: "`NEWEST_MODELLED` → `NEWEST_MODELED`", why: "the rename note" },
  { file: "test/spelling.test.ts", line: "", why: "this file names the British spellings it forbids" },
];

// Paths outside the repository that comments once cited (the project's shared notes): cite the vLLM
// file, PR or issue, or a copy in fixtures/, instead.
const OUTSIDE_PATH = /\.\.\/shared\/|\/work\/|\bshared\/(?:calibration|configs)\b|VLLM-MEMORY\.md|TARGETS\.md|MODELS\.md/;

function scannedFiles(): string[] {
  const out = [...FILES];
  for (const root of ROOTS) {
    for (const e of readdirSync(root, { withFileTypes: true, recursive: true })) {
      if (e.isFile() && TEXT.test(e.name)) out.push(join(e.parentPath ?? e.path, e.name));
    }
  }
  return out;
}

const allowed = (file: string, line: string): boolean =>
  ALLOWED.some((a) => (a.file === "*" || a.file === file) && line.includes(a.line));

describe("one spelling (US) and in-repository citations", () => {
  it("the scan finds British spellings in names, constants and prose, and leaves US ones and look-alikes", () => {
    expect(britishSpellings("export function normaliseGpuName(name: string)")).toEqual(["normalise"]);
    expect(britishSpellings('code: "VLLM_VERSION_NOT_MODELLED", modelled: NEWEST_MODELLED')).toEqual(["MODELLED", "modelled", "MODELLED"]);
    expect(britishSpellings("// Colour only on a terminal; the catalogue's entries are recognised")).toEqual(["Colour", "catalogue", "recognised"]);
    expect(britishSpellings("summariseHeaders, gpuCatalogue, notModelledFlags")).toEqual(["summarise", "Catalogue", "Modelled"]);
    expect(britishSpellings("coloured colours, catalogued, UNMODELLED_FEATURE, unmodelled, honours, organisation")).toEqual([
      "coloured", "colours", "catalogued", "MODELLED", "modelled", "honours", "organisation",
    ]);
    expect(britishSpellings("an organism, a finalist, the colonel, a catalog")).toEqual([]);
    expect(britishSpellings("maxModelLen, estimatedMaxModelLen, quantIsFp8, precise, otherwise, raise, promise, noise")).toEqual([]);
    expect(britishSpellings("normalizeGpuName, catalog, color, recognized, modeled, behavior")).toEqual([]);
  });

  it("no British spelling in src/, test/, scripts/, docs/ or README.md outside the allow-list", () => {
    const found: string[] = [];
    for (const file of scannedFiles()) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const words = britishSpellings(line);
          if (words.length > 0 && !allowed(file, line)) {
            const us = words.map(usOf);
            found.push(`${file}:${i + 1} ${words.join(", ")} → ${us.join(", ")}: ${line.trim().slice(0, 120)}`);
          }
        });
    }
    expect(found).toEqual([]);
  });

  it("no file cites a path outside the repository", () => {
    const found: string[] = [];
    for (const file of scannedFiles()) {
      if (file === join("test", "spelling.test.ts")) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (OUTSIDE_PATH.test(line)) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("every fixtures/ file a comment or doc cites in src/, docs/ or README.md exists (a citation a reader can open)", () => {
    // A path cut at a line end ("fixtures/offline/h100-offline-") or with a wildcard ("h100-offline-*.json")
    // must be the start of at least one file's name.
    const cited = /fixtures\/[A-Za-z0-9_./*-]+/g;
    const missing: string[] = [];
    let checked = 0;
    for (const file of scannedFiles().filter((f) => /^(src|docs)\b/.test(f) || f === "README.md")) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const [raw] of line.matchAll(cited)) {
            const path = raw.replace(/[.,:;]+$/, "").split("*")[0]!;
            const dir = path.endsWith("/") ? path : path.slice(0, path.lastIndexOf("/") + 1);
            const stem = path.slice(dir.length);
            checked++;
            if (!existsSync(path) && !(existsSync(dir) && readdirSync(dir).some((name) => name.startsWith(stem)))) missing.push(`${file}:${i + 1}: ${raw}`);
          }
        });
    }
    expect(checked).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
