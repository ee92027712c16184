// A small tmpfs for tests of full and read-only disks. Mounting needs root (or CAP_SYS_ADMIN); where it
// fails the caller skips, with the reason in the test's name, so a skipped run says why.
import { execFileSync } from 'node:child_process';
import { makeTempDir, removeDir } from './idxFixture';

export interface Tmpfs {
  readonly dir: string;
  /** mount -o remount,ro: every create or write in dir fails with EROFS (root included). */
  readOnly(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `size` (e.g. '64k') on a new temp folder, or says why it could not. */
export function mountTmpfs(size: string): Tmpfs | { readonly reason: string } {
  const dir = makeTempDir('mnist-loss-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    removeDir(dir);
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    return { reason: `cannot mount a tmpfs (needs root): ${stderr || (e as Error).message}` };
  }
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
    unmount: () => {
      try { execFileSync('umount', [dir], { stdio: 'pipe' }); } finally { removeDir(dir); }
    },
  };
}

/** Fills a mounted tmpfs until the next write of any size fails (ENOSPC). */
export function fillDisk(dir: string): void {
  // one file of zeros as large as the disk takes; dd stops at ENOSPC
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${dir}/fill`, 'bs=1k'], { stdio: 'pipe' });
  } catch {
    /* dd exits 1 at ENOSPC: that is the point */
  }
}
