import { Socket } from 'node:net';

/**
 * Makes `socket` send what it is given to write during one turn of the event loop in one
 * system call: the first write of a turn corks it, and it is uncorked once that turn's
 * callbacks and promise reactions have run (`process.nextTick` from the write). Nothing waits
 * for a later turn, and the bytes keep their order.
 *
 * This is for node-postgres with `pipeline: true`, which writes each statement as it is
 * queued: a participant step's last statement and the `COMMIT` sent behind it
 * (`StepTransaction.finalStatement`), or a transaction's `BEGIN` and the statement queued right
 * after it, are then one `writev` instead of one `write` each. Where the socket is ended while
 * corked, `end()` uncorks it as it always does.
 */
export function writeEachTurnTogether(socket: Socket): Socket {
  const write = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const writeInTurn = function (this: Socket, ...args: unknown[]): boolean {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
  // `connect()` puts `Socket.prototype.write` back on the socket (undoing what an earlier end
  // set): the wrapper goes back on after it.
  const connect = socket.connect as (this: Socket, ...args: unknown[]) => Socket;
  socket.connect = function (this: Socket, ...args: unknown[]): Socket {
    const connecting = connect.apply(this, args);
    socket.write = writeInTurn;
    return connecting;
  } as Socket['connect'];
  socket.write = writeInTurn;
  return socket;
}

/**
 * The socket factory node-postgres takes as its `stream` option (in a DataSource's `extra`
 * for TypeORM): a new socket for each connection, whose writes of one turn go out together
 * (`writeEachTurnTogether`). A connection over TLS wraps this socket and writes past it, as it
 * would without the option.
 */
export function pgSocketWritingByTurn(): Socket {
  return writeEachTurnTogether(new Socket());
}
