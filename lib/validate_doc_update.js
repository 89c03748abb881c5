function (newDoc, oldDoc, userCtx, secObj) {
  // withus server-side rules, version 1: who may write which record
  // (docs/sync.md, "Server-side rules"). Installed as _design/withus by
  // 'withus remote install-rules'. _local documents (sync checkpoints) are
  // not validated, so read-only accounts can still keep their checkpoints.
  var roles = userCtx.roles || [];
  function has(role) { return roles.indexOf(role) >= 0; }
  function deny(why) { throw({forbidden: why}); }
  if (has('_admin') || has('withus:admin')) return;
  var type = newDoc.type || (oldDoc && oldDoc.type);
  if (typeof type !== 'string' || !/^[a-z]+$/.test(type))
    deny('not a withus record: a document needs a type');
  if (newDoc._id.indexOf(type + ':') !== 0)
    deny('the id of a ' + type + ' record starts with "' + type + ':"');
  if (oldDoc && oldDoc.type && newDoc.type && oldDoc.type !== newDoc.type)
    deny('a record cannot change its type');
  if (type === 'attestation') {
    // An organisation confirms or disputes what is claimed about it: only
    // its own account may write that, and nobody may move it to another.
    var org = newDoc.org || (oldDoc && oldDoc.org);
    if (oldDoc && oldDoc.org && newDoc.org && oldDoc.org !== newDoc.org)
      deny('an attestation cannot change its organisation');
    if (typeof org !== 'string' || !has('withus:org:' + org))
      deny('only the account of organisation ' + org + ' may write its attestations');
    return;
  }
  if (!has('withus:researcher'))
    deny('this account may not write ' + type + ' records (it is read-only or an organisation account)');
}
