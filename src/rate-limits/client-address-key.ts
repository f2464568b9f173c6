const IPV4_PATTERN = /^\d{1,3}(\.\d{1,3}){3}$/;
const HEXTET_PATTERN = /^[0-9a-f]{1,4}$/;

/**
 * What a per-address limit counts by. An IPv4 address (also written IPv4-mapped, `::ffff:192.0.2.1`) is itself;
 * an IPv6 address counts by its /64, the block one customer usually holds in full: counting single IPv6
 * addresses would let one client rotate through 2^64 of them. Anything unparsable counts as itself.
 */
export function clientAddressKey(address: string): string {
  const text = address.trim().toLowerCase();
  if (IPV4_PATTERN.test(text)) return text;
  const withoutZone = text.split('%')[0] ?? text;
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/.exec(withoutZone);
  if (mapped?.[1] !== undefined) return mapped[1];
  const hextets = expandIpv6(withoutZone);
  return hextets === undefined ? text : `${hextets.slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (`::` expanded, leading zeros dropped), or undefined. */
function expandIpv6(text: string): string[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const hextets = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  if (!hextets.every((hextet) => HEXTET_PATTERN.test(hextet))) return undefined;
  return hextets.map((hextet) => Number.parseInt(hextet, 16).toString(16));
}
