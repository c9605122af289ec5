import { describe, expect, it } from 'vitest';
import { displayNameOf, indexPeople } from './people.ts';

describe('displayNameOf', () => {
  const index = indexPeople([
    { username: 'commander', displayName: '指挥长 李强', kind: 'user', role: 'commander' },
    { username: 'hotline', displayName: 'hotline', kind: 'system' },
  ]);
  it('shows an account by its display name and an integration by its name', () => {
    expect(displayNameOf(index, 'commander')).toBe('指挥长 李强');
    expect(displayNameOf(index, 'hotline')).toBe('hotline');
  });
  it('shows an unknown actor as it is, and nothing for none', () => {
    expect(displayNameOf(index, 'system:timer')).toBe('system:timer');
    expect(displayNameOf(index, 'removed-user')).toBe('removed-user');
    expect(displayNameOf(new Map(), 'commander')).toBe('commander');
    expect(displayNameOf(index, undefined)).toBe('');
    expect(displayNameOf(index, null)).toBe('');
  });
});
