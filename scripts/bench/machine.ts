/**
 * Facts about the machine a benchmark ran on: CPUs (`nproc`), CPU model and
 * memory from /proc, kernel, tool versions, load average.
 *
 * @module
 */

import { runner } from "./proc.ts";
import type { MachineInfo } from "./results.ts";

async function out(argv: string[]): Promise<string> {
  try {
    const r = await runner.run(argv, { timeoutMs: 10_000 });
    return r.code === 0 ? r.stdout.trim().split("\n")[0] ?? "" : "";
  } catch {
    return "";
  }
}

function read(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** The current /proc/loadavg (first three fields). */
export function loadAvg(): string {
  return read("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

/** Collects the machine facts. */
export async function machineInfo(): Promise<MachineInfo> {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(read("/proc/cpuinfo"));
  const mem = /^MemTotal:\s+(\d+) kB/m.exec(read("/proc/meminfo"));
  return {
    nproc: Number(await out(["nproc"])) || navigator.hardwareConcurrency,
    cpuModel: cpu?.[1]?.trim() ?? "unknown",
    memTotalMb: mem ? Math.round(Number(mem[1]) / 1024) : 0,
    kernel: await out(["uname", "-sr"]),
    deno: Deno.version.deno,
    tmux: await out(["tmux", "-V"]),
    node: await out(["node", "--version"]),
    loadAvg: loadAvg(),
  };
}
