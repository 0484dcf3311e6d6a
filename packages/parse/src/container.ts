/**
 * Who runs a process, as its cgroup path names it: a container runtime, or a systemd unit.
 *
 * - `docker`: `/docker/<id>` (cgroupfs driver) or `docker-<id>.scope` (systemd driver).
 * - `containerd`: `cri-containerd-<id>.scope` (the CRI plugin, as under Kubernetes).
 * - `cri-o`: `crio-<id>.scope`.
 * - `podman`: `libpod-<id>.scope` (systemd) or `libpod-<id>` (cgroupfs, under `libpod_parent`).
 * - `kubernetes`: `/kubepods/[<qos>/]pod<uid>/<id>`, a Kubernetes container whose runtime the
 *   path does not name (the cgroupfs driver).
 * - `systemd`: no container, but a systemd unit: `/system.slice/nginx.service`,
 *   `/user.slice/user-1000.slice/session-2.scope`; `id` is the unit's name.
 *
 * Container ids are 64 lowercase hex digits; a `*-conmon-<id>.scope` (the runtime's monitor,
 * outside the container) is not a container.
 */
export type ContainerRuntime =
  | 'docker'
  | 'containerd'
  | 'cri-o'
  | 'podman'
  | 'kubernetes'
  | 'systemd';

/** What {@link containerOf} read from a cgroup path. */
export interface CgroupContainer {
  runtime: ContainerRuntime;
  /** The container's id (64 hex digits), or for `systemd` the unit's name. */
  id: string;
  /**
   * The Kubernetes pod's uid, with dashes (`kubepods-burstable-pod<uid>.slice` writes them as
   * `_`), when the path is under `kubepods`.
   */
  podUid?: string;
  /** The systemd unit the process is in (`docker-<id>.scope`, `nginx.service`), if any. */
  unit?: string;
  /** The innermost systemd slice above that unit (`system.slice`, `user-1000.slice`), if any. */
  slice?: string;
}

const CONTAINER_ID = /^[0-9a-f]{64}$/;
const POD_UID =
  /^(?:[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32})$/;

/** systemd scope prefixes of the runtimes that start containers as transient scopes. */
const SCOPE_PREFIXES: readonly [string, ContainerRuntime][] = [
  ['docker-', 'docker'],
  ['cri-containerd-', 'containerd'],
  ['crio-', 'cri-o'],
  ['libpod-', 'podman'],
];

/**
 * Reads the container (or systemd unit) a process is in from its cgroup paths (the `path` of
 * each `parseCgroup` entry), from the path text only: nothing is asked of a runtime.
 *
 * The first path, in the order given, that names a container wins (the innermost container, if
 * one path nests several); failing that, the first that names a systemd unit.
 *
 * **A container id is only what the path says.** A process cannot choose its cgroup path, but
 * whoever may write the cgroup filesystem can: root, and a user systemd delegates a subtree to
 * (`user@1000.service`) may create `docker-<64 hex>.scope` there and move their own processes
 * in. Inside a cgroup namespace (most containers) the paths are relative to the namespace's root,
 * usually just `/`, and name nothing.
 *
 * @returns what the paths name, or undefined when none names a container or a unit.
 */
export function containerOf(cgroupPaths: readonly string[]): CgroupContainer | undefined {
  let unitOnly: CgroupContainer | undefined;
  for (const path of cgroupPaths) {
    const found = readPath(path);
    if (found === undefined) continue;
    if (found.runtime !== 'systemd') return found;
    unitOnly ??= found;
  }
  return unitOnly;
}

function readPath(path: string): CgroupContainer | undefined {
  const segments = path.split('/');
  let container: CgroupContainer | undefined;
  let unit: CgroupContainer | undefined;
  let slice: string | undefined;
  let inKubepods = false;
  let podUid: string | undefined;
  let previous = '';
  for (const segment of segments) {
    if (segment.startsWith('kubepods')) inKubepods = true;
    const pod = inKubepods ? podUidOf(segment) : undefined;
    if (pod !== undefined) podUid = pod;

    const scoped = scopedContainer(segment);
    if (scoped !== undefined) {
      container = { runtime: scoped.runtime, id: scoped.id, unit: segment };
      if (slice !== undefined) container.slice = slice;
    } else if (CONTAINER_ID.test(segment)) {
      if (previous === 'docker') container = { runtime: 'docker', id: segment };
      else if (previous === 'libpod_parent') container = { runtime: 'podman', id: segment };
      else if (podUid !== undefined && pod === undefined && previous.startsWith('pod')) {
        container = { runtime: 'kubernetes', id: segment };
      }
    } else if (previous === 'libpod_parent' && segment.startsWith('libpod-')) {
      const id = segment.slice('libpod-'.length);
      if (CONTAINER_ID.test(id)) container = { runtime: 'podman', id };
    }
    if (segment.endsWith('.slice')) slice = segment;
    else if (isUnit(segment)) {
      unit = { runtime: 'systemd', id: segment, unit: segment };
      if (slice !== undefined) unit.slice = slice;
    }
    previous = segment;
  }
  if (container !== undefined && podUid !== undefined) container.podUid = podUid;
  return container ?? unit;
}

/** `docker-<id>.scope` and the like: the runtime and the id, or undefined. */
function scopedContainer(segment: string): { runtime: ContainerRuntime; id: string } | undefined {
  if (!segment.endsWith('.scope')) return undefined;
  for (const [prefix, runtime] of SCOPE_PREFIXES) {
    if (!segment.startsWith(prefix)) continue;
    const id = segment.slice(prefix.length, -'.scope'.length);
    if (CONTAINER_ID.test(id)) return { runtime, id };
  }
  return undefined;
}

/** The pod uid of `pod<uid>` (cgroupfs) or `kubepods[-<qos>]-pod<uid>.slice` (systemd). */
function podUidOf(segment: string): string | undefined {
  let uid: string | undefined;
  if (segment.startsWith('pod')) uid = segment.slice(3);
  else if (segment.startsWith('kubepods-') && segment.endsWith('.slice')) {
    const at = segment.lastIndexOf('-pod');
    if (at !== -1) uid = segment.slice(at + 4, -'.slice'.length);
  }
  if (uid === undefined || !POD_UID.test(uid)) return undefined;
  return uid.replaceAll('_', '-');
}

/** A systemd unit a process can be in: a service or a scope (slices hold no processes). */
function isUnit(segment: string): boolean {
  return (
    (segment.endsWith('.service') && segment.length > '.service'.length) ||
    (segment.endsWith('.scope') && segment.length > '.scope'.length)
  );
}
