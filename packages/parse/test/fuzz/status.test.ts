import { parseStatus, type Status } from '../../src/index.js';
import {
  ascii,
  check,
  corpus,
  decodingTarget,
  fuzzFile,
  isNat,
  isUbig,
  lineCount,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const SIZES: Record<string, keyof Status> = {
  VmPeak: 'vmPeakBytes',
  VmSize: 'vmSizeBytes',
  VmLck: 'vmLckBytes',
  VmPin: 'vmPinBytes',
  VmHWM: 'vmHwmBytes',
  VmRSS: 'vmRssBytes',
  RssAnon: 'rssAnonBytes',
  RssFile: 'rssFileBytes',
  RssShmem: 'rssShmemBytes',
  VmData: 'vmDataBytes',
  VmStk: 'vmStkBytes',
  VmExe: 'vmExeBytes',
  VmLib: 'vmLibBytes',
  VmPTE: 'vmPteBytes',
  VmPMD: 'vmPmdBytes',
  VmSwap: 'vmSwapBytes',
  HugetlbPages: 'hugetlbPagesBytes',
};
const NATS: readonly (keyof Status)[] = [
  'tgid',
  'pid',
  'ppid',
  'tracerPid',
  'ngid',
  'fdSize',
  'threads',
  'seccomp',
  'seccompFilters',
  'voluntaryCtxtSwitches',
  'nonvoluntaryCtxtSwitches',
  'umask',
];
const MASKS: readonly (keyof Status)[] = [
  'sigPnd',
  'shdPnd',
  'sigBlk',
  'sigIgn',
  'sigCgt',
  'capInh',
  'capPrm',
  'capEff',
  'capBnd',
  'capAmb',
  'untagMask',
];
const FLAGS: readonly (keyof Status)[] = ['kthread', 'coreDumping', 'thpEnabled', 'noNewPrivs'];
const LISTS: readonly (keyof Status)[] = ['nsTgid', 'nsPid', 'nsPgid', 'nsSid', 'groups'];
const TEXTS: Record<string, keyof Status> = {
  Speculation_Store_Bypass: 'speculationStoreBypass',
  SpeculationIndirectBranch: 'speculationIndirectBranch',
  Cpus_allowed_list: 'cpusAllowedList',
  Mems_allowed_list: 'memsAllowedList',
};

const SIZE_ENTRIES = Object.entries(SIZES);
const TEXT_ENTRIES = Object.entries(TEXTS);
const REQUIRED_NATS = new Set<keyof Status>(['tgid', 'pid', 'ppid', 'tracerPid']);

const isIds = (ids: unknown) => {
  const value = ids as Record<string, unknown> | undefined;
  return (
    value !== undefined &&
    Object.keys(value).length === 4 &&
    ['real', 'effective', 'saved', 'filesystem'].every((key) => isNat(value[key]))
  );
};

const tokens = [
  'Name:\t',
  'Uid:\t',
  'State:\t',
  'Groups:\t',
  'SigQ:\t',
  'untag_mask:\t0x',
  'NSpid:\t',
  ' kB',
  '\\n',
  '\\\\',
  '\\',
  '(zombie)',
].map(ascii);

decodingTarget(
  fuzz,
  { name: 'parseStatus', kind: 'status', parse: parseStatus },
  corpus('status'),
  (status, value) => {
    const where = () => show(value.bytes ?? value.input);
    check(status.fields instanceof Map && status.sizesBytes instanceof Map, 'fields are not maps');
    if (value.bytes !== undefined) {
      check(status.fields.size === lineCount(value.bytes), () => `a line is missing: ${where()}`);
    }
    for (const [key, text] of status.fields) {
      check(key.length > 0 && !key.includes(':') && !key.includes('\n'), () => `key ${key}`);
      check(typeof text === 'string' && !text.includes('\n'), () => `value of ${key}`);
    }
    // The required lines, typed.
    check(typeof status.name === 'string' && status.fields.has('Name'), 'no name');
    check(
      status.state.length === 1 && status.state > ' ' && status.state < '\x7f',
      () => `state ${JSON.stringify(status.state)}`,
    );
    check(typeof status.stateName === 'string', 'stateName');
    check(isIds(status.uid) && isIds(status.gid), () => `uid or gid: ${where()}`);
    for (const key of NATS) {
      if (status[key] !== undefined || REQUIRED_NATS.has(key)) {
        check(isNat(status[key]), () => `${key} is ${String(status[key])}: ${where()}`);
      }
    }
    for (const key of MASKS) {
      const mask = status[key];
      check(mask === undefined || isUbig(mask, 128), () => `${key} is ${String(mask)}`);
    }
    for (const key of FLAGS) {
      check(status[key] === undefined || typeof status[key] === 'boolean', () => `${key}`);
    }
    for (const key of LISTS) {
      const list = status[key];
      check(
        list === undefined || (Array.isArray(list) && list.every(isNat)),
        () => `${key} is ${String(list)}`,
      );
      if (key !== 'groups' && list !== undefined)
        check((list as number[]).length > 0, `${key} empty`);
    }
    const sigQ = status.sigQ;
    check(sigQ === undefined || (isNat(sigQ.queued) && isUbig(sigQ.limit)), 'sigQ');
    // Sizes: whole multiples of 1024, and each typed one is its line's.
    for (const [key, bytes] of status.sizesBytes) {
      check(
        Number.isFinite(bytes) && bytes >= 0 && bytes % 1024 === 0 && status.fields.has(key),
        () => `sizesBytes ${key} ${bytes}`,
      );
    }
    for (const [key, property] of SIZE_ENTRIES) {
      check(status[property] === status.sizesBytes.get(key), () => `${property} is not ${key}`);
    }
    for (const [key, property] of TEXT_ENTRIES) {
      check(status[property] === status.fields.get(key), () => `${property} is not ${key}`);
    }
    // name is the Name line unescaped (\\ and \n, the kernel's only escapes).
    {
      const escaped = status.fields.get('Name') as string;
      const unescaped = escaped.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      check(status.name === unescaped, () => `name ${JSON.stringify(status.name)}: ${where()}`);
    }
  },
  { mutations: { tokens } },
);
