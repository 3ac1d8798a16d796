// The browser's one stream for all its boards (a SharedWorker; pages join through
// frontend/src/shared_stream.js). Browsers open at most ~6 HTTP/1.1 connections per host, so
// a 7th board tab (or OBS browser source) with a stream of its own would stall. This worker
// holds ONE EventSource on /api/streams with every board that joined (`b=<board query>`, the
// query the board would give /api/stream), and forwards each board's events (tagged
// `<index>.<name>` by the server) to that board's port. When a board joins or leaves it opens
// the new stream, switches when the server accepts it, then closes the old one; each board's
// held view version goes along (`last=`) so a board already up to date gets no view again.

const MAX_BOARDS = 16; // as server/src/views/multi.rs
const EVENTS = ['view', 'patch', 'status', 'clock', 'decision'];
const RETRY_MS = 2000; // as the server's `retry:` for a board's own stream
const SETTLE_MS = 30; // boards opened together (an OBS scene) share one reopening

const boards = new Map(); // key -> { port, query, held }
let nextKey = 1;
let current = null; // { source, keys }: the stream boards are fed from
let pending = null; // a stream being opened to replace it
let timer = null;

onconnect = (e) => {
  const port = e.ports[0];
  let key = null;
  port.onmessage = (m) => {
    if (typeof m.data.join === 'string' && key === null) {
      key = nextKey++;
      boards.set(key, { port, query: m.data.join, held: '' });
      reopen(SETTLE_MS);
    } else if (m.data.leave && key !== null) {
      boards.delete(key);
      key = null;
      reopen(SETTLE_MS);
    }
  };
};

function tell(key, message) {
  const board = boards.get(key);
  if (board) board.port.postMessage(message);
}

function reopen(delay) {
  clearTimeout(timer);
  timer = setTimeout(open, delay);
}

function same(a, b) {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function open() {
  const keys = [...boards.keys()];
  // Beyond what one stream carries, boards get streams of their own.
  for (const key of keys.splice(MAX_BOARDS)) {
    tell(key, { state: 'direct' });
    boards.delete(key);
  }
  if (pending) {
    pending.source.close();
    pending = null;
  }
  if (current && same(current.keys, keys)) return;
  if (!keys.length) {
    if (current) current.source.close();
    current = null;
    return;
  }
  const query = keys.map((k) => 'b=' + encodeURIComponent(boards.get(k).query));
  const held = keys.map((k) => 'last=' + encodeURIComponent(boards.get(k).held));
  const url = '/api/streams?' + query.concat(held).join('&');
  const conn = { source: new EventSource(url), keys, url };
  pending = conn;
  conn.source.onopen = () => {
    if (pending !== conn) return;
    pending = null;
    if (current) current.source.close();
    current = conn;
    for (const key of keys) tell(key, { state: 'open' });
  };
  conn.source.onerror = () => failed(conn);
  keys.forEach((key, index) => {
    for (const name of EVENTS) {
      conn.source.addEventListener(index + '.' + name, (e) => deliver(conn, key, name, e));
    }
  });
}

function deliver(conn, key, name, e) {
  const board = boards.get(key);
  if (conn !== current || !board) return;
  // Right after a switch, the new stream may repeat versions the old one delivered: a view
  // the board holds, or patches from older versions (the board could not apply them).
  if (name === 'view' && e.lastEventId === board.held) return;
  if (name === 'patch' && board.held && baseOf(e.data) !== board.held) return;
  if (name === 'view' || name === 'patch') board.held = e.lastEventId;
  board.port.postMessage({ event: name, data: e.data, id: e.lastEventId });
}

function baseOf(data) {
  try {
    return JSON.parse(data).base;
  } catch (e) {
    return null;
  }
}

// A stream failed (refused, or the connection dropped). Not left to the browser's own retry:
// its URL names the versions held when it opened. A board the server refused is dropped (its
// page asks /api/view why, and joins again later); the others get a new stream.
async function failed(conn) {
  conn.source.close();
  if (conn === pending) pending = null;
  const wasCurrent = conn === current;
  if (wasCurrent) {
    current = null;
    for (const key of conn.keys) tell(key, { state: 'reconnecting' });
  }
  const refused = await refusedBoard(conn.url);
  if (refused !== null && conn.keys[refused] !== undefined) {
    const key = conn.keys[refused];
    tell(key, { state: 'closed' });
    boards.delete(key);
    reopen(SETTLE_MS);
  } else {
    reopen(RETRY_MS);
  }
}

// The index of the board the server refused, from its JSON error (`details.board`); null
// when it did not name one (unreachable, a cap on the whole address, …).
async function refusedBoard(url) {
  const abort = new AbortController();
  try {
    const response = await fetch(url, { signal: abort.signal });
    if (response.ok) {
      abort.abort();
      return null;
    }
    const body = await response.json();
    return Number.isInteger(body?.details?.board) ? body.details.board : null;
  } catch (e) {
    return null;
  }
}
