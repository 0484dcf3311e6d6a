// User names through the system's user database: a stubbed `getent` that knows an NSS user
// /etc/passwd does not (as LDAP or sssd would), one run for every uid, and /etc/passwd when the
// lookup command is missing.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, tempFolder } from '../../../test-support/processes.js';
import { forgetUserNames, groupNames, idNames, uidOfName, userNames } from './users.js';

const folder = tempFolder('procmon-users-');
const callsPath = join(folder, 'calls');
const stub = join(folder, 'getent');
// An NSS user that /etc/passwd does not hold; getent exits 2 when a key has no entry.
const LDAP_UID = 4242;
writeFileSync(
  stub,
  [
    '#!/bin/sh',
    `echo "$*" >> '${callsPath}'`,
    'status=0',
    'db=$1',
    'shift',
    'for key in "$@"; do',
    '  case "$key" in',
    `    ${LDAP_UID}|ldapuser) [ "$db" = group ] && echo "ldapgroup:*:${LDAP_UID}:" || echo "ldapuser:*:${LDAP_UID}:${LDAP_UID}:LDAP user:/home/ldapuser:/bin/sh" ;;`,
    '    0|root) [ "$db" = group ] && echo "root:x:0:" || echo "root:x:0:0:root:/root:/bin/sh" ;;',
    '    *) status=2 ;;',
    '  esac',
    'done',
    'exit $status',
  ].join('\n'),
);
chmodSync(stub, 0o755);
const passwd = idNames(readFileSync('/etc/passwd', 'utf8'));
const groups = idNames(readFileSync('/etc/group', 'utf8'));

afterAll(cleanup);
beforeEach(() => {
  forgetUserNames();
  writeFileSync(callsPath, '');
});

const calls = () => readFileSync(callsPath, 'utf8').trimEnd().split('\n').filter(Boolean);

describe('userNames', () => {
  it('resolves a user only the lookup knows, in one run for all uids', () => {
    expect(passwd.has(LDAP_UID)).toBe(false);
    const names = userNames([0, LDAP_UID, 0, 4243], [stub]);
    expect(names).toEqual(
      new Map([
        [0, 'root'],
        [LDAP_UID, 'ldapuser'],
      ]),
    );
    expect(calls()).toEqual([`passwd 0 ${LDAP_UID} 4243`]);
  });

  it('asks again only for uids it has not looked up', () => {
    userNames([0], [stub]);
    userNames([0, LDAP_UID], [stub]);
    expect(calls()).toEqual(['passwd 0', `passwd ${LDAP_UID}`]);
  });

  it('falls back to /etc/passwd when the lookup command is missing', () => {
    const [uid, name] = [...passwd][0] as [number, string];
    const names = userNames([uid, LDAP_UID], [join(folder, 'no-such-getent')]);
    expect(names).toEqual(new Map([[uid, name]]));
  });
});

describe('groupNames', () => {
  it('resolves a group only the lookup knows, asking the group database', () => {
    expect(groups.has(LDAP_UID)).toBe(false);
    const names = groupNames([0, LDAP_UID, 4243], [stub]);
    expect(names).toEqual(
      new Map([
        [0, 'root'],
        [LDAP_UID, 'ldapgroup'],
      ]),
    );
    expect(calls()).toEqual([`group 0 ${LDAP_UID} 4243`]);
  });

  it('keeps users and groups apart: a uid and a gid of one number have their own names', () => {
    expect(userNames([LDAP_UID], [stub]).get(LDAP_UID)).toBe('ldapuser');
    expect(groupNames([LDAP_UID], [stub]).get(LDAP_UID)).toBe('ldapgroup');
    expect(calls()).toEqual([`passwd ${LDAP_UID}`, `group ${LDAP_UID}`]);
  });

  it('falls back to /etc/group when the lookup command is missing', () => {
    const [gid, name] = [...groups][0] as [number, string];
    const names = groupNames([gid, LDAP_UID], [join(folder, 'no-such-getent')]);
    expect(names).toEqual(new Map([[gid, name]]));
  });
});

describe('uidOfName', () => {
  it('finds a user only the lookup knows; undefined for a name nobody has', () => {
    expect(uidOfName('ldapuser', [stub])).toBe(LDAP_UID);
    expect(uidOfName('nobody-by-this-name', [stub])).toBeUndefined();
    expect(calls()).toEqual(['passwd ldapuser', 'passwd nobody-by-this-name']);
  });
});
