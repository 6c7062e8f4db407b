import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPU the whole machine spent over a benchmark window, from Linux' /proc: all of it (/proc/stat),
 * this process (process.cpuUsage, every thread), and PostgreSQL's processes. On a machine whose
 * cores are shared by the broker, PostgreSQL and node, this is what bounds a rate: at best,
 * `cores / cpuPerUnit` units a second.
 */
export interface CpuWindow {
  seconds: number;
  cores: number;
  /** Cores kept busy on average over the window (all processes). */
  busyCores: number;
  /** Microseconds of CPU per unit of work: the machine, this node process, PostgreSQL, the rest. */
  perUnitUs: { machine: number; node: number; postgres: number; other: number };
  /** The rate the machine's CPU allows at most if every core were busy: cores / machine CPU per unit (undefined when no CPU tick passed). */
  ceilingPerSecond: number | undefined;
}

/** Counters read at one instant: wall clock (ms), the machine's busy ticks, node's CPU (µs), each PostgreSQL process' ticks by pid. */
export interface CpuSnapshot {
  at: number;
  machineTicks: number;
  nodeUs: number;
  postgresTicks: Map<number, number>;
}

const TICKS_PER_SECOND = clockTicks();

/** Starts a window; the returned function ends it and divides by the units of work done. Undefined off Linux. */
export function startCpuWindow(): ((units: number) => CpuWindow) | undefined {
  const start = snapshot();
  if (!start) return undefined;
  return (units) => cpuWindow(start, snapshot()!, units, availableParallelism(), TICKS_PER_SECOND);
}

/** What happened between two snapshots, per unit of work. */
export function cpuWindow(
  start: CpuSnapshot,
  end: CpuSnapshot,
  units: number,
  cores: number,
  ticksPerSecond: number,
): CpuWindow {
  const toUs = (ticks: number): number => (ticks * 1e6) / ticksPerSecond;
  const seconds = (end.at - start.at) / 1000;
  const machineUs = toUs(end.machineTicks - start.machineTicks);
  const nodeUs = end.nodeUs - start.nodeUs;
  // A backend that started inside the window counts from zero; one that ended in it is lost.
  let postgresTicks = 0;
  for (const [pid, ticks] of end.postgresTicks) postgresTicks += ticks - (start.postgresTicks.get(pid) ?? 0);
  const postgresUs = toUs(postgresTicks);
  const perUnit = (us: number): number => Math.round(us / units);
  return {
    seconds,
    cores,
    busyCores: machineUs / 1e6 / seconds,
    perUnitUs: {
      machine: perUnit(machineUs),
      node: perUnit(nodeUs),
      postgres: perUnit(postgresUs),
      other: perUnit(Math.max(0, machineUs - nodeUs - postgresUs)),
    },
    ceilingPerSecond: machineUs > 0 ? Math.round((cores * 1e6 * units) / machineUs) : undefined,
  };
}

/** One line for the bench's stderr. */
export function describeCpuWindow(window: CpuWindow, unit: string): string {
  const { machine, node, postgres, other } = window.perUnitUs;
  return (
    `machine CPU ${machine} µs/${unit} (node ${node}, PostgreSQL ${postgres}, broker and the rest ${other}), ` +
    `${window.busyCores.toFixed(2)} of ${window.cores} cores busy; ` +
    `the CPU allows at most ${window.ceilingPerSecond ?? 'any number of'} ${unit}s/s`
  );
}

function snapshot(): CpuSnapshot | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machineTicks: busyTicks(stat),
    nodeUs: usage.user + usage.system,
    postgresTicks: postgresProcessTicks(),
  };
}

/** Busy ticks of all cores from /proc/stat's first line (cpu user nice system idle iowait irq softirq steal ...): all but idle and iowait. */
export function busyTicks(procStat: string): number {
  const fields = procStat.slice(0, procStat.indexOf('\n')).trim().split(/\s+/);
  if (fields[0] !== 'cpu') throw new Error(`/proc/stat does not start with the cpu line: ${fields[0]}`);
  return fields
    .slice(1)
    .map(Number)
    .reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + value), 0);
}

/** Command and CPU ticks (utime + stime) of one /proc/<pid>/stat line; the command may hold spaces and parentheses. */
export function processTicks(pidStat: string): { command: string; ticks: number } {
  const close = pidStat.lastIndexOf(')');
  const command = pidStat.slice(pidStat.indexOf('(') + 1, close);
  // After the command come state (field 3), ... utime and stime (fields 14 and 15).
  const rest = pidStat.slice(close + 2).split(' ');
  return { command, ticks: Number(rest[11]) + Number(rest[12]) };
}

function postgresProcessTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone between the listing and the read
    }
    const { command, ticks: used } = processTicks(stat);
    if (command.startsWith('postgres')) ticks.set(Number(entry), used);
  }
  return ticks;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
