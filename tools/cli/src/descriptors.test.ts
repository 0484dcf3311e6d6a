// The descriptor table: descriptors that failed alike are one row with their count.
import { describe, expect, it } from 'vitest';
import { type DescriptorLine, descriptorLines } from './descriptors.js';

const refused = (fd: number): DescriptorLine => ({
  fd,
  failure: `permission: cannot read the link /proc/1/fd/${fd} (process 1): permission denied (EACCES)`,
});

describe('descriptorLines', () => {
  it('293 descriptors refused alike: one row, the count and which', () => {
    const fds = [...Array.from({ length: 290 }, (_, i) => i), 300, 302, 303];
    const lines = descriptorLines([
      ...fds.map(refused),
      { fd: 400, type: 'pipe', target: 'pipe:[7]' },
    ]);
    expect(lines).toHaveLength(3); // header, the group, the pipe
    expect(lines[1]).toMatch(
      /^\s+\*\s+\?\s+\(permission: cannot read the link \/proc\/1\/fd\/N \(process 1\): permission denied \(EACCES\)\) 293 descriptors: 0-289, 300, 302-303$/,
    );
    expect(lines[2]).toMatch(/^\s+400\s+pipe\s+pipe:\[7\]$/);
  });

  it('one refused descriptor keeps its own number and message', () => {
    const lines = descriptorLines([refused(5), { fd: 6, type: 'pipe', target: 'pipe:[8]' }]);
    expect(lines[1]).toMatch(/^\s+5\s+\?\s+\(permission: cannot read the link \/proc\/1\/fd\/5 /);
  });

  it('different failures are different rows', () => {
    const gone: DescriptorLine = { fd: 9, failure: 'gone: the descriptor closed (ENOENT)' };
    const lines = descriptorLines([refused(1), refused(2), gone]);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('2 descriptors: 1-2');
    expect(lines[2]).toMatch(/^\s+9\s+\?\s+\(gone: the descriptor closed \(ENOENT\)\)$/);
  });
});
