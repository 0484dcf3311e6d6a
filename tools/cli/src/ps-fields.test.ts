// The ps aux formats and flags against hand-written expectations from procps's own rules.
import { parseStat } from '@procmon/parse';
import { describe, expect, it } from 'vitest';
import { cutToWidth, displayWidth } from './display-width.js';
import type { PsLine } from './ps-command.js';
import { cpuTimeText, lifetimeCpuPercent, percentText, startText, statText } from './ps-fields.js';
import { userText } from './ps-format.js';

/** A stat line with the fields ps reads set; the rest zero. */
function stat(fields: {
  pid?: number;
  state?: string;
  pgrp?: number;
  session?: number;
  tpgid?: number;
  utime?: number;
  stime?: number;
  nice?: number;
  threads?: number;
  startTime?: number;
}) {
  const f = {
    pid: 100,
    state: 'S',
    pgrp: 1,
    session: 1,
    tpgid: -1,
    utime: 0,
    stime: 0,
    nice: 0,
    threads: 1,
    startTime: 0,
    ...fields,
  };
  const after = [
    f.state,
    1,
    f.pgrp,
    f.session,
    0,
    f.tpgid,
    0,
    0,
    0,
    0,
    0,
    f.utime,
    f.stime,
    0,
    0,
    20 + f.nice,
    f.nice,
    f.threads,
    0,
    f.startTime,
    0,
    0,
    ...Array(28).fill(0),
  ];
  return parseStat(`${f.pid} (x) ${after.join(' ')}\n`);
}

describe('statText', () => {
  it.each([
    [{}, 'S'],
    [{ state: 'R', nice: -5 }, 'R<'],
    [{ nice: 10 }, 'SN'],
    [{ pid: 7, session: 7 }, 'Ss'],
    [{ threads: 4 }, 'Sl'],
    [{ pgrp: 9, tpgid: 9 }, 'S+'],
    [{ pid: 9, session: 9, pgrp: 9, tpgid: 9, threads: 2, nice: -1 }, 'S<sl+'],
    [{ state: 'Z' }, 'Z'],
    // A task being released: no terminal (tpgid -1) and its group gone (pgrp -1).
    [{ state: 'X', pgrp: -1, session: -1, tpgid: -1 }, 'X'],
  ])('%j shows as %s', (fields, expected) => {
    expect(statText(stat(fields))).toBe(expected);
  });

  it.each([
    [{}, 'SL'],
    [{ pid: 9, session: 9, pgrp: 9, tpgid: 9, threads: 2, nice: -1 }, 'S<Lsl+'],
    [{ nice: 5, threads: 3 }, 'SNLl'],
  ])('%j with locked pages shows as %s (L after the nice flags, as procps)', (fields, expected) => {
    expect(statText(stat(fields), true)).toBe(expected);
  });
});

describe('lifetimeCpuPercent', () => {
  it('CPU time over the seconds since start, as procps pcpu', () => {
    // 100 ticks a second: 300 ticks of CPU (3 s) in the 12 s since it started at 8 s.
    expect(lifetimeCpuPercent(stat({ utime: 200, stime: 100, startTime: 800 }), 100, 20)).toBe(25);
    expect(lifetimeCpuPercent(stat({ startTime: 2000 }), 100, 20)).toBe(0);
  });
});

describe('formats', () => {
  it('percent cut to tenths, whole from 1000', () => {
    expect(percentText(0.09)).toBe('0.0');
    expect(percentText(12.96)).toBe('12.9');
    expect(percentText(1234.5)).toBe('1234');
  });

  it('TIME as minutes:seconds', () => {
    expect(cpuTimeText(0.99)).toBe('0:00');
    expect(cpuTimeText(65)).toBe('1:05');
    expect(cpuTimeText(7507)).toBe('125:07');
  });

  it('START: HH:MM today, MonDD this year, else the year', () => {
    const now = new Date(2026, 11, 7, 21, 30);
    expect(startText(new Date(2026, 11, 7, 9, 5), now)).toBe('09:05');
    expect(startText(new Date(2026, 11, 6, 23, 59), now)).toBe('Dec06');
    expect(startText(new Date(2026, 0, 2, 1, 0), now)).toBe('Jan02');
    expect(startText(new Date(2025, 11, 31, 23, 0), now)).toBe('2025');
  });
});

describe('display width', () => {
  it('counts CJK and emoji as two columns, combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('漢字')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('cuts before a character that would pass the width, never inside one', () => {
    expect(cutToWidth('ab漢字', 3)).toBe('ab');
    expect(cutToWidth('ab漢字', 4)).toBe('ab漢');
    expect(cutToWidth('a😀b', 2)).toBe('a');
    // A family emoji is one grapheme of width 2: kept whole or left out.
    expect(cutToWidth('x👨‍👩‍👧y', 3)).toBe('x👨‍👩‍👧');
    expect(cutToWidth('x👨‍👩‍👧y', 2)).toBe('x');
    expect(cutToWidth('short', 60)).toBe('short');
  });
});

describe('userText', () => {
  const line = (user: string | undefined, uid?: number) => ({ user, uid }) as unknown as PsLine;
  it.each([
    ['root', 'root'],
    ['postgres', 'postgres'],
    ['systemd-network', 'systemd+'],
    ['ユーザー名前', 'ユーザ+'],
  ])('%s shows as %s (at most eight columns, as ps aux)', (user, shown) => {
    expect(userText(line(user))).toBe(shown);
  });

  it('shows the uid when there is no name, and ? when the uid is unknown', () => {
    expect(userText(line(undefined, 1234))).toBe('1234');
    expect(userText(line(undefined))).toBe('?');
  });
});
