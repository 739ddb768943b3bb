// A small stand-in for the hush HTTP API on a real socket, speaking the same
// contract (JSON, bearer keys, SSE with ids and Last-Event-ID), so the SDK
// and the shim are tested against HTTP and streams as browsers see them.
import http from 'node:http';

export const KEY = 'test-key-agent-1';

export async function startFakeHush() {
  const events = []; // {seq, type, data}
  const streams = new Set();
  const requests = [];
  const conversations = new Map();
  let seq = 0;
  let tx = 0;
  const opts = { completeBeforeResponse: false, failNext: '', withholdCompletion: false, streamStatus: 0, refuse: null };

  function publish(type, data) {
    const ev = { seq: ++seq, type, data };
    events.push(ev);
    for (const s of streams) writeEvent(s, ev);
    return ev;
  }

  function writeEvent(res, ev) {
    res.write(`id: ${ev.seq}\nevent: ${ev.type}\ndata: ${JSON.stringify(ev.data)}\n\n`);
  }

  function json(res, status, body) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function error(res, status, code, message) {
    json(res, status, { error: { code, message } });
  }

  function capState(c, cap) {
    const s = c[cap];
    s.desiredState = s.stopped ? 'stopped' : !s.started ? 'not-started' : s.pauseReasons.length ? 'paused' : 'in-progress';
    return s;
  }

  function addConversation(id, agentId = 'agent-1', createdAt = new Date().toISOString()) {
    const mk = () => ({ state: 'in-progress', desiredState: 'in-progress', started: true, stopped: false, pauseReasons: [] });
    const c = {
      id,
      agentId,
      platform: 'none',
      callState: 'connected',
      createdAt,
      updatedAt: createdAt,
      recording: mk(),
      transcription: mk(),
      secureSessions: [],
      version: 1,
    };
    conversations.set(id, c);
    publish('conversation.created', view(c));
    return c;
  }

  function view(c) {
    const strip = (s) => ({ state: s.state, desiredState: s.desiredState, pauseReasons: s.pauseReasons });
    return { ...c, recording: strip(c.recording), transcription: strip(c.transcription) };
  }

  function command(c, cap, op, actor, note) {
    const s = c[cap];
    switch (op) {
      case 'start':
      case 'resume':
        if (!s.started) s.started = true;
        s.pauseReasons = s.pauseReasons.filter((r) => !(r.kind === 'manual' && r.id === actor));
        break;
      case 'pause':
        if (!s.pauseReasons.some((r) => r.kind === 'manual' && r.id === actor)) {
          s.pauseReasons.push({ kind: 'manual', id: actor, since: new Date().toISOString(), by: actor, note });
        }
        break;
      case 'stop':
        s.stopped = true;
        break;
    }
    capState(c, cap);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    if (req.headers.authorization !== `Bearer ${KEY}`) return error(res, 401, 'unauthorized', 'hush did not accept this API key');

    if (req.method === 'GET' && url.pathname === '/v1/events') {
      if (opts.streamStatus) return error(res, opts.streamStatus, 'forbidden', 'stream refused');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': hello\n\n');
      const last = Number(req.headers['last-event-id'] || 0);
      if (last) for (const ev of events) if (ev.seq > last) writeEvent(res, ev);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/conversations') {
      const live = url.searchParams.get('state') === 'live';
      const list = [...conversations.values()].filter((c) => !live || c.callState !== 'ended').map(view);
      return json(res, 200, { conversations: list });
    }
    const one = url.pathname.match(/^\/v1\/conversations\/([^/]+)$/);
    if (req.method === 'GET' && one) {
      const c = conversations.get(decodeURIComponent(one[1]));
      if (!c) return error(res, 404, 'not_found', `conversation ${one[1]} not found`);
      return json(res, 200, view(c));
    }
    const m = url.pathname.match(/^\/v1\/conversations\/([^/]+)\/(recording|transcription)\/(start|pause|resume|stop)$/);
    if (req.method === 'POST' && m) {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const id = decodeURIComponent(m[1]);
        const c = conversations.get(id);
        if (!c) return error(res, 404, 'not_found', `conversation ${id} not found`);
        let parsed = {};
        try {
          parsed = body ? JSON.parse(body) : {};
        } catch {
          return error(res, 400, 'bad_request', 'body is not JSON');
        }
        const [cap, op] = [m[2], m[3]];
        if (opts.refuse) {
          const r = opts.refuse;
          opts.refuse = null;
          return error(res, r.status, r.code, r.message);
        }
        command(c, cap, op, 'key-1', parsed.reason || '');
        const transactionId = `tx-${++tx}`;
        const s = c[cap];
        const failed = opts.failNext === `${cap}/${op}`;
        if (failed) opts.failNext = '';
        else s.state = s.desiredState;
        c.version++;
        const completion = {
          conversationId: id,
          liveWorkItemId: id,
          transactionId,
          capability: cap,
          operation: op,
          result: failed ? 'failed' : 'succeeded',
          currentState: s.state,
          desiredState: s.desiredState,
          reason: parsed.reason || '',
          error: failed ? 'the recorder refused: 503 Service Unavailable' : '',
        };
        const accepted = {
          transactionId,
          conversationId: id,
          capability: cap,
          operation: op,
          currentState: s.state,
          desiredState: s.desiredState,
          pauseReasons: s.pauseReasons,
        };
        const complete = () => {
          publish(`${cap}.operation.completed`, completion);
          publish('conversation.updated', view(c));
        };
        if (opts.withholdCompletion) {
          json(res, 202, accepted);
          return;
        }
        if (opts.completeBeforeResponse) {
          complete();
          // Let the event reach the client before the HTTP answer does.
          setTimeout(() => json(res, 202, accepted), 30);
        } else {
          json(res, 202, accepted);
          setTimeout(complete, 5);
        }
      });
      return;
    }
    error(res, 404, 'not_found', `no route for ${req.method} ${url.pathname}`);
  });

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    opts,
    requests,
    events,
    conversations,
    publish,
    addConversation,
    streamCount: () => streams.size,
    dropStreams() {
      for (const s of streams) s.destroy();
      streams.clear();
    },
    async close() {
      for (const s of streams) s.destroy();
      streams.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** waitUntil polls cond until it holds; tests use it instead of fixed sleeps. */
export async function waitUntil(cond, what = 'condition') {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
