/** requestSignal: what a request holds is freed once, when it is answered or abandoned, even if registered late. */
import { describe, expect, it } from 'vitest';
import { requestSignal } from '../../src/agent/methods/common.js';

describe('requestSignal', () => {
  it('runs the releases at done(), once; one registered after done() (work that outlived an aborted request) runs at once', () => {
    const request = requestSignal(60_000);
    const freed: string[] = [];
    request.atEnd(() => freed.push('kept parse'));
    expect(freed).toEqual([]);
    request.done();
    expect(freed).toEqual(['kept parse']);
    request.atEnd(() => freed.push('late'));
    expect(freed).toEqual(['kept parse', 'late']);
    request.done();
    expect(freed).toEqual(['kept parse', 'late']);
  });

  it('a release that throws does not stop the others', () => {
    const request = requestSignal(60_000);
    const freed: string[] = [];
    request.atEnd(() => { throw new Error('gone'); });
    request.atEnd(() => freed.push('second'));
    request.done();
    expect(freed).toEqual(['second']);
    expect(() => request.atEnd(() => { throw new Error('late'); })).not.toThrow();
  });
});
