// @ts-check
/** The dashboard's API, called with the key the operator entered (kept for this tab only). */

const STORAGE = 'saga-dashboard-api-key';
const RECONNECT_MS = 2_000;

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function apiKey() {
  return sessionStorage.getItem(STORAGE) ?? '';
}

/** @param {string} key */
export function setApiKey(key) {
  if (key) sessionStorage.setItem(STORAGE, key);
  else sessionStorage.removeItem(STORAGE);
}

function headers() {
  /** @type {Record<string, string>} */
  const result = { accept: 'application/json' };
  const key = apiKey();
  if (key) result['x-api-key'] = key;
  return result;
}

/**
 * GETs `api/<path>` and returns its JSON; an error answer throws an ApiError with its message.
 * @param {string} path
 * @returns {Promise<any>}
 */
export async function get(path) {
  return answer(await fetch(`api/${path}`, { headers: headers() }));
}

/**
 * POSTs JSON to `api/<path>`.
 * @param {string} path
 * @param {unknown} body
 * @returns {Promise<any>}
 */
export async function post(path, body) {
  const init = {
    method: 'POST',
    headers: { ...headers(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
  return answer(await fetch(`api/${path}`, init));
}

/** @param {Response} response */
async function answer(response) {
  const body = await response.json().catch(() => null);
  if (response.ok) return body;
  const message = body && body.message ? [].concat(body.message).join('; ') : response.statusText;
  throw new ApiError(response.status, `${response.status}: ${message}`);
}

/**
 * Follows the server-sent events with fetch (an EventSource cannot send the key), and
 * connects again whenever the stream ends. `onState(true)` once connected, `false` when lost.
 * @param {(type: string, data: any) => void} onEvent
 * @param {(connected: boolean) => void} onState
 * @returns {() => void} stops following
 */
export function follow(onEvent, onState) {
  let stopped = false;
  /** @type {AbortController | null} */
  let current = null;
  const run = async () => {
    while (!stopped) {
      current = new AbortController();
      try {
        const response = await fetch('api/events', { headers: headers(), signal: current.signal });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        await readEvents(response.body, onEvent, onState);
      } catch {
        // Lost or refused: say so, wait, try again.
      }
      onState(false);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  };
  void run();
  return () => {
    stopped = true;
    current?.abort();
  };
}

/**
 * @param {ReadableStream<Uint8Array>} body
 * @param {(type: string, data: any) => void} onEvent
 * @param {(connected: boolean) => void} onState
 */
async function readEvents(body, onEvent, onState) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (type === 'ready') onState(true);
      onEvent(type, data ? JSON.parse(data) : null);
    }
  }
}
