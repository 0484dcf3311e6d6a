// Colour for people, never for machines: on when stdout is a terminal, off when piped, whatever
// else the environment says (picocolors alone turns colour on whenever CI is set). NO_COLOR
// turns it off and FORCE_COLOR on, as everywhere.
import picocolors from 'picocolors';

function colourWanted(): boolean {
  const { env } = process;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return process.stdout.isTTY === true;
}

export const pc = picocolors.createColors(colourWanted());
