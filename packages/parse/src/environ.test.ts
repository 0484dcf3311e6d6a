import { describe, expect, it } from 'vitest';
import { bytesOf, fixtures, latin1Bytes, parseErrorOf } from '../test/helpers.js';
import { Environ, parseEnviron } from './environ.js';
import { encodeText, hasEscapedBytes, type TextDecoding } from './text.js';

const fixture = fixtures('environ');
// The environment as the process sees it: each name once, with its first definition.
const entriesOf = (environ: Environ) => [...environ.toMap()];

// What `env -i` (or a raw execve) was given when the fixture was captured, in order.
const DESKTOP_4K: [string, string][] = [
  ['SHELL', '/bin/bash'],
  [
    'SESSION_MANAGER',
    'local/workstation:@/tmp/.ICE-unix/1873,unix/workstation:/tmp/.ICE-unix/1873',
  ],
  ['COLORTERM', 'truecolor'],
  ['XDG_CONFIG_DIRS', '/etc/xdg/xdg-ubuntu:/etc/xdg'],
  ['SSH_AGENT_LAUNCHER', 'gnome-keyring'],
  ['XDG_MENU_PREFIX', 'gnome-'],
  ['LANGUAGE', 'en_US:en'],
  ['LC_ADDRESS', 'en_GB.UTF-8'],
  ['GNOME_SHELL_SESSION_MODE', 'ubuntu'],
  ['LC_NAME', 'en_GB.UTF-8'],
  ['SSH_AUTH_SOCK', '/run/user/1000/keyring/ssh'],
  ['XMODIFIERS', '@im=ibus'],
  ['DESKTOP_SESSION', 'ubuntu'],
  ['LC_MONETARY', 'en_GB.UTF-8'],
  ['GTK_MODULES', 'gail:atk-bridge'],
  ['PWD', '/home/alice/src/procmon'],
  ['LOGNAME', 'alice'],
  ['XDG_SESSION_DESKTOP', 'ubuntu'],
  ['XDG_SESSION_TYPE', 'wayland'],
  ['SYSTEMD_EXEC_PID', '2104'],
  ['XAUTHORITY', '/run/user/1000/.mutter-Xwaylandauth.7ZQ1K2'],
  ['HOME', '/home/alice'],
  ['LC_PAPER', 'en_GB.UTF-8'],
  ['LANG', 'en_US.UTF-8'],
  [
    'LS_COLORS',
    'rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35:bd=40;33;01:cd=40;33;01:or=40;31;01:mi=00:su=37;41:sg=30;43:ca=00:tw=30;42:ow=34;42:st=37;44:ex=01;32:*.tar=01;31:*.tgz=01;31:*.arc=01;31:*.arj=01;31:*.taz=01;31:*.lha=01;31:*.lz4=01;31:*.lzh=01;31:*.lzma=01;31:*.tlz=01;31:*.txz=01;31:*.tzo=01;31:*.t7z=01;31:*.zip=01;31:*.z=01;31:*.dz=01;31:*.gz=01;31:*.lrz=01;31:*.lz=01;31:*.lzo=01;31:*.xz=01;31:*.zst=01;31:*.tzst=01;31:*.bz2=01;31:*.bz=01;31:*.tbz=01;31:*.tbz2=01;31:*.tz=01;31:*.deb=01;31:*.rpm=01;31:*.jar=01;31:*.war=01;31:*.ear=01;31:*.sar=01;31:*.rar=01;31:*.alz=01;31:*.ace=01;31:*.zoo=01;31:*.cpio=01;31:*.7z=01;31:*.rz=01;31:*.cab=01;31:*.wim=01;31:*.swm=01;31:*.dwm=01;31:*.esd=01;31:*.avif=01;35:*.jpg=01;35:*.jpeg=01;35:*.mjpg=01;35:*.mjpeg=01;35:*.gif=01;35:*.bmp=01;35:*.pbm=01;35:*.pgm=01;35:*.ppm=01;35:*.tga=01;35:*.xbm=01;35:*.xpm=01;35:*.tif=01;35:*.tiff=01;35:*.png=01;35:*.svg=01;35:*.svgz=01;35:*.mng=01;35:*.pcx=01;35:*.mov=01;35:*.mpg=01;35:*.mpeg=01;35:*.m2v=01;35:*.mkv=01;35:*.webm=01;35:*.webp=01;35:*.ogm=01;35:*.mp4=01;35:*.m4v=01;35:*.mp4v=01;35:*.vob=01;35:*.qt=01;35:*.nuv=01;35:*.wmv=01;35:*.asf=01;35:*.rm=01;35:*.rmvb=01;35:*.flc=01;35:*.avi=01;35:*.fli=01;35:*.flv=01;35:*.gl=01;35:*.dl=01;35:*.xcf=01;35:*.xwd=01;35:*.yuv=01;35:*.cgm=01;35:*.emf=01;35:*.ogv=01;35:*.ogx=01;35:*.aac=00;36:*.au=00;36:*.flac=00;36:*.m4a=00;36:*.mid=00;36:*.midi=00;36:*.mka=00;36:*.mp3=00;36:*.mpc=00;36:*.ogg=00;36:*.ra=00;36:*.wav=00;36:*.oga=00;36:*.opus=00;36:*.spx=00;36:*.xspf=00;36:',
  ],
  ['XDG_CURRENT_DESKTOP', 'ubuntu:GNOME'],
  ['VTE_VERSION', '7600'],
  ['WAYLAND_DISPLAY', 'wayland-0'],
  ['GNOME_TERMINAL_SCREEN', '/org/gnome/Terminal/screen/5a1c9e0e_4b7d_4f0a_9a43_2f6f2c1b8d11'],
  ['LESSCLOSE', '/usr/bin/lesspipe %s %s'],
  ['XDG_SESSION_CLASS', 'user'],
  ['TERM', 'xterm-256color'],
  ['LC_IDENTIFICATION', 'en_GB.UTF-8'],
  ['LESSOPEN', '| /usr/bin/lesspipe %s'],
  ['USER', 'alice'],
  ['GNOME_TERMINAL_SERVICE', ':1.113'],
  ['DISPLAY', ':0'],
  ['SHLVL', '1'],
  ['LC_TELEPHONE', 'en_GB.UTF-8'],
  ['QT_IM_MODULE', 'ibus'],
  ['LC_MEASUREMENT', 'en_GB.UTF-8'],
  ['XDG_RUNTIME_DIR', '/run/user/1000'],
  ['DEBUGINFOD_URLS', 'https://debuginfod.ubuntu.com'],
  ['LC_TIME', 'en_GB.UTF-8'],
  [
    'XDG_DATA_DIRS',
    '/usr/share/ubuntu:/usr/share/gnome:/home/alice/.local/share/flatpak/exports/share:/var/lib/flatpak/exports/share:/usr/local/share/:/usr/share/:/var/lib/snapd/desktop',
  ],
  [
    'PATH',
    '/home/alice/.nvm/versions/node/v20.20.2/bin:/home/alice/.cargo/bin:/home/alice/.local/bin:/home/alice/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin:/usr/lib/jvm/java-17-openjdk-amd64/bin:/opt/android-sdk/platform-tools',
  ],
  ['GDMSESSION', 'ubuntu'],
  ['DBUS_SESSION_BUS_ADDRESS', 'unix:path=/run/user/1000/bus'],
  ['GIO_LAUNCHED_DESKTOP_FILE_PID', '3377'],
  ['GIO_LAUNCHED_DESKTOP_FILE', '/usr/share/applications/org.gnome.Terminal.desktop'],
  ['LC_NUMERIC', 'en_GB.UTF-8'],
  ['OLDPWD', '/home/alice'],
  ['NVM_DIR', '/home/alice/.nvm'],
  ['NVM_BIN', '/home/alice/.nvm/versions/node/v20.20.2/bin'],
  ['NVM_INC', '/home/alice/.nvm/versions/node/v20.20.2/include/node'],
  ['CARGO_HOME', '/home/alice/.cargo'],
  ['RUSTUP_HOME', '/home/alice/.rustup'],
  ['GOPATH', '/home/alice/go'],
  ['JAVA_HOME', '/usr/lib/jvm/java-17-openjdk-amd64'],
  ['HISTCONTROL', 'ignoreboth'],
  [
    'MANPATH',
    '/home/alice/.nvm/versions/node/v20.20.2/share/man:/usr/local/man:/usr/local/share/man:/usr/share/man',
  ],
  ['XDG_SEAT', 'seat0'],
  ['XDG_SESSION_ID', '2'],
  ['GTK_IM_MODULE', 'ibus'],
  ['INVOCATION_ID', '6f0d3c1c9b1e4f0e8d7a2b5c4e3f2a1d'],
  ['JOURNAL_STREAM', '8:41327'],
  ['MANAGERPID', '1655'],
  ['EDITOR', '/usr/bin/vim'],
  ['PYENV_ROOT', '/home/alice/.pyenv'],
  ['_', '/usr/bin/sleep'],
];

