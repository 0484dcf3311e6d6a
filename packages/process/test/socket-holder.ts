// The python socket holder (socket-holder.py) as the live tests drive it: its JSON lines one at a
// time, and a way to send it a command.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackChild } from './helpers.js';

const script = fileURLToPath(new URL('./socket-holder.py', import.meta.url));

/** A python holder: its JSON lines one at a time, and a way to send it a command. */
export interface Holder {
  child: ChildProcess;
  report: Record<string, number>;
  next(): Promise<Record<string, unknown>>;
  send(line: string): Promise<Record<string, unknown>>;
}

export async function startHolder(mode: string, command: readonly string[] = []): Promise<Holder> {
  const [file = 'python3', ...args] = [...command, 'python3', script, mode];
  const child = trackChild(spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n')) {
      const line = text.slice(0, end);
      text = text.slice(end + 1);
      const wake = waiting.shift();
      if (wake) wake(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) return resolve(JSON.parse(line));
      child.once('exit', (code) => reject(new Error(`holder ${mode} exited (${code})`)));
      waiting.push((l) => resolve(JSON.parse(l)));
    });
  const report = (await next()) as Record<string, number>;
  return {
    child,
    report,
    next,
    send: (line) => {
      child.stdin?.write(`${line}\n`);
      return next();
    },
  };
}
