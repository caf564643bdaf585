import type { Limits } from "../../contract/limits";

/**
 * The size of a sandbox's `/dev/shm`, in MiB: writable (POSIX semaphores and shared memory, as Python's
 * multiprocessing uses), bounded like `/tmp`, and no larger than Docker's usual 64 MiB.
 */
export function devShmMb(limits: Pick<Limits, "tmpMb">): number {
  return Math.min(64, limits.tmpMb);
}
