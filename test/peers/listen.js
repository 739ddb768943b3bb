// Shared by the peer starters: parse the port, listen on loopback, announce
// readiness on stdout, and exit when the parent test process goes away.
'use strict'

exports.start = function start (name, create) {
  const port = Number(process.argv[2])
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: node ${name}.js PORT`)
    process.exit(2)
  }
  // In memory: nothing outlives the test.
  const server = create({ path: undefined })
  server.on('error', (err) => {
    console.error(`${name}: ${err.message}`)
    process.exit(1)
  })
  server.listen(port, '127.0.0.1', () => {
    console.log(`ready http://127.0.0.1:${server.address().port}`)
  })
  // The Go test holds our stdin; when it dies, stdin closes.
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0))
}
