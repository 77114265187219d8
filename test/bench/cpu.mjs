import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

// workerd's own CPU time, read from /proc (Linux). workerd runs the Worker, the local D1 and the
// Durable Objects on one thread, so the CPU it spends per request is what caps requests/s once
// that thread is busy, whether or not the load generator saturates first. Elsewhere the column
// stays empty.

function clockTicksPerSecond() {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** `/proc/<pid>/stat` fields after the command name, which may itself contain spaces. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return {
    name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    fields: stat.slice(stat.lastIndexOf(")") + 2).split(" "),
  };
}

/** The workerd process Miniflare started for this run: a child of this process. */
function findWorkerd() {
  let pids;
  try {
    pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const { name, fields } = statFields(pid);
      if (name === "workerd" && Number(fields[1]) === process.pid) return pid;
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}

/**
 * A reader of workerd's CPU seconds so far (user + system, every thread), or `null` when there
 * is no /proc to read.
 */
export function workerdCpuClock() {
  const pid = findWorkerd();
  if (!pid) return null;
  const ticks = clockTicksPerSecond();
  return () => {
    const { fields } = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  };
}

/** Runs `load` and adds `cpuMs`: workerd CPU milliseconds per request during it. */
export async function withCpu(clock, load) {
  const before = clock?.();
  const result = await load();
  if (!clock || result.requests === 0) return { ...result, cpuMs: null };
  return { ...result, cpuMs: ((clock() - before) * 1000) / result.requests };
}
