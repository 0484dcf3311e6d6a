// What the parseStatus tests share.
import type { Status } from '../src/status.js';

/** The typed properties only, so `toEqual` also catches a property that should not be there. */
export const typed = (status: Status) => {
  const { fields: _fields, sizesBytes: _sizes, ...rest } = status;
  return rest;
};

export const ROOT_IDS = { real: 0, effective: 0, saved: 0, filesystem: 0 };
export const KB = 1024;
