// Text output fits the terminal (issue #12.13): every line of plan, --explain, compare and their
// errors within COLUMNS, and never wider than 80 when COLUMNS is unset or smaller.
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { wrapLine } from "../src/render/format.js";

const visible = (l: string): number => [...l.replace(/\x1b\[[0-9;]*m/g, "")].length;
const widest = (s: string): number => Math.max(...s.split("\n").map(visible));

const PLANS: string[][] = [
  ["--model", "qwen2.5-vl-7b", "--gpu", "rtx4090", "--explain"], // fails: diagnostics, fixes, what-ifs
  ["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--explain"],
  ["--model", "llama3.1-70b", "--gpu", "l40s", "-tp", "2", "--explain"],
  ["--model", "qwen3-30b-a3b-fp8", "--gpu", "l4", "-tp", "2", "-pp", "2"],
  ["--model", "deepseek-r1", "--gpu", "h100", "-tp", "8", "-pp", "2"],
  ["--model", "qwen2.5-7b", "--gpu", "h100", "-tp", "2", "-dp", "3", "--other-process-memory", "60GiB"],
];

describe("text output width", () => {
  it.each(PLANS)("plan %s … fits 80 columns", async (...argv) => {
    const r = await runCli(argv, {}, true);
    expect(r.out.length).toBeGreaterThan(0);
    expect(widest(r.out)).toBeLessThanOrEqual(80);
  });

  it("solve fits 80 columns; its vllm serve line continues with backslashes", async () => {
    const result = await runCli(["solve", "--model", "qwen2.5-vl-7b", "--gpu", "l4", "--images-per-prompt", "2", "--context", "16k"]);
    expect(result.code).toBe(0);
    expect(widest(result.out)).toBeLessThanOrEqual(80);
    expect(result.out).toMatch(/^vllm serve Qwen\/Qwen2\.5-VL-7B-Instruct \\\n {2}--tensor-parallel-size 1 \\\n/m);
    const none = await runCli(["solve", "--model", "deepseek-r1", "--gpu", "h100"]);
    expect(widest(none.out)).toBeLessThanOrEqual(80);
  });

  it("tokens, models and gpus fit 80 columns (they printed lines of 151, 92 and 101)", async () => {
    const tokens = await runCli(["tokens", "--model", "qwen3-vl-8b", "--image", "1792x1008", "--video", "30s@2fps", "--video-size", "1280x720"]);
    expect(tokens.code).toBe(0);
    expect(widest(tokens.out)).toBeLessThanOrEqual(80);
    // The figures are unchanged by the wrapping: 1792x1008 → 1792x1024 (32-pixel tokens), 64×112 patches / 4 = 1792.
    expect(tokens.out).toContain("→ 1792 LLM tokens");
    expect(tokens.out).toContain("total: 13492 LLM tokens");
    const models = await runCli(["models"]);
    expect(widest(models.out)).toBeLessThanOrEqual(80);
    expect(models.out).toMatch(/^llama4-scout-17b-16e-fp8-dynamic\n {4}RedHatAI\/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic$/m);
    const gpus = await runCli(["gpus"]);
    expect(widest(gpus.out)).toBeLessThanOrEqual(80);
    expect(gpus.out).toMatch(/^rtx-pro-6000 +NVIDIA RTX PRO 6000 Blackwell Server Edition +94\.97 +12\.0 \*$/m);
    expect(gpus.out).toMatch(/^h100-sxm +NVIDIA H100 80GB HBM3 +79\.18 +9\.0$/m);
  });

  it("COLUMNS below 80 still gets 80; a wider terminal gets longer lines", async () => {
    const narrow = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"], { COLUMNS: "40" });
    expect(widest(narrow.out)).toBeLessThanOrEqual(80);
    const wide = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"], { COLUMNS: "200" });
    expect(widest(wide.out)).toBeGreaterThan(80);
    expect(widest(wide.out)).toBeLessThanOrEqual(200);
  });

  it("compare and compare --explain fit; --explain explains both sides", async () => {
    const result = await runCli(["compare", "--model", "qwen2.5-vl-7b", "--gpu", "h100", "--prompt-tokens", "1024", "--image", "1792x1792", "--explain"]);
    expect(result.code).toBe(0);
    expect(widest(result.out)).toBeLessThanOrEqual(80);
    expect(result.out).toContain("How the offline figures were computed");
    expect(result.out).toContain("How vLLM's numbers were computed:");
    expect(result.out).toMatch(/activations at the allocated peak: peak allocated − weights − workspace −\n\s+inputs − KV at the peak = /);
  });
});

describe("what the table says", () => {
  it("what-ifs: aligned columns, flags unquoted unless the shell needs quotes, no +0.00 rows", async () => {
    const result = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--vllm-version", "0.11.0"]);
    const block = result.out.split("What if (re-planned with one lever changed)\n")[1] ?? "";
    const rows = block.split("\n").filter((l) => /^ {2}\S/.test(l));
    // At v0.11 on an A100, halving max-num-batched-tokens gains 0.00 GiB (the encoder sets the peak): not shown.
    expect(rows.map((l) => l.split("  ")[1])).toEqual(["one image per prompt, no video", "images capped at 1280 tokens", "text only (no vision tower)"]);
    expect(new Set(rows.map((l) => l.indexOf("GiB KV")))).toHaveProperty("size", 1);
    expect(new Set(rows.map((l) => l.indexOf(" tokens,")))).toHaveProperty("size", 1);
    expect(block).toContain(`--limit-mm-per-prompt '{"image":1,"video":0}'`);
    expect(block).not.toContain("+0.00");
    // Fixes: one per line, numbers bare.
    const fails = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "rtx4090"]);
    expect(fails.out).toMatch(/^ {2}fix \(any one; cheapest first\):\n {4}--max-model-len \d+\n/m);
    expect(fails.out).not.toMatch(/'\d+'/);
  });

  it("the activation row names its phase; the encoder row is the encoder pass alone, not a part of the sampler peak", async () => {
    const result = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--mm-processor-kwargs", '{"max_pixels":200704}', "--limit-mm-per-prompt", '{"image":1,"video":0}']);
    expect(result.out).toMatch(/│ {3}activation peak +│ +\d+\.\d\d \((sampler warm-up|text pass|encoder pass)\) │/);
    expect(result.out).toMatch(/│ {5}vision encoder pass alone +│ +\d+\.\d\d │/);
    expect(result.out).not.toContain("of which vision encoder");
  });

  it("the markdown plan has every row of the table", async () => {
    const result = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"]);
    const md = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--format", "markdown"]);
    const tableRows = result.out.split("\n").filter((l) => l.startsWith("│") && !l.includes("GiB per GPU")).map((l) => (l.split("│")[1] ?? "").trim().replace("vLLM budget", "budget"));
    const mdRows = md.out.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| GiB") && !l.startsWith("| what if")).map((l) => (l.split("|")[1] ?? "").trim().replace(/\*\*/g, ""));
    for (const row of tableRows) expect(mdRows).toContain(row);
  });

  it("--explain names where each default comes from: the flag, or vLLM's rule", async () => {
    const result = await runCli(["--model", "qwen2.5-7b", "--gpu", "h100", "--max-num-seqs", "64", "--explain"], { COLUMNS: "400" });
    expect(result.out).toContain("  max_num_seqs: as given = 64\n      source: --max-num-seqs\n");
    expect(result.out).toContain("  max_num_batched_tokens: vLLM's default = 16,384\n      source: vllm/engine/arg_utils.py EngineArgs._set_default_args: the large-GPU table (>= 70 GiB and not an A100), API server column\n");
    expect(result.out).toContain("  gpu_memory_utilization: vLLM's default = 0.92\n      source: default of vLLM 0.29.0: 0.92");
    expect(result.out).toContain("  max_model_len: vLLM's default = 32,768\n      source: default: derived from config.json");
    const a100 = await runCli(["--model", "qwen2.5-7b", "--gpu", "a100-80g", "--explain"], { COLUMNS: "400" });
    expect(a100.out).toContain("the small-GPU table (an A100), API server column");
  });
});

