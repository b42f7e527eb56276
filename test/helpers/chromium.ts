// Headless Chromium driven over the DevTools protocol (its --remote-debugging-port, undici's WebSocket):
// no browser download, no extra package. Used by the web page's test and `npm run screenshots`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "undici";

/** Chromium's path: $CHROMIUM, else Debian's /usr/bin/chromium, else other usual names; null when none. */
export function findChromium(env: Record<string, string | undefined> = process.env): string | null {
  const candidates = [env["CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p)) ?? null;
}

/** The flags every run uses: headless, no network of its own, a fresh profile. */
export function chromiumFlags(profileDir: string): string[] {
  return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars", `--user-data-dir=${profileDir}`];
}

export interface ConsoleEntry {
  level: string;
  text: string;
}

export interface Page {
  /** Opens `url` and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Evaluates an expression in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Console errors, uncaught exceptions and failed loads seen since the page was made. */
  errors: ConsoleEntry[];
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** o[k1][k2]… when each step is an object, else undefined. */
function at(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export async function launchChromium(executable: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "vram-plan-chromium-"));
  const proc: ChildProcess = spawn(executable, [...chromiumFlags(profile), "--remote-debugging-port=0", "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });
  const wsUrl = await new Promise<string>((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${buf.slice(-500)}`)), 30_000);
    proc.stderr?.on("data", (d: Buffer) => {
      buf += d.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(buf);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    proc.on("exit", (code) => reject(new Error(`Chromium exited (${code}): ${buf.slice(-500)}`)));
  });
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("cannot connect to Chromium's DevTools")));
  });
  let next = 1;
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  const listeners: ((m: Message) => void)[] = [];
  ws.addEventListener("message", (ev) => {
    const message = JSON.parse(String(ev.data)) as Message;
    if (message.id !== undefined) {
      const p = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) p?.reject(new Error(message.error.message));
      else p?.resolve(message.result ?? {});
    } else for (const l of listeners) l(message);
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  return {
    async newPage(): Promise<Page> {
      const { targetId } = (await send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
      const { sessionId } = (await send("Target.attachToTarget", { targetId, flatten: true })) as { sessionId: string };
      const errors: ConsoleEntry[] = [];
      let loaded: (() => void) | null = null;
      listeners.push((message) => {
        if (message.sessionId !== sessionId || !message.params) return;
        const p = message.params;
        if (message.method === "Runtime.consoleAPICalled" && (p["type"] === "error" || p["type"] === "assert")) {
          const args = at(p, "args");
          errors.push({ level: `console.${String(p["type"])}`, text: JSON.stringify(Array.isArray(args) ? args.map((a) => at(a, "value") ?? at(a, "description")) : args) });
        }
        if (message.method === "Runtime.exceptionThrown") errors.push({ level: "exception", text: String(at(p, "exceptionDetails", "exception", "description") ?? at(p, "exceptionDetails", "text")) });
        if (message.method === "Log.entryAdded" && at(p, "entry", "level") === "error") errors.push({ level: "log", text: `${String(at(p, "entry", "text"))} ${String(at(p, "entry", "url") ?? "")}` });
        if (message.method === "Page.loadEventFired" && loaded) {
          loaded();
          loaded = null;
        }
      });
      await send("Page.enable", {}, sessionId);
      await send("Runtime.enable", {}, sessionId);
      await send("Log.enable", {}, sessionId);
      return {
        errors,
        async goto(url: string): Promise<void> {
          const done = new Promise<void>((resolve) => (loaded = resolve));
          await send("Page.navigate", { url }, sessionId);
          await done;
        },
        async evaluate<T>(expression: string): Promise<T> {
          const r = (await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true }, sessionId)) as { result: { value: T }; exceptionDetails?: { text: string } };
          if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.text}`);
          return r.result.value;
        },
      };
    },
    async close(): Promise<void> {
      // The browser may exit before it answers: wait for the answer at most 2 s.
      await Promise.race([send("Browser.close").catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      ws.close();
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null) resolve();
        else {
          const t = setTimeout(() => {
            proc.kill("SIGKILL");
            resolve();
          }, 5000);
          proc.on("exit", () => {
            clearTimeout(t);
            resolve();
          });
        }
      });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
