// The process around run(argv, io): the bin's body, shared by the bundled bin (dist/cli.cjs loads it
// through the compile cache, src/cli/compile-cache.ts) and by `npm run dev` (src/cli.ts under tsx).
import { fstatSync, statSync, writeSync } from "node:fs";
import { builtin } from "../builtins.js";
import { run } from "./run.js";
import type { Io } from "../commands/io.js";

/**
 * Writes straight to the file descriptor. process.stdout on a pipe is a net.Socket: creating it loads
 * node:net and streams, ≈5 ms of a run that is ≈25 ms above bare node (--cpu-prof; npm run bench runs
 * the bin with pipes). Synchronous writes also keep stdout and stderr in order. A pipe whose reader
 * has gone (`| head`) ends the output quietly, as for any CLI; a non-blocking descriptor that is full
 * (EAGAIN) hands the rest to the stream, which waits for it.
 */
function descriptorWriter(fd: 1 | 2): (text: string) => void {
  let readerGone = false;
  let stream: NodeJS.WriteStream | null = null;
  return (text) => {
    if (readerGone) return;
    if (stream) {
      stream.write(text);
      return;
    }
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    while (written < bytes.length) {
      try {
        written += writeSync(fd, bytes, written);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EPIPE") {
          readerGone = true;
          return;
        }
        if (code !== "EAGAIN") throw err;
        stream = fd === 1 ? process.stdout : process.stderr;
        stream.write(bytes.subarray(written));
        return;
      }
    }
  };
}

/** Whether stdout is a terminal, without creating process.stdout: only a character device can be one. */
function stdoutIsTTY(): boolean {
  try {
    const out = fstatSync(1);
    if (!out.isCharacterDevice()) return false;
    // > /dev/null (a CI job that wants only the exit code) is a character device too, and node:tty
    // loads node:net and streams (≈5 ms, --cpu-prof): the same device as /dev/null is no terminal.
    if (out.rdev === statSync("/dev/null", { throwIfNoEntry: false })?.rdev) return false;
  } catch {
    return false;
  }
  return builtin<typeof import("node:tty")>("node:tty").isatty(1);
}

function processIo(): Io {
  return { stdout: descriptorWriter(1), stderr: descriptorWriter(2), isTTY: stdoutIsTTY(), env: process.env };
}

/** Runs the command line and leaves its exit code on the process. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await run([...argv], processIo());
}

/**
 * Runs a command line with its output dropped: the build (scripts/build-bin.mjs) runs typical jobs this
 * way so the functions they compile are in the compile cache it writes.
 */
export async function runQuietly(argv: readonly string[]): Promise<number> {
  return run([...argv], { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: { ...process.env, NO_COLOR: "1", HF_HUB_OFFLINE: "1" } });
}
