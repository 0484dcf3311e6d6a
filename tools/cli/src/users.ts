// User names for uids, from /etc/passwd, as ps shows them. A uid with no entry shows as its number.
import { readFileSync } from 'node:fs';

let names: Map<number, string> | undefined;

export function userName(uid: number): string | undefined {
  names ??= readPasswd();
  return names.get(uid);
}

function readPasswd(): Map<number, string> {
  const map = new Map<number, string>();
  let text: string;
  try {
    text = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return map;
  }
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !map.has(Number(uid)))
      map.set(Number(uid), name);
  }
  return map;
}
