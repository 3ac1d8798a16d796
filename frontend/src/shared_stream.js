// A board page's side of the shared stream (see frontend/stream-worker.js): an EventTarget
// that looks like the page's EventSource (same event names, MessageEvents with data and
// lastEventId, readyState, close), fed by the browser's one shared worker. Browsers open at
// most ~6 HTTP/1.1 connections per host; with one stream per tab the 7th board would stall.

const WORKER = '/stream-worker.js';
// Events a board stream carries, re-sent as they are when the worker says to go direct.
const EVENTS = ['open', 'error', 'view', 'patch', 'status', 'clock', 'decision'];

// The shared source for a board's `/api/stream?…` URL, or null when this browser has no
// SharedWorker or the page asked for its own stream (`share=false` in its URL).
export function sharedSource(url) {
  if (typeof SharedWorker !== 'function' || /[?&]share=(false|0|off)(&|$)/.test(location.search)) {
    return null;
  }
  try {
    return new SharedSource(url);
  } catch (e) {
    return null;
  }
}

// Closes either kind of source.
export function closeSource(source) {
  source.close();
}

class SharedSource extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.readyState = 0;
    this.direct = null;
    this.port = new SharedWorker(WORKER, { name: 'owlcms-streams' }).port;
    this.port.onmessage = (m) => this.receive(m.data);
    // A tab being closed runs no cleanup of the page: leave the shared stream here.
    this.leave = () => this.close();
    addEventListener('pagehide', this.leave);
    this.port.postMessage({ join: url.slice(url.indexOf('?') + 1) });
  }

  receive(m) {
    if (this.readyState === 2 && !this.direct) return;
    if (m.state === 'open') {
      this.readyState = 1;
      this.dispatchEvent(new Event('open'));
    } else if (m.state === 'reconnecting') {
      this.readyState = 0;
      this.dispatchEvent(new Event('error'));
    } else if (m.state === 'closed') {
      // The worker dropped this board (the server refused it): the page finds out why.
      this.readyState = 2;
      this.dispatchEvent(new Event('error'));
    } else if (m.state === 'direct') {
      // The shared stream is full: this board gets a stream of its own.
      this.detach();
      this.direct = new EventSource(this.url);
      for (const name of EVENTS) {
        this.direct.addEventListener(name, (e) => {
          this.readyState = this.direct.readyState;
          this.dispatchEvent(e.data === undefined ? new Event(name) : new MessageEvent(name, e));
        });
      }
    } else if (m.event) {
      this.dispatchEvent(new MessageEvent(m.event, { data: m.data, lastEventId: m.id || '' }));
    }
  }

  detach() {
    if (this.port) {
      this.port.postMessage({ leave: true });
      this.port.close();
      this.port = null;
    }
    removeEventListener('pagehide', this.leave);
  }

  close() {
    this.readyState = 2;
    this.detach();
    if (this.direct) {
      this.direct.close();
      this.direct = null;
    }
  }
}
