// Reading a user's file safely: only regular files (a FIFO would block forever, /dev/zero grow
// without end, a directory fail obscurely), checked with stat BEFORE opening, opened non-blocking,
// read up to a size cap; inside a checkout, symlinks must resolve to a file inside it.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, basename, sep } from "node:path";
import { InputError } from "../errors.js";

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/**
 * A size in a "… is over the … limit" message: KiB under 1 MiB, else MiB, rounded up, so a file one
 * byte over a 512 KiB limit reads 513 KiB, not "512 KiB is over the 512 KiB limit" (the limits are
 * whole KiB or MiB, so they read exactly). The one such formatter for the readers.
 */
export function limitSizeText(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.ceil(bytes / 2 ** 20)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function errno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "ELOOP" ? "too many symbolic links" : (code ?? "error");
}

/**
 * Stat (following symlinks) and require a regular file no larger than `maxBytes`; returns its size.
 * `label` names the file in the message. Throws InputError; ENOENT is reported unless `missingOk`.
 */
export function statRegularFile(path: string, maxBytes: number, label = path, missingOk = false): number | null {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (missingOk && (code === "ENOENT" || code === "ENOTDIR")) return null;
    throw new InputError(label, `${label}: cannot read (${errno(err)})`);
  }
  if (!st.isFile()) throw new InputError(label, `${label}: ${kindOf(st)}, not a regular file`);
  if (st.size > maxBytes) throw new InputError(label, `${label}: ${limitSizeText(st.size)} is over the ${limitSizeText(maxBytes)} limit for this kind of file`);
  return st.size;
}

/**
 * Opens a file already checked by statRegularFile, non-blocking (so a file swapped for a FIFO
 * between stat and open cannot block), and checks again on the descriptor.
 */
export function openRegularFile(path: string, maxBytes: number, label = path): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InputError(label, `${label}: cannot open (${errno(err)})`);
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.size > maxBytes) {
    closeSync(fd);
    throw new InputError(label, `${label}: ${st.isFile() ? `${limitSizeText(st.size)} is over the ${limitSizeText(maxBytes)} limit` : `${kindOf(st)}, not a regular file`}`);
  }
  return { fd, size: st.size };
}

/** The text of a regular file of at most `maxBytes` (UTF-8); undefined when missing and `missingOk`. */
export function readTextFile(path: string, maxBytes: number, opts: { label?: string; missingOk?: boolean } = {}): string | undefined {
  const label = opts.label ?? path;
  if (statRegularFile(path, maxBytes, label, opts.missingOk === true) === null) return undefined;
  const { fd, size } = openRegularFile(path, maxBytes, label);
  try {
    // Read at most the cap (+1 byte to notice a file that grew past it).
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(size, 0) + 1));
    let got = 0;
    for (;;) {
      const bytesRead = readSync(fd, buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got >= buf.length) break;
    }
    if (got > maxBytes) throw new InputError(label, `${label}: over the ${limitSizeText(maxBytes)} limit for this kind of file`);
    return buf.toString("utf8", 0, got);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(label, `${label}: cannot read (${errno(err)})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The directory a checkout's files must resolve into: the directory itself, or for a Hugging Face
 * cache snapshot (…/models--org--name/snapshots/<rev>, whose files are symlinks to ../../blobs/)
 * the repository folder models--org--name.
 */
export function checkoutRoot(dir: string): string {
  let real: string;
  try {
    real = realpathSync.native(dir);
  } catch {
    return dir;
  }
  const parent = dirname(real);
  if (basename(parent) === "snapshots" && basename(dirname(parent)).startsWith("models--")) return dirname(parent);
  return real;
}

/**
 * Requires `path` (a file of the checkout whose root is `root`) to resolve, through any symlinks,
 * to a file inside `root`: a symlinked shard pointing at /etc/passwd is refused before it is read.
 * Missing files pass (the caller reports them).
 */
export function requireInside(path: string, root: string, label = path): void {
  let real: string;
  try {
    // realpath(3) in one call: node's own realpathSync walks every component with lstat (4 calls for
    // /tmp/x/y/shard), which for a 100-shard checkout was ≈4 ms of the start-up npm run bench measures.
    real = realpathSync.native(path);
  } catch {
    return;
  }
  if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new InputError(label, `${label}: a symbolic link to a file outside the checkout (refused)`);
  }
}

/** Standard input ("-" where documented) as text, read up to `maxBytes` (/dev/zero piped in is refused, not buffered). */
export function readStdinText(maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let bytesRead: number;
    try {
      bytesRead = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue;
      if (code === "EOF") break;
      throw new InputError("-", `standard input: cannot read (${errno(err)})`);
    }
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw new InputError("-", `standard input: over the ${limitSizeText(maxBytes)} limit for this kind of file`);
    chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A command's input: the file, or standard input for "-" (`stdin` where the caller holds it already,
 * as tests do, else file descriptor 0), at most `maxBytes` either way. The one reader of check's
 * deployment files and log's logs.
 */
export function readInputText(file: string, maxBytes: number, stdin?: () => string): string {
  if (file !== "-") return readTextFile(file, maxBytes) ?? "";
  if (stdin === undefined) return readStdinText(maxBytes);
  const text = stdin();
  if (Buffer.byteLength(text) > maxBytes) throw new InputError("-", `standard input: over the ${limitSizeText(maxBytes)} limit for this kind of file`);
  return text;
}
