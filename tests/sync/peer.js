#!/usr/bin/env node
// The CouchDB-compatible peer for the sync tests: PouchDB Server
// (express-pouchdb) over in-memory PouchDB, on 127.0.0.1 only.
//   node tests/sync/peer.js PORT [minimum|full]
// Prints "ready PORT" on stdout once it listens. 'full' mode adds users,
// _session, _security and validate_doc_update (../shared/SYNC.md).
'use strict';
const PouchDB = require('pouchdb-core')
  .plugin(require('pouchdb-adapter-memory'))
  .plugin(require('pouchdb-adapter-http'))
  .plugin(require('pouchdb-replication'))
  .plugin(require('pouchdb-mapreduce'));

const port = Number(process.argv[2] || 5984);
const mode = process.argv[3] === 'full' ? 'fullCouchDB' : 'minimumForPouchDB';
const app = require('express-pouchdb')(PouchDB.defaults({ adapter: 'memory' }), {
  mode,
  inMemoryConfig: true,
  logPath: '/dev/null',
});
const server = app.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${server.address().port}\n`);
});
