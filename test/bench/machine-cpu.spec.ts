import { busyTicks, cpuWindow, describeCpuWindow, processTicks, startCpuWindow, type CpuSnapshot } from './machine-cpu';

describe('machine CPU of a benchmark window', () => {
  it('counts every busy field of /proc/stat but idle and iowait', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(busyTicks('cpu  20024 5 7093 67045 447 3 221 116 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n')).toBe(
      20024 + 5 + 7093 + 3 + 221 + 116,
    );
  });

  it('refuses a /proc/stat without its cpu line first', () => {
    expect(() => busyTicks('intr 1 2 3\n')).toThrow('does not start with the cpu line');
  });

  it("reads utime + stime of a process whose command holds spaces and a ')'", () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '10', '0', '0', '0', '1234', '56', '0', '0'];
    expect(processTicks(`4242 (postgres: a) b) ${fields.join(' ')} 20 0 1`)).toEqual({
      command: 'postgres: a) b',
      ticks: 1290,
    });
  });

  it('divides the window per unit, counts a PostgreSQL backend born in the window from zero, and derives the ceiling', () => {
    const start: CpuSnapshot = { at: 1_000, machineTicks: 500, nodeUs: 2_000_000, postgresTicks: new Map([[10, 40]]) };
    // 2 s later: 300 ticks (3 s of CPU at 100 a second), node 2 s of it, backend 10 +20 ticks, backend 11 new with 30.
    const end: CpuSnapshot = {
      at: 3_000,
      machineTicks: 800,
      nodeUs: 4_000_000,
      postgresTicks: new Map([
        [10, 60],
        [11, 30],
      ]),
    };
    expect(cpuWindow(start, end, 1_000, 2, 100)).toEqual({
      seconds: 2,
      cores: 2,
      busyCores: 1.5,
      perUnitUs: { machine: 3_000, node: 2_000, postgres: 500, other: 500 },
      ceilingPerSecond: 667,
    });
  });

  it('gives no ceiling, rather than an infinite one, when not one CPU tick passed', () => {
    const at: CpuSnapshot = { at: 0, machineTicks: 7, nodeUs: 0, postgresTicks: new Map() };
    const window = cpuWindow(at, { ...at, at: 5 }, 10, 2, 100);
    expect(window.ceilingPerSecond).toBeUndefined();
    expect(describeCpuWindow(window, 'event')).toContain('the CPU allows at most any number of events/s');
  });

  it("sees this process's own work in a window, within the machine's", () => {
    const end = startCpuWindow();
    if (!end) return; // not Linux: the bench prints nothing either
    // Spun until this process has used 300 ms of CPU, not for 300 ms of wall time: other suites
    // share the cores, so wall time says nothing about how much CPU the loop got.
    const cpu0 = process.cpuUsage();
    let spin = 0;
    for (let used = 0; used < 300_000;) {
      for (let i = 0; i < 10_000; i += 1) spin += Math.sqrt(spin + i);
      const { user, system } = process.cpuUsage(cpu0);
      used = user + system;
    }
    const window = end(1);
    expect(spin).toBeGreaterThan(0);
    expect(window.perUnitUs.node).toBeGreaterThanOrEqual(300_000);
    // /proc/stat counts in ticks of 10 ms; node's own figure is exact.
    expect(window.perUnitUs.machine).toBeGreaterThan(window.perUnitUs.node - 30_000);
    expect(window.busyCores).toBeGreaterThan(0);
    expect(window.busyCores).toBeLessThanOrEqual(window.cores + 0.1);
    expect(window.ceilingPerSecond).toBe(Math.round((window.cores * 1e6) / window.perUnitUs.machine));
    expect(describeCpuWindow(window, 'event')).toMatch(
      /^machine CPU \d+ µs\/event \(node \d+, PostgreSQL \d+, broker and the rest \d+\), [\d.]+ of \d+ cores busy; the CPU allows at most \d+ events\/s$/,
    );
  });
});
