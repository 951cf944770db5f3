import { createServer } from 'node:net';

/**
 * Below Linux's ephemeral range (32768–60999 by default): the kernel never hands these out to
 * outgoing connections or to `listen(0)`, so a port found free here stays free while an app
 * restarts on it, unless someone else chooses it on purpose.
 */
const RANGE = { from: 20_000, to: 32_000 };

/** A loopback port nobody listens on right now, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${RANGE.from} and ${RANGE.to}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
