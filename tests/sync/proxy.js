#!/usr/bin/env node
// A fault-injecting HTTP proxy for the sync tests, in front of the test peer.
//   node tests/sync/proxy.js UPSTREAM_PORT [--tls CERT KEY]
// With --tls it speaks HTTPS with that certificate (the upstream stays plain).
// Listens on 127.0.0.1 on a free port and prints "ready PORT". Every request
// is forwarded to 127.0.0.1:UPSTREAM_PORT unless a rule says otherwise.
//
// Control (not forwarded):
//   PUT /__proxy/rules   a JSON array of rules, replacing the previous ones
//   GET /__proxy/log     the requests seen so far: [{method, path, status, fault, bytes, auth}]
//   DELETE /__proxy/log  forget them
//   GET /__proxy/health  200 once the upstream answers GET /, else 503 (not logged)
// A rule: {method?, path? (a substring of the URL), url? (the whole URL), nth? (fire from the nth
// matching request on, 1-based; default 1), times? (how often; default 1,
// -1 = always), maxBody? (match only request bodies longer than this),
// bearer? (match only requests whose bearer token differs from this),
// and an action:
//   {status, headers?, body?}  answer with this instead of forwarding (body as JSON)
//   {status, raw}              ... with this text as the body, as it is
//   {reset: "before"}          close the connection without an answer
//   {reset: "mid"}             forward, send the status and half the body, then close
//   {reset: "after"}           forward (the server does the work), then close unanswered
//   {delay: MS}                hold the request this long, then forward it
//   {stall: MS}                forward, send the status and half the body, then
//                              nothing for MS, then the rest (a stalled answer)
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const upstreamPort = Number(process.argv[2]);
const tls = process.argv[3] === '--tls' ? { cert: fs.readFileSync(process.argv[4]), key: fs.readFileSync(process.argv[5]) } : null;
let rules = [];
let log = [];

function matches(rule, req, body) {
  if (rule.method && rule.method !== req.method) return false;
  if (rule.path && !req.url.includes(rule.path)) return false;
  if (rule.url && rule.url !== req.url) return false;
  if (rule.maxBody !== undefined && body.length <= rule.maxBody) return false;
  if (rule.bearer !== undefined && (req.headers.authorization || '') === `Bearer ${rule.bearer}`) return false;
  rule.seen = (rule.seen || 0) + 1;
  if (rule.seen < (rule.nth || 1)) return false;
  const times = rule.times === undefined ? 1 : rule.times;
  if (times >= 0 && (rule.fired || 0) >= times) return false;
  rule.fired = (rule.fired || 0) + 1;
  return true;
}

function forward(req, body, onResponse, onError) {
  const headers = Object.assign({}, req.headers, { host: `127.0.0.1:${upstreamPort}` });
  delete headers['accept-encoding']; // keep bodies plain so "mid" can cut them
  // agent: false, a new upstream connection each time: a kept-alive one the
  // server has just timed out would fail here and look like an injected fault.
  const up = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent: false },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => onResponse(res, Buffer.concat(chunks)));
    });
  up.on('error', onError);
  up.end(body);
}

function control(req, res, body) {
  if (req.url === '/__proxy/health') {
    const probe = { method: 'GET', url: '/', headers: {} };
    return forward(probe, Buffer.alloc(0), (up) => { res.writeHead(up.statusCode === 200 ? 200 : 503); res.end(); },
      () => { res.writeHead(503); res.end(); });
  }
  if (req.url === '/__proxy/rules' && req.method === 'PUT') {
    rules = JSON.parse(body.toString() || '[]');
  } else if (req.url === '/__proxy/log' && req.method === 'DELETE') {
    log = [];
  } else if (req.url !== '/__proxy/log') {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/__proxy/log' ? log : { ok: true }));
}

function handle(req, res, body) {
  if (req.url.startsWith('/__proxy/')) return control(req, res, body);
  const auth = (req.headers.authorization || '').split(' ')[0] || (req.headers.cookie ? 'Cookie' : '');
  const entry = { method: req.method, path: req.url, status: 0, fault: null, bytes: body.length, auth };
  log.push(entry);
  const rule = rules.find((r) => matches(r, req, body));
  if (rule && rule.status) {
    entry.status = rule.status;
    entry.fault = `status ${rule.status}`;
    res.writeHead(rule.status, Object.assign({ 'content-type': 'application/json' }, rule.headers || {}));
    if (rule.raw !== undefined) return res.end(rule.raw);
    return res.end(rule.body ? JSON.stringify(rule.body) : JSON.stringify({ error: 'injected', reason: 'by the test proxy' }));
  }
  if (rule && rule.reset === 'before') {
    entry.fault = 'reset before';
    return req.socket.destroy();
  }
  if (rule && rule.delay) {
    entry.fault = `delay ${rule.delay}`;
    return setTimeout(() => relay(req, res, body, null, entry), rule.delay);
  }
  relay(req, res, body, rule, entry);
}

function relay(req, res, body, rule, entry) {
  forward(req, body, (up, data) => {
    entry.status = up.statusCode;
    const headers = Object.assign({}, up.headers);
    if (rule && rule.reset === 'after') {
      entry.fault = 'reset after';
      return req.socket.destroy();
    }
    if (rule && rule.stall) {
      entry.fault = `stall ${rule.stall}`;
      delete headers['content-length'];
      headers['transfer-encoding'] = 'chunked';
      res.writeHead(up.statusCode, headers);
      const half = Math.floor(data.length / 2);
      res.write(data.subarray(0, half));
      return setTimeout(() => { if (!res.destroyed) res.end(data.subarray(half)); }, rule.stall);
    }
    if (rule && rule.reset === 'mid') {
      entry.fault = 'reset mid';
      delete headers['content-length'];
      headers['transfer-encoding'] = 'chunked';
      res.writeHead(up.statusCode, headers);
      res.write(data.subarray(0, Math.floor(data.length / 2)));
      return setTimeout(() => req.socket.destroy(), 20);
    }
    headers['content-length'] = data.length;
    delete headers['transfer-encoding'];
    res.writeHead(up.statusCode, headers);
    res.end(data);
  }, () => {
    entry.status = 502;
    entry.fault = 'upstream down';
    req.socket.destroy();
  });
}

function onRequest(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks)));
}
const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
// A failed TLS handshake is a client refusing the certificate: count it, so a
// test can tell that no request was ever sent.
server.on('tlsClientError', () => { log.push({ fault: 'tls handshake refused' }); });
server.listen(0, '127.0.0.1', () => process.stdout.write(`ready ${server.address().port}\n`));
