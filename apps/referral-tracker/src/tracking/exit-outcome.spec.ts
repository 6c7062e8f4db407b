import { codeTable } from '@passerelle/codes';
import { closureOfExit, exitOutcomes } from './exit-outcome';

describe('closureOfExit', () => {
  it('puts every exit reason of the code table in exactly one list', () => {
    const { completed, failed } = exitOutcomes();
    const all = [...completed, ...failed];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...codeTable('exit-reasons').codes].sort());
  });

  it('closes employment or education as completed, anything else as failed with the reason in words', () => {
    expect(closureOfExit('employed-full-time')).toEqual({ to: 'completed' });
    expect(closureOfExit('in-training')).toEqual({ to: 'completed' });
    const failed = closureOfExit('unable-to-contact');
    expect(failed.to).toBe('failed');
    expect(failed.to === 'failed' && failed.text).toMatch(/^exited: .+/);
  });

  it('refuses a data file that names no such exit reason', () => {
    expect(() => exitOutcomes(__filename)).toThrow();
  });
});
