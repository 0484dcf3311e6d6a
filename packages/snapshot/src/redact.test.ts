// Redaction of environment values by name pattern: the value goes, the name and every other
// byte stay.
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACT, nameMatcher, REDACTED, redactEnviron } from './redact.js';

const bytes = (value: string) => Uint8Array.from(value, (c) => c.charCodeAt(0));
const text = (value: Uint8Array) => String.fromCharCode(...value);

describe('nameMatcher', () => {
  it('matches globs whole, ignoring case; other regex characters are literal', () => {
    const matches = nameMatcher(['AWS_*', '*TOKEN*', 'A.B', 'X?Z']);
    expect(
      ['AWS_SECRET_ACCESS_KEY', 'aws_region', 'github_token', 'TOKEN', 'A.B', 'XYZ'].map(matches),
    ).toEqual([true, true, true, true, true, true]);
    expect(['MY_AWS_X', 'AXB', 'XZ', 'PATH', 'TOKE'].map(matches)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('hides the usual secrets by default and leaves PATH alone', () => {
    const matches = nameMatcher(DEFAULT_REDACT);
    expect(
      ['GITHUB_TOKEN', 'DB_PASSWORD', 'API_KEY', 'CLIENT_SECRET', 'AWS_PROFILE'].every(matches),
    ).toBe(true);
    expect(['PATH', 'HOME', 'LANG', 'PWD'].some(matches)).toBe(false);
  });

  it('refuses an empty or non-string pattern', () => {
    expect(() => nameMatcher([''])).toThrow(TypeError);
    expect(() => nameMatcher([3 as unknown as string])).toThrow(/non-empty string/);
  });
});

describe('redactEnviron', () => {
  it('replaces the values of matching names and keeps every other byte', () => {
    const environ = bytes(
      'A_TOKEN=s3cr3t\u0000RAW=\u00ff\u00fe\u0000NOEQUALS\u0000EQ=x=y\u0000\u0000B_TOKEN=z',
    );
    const out = redactEnviron(environ, nameMatcher(['*TOKEN*']));
    expect(text(out)).toBe(
      `A_TOKEN=${REDACTED}\u0000RAW=\u00ff\u00fe\u0000NOEQUALS\u0000EQ=x=y\u0000\u0000B_TOKEN=${REDACTED}`,
    );
  });

  it('gives the same bytes back when nothing matches', () => {
    const environ = bytes('PATH=/bin\u0000HOME=/root\u0000');
    expect(redactEnviron(environ, nameMatcher([]))).toEqual(environ);
  });
});
