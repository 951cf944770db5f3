import { writeFramesTogether } from './frames-together';

/** A stand-in for amqplib's connection: a socket that logs what it is told, and a muxer. */
function fakeConnection(frames: string[]) {
  const log: string[] = [];
  const stream = {
    cork: () => log.push('cork'),
    uncork: () => log.push('uncork'),
    write: (frame: string) => log.push(`write ${frame}`),
  };
  const muxer = {
    _readIncoming(): void {
      for (const frame of frames) stream.write(frame);
    },
  };
  return { log, muxer, model: { connection: { stream, muxer } } };
}

describe('writeFramesTogether', () => {
  it('corks the socket for each pass of the muxer and uncorks it at the end of that pass', () => {
    const { log, muxer, model } = fakeConnection(['publish', 'ack']);
    expect(writeFramesTogether(model)).toBe(true);
    muxer._readIncoming();
    muxer._readIncoming();
    expect(log).toEqual([
      'cork',
      'write publish',
      'write ack',
      'uncork',
      'cork',
      'write publish',
      'write ack',
      'uncork',
    ]);
  });

  it('uncorks when a pass throws, so the socket never stays corked', () => {
    const { log, muxer, model } = fakeConnection([]);
    muxer._readIncoming = () => {
      throw new Error('boom');
    };
    writeFramesTogether(model);
    expect(() => muxer._readIncoming()).toThrow('boom');
    expect(log).toEqual(['cork', 'uncork']);
  });

  it('wraps a connection once, however often it is called', () => {
    const { log, muxer, model } = fakeConnection(['publish']);
    writeFramesTogether(model);
    expect(writeFramesTogether(model)).toBe(true);
    muxer._readIncoming();
    expect(log).toEqual(['cork', 'write publish', 'uncork']);
  });

  it('leaves a connection without those internals as it is', () => {
    expect(writeFramesTogether(null)).toBe(false);
    expect(writeFramesTogether({})).toBe(false);
    expect(writeFramesTogether({ connection: { stream: {}, muxer: {} } })).toBe(false);
    const { muxer, model } = fakeConnection([]);
    const pass = muxer._readIncoming;
    const withoutCork = { connection: { ...model.connection, stream: { write: () => 0 } } };
    expect(writeFramesTogether(withoutCork)).toBe(false);
    expect(muxer._readIncoming).toBe(pass);
  });
});
