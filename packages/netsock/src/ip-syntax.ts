// Whether text is an IP address, as Node's node:net says. The browser build swaps this module
// for ip-syntax.browser.ts, which answers the same (ip-syntax.test.ts compares the two).
export { isIPv4, isIPv6 } from 'node:net';