describe("--help", () => {
  // commander wraps only for a TTY's width and leaves a description whole when under 40 cells remain
  // beside the flags: `compare --help` printed lines of 150+ cells with COLUMNS=80.
  it.each([[[]], [["plan"]], [["compare"]], [["solve"]], [["check"]], [["watch"]], [["log"]], [["tokens"]]])("%j --help fits 80 columns", async (cmd) => {
    const r = await runCli([...cmd, "--help"], { COLUMNS: "80" });
    expect(r.out).toContain("Usage: vram-plan");
    expect(widest(r.out)).toBeLessThanOrEqual(80);
  });
  it("a wider terminal gets longer help lines", async () => {
    const r = await runCli(["compare", "--help"], { COLUMNS: "200" });
    expect(widest(r.out)).toBeGreaterThan(80);
    expect(widest(r.out)).toBeLessThanOrEqual(200);
  });
});

describe("wrapLine", () => {
  it("counts the separator mark a broken line ends with (a 79-cell piece + ' ·' printed 81 cells, then a lone '·' line)", async () => {
    const { wrapLine } = await import("../src/render/format.js");
    const x = "x".repeat(38);
    const y = "y".repeat(38);
    const z = "z".repeat(10);
    // x · y is 79 cells; broken there, the line would end "y ·" at 81 cells, so the break comes after x.
    expect(wrapLine(`${x} · ${y} · ${z}`, 80, [" · "])).toEqual([`${x} ·`, `  ${y} · ${z}`]);
    // When the next piece joins too, the mark is never printed at the break point: x · y · z fits 92.
    expect(wrapLine(`${x} · ${y} · ${z}`, 92, [" · "])).toEqual([`${x} · ${y} · ${z}`]);
    // 2 + 38 + 3 + 38 = 81 > 80: the second line would not fit either way.
    for (const l of wrapLine(`${x} · ${y} · ${z} · ${x} · ${y}`, 80, [" · "])) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe("bad-input errors fit 80 columns, the error itself on the first line", () => {
  // Each printed one line of 90-240 cells before (the unknown model: 200).
  const BAD: [string[], string][] = [
    [["--model", "nemotron-super-49b", "--gpu", "h100"], "vram-plan: --model nemotron-super-49b: unknown model"],
    [["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--block-size", "7"], "vram-plan: --block-size: 7 is not a block size vLLM runs;"],
    [["--model", "qwen2.5-vl-7b", "--gpu", "h100", "--limit-mm-per-prompt", '{"images":2}'], "vram-plan: --limit-mm-per-prompt: 'images' is not a modality vLLM knows;"],
    [["--model", "qwen3-8b", "--gpu", "h100", "--kv-cache-dtype", "fp4"], "vram-plan: --kv-cache-dtype: invalid choice 'fp4' (did you mean fp8?);"],
    [["--model", "qwen3-8b", "--gpu", "h100", "--format", "yaml"], "vram-plan: option '--format <format>' argument 'yaml' is invalid."],
    [["--model", "qwen3-8b", "--gpu", "h100", "--gpu-memory-utilisation", "0.9"], "vram-plan: unknown option '--gpu-memory-utilisation'"],
    [["--model", "qwen3-8b"], "vram-plan: --gpu: required, or --gpu-memory SIZE"],
  ];
  it.each(BAD)("%j", async (argv, first) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    const lines = result.err.trimEnd().split("\n");
    expect(lines[0]).toBe(first);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}\S/);
    expect(widest(result.err)).toBeLessThanOrEqual(80);
  });

  it("the unknown model's hint puts the names that contain what was typed first (it suggested gemma-3-4b for nemotron-super-49b)", async () => {
    const result = await runCli(["--model", "llama-3.3-nemotron-super-49b", "--gpu", "h100"]);
    expect(result.err.replace(/\n {2}/g, " ")).toContain("did you mean llama3_3-nemotron-super-49b-v1? vram-plan models lists the catalog");
    const oss = await runCli(["--model", "gpt-oss", "--gpu", "h100"]);
    expect(oss.err.replace(/\n {2}/g, " ")).toContain("did you mean gpt-oss-120b, gpt-oss-20b?");
  });

  it("errorLines: a clause boundary near the width, the separator's mark kept, words never cut; joined back it is the message", async () => {
    const { errorLines } = await import("../src/render/format.js");
    const msg = "--kv-cache-dtype: invalid choice 'fp4' (did you mean fp8?); choose from auto, float16, bfloat16, fp8";
    expect(errorLines(msg, undefined, 80)).toEqual(["vram-plan: --kv-cache-dtype: invalid choice 'fp4' (did you mean fp8?);", "  choose from auto, float16, bfloat16, fp8"]);
    expect(errorLines(msg, undefined, 120)).toEqual([`vram-plan: ${msg}`]);
    const path = `/tmp/${"d".repeat(90)}/config.json`;
    const lines = errorLines(`${path}: not valid JSON`, undefined, 80);
    expect(lines).toEqual([`vram-plan: ${path}:`, "  not valid JSON"]);
    expect(errorLines("--model x: unknown model", "did you mean y?", 80)).toEqual(["vram-plan: --model x: unknown model", "  did you mean y?"]);
  });

  it("errors, warnings and notes are wrapped by wrapLine: the prefix keeps its first word, a long word stays whole", async () => {
    const { errorLines, noteText, warningText } = await import("../src/render/format.js");
    const path = `/models/${"d".repeat(85)}`;
    // 20 cells of "vram-plan: warning: " + 93 of path: over 80, but the path is neither cut nor left alone
    // on a line under an empty prefix; the rest wraps greedily at 80.
    expect(warningText(`${path} has no config.json; the model is read from its safetensors headers only`, 80)).toBe(
      `vram-plan: warning: ${path}\n  has no config.json; the model is read from its safetensors headers only\n`,
    );
    expect(noteText("--gpu auto: GPU 0 (NVIDIA H100 80GB HBM3) holds 2 other processes using 1.25 GiB in all", 80)).toBe(
      // 72 cells to "other"; with " processes" it would be 82.
      "vram-plan: note: --gpu auto: GPU 0 (NVIDIA H100 80GB HBM3) holds 2 other\n  processes using 1.25 GiB in all\n",
    );
    // A message whose first character is a control character (errorLine makes it a space): the old word
    // wrap printed "vram-plan: " with no word of the error, the path on the next line.
    expect(errorLines(`\n${path} missing`, undefined, 80)).toEqual([`vram-plan:  ${path}`, "  missing"]);
  });
});

describe("stderr warnings fit 80 columns", () => {
  it("an index-only checkpoint's warning (was one 190-cell line) wraps under its 'vram-plan: warning:' line", async () => {
    const { mkdtempSync, copyFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-index-only-"));
    copyFileSync(join("src", "data", "models", "Qwen__Qwen2.5-7B-Instruct.json"), join(dir, "config.json"));
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: 15231233024 }, weight_map: { "model.embed_tokens.weight": "model-00001-of-00004.safetensors" } }));
    const result = await runCli(["--model", dir, "--gpu", "l4"]);
    expect(result.code).toBe(0);
    const lines = result.err.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^vram-plan: warning: /);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}\S/);
    expect(result.err.replace(/\n {2}/g, " ")).toContain("checked against the index's metadata.total_size (15231233024 bytes)");
    for (const l of lines) if (!l.includes(dir)) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe("what-ifs of a plan that does not start", () => {
  it("Qwen2.5-VL-7B on an RTX 4090: each lever that alone does not start says so under its flags; on an A100 none does", async () => {
    const r = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "rtx4090"]);
    expect(r.code).toBe(1);
    const block = (r.out.split("What if (re-planned with one lever changed)\n")[1] ?? "").split("\n\n")[0] ?? "";
    const flagLines = block.split("\n").filter((l) => l.startsWith("      --"));
    expect(flagLines.length).toBe(3);
    // One image and no video keeps 0.49x of a 128,000-token request: more KV cache, still no start.
    for (const l of flagLines) expect(l).toMatch(/ {2}\(alone: does not start\)$/);
    expect(widest(block)).toBeLessThanOrEqual(80);
    const a100 = await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g"]);
    expect(a100.out).not.toContain("(alone: does not start)");
    // Markdown and HTML say it too, after the same flags (their what-if tables showed 0.49x as if it started).
    const md = (await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "rtx4090", "--format", "markdown"])).out;
    const mdRows = md.split("\n").filter((l) => l.startsWith("| ") && l.includes("`--"));
    expect(mdRows).toHaveLength(3);
    for (const l of mdRows) expect(l).toMatch(/` \(alone: does not start\) \|$/);
    const html = (await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "rtx4090", "--format", "html"])).out;
    expect(html.match(/<\/code> <span class="bad">\(alone: does not start\)<\/span><\/td>/g)).toHaveLength(3);
    expect((await runCli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--format", "markdown"])).out).not.toContain("(alone: does not start)");
  });
});

describe("wrapLine keeps a separator's mark with its words", () => {
  // fixtures/deployments/real/koyeb-example-vllm.Dockerfile: its check line's head is 80 cells, so head + " —"
  // (82) did not fit and the "—" was wrapped onto a line of its own.
  it("an 80-cell head: the mark opens the next line instead of standing alone", () => {
    const head = "ok   fixtures/deployments/real/koyeb-example-vllm.Dockerfile:3 ENTRYPOINT line 3";
    expect(head.length).toBe(80);
    const lines = wrapLine(`${head} — meta-llama/Meta-Llama-3.1-8B-Instruct on 1× h100-sxm`, 80, [" — "], "     ");
    expect(lines).toEqual([head, "     — meta-llama/Meta-Llama-3.1-8B-Instruct on 1× h100-sxm"]);
  });
  it("a head with room for the mark keeps it at the end of its line", () => {
    expect(wrapLine(`${"x".repeat(70)} — ${"y".repeat(20)}`, 80, [" — "], "  ")).toEqual([`${"x".repeat(70)} —`, `  ${"y".repeat(20)}`]);
  });
});

describe("visibleWidth: render/'s one width rule (format.ts), used by the boxed table and every wrapped line", () => {
  it("counts code points outside ANSI color codes", async () => {
    const { visibleWidth } = await import("../src/render/format.js");
    // "\x1b[32m" and "\x1b[0m" take no cells: "12.34 GiB" is 9.
    expect(visibleWidth("\x1b[32m12.34\x1b[0m GiB")).toBe(9);
    // "×" and "─" are one code unit and one cell each.
    expect(visibleWidth("1× h100 ─")).toBe(9);
    // U+1D465 (math italic x) is two UTF-16 code units but one code point: format.ts's old
    // visibleLength counted 2, box.ts's visibleWidth 1.
    expect(visibleWidth("\u{1d465}\u{1d465}")).toBe(2);
  });
  it("the boxed table pads a cell by the same count", async () => {
    const { boxTable } = await import("../src/render/box.js");
    // Column width 3 (the widest cell, "\x1b[1mabc\x1b[0m", has 3 visible cells); one space of padding each side.
    expect(boxTable([["\x1b[1mabc\x1b[0m"], ["\u{1d465}"]], ["right"]).split("\n")).toEqual([
      "┌─────┐",
      "│ \x1b[1mabc\x1b[0m │",
      "│   \u{1d465} │",
      "└─────┘",
    ]);
  });
  it("a word cut by wrapLine is cut between code points, never inside a surrogate pair", () => {
    const lines = wrapLine("\u{1d465}".repeat(100), 80);
    // 100 code points: 80 on the first line, the other 20 after a two-space indent.
    expect(lines).toEqual(["\u{1d465}".repeat(80), `  ${"\u{1d465}".repeat(20)}`]);
  });
});
