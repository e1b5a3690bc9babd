// Client address resolution that honours X-Forwarded-For only when the peer is a trusted proxy.
import { CidrList, isIpLiteral, normalizeAddress } from './ip';

/**
 * Walks X-Forwarded-For from the right, skipping trusted proxies, and returns the first address that
 * a trusted hop vouched for. A peer that is not trusted is the client itself, whatever it claims.
 */
export function resolveClientIp(
  peerAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: CidrList,
): string {
  const peer = normalizeAddress(peerAddress ?? '');
  if (!peer || !trusted.contains(peer)) return peer || 'unknown';
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = header
    .split(',')
    .map((hop) => normalizeAddress(hop.trim()))
    .filter((hop) => hop.length > 0);
  let candidate = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIpLiteral(hop)) break;
    candidate = hop;
    if (!trusted.contains(hop)) break;
  }
  return candidate;
}
