// What a capture reads, in one place for the capture (Node) and the backend (browser-safe): the
// backend must tell "absent because it was not there" (ENOENT) from "absent because this capture
// never reads it" (ENODATA), and a snapshot taken before a file was added to the capture holds
// none of that file.
import { NAMESPACE_TYPES } from '@procmon/parse';

/** The files every capture has read for every process, since version 1. */
export const FIRST_PROCESS_FILES = [
  'stat',
  'status',
  'cmdline',
  'comm',
  'statm',
  'io',
  'maps',
  'cgroup',
];
/** Files added to the capture later: an older snapshot lacks them without a failure. */
export const LATER_PROCESS_FILES = ['smaps_rollup', 'limits'];
/** The files read for every process (environ is added with `env`); stat first. */
export const PROCESS_FILES = [...FIRST_PROCESS_FILES, ...LATER_PROCESS_FILES];
/** The links read for every process (fd/ links are read by the listing). */
export const PROCESS_LINKS = ['exe', 'cwd', 'root'];
/** The namespace links read for every process, as `ns/<type>` (added later too). */
export const PROCESS_NAMESPACES = NAMESPACE_TYPES;
/** The folders of every process a capture lists (fd links, one folder per thread). */
export const PROCESS_FOLDERS = ['fd', 'task'];
/** Machine-wide files, under the proc root. */
export const MACHINE_FILES = ['uptime', 'meminfo', 'stat'];
/** Socket tables of the reader's network namespace, under `net/`. */
export const NET_TABLES = [
  'tcp',
  'tcp6',
  'udp',
  'udp6',
  'unix',
  'udplite',
  'udplite6',
  'raw',
  'raw6',
  'icmp',
  'icmp6',
];
