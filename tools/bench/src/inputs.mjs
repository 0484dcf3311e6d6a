// The bytes every implementation parses: a generated environ and /proc files of a live process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// Small deterministic PRNG (mulberry32), so every run parses the same environ.
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOCALE_VARS = [
  'LC_CTYPE',
  'LC_NUMERIC',
  'LC_TIME',
  'LC_COLLATE',
  'LC_MONETARY',
  'LC_MESSAGES',
  'LC_PAPER',
  'LC_NAME',
  'LC_ADDRESS',
  'LC_TELEPHONE',
  'LC_MEASUREMENT',
  'LC_IDENTIFICATION',
];

/**
 * A made-up but realistic environment of a desktop or CI process: exactly `size` bytes of
 * `NAME=value\0` entries, 65 of them. LS_COLORS absorbs whatever length is left, as it does in
 * real environments. One value holds non-ASCII UTF-8.
 */
export function makeEnviron(size = 4096) {
  const random = prng(0x5eed);
  const word = (n) => {
    let out = '';
    for (let i = 0; i < n; i++) out += String.fromCharCode(97 + Math.floor(random() * 26));
    return out;
  };
  const vars = [
    [
      'PATH',
      '/home/dev/.local/bin:/home/dev/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ],
    ['HOME', '/home/dev'],
    ['USER', 'dev'],
    ['LOGNAME', 'dev'],
    ['SHELL', '/bin/bash'],
    ['TERM', 'xterm-256color'],
    ['LANG', 'en_US.UTF-8'],
    ['LANGUAGE', 'en_US:en'],
    ...LOCALE_VARS.map((name) => [name, 'en_GB.UTF-8']),
    ['XDG_RUNTIME_DIR', '/run/user/1000'],
    ['XDG_SESSION_ID', '3'],
    ['XDG_SESSION_TYPE', 'wayland'],
    ['XDG_SESSION_CLASS', 'user'],
    ['XDG_SESSION_DESKTOP', 'gnome'],
    ['XDG_CURRENT_DESKTOP', 'GNOME'],
    ['XDG_DATA_DIRS', '/usr/share/gnome:/usr/local/share/:/usr/share/'],
    ['XDG_CONFIG_DIRS', '/etc/xdg/xdg-gnome:/etc/xdg'],
    ['XDG_CACHE_HOME', '/home/dev/.cache'],
    ['XDG_CONFIG_HOME', '/home/dev/.config'],
    ['XDG_DATA_HOME', '/home/dev/.local/share'],
    ['XDG_STATE_HOME', '/home/dev/.local/state'],
    ['DBUS_SESSION_BUS_ADDRESS', 'unix:path=/run/user/1000/bus'],
    ['DISPLAY', ':0'],
    ['WAYLAND_DISPLAY', 'wayland-0'],
    ['PWD', `/home/dev/src/${word(8)}`],
    ['SHLVL', '2'],
    ['HOSTNAME', `ws-${word(6)}`],
    ['EDITOR', 'vim'],
    ['PAGER', 'less'],
    ['TZ', 'Europe/Berlin'],
    ['NODE_ENV', 'production'],
    ['NODE_OPTIONS', '--max-old-space-size=4096 --enable-source-maps'],
    ['npm_config_cache', '/home/dev/.npm'],
    ['JAVA_HOME', '/usr/lib/jvm/java-17-openjdk-amd64'],
    ['GOPATH', '/home/dev/go'],
    ['CARGO_HOME', '/home/dev/.cargo'],
    ['RUSTUP_HOME', '/home/dev/.rustup'],
    ['PYTHONPATH', `/home/dev/src/${word(6)}/lib:/home/dev/src/${word(7)}/lib`],
    ['VIRTUAL_ENV', `/home/dev/.venvs/${word(5)}`],
    ['SSH_AUTH_SOCK', `/tmp/ssh-${word(12)}/agent.2231`],
    ['HISTSIZE', '10000'],
    ['HISTFILESIZE', '20000'],
    ['COLORTERM', 'truecolor'],
    ['TERM_PROGRAM', 'tmux'],
    ['MANPATH', '/usr/local/man:/usr/share/man'],
    ['LD_LIBRARY_PATH', '/usr/local/lib:/opt/vendor/lib64'],
    ['PKG_CONFIG_PATH', '/usr/local/lib/pkgconfig'],
    ['DEBIAN_FRONTEND', 'noninteractive'],
    ['GIT_AUTHOR_NAME', 'Zoë Müller-Łukasiewicz'],
    ['APP_PORT', '8080'],
    ['APP_LOG_LEVEL', 'info'],
    ['APP_SESSION_TOKEN', word(40)],
    ['LS_COLORS', ''],
    ['_', '/usr/bin/node'],
  ];
  const encoder = new TextEncoder();
  const length = vars.reduce((n, [k, v]) => n + encoder.encode(`${k}=${v}\0`).length, 0);
  const lsColors = vars.find(([k]) => k === 'LS_COLORS');
  const kinds = ['di=01;34', 'ln=01;36', 'so=01;35', 'pi=40;33', 'ex=01;32', 'bd=40;33;01'];
  let colors = kinds.join(':');
  while (colors.length < size - length)
    colors += `:*.${word(3)}=${random() < 0.5 ? '01;31' : '00;36'}`;
  lsColors[1] = colors.slice(0, size - length);
  const bytes = encoder.encode(vars.map(([k, v]) => `${k}=${v}\0`).join(''));
  if (bytes.length !== size) throw new Error(`environ is ${bytes.length} bytes, wanted ${size}`);
  return { bytes, count: vars.length };
}

/**
 * stat, statm, io and cmdline of a live process started for the purpose (a node that idles, with a
 * few realistic arguments), read once. Each file comes back as a plain Uint8Array (not a Buffer).
 */
export async function captureProcFiles() {
  const child = spawn(
    process.execPath,
    [
      '-e',
      'setInterval(() => {}, 1000)',
      '--',
      '--listen=127.0.0.1:8080',
      '--config',
      '/etc/procmon/example.json',
      'worker #1',
    ],
    { stdio: 'ignore' },
  );
  try {
    const dir = `/proc/${child.pid}`;
    // Let it finish starting (threads, heap), so its files look like a running program's.
    await sleep(300);
    const read = (name) => new Uint8Array(readFileSync(`${dir}/${name}`));
    return {
      pid: child.pid,
      stat: read('stat'),
      statm: read('statm'),
      io: read('io'),
      cmdline: read('cmdline'),
    };
  } finally {
    child.kill('SIGKILL');
  }
}
