import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'sessionhub.lock';

/** Thrown when another live process owns the embedded data directory. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, owner: { pid: number; command: string }) {
    super(
      `The embedded database in ${dataDir} is in use by process ${owner.pid} (${owner.command}). PGlite belongs to ` +
        `one process at a time: stop that process first, or, while the service runs, use its API instead ` +
        `(POST /api/hub/v1/tokens creates a token). To share one database between processes, set DATABASE_URL to ` +
        `a PostgreSQL server.`,
    );
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): { pid: number; command: string } | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; command?: unknown };
    return typeof owner.pid === 'number' ? { pid: owner.pid, command: String(owner.command) } : null;
  } catch {
    return null;
  }
}

/**
 * Takes the data directory for this process: a lock file created exclusively, naming the owner. A lock left by a
 * process that died (kill -9, power loss) is taken over; one held by a live process is refused with a message
 * naming it. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE);
  const me = JSON.stringify({ pid: process.pid, command: process.argv.slice(1).join(' '), since: new Date() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      return () => {
        if (readOwner(path)?.pid === process.pid) unlinkSync(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner && owner.pid !== process.pid && isAlive(owner.pid)) throw new DataDirInUseError(dataDir, owner);
      // Stale (its owner is gone) or unreadable (its owner died while writing it): take it over.
      try {
        unlinkSync(path);
      } catch {
        // another process removed it first; try again
      }
    }
  }
  throw new Error(`Could not lock ${path}`);
}
