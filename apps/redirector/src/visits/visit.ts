// One visit as the redirect hands it over, its id, and its form as a Redis Stream entry.
import { randomUUID } from 'node:crypto';

export interface PendingVisit {
  /** Given when the redirect is served; the database stores each id once (a re-delivered visit counts once). */
  readonly id: string;
  readonly shortCode: string;
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly visitedAt: Date;
}

/** A UUIDv7: millisecond time first (index locality in `visits.visit_id`), then randomUUID's random bits. */
export function newVisitId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  // randomUUID is `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`: keep from the version's digits on, with version 7.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Field/value pairs of an XADD, in the order `fromStreamFields` reads them. */
export function toStreamFields(visit: PendingVisit): string[] {
  const fields = ['id', visit.id, 'code', visit.shortCode, 'ip', visit.clientIp, 'at', String(visit.visitedAt.getTime())];
  if (visit.userAgent !== null) fields.push('ua', visit.userAgent);
  return fields;
}

/** The visit of a stream entry, or null when the entry is not one this service wrote. */
export function fromStreamFields(fields: readonly string[] | null): PendingVisit | null {
  if (!fields) return null;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const id = map.get('id');
  const shortCode = map.get('code');
  const clientIp = map.get('ip');
  const at = Number(map.get('at'));
  if (!id || !UUID.test(id) || !shortCode || clientIp === undefined || !Number.isSafeInteger(at)) return null;
  return { id, shortCode, clientIp, userAgent: map.get('ua') ?? null, visitedAt: new Date(at) };
}

/** Orders stream entry ids (`<ms>-<seq>`) numerically. */
export function compareEntryIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  return aMs !== bMs ? (aMs < bMs ? -1 : 1) : aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}
