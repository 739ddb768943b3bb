package server

import "testing"

// A node keeps its id across restarts on the same data directory, so it
// renews its own leases (the engine's, its Kinesis shards') at once; another
// directory is another node, and a configured id wins.
func TestNodeIDIsStablePerDataDirectory(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	first, err := nodeID(Config{Data: a})
	if err != nil {
		t.Fatal(err)
	}
	again, err := nodeID(Config{Data: a})
	if err != nil {
		t.Fatal(err)
	}
	other, err := nodeID(Config{Data: b})
	if err != nil {
		t.Fatal(err)
	}
	if first != again {
		t.Fatalf("the same data directory named two nodes: %s, %s", first, again)
	}
	if first == other {
		t.Fatalf("two data directories named one node %s", first)
	}
	named, err := nodeID(Config{Data: a, Cluster: ClusterConfig{NodeID: "rec-1"}})
	if err != nil || named != "rec-1" {
		t.Fatalf("configured id: got %q, %v", named, err)
	}
}