describe('parseEnviron on real captures', () => {
  const cases: [string, [string, string][]][] = [
    // env -i A=1 'B=x=y' EMPTY= 'SPACE=a b' sleep 30
    [
      'basic',
      [
        ['A', '1'],
        ['B', 'x=y'],
        ['EMPTY', ''],
        ['SPACE', 'a b'],
      ],
    ],
    // env -i $'\tFIRST=starts with tab' $'TAB=a\tb' $'CR=x\r' $'LAST=ends with newline\n' sleep 30
    [
      'whitespace-edges',
      [
        ['\tFIRST', 'starts with tab'],
        ['TAB', 'a\tb'],
        ['CR', 'x\r'],
        ['LAST', 'ends with newline\n'],
      ],
    ],
    // env -i __proto__=polluted constructor=c hasOwnProperty=h toString=t prototype=p sleep 30
    [
      'proto-keys',
      [
        ['__proto__', 'polluted'],
        ['constructor', 'c'],
        ['hasOwnProperty', 'h'],
        ['toString', 't'],
        ['prototype', 'p'],
      ],
    ],
    // execve envp: A=first B=1 A=second B=2 A=third
    [
      'duplicates',
      [
        ['A', 'first'],
        ['B', '1'],
      ],
    ],
    // execve envp: BEFORE=1 NOEQUALS "" "" "=empty name" AFTER=2
    [
      'malformed-entries',
      [
        ['BEFORE', '1'],
        ['', 'empty name'],
        ['AFTER', '2'],
      ],
    ],
    // execve envp: LATIN1=caf\xe9 UTF8=caf\xc3\xa9 \xe2\x9c\x93 KEY\xff=v TRUNC=\xe2\x9c OK=plain
    [
      'non-utf8',
      [
        ['LATIN1', 'caf\udce9'],
        ['UTF8', 'café ✓'],
        ['KEY\udcff', 'v'],
        ['TRUNC', '\udce2\udc9c'],
        ['OK', 'plain'],
      ],
    ],
    // env -i sleep 30
    ['empty-environment', []],
    // 70 made-up desktop-session variables, 4033 bytes
    ['desktop-4k', DESKTOP_4K],
  ];

  it.each(cases)('%s', (name, expected) => {
    const environ = parseEnviron(fixture(name));
    expect(environ).toBeInstanceOf(Environ);
    expect(entriesOf(environ)).toEqual(expected);
  });

  it('the 4 KiB capture is the size the benchmark assumes', () => {
    expect(fixture('desktop-4k').length).toBe(4033);
    expect(DESKTOP_4K.length).toBe(70);
    expect(parseEnviron(fixture('desktop-4k')).get('PATH')).toBe(
      '/home/alice/.nvm/versions/node/v20.20.2/bin:/home/alice/.cargo/bin:/home/alice/.local/bin:/home/alice/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin:/usr/lib/jvm/java-17-openjdk-amd64/bin:/opt/android-sdk/platform-tools',
    );
  });
});

