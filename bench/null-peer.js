#!/usr/bin/env node
// bench/null-peer.js - a CouchDB-shaped server that stores nothing, for
// measuring the client alone (PERF.md T7): every revision offered is
// "missing", every upload succeeds, _changes is empty, _local documents are
// kept in memory so checkpoints work. Listens on 127.0.0.1, prints "ready PORT".
'use strict';
const http = require('http');

const locals = new Map();
let seq = 0;

function reply(res, status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(req, res, body) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts.length === 0) return reply(res, 200, { couchdb: 'Welcome', version: 'null-peer' });
  if (parts.length === 1) return reply(res, req.method === 'PUT' ? 201 : 200, req.method === 'HEAD' ? undefined : { ok: true });
  const what = parts[1];
  if (what === '_local') {
    const key = parts.slice(0, 3).join('/');
    if (req.method === 'GET') return locals.has(key) ? reply(res, 200, locals.get(key)) : reply(res, 404, { error: 'not_found' });
    const doc = JSON.parse(body);
    doc._rev = `0-${++seq}`;
    locals.set(key, doc);
    return reply(res, 201, { ok: true, id: doc._id, rev: doc._rev });
  }
  if (what === '_revs_diff') {
    const asked = JSON.parse(body);
    const out = {};
    for (const id of Object.keys(asked)) out[id] = { missing: asked[id] };
    return reply(res, 200, out);
  }
  if (what === '_bulk_docs') return reply(res, 201, []);
  if (what === '_changes') return reply(res, 200, { results: [], last_seq: 0 });
  return reply(res, 404, { error: 'not_found' });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
});
// Keep idle connections open: under callgrind withus is slow enough that
// node's 5 s keep-alive timeout would close them and add reconnects.
server.keepAliveTimeout = 0;
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
