import { busyTicks, describeCpuWindow, processTicks, startCpuWindow } from './machine-cpu';

describe('machine CPU of a benchmark window', () => {
  it('counts every busy field of /proc/stat but idle and iowait', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(busyTicks('cpu  20024 5 7093 67045 447 3 221 116 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n')).toBe(20024 + 5 + 7093 + 3 + 221 + 116);
  });

  it('refuses a /proc/stat without its cpu line first', () => {
    expect(() => busyTicks('intr 1 2 3\n')).toThrow('does not start with the cpu line');
  });

  it("reads utime + stime of a process whose command holds spaces and a ')'", () => {
    const fields = ['S', '1', '2', '3', '0', '-1', '4194560', '10', '0', '0', '0', '1234', '56', '0', '0'];
    expect(processTicks(`4242 (postgres: a) b) ${fields.join(' ')} 20 0 1`)).toEqual({ command: 'postgres: a) b', ticks: 1290 });
  });

  it("sees this process's own work in a window, within the machine's", () => {
    const end = startCpuWindow();
    if (!end) return; // not Linux: the bench prints nothing either
    const until = performance.now() + 300;
    let spin = 0;
    while (performance.now() < until) spin += Math.sqrt(spin + 1);
    const window = end(1);
    expect(spin).toBeGreaterThan(0);
    expect(window.perUnitUs.node).toBeGreaterThan(250_000);
    // /proc/stat counts in ticks of 10 ms; node's own figure is exact.
    expect(window.perUnitUs.machine).toBeGreaterThan(window.perUnitUs.node - 30_000);
    expect(window.busyCores).toBeGreaterThan(0.7);
    expect(window.ceilingPerSecond).toBeGreaterThan(0);
    expect(describeCpuWindow(window, 'event')).toMatch(/^machine CPU \d+ µs\/event \(node \d+, PostgreSQL \d+, broker and the rest \d+\), [\d.]+ of \d+ cores busy; the CPU allows at most \d+ events\/s$/);
  });
});
