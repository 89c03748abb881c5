#!/usr/bin/env node
// An independent client for the interop tests: PouchDB's own replicator.
//   node pouch-client.js URL read          replicate URL into a fresh local
//                                         database; print its docs, one JSON line each
//   node pouch-client.js URL write JSON    put the doc JSON into a fresh local
//                                         database and replicate it to URL
'use strict';
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'));

async function main() {
  const [url, verb, json] = process.argv.slice(2);
  const local = new PouchDB('interop-' + process.pid, { adapter: 'memory' });
  const remote = new PouchDB(url);
  if (verb === 'read') {
    await PouchDB.replicate(remote, local);
    const all = await local.allDocs({ include_docs: true, conflicts: true });
    for (const row of all.rows) process.stdout.write(JSON.stringify(row.doc) + '\n');
  } else if (verb === 'write') {
    await local.put(JSON.parse(json));
    const res = await PouchDB.replicate(local, remote);
    if (res.docs_written !== 1) throw new Error('wrote ' + res.docs_written + ' docs');
  } else {
    throw new Error('usage: pouch-client.js URL read|write [JSON]');
  }
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
