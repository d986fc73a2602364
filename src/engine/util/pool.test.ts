import { AdmissionGate } from './pool';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AdmissionGate', () => {
  it('lets `limit` holders in at once and the others in arrival order', async () => {
    const gate = new AdmissionGate(2, 10_000);
    const started: number[] = [];
    const finish: Array<() => void> = [];
    const runs = [0, 1, 2, 3].map((n) =>
      gate.run(async () => {
        started.push(n);
        await new Promise<void>((resolve) => (finish[n] = resolve));
        return n;
      })
    );
    await pause(5);
    expect(started).toEqual([0, 1]);
    expect(gate.holders).toBe(2);
    finish[1]();
    await pause(5);
    expect(started).toEqual([0, 1, 2]);
    finish[0]();
    finish[2]();
    await pause(5);
    finish[3]();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
    expect(gate.holders).toBe(0);
  });

  it('gives the place of a holder that takes longer than holdMs to the next in line', async () => {
    const gate = new AdmissionGate(1, 20);
    let releaseSlow!: () => void;
    const slow = gate.run(() => new Promise<string>((resolve) => (releaseSlow = () => resolve('slow'))));
    const quick = gate.run(async () => 'quick');
    // The quick one is not held up until the slow one ends: only for holdMs.
    await expect(quick).resolves.toBe('quick');
    expect(gate.holders).toBe(0);
    releaseSlow();
    await expect(slow).resolves.toBe('slow');
    // Leaving twice (after holdMs, then at the end) frees one place, not two.
    expect(gate.holders).toBe(0);
  });

  it('frees the place of work that fails', async () => {
    const gate = new AdmissionGate(1, 10_000);
    await expect(gate.run(async () => Promise.reject(new Error('bad file')))).rejects.toThrow('bad file');
    await expect(gate.run(async () => 'next')).resolves.toBe('next');
  });
});
