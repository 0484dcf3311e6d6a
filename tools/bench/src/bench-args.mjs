// The command line every bench takes: `[--quick] [case ...]`.
import { timingPlan } from './harness.mjs';

/**
 * `--quick`, its timing plan and the cases asked for (none: all). `cases` lists the case names the
 * bench knows: an unknown one throws before any process or file is set up, so a typo costs no
 * setup time. A bench without cases passes none, and its other arguments are not checked.
 */
export function readBenchArgs(cases) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  if (cases) {
    for (const name of only) {
      if (!cases.includes(name))
        throw new Error(`unknown case "${name}"; cases: ${cases.join(' ')}`);
    }
  }
  const wanted = (name) => only.length === 0 || only.includes(name);
  return { quick, plan: timingPlan(quick), only, wanted };
}
