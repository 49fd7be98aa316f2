import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/* Outbound webhook targets: only http(s), and — unless the setting allows it — never a private, loopback, link-local
   or otherwise internal address (a registered URL must not reach the platform's own network: SSRF). Every address
   the name resolves to is checked, at registration and again at each delivery (DNS can change). */

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  // ::/96 holds ::, ::1 and the old IPv4-compatible forms (::127.0.0.1)
  ['::', 96],
  // addresses that wrap an IPv4 one and can lead back to it: NAT64 (64:ff9b::7f00:1), 6to4 (2002:7f00:1::), Teredo
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['2001::', 32],
  ['100::', 64],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Why a target is refused (a Chinese sentence), or undefined when it may be called. */
export async function refusedTarget(url: string, allowPrivate: boolean): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '接收地址格式不正确';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return '接收地址只能使用 http 或 https';
  if (parsed.username || parsed.password) return '接收地址不能包含用户名或密码';
  if (allowPrivate) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return '无法解析接收地址的域名';
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) return '接收地址指向内部网络或本机，平台不会向其发送';
  return undefined;
}
