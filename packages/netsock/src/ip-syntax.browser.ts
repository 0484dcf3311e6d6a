// ip-syntax.ts in the browser build, without node:net: the same answers (ip-syntax.test.ts).

// Node's rule: four decimal numbers of at most 255, no leading zero.
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`);
const IPV6_TEXT = /^[0-9A-Fa-f:.]+$/;
// Node's zone: letters, digits, '-', '.', ':'.
const ZONE = /^%[0-9A-Za-z.:-]+$/;

/** Whether `text` is a dotted IPv4 address. */
export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** Whether `text` is an IPv6 address, with an optional zone (`fe80::1%eth0`). */
export function isIPv6(text: string): boolean {
  const percent = text.indexOf('%');
  const address = percent === -1 ? text : text.slice(0, percent);
  if (percent !== -1 && !ZONE.test(text.slice(percent))) return false;
  if (!IPV6_TEXT.test(address)) return false;
  // The URL parser of the platform checks the IPv6 syntax (groups, `::`, an IPv4 tail).
  try {
    new URL(`http://[${address}]/`);
    return true;
  } catch {
    return false;
  }
}
