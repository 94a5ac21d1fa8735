import { describe, expect, it } from 'vitest';
import { isFromHost } from './group-host.js';

describe('isFromHost', () => {
  const inCall = [
    { userId: 'alice', deviceId: 1 },
    { userId: 'bob', deviceId: 2 },
  ];
  const membership = { holderOf: (device: { userId: string; deviceId: number }) => inCall.find((p) => p.userId === device.userId && p.deviceId === device.deviceId) as never };

  it("accepts the host's device that is in the call", () => {
    expect(isFromHost({ userId: 'alice', deviceId: 1 }, 'alice', membership)).toBe(true);
  });

  it('refuses a participant who is not the host', () => {
    expect(isFromHost({ userId: 'bob', deviceId: 2 }, 'alice', membership)).toBe(false);
  });

  it("refuses a host's device that is not in the call", () => {
    expect(isFromHost({ userId: 'alice', deviceId: 9 }, 'alice', membership)).toBe(false);
  });

  it('refuses everyone when no host is known', () => {
    expect(isFromHost({ userId: 'alice', deviceId: 1 }, null, membership)).toBe(false);
  });
});