describe('parseEnviron on crafted files', () => {
  it('accepts a file without the final NUL', () => {
    expect(entriesOf(parseEnviron(fixture('no-trailing-nul')))).toEqual([
      ['A', '1'],
      ['B', 'no trailing nul'],
    ]);
  });

  it('skips the empty entries of doubled NULs', () => {
    expect(entriesOf(parseEnviron(fixture('double-nuls')))).toEqual([
      ['A', '1'],
      ['B', '2'],
    ]);
  });

  it('skips entries without "=" and gives an empty map when none has one', () => {
    expect(entriesOf(parseEnviron(fixture('no-equals')))).toEqual([]);
    expect(entriesOf(parseEnviron(bytesOf('NOPE\0A=1\0ALSO NOT\0')))).toEqual([['A', '1']]);
  });

  it('gives an empty map for an empty file', () => {
    expect(parseEnviron(new Uint8Array(0)).size).toBe(0);
    expect(parseEnviron('').size).toBe(0);
  });

  it('keeps the value exactly: no trimming at either end of the file or of a value', () => {
    const environ = parseEnviron(bytesOf('\n\r\tK= padded \t\0V=\r\n\t\0'));
    expect(entriesOf(environ)).toEqual([
      ['\n\r\tK', ' padded \t'],
      ['V', '\r\n\t'],
    ]);
  });

  it('takes the first "=" as the separator', () => {
    expect(entriesOf(parseEnviron(bytesOf('A==\0B=c=d=e\0')))).toEqual([
      ['A', '='],
      ['B', 'c=d=e'],
    ]);
  });

  it('lets the first of repeated names win, as getenv does, and keeps the first position', () => {
    const environ = parseEnviron(bytesOf('X=1\0Y=2\0X=3\0Z=4\0Y=5\0'));
    expect(environ.get('X')).toBe('1');
    expect(environ.get('Y')).toBe('2');
    expect(environ.has('Z')).toBe(true);
    expect(environ.get('W')).toBeUndefined();
    expect(environ.has('W')).toBe(false);
    expect(entriesOf(environ)).toEqual([
      ['X', '1'],
      ['Y', '2'],
      ['Z', '4'],
    ]);
    expect(Object.entries(environ.toObject())).toEqual([
      ['X', '1'],
      ['Y', '2'],
      ['Z', '4'],
    ]);
  });

  it('iterates every definition, repeats included, so none can hide', () => {
    const environ = parseEnviron(bytesOf('X=1\0Y=2\0X=3\0'));
    const all = [
      ['X', '1'],
      ['Y', '2'],
      ['X', '3'],
    ];
    expect(environ.size).toBe(3);
    expect([...environ]).toEqual(all);
    expect([...environ.entries()]).toEqual(all);
    expect([...environ.keys()]).toEqual(['X', 'Y', 'X']);
    expect([...environ.values()]).toEqual(['1', '2', '3']);
    const seen: string[][] = [];
    environ.forEach((value, name, self) => {
      expect(self).toBe(environ);
      seen.push([name, value]);
    });
    expect(seen).toEqual(all);
  });

  it('reads a string input as the UTF-8 text of the file', () => {
    expect(entriesOf(parseEnviron('A=é\0B=✓'))).toEqual([
      ['A', 'é'],
      ['B', '✓'],
    ]);
  });
});

