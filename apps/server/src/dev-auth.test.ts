import { describe, expect, it } from 'vitest';
import { authenticateHeader, authenticateToken } from './dev-auth.js';

describe('development authentication (temporary)', () => {
  it.each(['dev.abc', 'dev.Alice_01', `dev.${'a'.repeat(64)}`, 'dev.with-dash'])('accepts %s', (token) => {
    expect(authenticateToken(token)).toEqual({ userId: token.slice(4), deviceId: 1 });
  });

  it.each(['', 'dev.', 'dev.ab', `dev.${'a'.repeat(65)}`, 'dev.a b c', 'dev.al.ice', 'prod.alice', ' dev.alice'])('refuses "%s"', (token) => {
    expect(authenticateToken(token)).toBeNull();
  });

  it('reads a Bearer header, whatever the scheme case, and nothing else', () => {
    expect(authenticateHeader('Bearer dev.alice')).toEqual({ userId: 'alice', deviceId: 1 });
    expect(authenticateHeader('bearer dev.alice')?.userId).toBe('alice');
    expect(authenticateHeader('Basic dev.alice')).toBeNull();
    expect(authenticateHeader('Bearer dev.alice extra')).toBeNull();
    expect(authenticateHeader(undefined)).toBeNull();
  });
});
