import { describe, expect, it } from 'vitest';
import { bannerWarnings, listedWarnings } from './warning-order.ts';
import { warning } from './testing/fixtures.ts';

const NOW = Date.parse('2024-06-01T12:00:00.000Z');

describe('which warnings show where', () => {
  const ws = [
    warning('y', { colour: 'yellow' }),
    warning('r-drill', { colour: 'red', routing: 'drill', status: 'Exercise' }),
    warning('o', { colour: 'orange' }),
    warning('r', { colour: 'red' }),
    warning('b', { colour: 'blue' }),
    warning('gone', { colour: 'red', expires: '2024-06-01T11:59:59.000Z' }),
  ];
  it('lists every warning in force, most severe first, live before drills', () => {
    expect(listedWarnings(ws, NOW).map((w) => w.id)).toEqual(['r', 'r-drill', 'o', 'y', 'b']);
  });
  it('puts only orange and red on the wall banner', () => {
    expect(bannerWarnings(ws, NOW).map((w) => w.id)).toEqual(['r', 'r-drill', 'o']);
  });
});
