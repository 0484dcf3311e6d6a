// The baseline anyone would write first: decode everything, split on NUL, cut at the first '='.
const decoder = new TextDecoder();

/** environ as a plain object, the "naive split" way. */
export function naiveSplitEnviron(bytes) {
  const out = {};
  for (const entry of decoder.decode(bytes).split('\0')) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}
