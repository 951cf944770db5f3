import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Kernel clock ticks per second, in which /proc/<pid>/stat counts CPU time (USER_HZ). */
let ticksPerSecond: number | undefined;

export async function clockTicks(): Promise<number> {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) a process has used so far; null once it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / (await clockTicks());
  } catch {
    return null;
  }
}

/**
 * Write system calls a process has made so far (`syscw` of /proc/<pid>/io: `write` and
 * `writev`: each socket write, and each wake-up of its event loop through its eventfd); null
 * once it is gone or where it cannot be read.
 */
export async function writeCalls(pid: number): Promise<number | null> {
  try {
    const io = await readFile(`/proc/${pid}/io`, 'utf8');
    const match = /^syscw:\s+(\d+)/m.exec(io);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in MB; null once it is gone. */
export async function memoryMb(pid: number): Promise<{ rss: number; peak: number } | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** The process listening on a TCP port, from `ss -ltnp` (it names only the user's own). */
export async function pidListeningOn(port: number): Promise<number | null> {
  try {
    const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]);
    const match = /pid=(\d+)/.exec(stdout);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Processes whose command line contains `needle` (e.g. `dist/apps/orchestrator/src/main.js`). */
export async function pidsByCommandLine(needle: string): Promise<number[]> {
  const found = await Promise.all(
    (await allPids()).map(async (pid) => {
      try {
        const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
        return cmd.includes(needle) ? pid : null;
      } catch {
        return null;
      }
    }),
  );
  return found.filter((pid): pid is number => pid !== null);
}

/** Processes whose name (`/proc/<pid>/comm`) is exactly `name`, e.g. `beam.smp`. */
export async function pidsByName(name: string): Promise<number[]> {
  const found = await Promise.all(
    (await allPids()).map(async (pid) => {
      try {
        return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === name ? pid : null;
      } catch {
        return null;
      }
    }),
  );
  return found.filter((pid): pid is number => pid !== null);
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
}
