// Starts dynalite on 127.0.0.1 only (its command line binds every
// interface). Usage: node dynalite.js PORT (0 picks a free port).
// Prints "ready http://127.0.0.1:PORT" once it accepts connections.
'use strict'
const peer = require('./listen')
peer.start('dynalite', (opts) => require('dynalite')({
  ...opts,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
}))
