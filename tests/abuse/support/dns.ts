// A tiny authoritative DNS server on UDP loopback answering A/AAAA from a table (RFC 1035 wire format),
// so tests control what a host name resolves to. Unknown names get NXDOMAIN.
import { createSocket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { parseIPv6 } from '@snip/common';

export interface DnsStandIn {
  readonly server: string;
  readonly queries: Array<{ name: string; type: number }>;
  close(): Promise<void>;
}

export async function startDns(records: Record<string, string[]>): Promise<DnsStandIn> {
  const socket = createSocket('udp4');
  const queries: DnsStandIn['queries'] = [];
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    let offset = 12;
    const labels: string[] = [];
    while (offset < msg.length && msg[offset] !== 0) {
      const len = msg[offset]!;
      labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('latin1'));
      offset += len + 1;
    }
    const questionEnd = offset + 5;
    const type = msg.readUInt16BE(offset + 1);
    const name = labels.join('.').toLowerCase();
    queries.push({ name, type });
    const addresses = (records[name] ?? []).filter((a) => (type === 1 ? isIPv4(a) : type === 28 ? !isIPv4(a) : false));
    const answers = addresses.map((a) => {
      const rdata = type === 1 ? Buffer.from(a.split('.').map(Number)) : Buffer.from(parseIPv6(a)!);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(type, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(5, 6); // TTL
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    const known = name in records;
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | (known ? 0 : 3), 2); // QR, AA, RD copied, NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, questionEnd), ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((r) => socket.close(() => r())),
  };
}
