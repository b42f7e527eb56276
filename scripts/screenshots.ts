// npm run screenshots: the pictures in README.md, made by headless Chromium's --screenshot from what
// the build produces: an HTML report (`--format html`, light and dark) and the web page opened with a
// query. Writes docs/screenshots/*.png; look at them before committing.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromiumFlags, findChromium } from "../test/helpers/chromium.js";

const chromium = findChromium();
if (!chromium) {
  process.stderr.write("screenshots: no Chromium found ($CHROMIUM, /usr/bin/chromium); install Debian's: apt-get install chromium\n");
  process.exit(2);
}
const OUT = "docs/screenshots";
mkdirSync(OUT, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "vram-plan-screenshots-"));

function cli(args: string[]): string {
  return execFileSync(process.execPath, ["dist/cli.js", ...args], { encoding: "utf8", env: { ...process.env, HF_HUB_OFFLINE: "1", NO_COLOR: "1" } });
}

function shoot(url: string, png: string, size: string, extra: string[] = []): void {
  const profile = mkdtempSync(join(work, "profile-"));
  execFileSync(chromium as string, [...chromiumFlags(profile), ...extra, `--window-size=${size}`, "--virtual-time-budget=3000", `--screenshot=${resolve(png)}`, url], { stdio: "ignore" });
  process.stdout.write(`wrote ${png}\n`);
}

const report = join(work, "report.html");
writeFileSync(report, cli(["--model", "qwen2.5-vl-7b", "--gpu", "a100-80g", "--max-model-len", "32768", "--format", "html"]));
shoot(pathToFileURL(report).href, `${OUT}/report.png`, "1000,1300");
shoot(pathToFileURL(report).href, `${OUT}/report-dark.png`, "1000,760", ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"]);
const site = join(work, "site");
cli(["web", "--out", site]);
shoot(`${pathToFileURL(join(site, "index.html")).href}?model=llama-3.1-8b&gpu=l4&tensor-parallel-size=2&max-model-len=32768&kv-cache-dtype=fp8`, `${OUT}/web.png`, "1100,1250");
rmSync(work, { recursive: true, force: true });
