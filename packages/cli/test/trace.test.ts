import { describe, expect, it } from '@jest/globals';
import { loadPerSecond, parseTrace, TraceError, traceEndS } from '../src/trace.js';

function traceError(text: string): TraceError {
  try {
    parseTrace(text, 't.csv');
  } catch (err) {
    if (err instanceof TraceError) return err;
    throw err;
  }
  throw new Error('expected a TraceError');
}

describe('parseTrace', () => {
  it('reads the header, rows, comments and blank lines', () => {
    const trace = parseTrace('# a comment\n\nseconds,concurrency\n0,0\n10, 500  # siege\n\n70,0\n');
    expect(trace).toEqual({ metric: 'concurrency', points: [{ atS: 0, load: 0 }, { atS: 10, load: 500 }, { atS: 70, load: 0 }] });
    expect(traceEndS(trace)).toBe(70);
  });

  it('accepts an rps header, CRLF line ends and decimals', () => {
    expect(parseTrace('Seconds,RPS\r\n0,1.5\r\n2.5,.5\r\n')).toEqual({ metric: 'rps', points: [{ atS: 0, load: 1.5 }, { atS: 2.5, load: 0.5 }] });
  });

  it.each([
    ['an empty file', '# nothing\n', [{ line: 1, column: 1 }]],
    ['a wrong header', 'time,concurrency\n0,1\n', [{ line: 1, column: 1 }]],
    ['a wrong load column', 'seconds,cpu\n0,1\n', [{ line: 1, column: 2 }]],
    ['no data rows', 'seconds,rps\n', [{ line: 1, column: 1 }]],
    ['a negative load', 'seconds,concurrency\n0,-1\n', [{ line: 2, column: 2 }]],
    ['a non-numeric second', '# c\nseconds,concurrency\nabc,1\n', [{ line: 3, column: 1 }]],
    ['a missing column', 'seconds,concurrency\n0,1\n5\n', [{ line: 3, column: 1 }]],
    ['an extra column', 'seconds,concurrency\n0,1,2\n', [{ line: 2, column: 3 }]],
    ['seconds going back', 'seconds,concurrency\n0,1\n10,2\n10,3\n5,1\n', [{ line: 4, column: 1 }, { line: 5, column: 1 }]],
    ['several bad rows', 'seconds,concurrency\nx,1\n1,y\n', [{ line: 2, column: 1 }, { line: 3, column: 2 }]],
  ])('rejects %s, naming line and column', (_name, text, where) => {
    const err = traceError(text);
    expect(err.code).toBe('E_TRACE');
    expect(err.exitCode).toBe(2);
    expect(err.issues.map(({ line, column }) => ({ line, column }))).toEqual(where);
    expect(err.message).toContain(`t.csv:${where[0]?.line}:${where[0]?.column}`);
  });
});

describe('loadPerSecond', () => {
  it('is a step function, 0 before the first point', () => {
    const trace = parseTrace('seconds,concurrency\n2,5\n4.5,7\n6,0\n');
    expect(loadPerSecond(trace, 7)).toEqual([0, 0, 5, 5, 5, 7, 0, 0]);
  });
});
