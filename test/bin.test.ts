// The installed bin (dist/cli.cjs, built by scripts/build-bin.mjs): CommonJS bundles loaded through
// V8's code cache (src/cli/compile-cache.ts), output written straight to the descriptors
// (src/cli/main.ts). These tests run the built files, as a user's shell does.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cacheFileFor } from "../src/cli/compile-cache.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const JOB = ["--model", "qwen3-8b", "--gpu", "h100", "--json"];
const run = (bin: string, argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", HF_HUB_OFFLINE: "1" } });
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the bundled bin", () => {
  it("has a compile cache for the main job and for check, named for the bundle's size and mtime", () => {
    const names = readdirSync(join(root, "dist", "bin"));
    for (const tag of ["plan", "check"]) expect(names).toContain(cacheFileFor(join(root, "dist", "bin", "vram-plan.cjs"), tag).split("/").pop());
  });

  it("every bundle is ASCII, so the loader's latin1 read is exact (scripts/build-bin.mjs escapes the rest)", () => {
    const files = ["vram-plan.cjs", ...readdirSync(join(root, "dist", "bin", "vendor")).filter((f) => f.endsWith(".cjs")).map((f) => `vendor/${f}`)];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(readFileSync(join(root, "dist", "bin", f)).findIndex((byte) => byte > 0x7f), f).toBe(-1);
  });

  it("package.json's bin and dist/cli.js give the same answer", () => {
    const cjs = run(join(root, "dist", "cli.cjs"), JOB);
    const esm = run(join(root, "dist", "cli.js"), JOB);
    expect(cjs.status).toBe(0);
    expect(esm.stdout).toBe(cjs.stdout);
    expect(JSON.parse(cjs.stdout).fits).toBe(true);
  });

  it("a cache that is garbage, or from another build, is not used: the answer is the same", () => {
    const dir = mkdtempSync(join(tmpdir(), "vram-plan-bin-"));
    temps.push(dir);
    // dist/ and src/data as the package ships them.
    cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true, preserveTimestamps: true });
    cpSync(join(root, "src", "data"), join(dir, "src", "data"), { recursive: true });
    const bundle = join(dir, "dist", "bin", "vram-plan.cjs");
    const expected = run(join(root, "dist", "cli.cjs"), JOB).stdout;
    // Same name (same size and mtime), bytes V8 cannot use: it rejects them and compiles.
    writeFileSync(cacheFileFor(bundle, "plan"), Buffer.alloc(4096, 7));
    const garbage = run(join(dir, "dist", "cli.cjs"), JOB);
    expect(garbage.status).toBe(0);
    expect(garbage.stdout).toBe(expected);
    // The bundle rebuilt (a new mtime): the old caches no longer match its name.
    const before = cacheFileFor(bundle, "plan");
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(cacheFileFor(bundle, "plan")).not.toBe(before);
    expect(run(join(dir, "dist", "cli.cjs"), JOB).stdout).toBe(expected);
  });

  it("a reader that goes away (| head) ends the output quietly, with the run's own exit code", async () => {
    const child = spawn(process.execPath, [join(root, "dist", "cli.cjs"), "--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--explain"], { stdio: ["ignore", "pipe", "pipe"] });
    // Closed before the bin has started: its first write meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
