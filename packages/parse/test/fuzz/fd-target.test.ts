import { type FdTarget, formatFdTarget, parseFdTarget } from '../../src/index.js';
import { NAMESPACE_TYPES } from '../documented.js';
import {
  ascii,
  check,
  corpusLines,
  decodingTarget,
  fuzzFile,
  isNat,
  parsed,
  same,
  show,
} from './support.js';

const fuzz = fuzzFile(import.meta.url);

const NAMESPACES = new Set<string>(NAMESPACE_TYPES);

function shapeOk(target: FdTarget): boolean {
  const keys = Object.keys(target).sort().join(',');
  switch (target.type) {
    case 'socket':
    case 'pipe':
      return keys === 'inode,type' && isNat(target.inode);
    case 'anon_inode':
      return (
        keys === 'bracketed,name,type' &&
        typeof target.name === 'string' &&
        typeof target.bracketed === 'boolean'
      );
    case 'memfd':
      return keys === 'deleted,name,type' && typeof target.name === 'string' && target.deleted;
    case 'namespace':
      return (
        keys === 'inode,namespace,type' && NAMESPACES.has(target.namespace) && isNat(target.inode)
      );
    case 'file':
      return (
        keys === 'deleted,path,type' &&
        target.path.startsWith('/') &&
        typeof target.deleted === 'boolean'
      );
    case 'unknown':
      return keys === 'raw,type' && typeof target.raw === 'string';
    default:
      return false;
  }
}

const tokens = [
  'socket:[',
  'pipe:[',
  'anon_inode:',
  'anon_inode:[',
  '/memfd:',
  ' (deleted)',
  'net:[',
  'pid_for_children:[',
  'user:',
  ']',
].map(ascii);

decodingTarget(
  fuzz,
  { name: 'parseFdTarget', kind: 'fd-target', parse: parseFdTarget },
  corpusLines('fd-target'),
  (target, value) => {
    check(
      shapeOk(target),
      () => `${JSON.stringify(target)} for ${show(value.bytes ?? value.input)}`,
    );
    // "parseFdTarget(formatFdTarget(t)) deep-equals t for every target parseFdTarget can return"
    const text = formatFdTarget(target);
    const again = parsed(() => parseFdTarget(text), 'fd-target', undefined);
    check(
      again.ok && same(again.value, target),
      () =>
        `formatFdTarget(${JSON.stringify(target)}) = ${JSON.stringify(text)} reads as ${again.ok ? JSON.stringify(again.value) : again.error.message}`,
    );
  },
  { mutations: { tokens, separators: [], maxRandomBytes: 64 } },
);
