// Starts kinesalite on 127.0.0.1 only (its command line binds every
// interface). Usage: node kinesalite.js PORT (0 picks a free port).
// Prints "ready http://127.0.0.1:PORT" once it accepts connections.
'use strict'
const peer = require('./listen')
peer.start('kinesalite', (opts) => require('kinesalite')({
  ...opts,
  createStreamMs: 0,
  deleteStreamMs: 0,
  updateStreamMs: 0,
  shardLimit: 100,
}))
