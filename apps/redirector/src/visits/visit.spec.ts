import { describe, expect, it } from 'vitest';
import { compareEntryIds, fromStreamFields, newVisitId, toStreamFields, type PendingVisit } from './visit';

describe('newVisitId', () => {
  it('is a version 7 UUID that starts with the time and differs every call', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const ids = Array.from({ length: 1000 }, () => newVisitId(at));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBe(at);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts by time', () => {
    expect(newVisitId(1_000) < newVisitId(2_000)).toBe(true);
  });
});

describe('stream entry fields', () => {
  const visit: PendingVisit = {
    id: newVisitId(),
    shortCode: 'abc123',
    clientIp: '2001:db8::1',
    userAgent: 'Agent/1.0',
    visitedAt: new Date('2026-03-04T05:06:07.089Z'),
  };

  it('read back the visit they were written from, with or without a user agent', () => {
    expect(fromStreamFields(toStreamFields(visit))).toEqual(visit);
    const anonymous = { ...visit, userAgent: null };
    expect(fromStreamFields(toStreamFields(anonymous))).toEqual(anonymous);
  });

  it('refuse an entry that is not a visit', () => {
    const fields = toStreamFields(visit);
    const replaced = (name: string, value: string) => fields.map((f, i) => (i > 0 && fields[i - 1] === name ? value : f));
    expect(fromStreamFields(null)).toBeNull();
    expect(fromStreamFields([])).toBeNull();
    expect(fromStreamFields(replaced('id', 'not-a-uuid'))).toBeNull();
    expect(fromStreamFields(replaced('at', 'yesterday'))).toBeNull();
    expect(fromStreamFields(replaced('code', ''))).toBeNull();
  });
});

describe('compareEntryIds', () => {
  it('orders stream ids by time, then sequence, as numbers', () => {
    expect(compareEntryIds('1700000000000-0', '1700000000000-0')).toBe(0);
    expect(compareEntryIds('999-5', '1000-0')).toBe(-1);
    expect(compareEntryIds('1000-10', '1000-9')).toBe(1);
    expect(['1000-10', '1000-2', '999-99'].sort(compareEntryIds)).toEqual(['999-99', '1000-2', '1000-10']);
  });
});
