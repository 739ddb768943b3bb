package main

import (
	"flag"

	"github.com/hush-cc/hush/internal/server"
)

// clusterFlags defines how a node cooperates with the others sharing its
// PostgreSQL store (--store).
func clusterFlags(fs *flag.FlagSet, c *server.ClusterConfig) {
	fs.StringVar(&c.NodeID, "node-id", "", "this node's id among the nodes sharing --store (default: kept in --data/"+server.NodeIDFile+", created on first start)")
	fs.DurationVar(&c.Lease, "lease", server.DefaultLease, "with --store: how long a node's heartbeat and leases last unrenewed; about this long after a node dies a survivor closes its recorder calls")
}
