// Colour for people, never for machines: on when stdout is a terminal that has colours, off when
// piped, whatever else the environment says (picocolors alone turns colour on whenever CI is
// set). NO_COLOR and TERM=dumb turn it off and FORCE_COLOR on, as everywhere.
import picocolors from 'picocolors';

function colourWanted(): boolean {
  const { env, stdout } = process;
  // A terminal: Node's own answer, which follows NO_COLOR, FORCE_COLOR, NODE_DISABLE_COLORS and
  // TERM=dumb as every Node tool does.
  if (stdout.isTTY === true && typeof stdout.hasColors === 'function') return stdout.hasColors();
  // A pipe or a file: only FORCE_COLOR asks for colour there.
  return env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
}

export const pc = picocolors.createColors(colourWanted());