describe('parseEnviron and prototype keys', () => {
  it('stores __proto__ and friends as plain keys without touching any prototype', () => {
    const environ = parseEnviron(fixture('proto-keys'));
    expect(Object.getPrototypeOf(environ)).toBe(Environ.prototype);
    const object = environ.toObject();
    expect(Object.getPrototypeOf(object)).toBeNull();
    expect(Object.keys(object)).toEqual([
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'prototype',
    ]);
    expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).toBe('polluted');
    expect(environ.get('__proto__')).toBe('polluted');
    expect(environ.get('constructor')).toBe('c');
    expect(environ.get('hasOwnProperty')).toBe('h');
    expect(environ.has('polluted')).toBe(false);
    expect({} as Record<string, unknown>).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof {}.hasOwnProperty).toBe('function');
    expect(environ.size).toBe(5);
  });

  it('does not pollute through a __proto__ value that looks like JSON', () => {
    const environ = parseEnviron(bytesOf('__proto__={"polluted":1}\0polluted=yes\0'));
    expect(environ.get('__proto__')).toBe('{"polluted":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseEnviron decodings', () => {
  const nonUtf8 = () => fixture('non-utf8');

  it('escapes each invalid byte as U+DC80+byte by default, reversibly', () => {
    const environ = parseEnviron(nonUtf8());
    expect(hasEscapedBytes(environ.get('LATIN1')!)).toBe(true);
    expect(hasEscapedBytes(environ.get('UTF8')!)).toBe(false);
    expect(encodeText(environ.get('LATIN1')!)).toEqual(latin1Bytes('caf\xe9'));
    expect(encodeText('KEY\udcff')).toEqual(latin1Bytes('KEY\xff'));
    expect(parseEnviron(nonUtf8(), { decoding: 'escape' })).toEqual(environ);
  });

  it('refuses non-UTF-8 in strict mode, naming the variable', () => {
    const error = parseErrorOf(() => parseEnviron(nonUtf8(), { decoding: 'strict' }));
    expect(error.kind).toBe('environ');
    expect(error.offset).toBe(10);
    expect(error.message).toContain('value of "LATIN1" (entry 0) is not valid UTF-8');
  });

  it('says when the bad byte is in a name, or in an entry without "="', () => {
    const inName = parseErrorOf(() =>
      parseEnviron(latin1Bytes('A=1\0B\xff=2\0'), { decoding: 'strict' }),
    );
    expect(inName.offset).toBe(5);
    expect(inName.message).toContain('name of entry 1 is not valid UTF-8');
    const noEquals = parseErrorOf(() =>
      parseEnviron(latin1Bytes('A=1\0\xff\0B=2\0'), { decoding: 'strict' }),
    );
    expect(noEquals.offset).toBe(4);
    expect(noEquals.message).toContain('entry 1 (which has no "=") is not valid UTF-8');
  });

  it('decodes valid UTF-8 identically in strict mode', () => {
    expect(entriesOf(parseEnviron(fixture('basic'), { decoding: 'strict' }))).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['EMPTY', ''],
      ['SPACE', 'a b'],
    ]);
  });

  it('replaces invalid sequences with U+FFFD when asked', () => {
    expect(entriesOf(parseEnviron(nonUtf8(), { decoding: 'replace' }))).toEqual([
      ['LATIN1', 'caf\ufffd'],
      ['UTF8', 'café ✓'],
      ['KEY\ufffd', 'v'],
      ['TRUNC', '\ufffd'],
      ['OK', 'plain'],
    ]);
  });

  it('maps one byte to one character in latin1 mode', () => {
    expect(entriesOf(parseEnviron(nonUtf8(), { decoding: 'latin1' }))).toEqual([
      ['LATIN1', 'caf\u00e9'],
      ['UTF8', 'caf\u00c3\u00a9 \u00e2\u009c\u0093'],
      ['KEY\u00ff', 'v'],
      ['TRUNC', '\u00e2\u009c'],
      ['OK', 'plain'],
    ]);
  });

  it('rejects an unknown decoding and a non-bytes input with a ParseError', () => {
    const unknown = parseErrorOf(() =>
      parseEnviron(fixture('basic'), { decoding: 'utf-16' as TextDecoding }),
    );
    expect(unknown.message).toContain('unknown text decoding "utf-16"');
    const notBytes = parseErrorOf(() => parseEnviron(42 as unknown as Uint8Array));
    expect(notBytes.kind).toBe('environ');
    expect(notBytes.message).toContain('expected a Uint8Array or a string, got number');
  });
});
