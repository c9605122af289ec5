import { describe, expect, it } from 'vitest';
import { SessionIndex } from './session-index.ts';

describe('SessionIndex', () => {
  it('finds sockets by session key and by user, each once, and forgets removed ones', () => {
    const ix = new SessionIndex<string>();
    ix.add('a1', 'sess-a', 'user-1');
    ix.add('a2', 'sess-a', 'user-1');
    ix.add('b1', 'sess-b', 'user-1');
    ix.add('c1', 'sess-c', 'user-2');
    expect(ix.matching({ sessionKeys: ['sess-a'] }).sort()).toEqual(['a1', 'a2']);
    expect(ix.matching({ userIds: ['user-1'] }).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(ix.matching({ sessionKeys: ['sess-a', 'sess-c'], userIds: ['user-1'] }).sort()).toEqual([
      'a1',
      'a2',
      'b1',
      'c1',
    ]);
    expect(ix.matching({ sessionKeys: ['nope'], userIds: [] })).toEqual([]);
    ix.remove('a1');
    ix.remove('a1');
    expect(ix.matching({ userIds: ['user-1'] }).sort()).toEqual(['a2', 'b1']);
    ix.remove('a2');
    ix.remove('b1');
    ix.remove('c1');
    expect(ix.size).toBe(0);
    expect(ix.matching({ sessionKeys: ['sess-a'], userIds: ['user-1', 'user-2'] })).toEqual([]);
  });
});
