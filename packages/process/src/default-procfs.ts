// The shared ProcFS on /proc lives in @procmon/procfs, one for every package.
export { defaultProcFS, procfsOf } from '@procmon/procfs';
