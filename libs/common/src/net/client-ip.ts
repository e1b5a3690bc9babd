// Client address resolution: X-Forwarded-For is honoured only when the peer is a trusted proxy.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { CidrList, isIpLiteral, normalizeAddress } from './ip';

/** Express `trust proxy` setting: a hop is trusted when its address is in the list. */
export function trustProxies(trusted: CidrList): (address: string) => boolean {
  return (address) => trusted.contains(address);
}

/**
 * The client address of a request: proxy-addr walks X-Forwarded-For from the right past trusted
 * proxies (the same walk as Express's `req.ip`). A value that is no IP address ends the walk at the
 * last hop that was one, so a trusted proxy relaying garbage never makes it the client address.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trusted: CidrList): string {
  if (!req.socket.remoteAddress) return 'unknown';
  const hops = proxyaddr.all(req as IncomingMessage, trustProxies(trusted));
  while (hops.length > 1 && !isIpLiteral(hops.at(-1)!.trim())) hops.pop();
  return normalizeAddress(hops.at(-1)!);
}
