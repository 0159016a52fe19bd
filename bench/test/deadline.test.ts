import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { withDeadline } from '../src/support/deadline.js';

// The bug this guards against only shows after a garbage collection, so the test forces them.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('withDeadline', () => {
  it('aborts when the time is up, even after garbage collections', async () => {
    const deadline = withDeadline(new AbortController().signal, 50);
    const aborted = once(deadline.signal, 'abort');
    const collecting = setInterval(collectGarbage, 5);
    try {
      await aborted;
    } finally {
      clearInterval(collecting);
    }
    expect(deadline.signal.reason).toEqual(new Error('deadline of 50 ms reached'));
  });

  it('aborts with the parent, and not on its own once cleared', async () => {
    const parent = new AbortController();
    const deadline = withDeadline(parent.signal, 60_000);
    parent.abort(new Error('interrupted'));
    expect(deadline.signal.reason).toEqual(new Error('interrupted'));

    const cleared = withDeadline(new AbortController().signal, 10);
    cleared.clear();
    const later = withDeadline(new AbortController().signal, 30);
    await once(later.signal, 'abort');
    expect(cleared.signal.aborted).toBe(false);
  });
});
