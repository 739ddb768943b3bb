package anchor_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	_ "modernc.org/sqlite"

	"github.com/hush-cc/hush/internal/anchor"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// s3Peer is gofakes3 in process, behind a recorder of the Object Lock
// headers each PUT carried (gofakes3 accepts but does not enforce them).
type s3Peer struct {
	client *s3.Client
	mu     sync.Mutex
	locks  []string
}

func newS3Peer(t *testing.T, bucket string) *s3Peer {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(backend).Server()
	p := &s3Peer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			p.mu.Lock()
			p.locks = append(p.locks, r.Header.Get("X-Amz-Object-Lock-Mode")+" "+r.Header.Get("X-Amz-Object-Lock-Retain-Until-Date"))
			p.mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.client = s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return p
}

type fixture struct {
	t    *testing.T
	path string
	st   *sqlite.Store
	key  ed25519.PrivateKey
	file string
	s3   *s3Peer
	anc  *anchor.Anchorer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, path: filepath.Join(dir, "hush.db"), file: filepath.Join(t.TempDir(), "checkpoints.jsonl")}
	var err error
	if f.st, err = sqlite.Open(context.Background(), f.path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.st.Close() })
	if f.key, err = anchor.LoadOrCreateKey(filepath.Join(dir, "checkpoint.key")); err != nil {
		t.Fatal(err)
	}
	f.s3 = newS3Peer(t, "audit")
	f.anc = &anchor.Anchorer{Store: f.st, Key: f.key, Sinks: []anchor.Sink{
		anchor.FileSink{Path: f.file},
		anchor.S3Sink{Client: f.s3.client, Bucket: "audit", Prefix: "hush/", Retention: 24 * time.Hour},
	}}
	return f
}

func (f *fixture) appendEntries(n int) {
	f.t.Helper()
	for i := range n {
		if err := f.st.AppendAudit(context.Background(), audit.Entry{Actor: "agent:a", Action: "command.pause", Outcome: "applied", Reason: strings.Repeat("x", i)}); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) checkpoint() {
	f.t.Helper()
	head, err := f.st.AuditHead(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.anc.Publish(context.Background(), head); err != nil {
		f.t.Fatal(err)
	}
}

// check reads the checkpoints back from both sinks and checks the chain.
func (f *fixture) check() (fromFile, fromS3 anchor.Report) {
	f.t.Helper()
	ctx := context.Background()
	pub := f.key.Public().(ed25519.PublicKey)
	cps, err := anchor.ReadFile(f.file)
	if err != nil {
		f.t.Fatal(err)
	}
	if fromFile, err = anchor.Check(ctx, f.st, cps, pub); err != nil {
		f.t.Fatal(err)
	}
	cps, err = anchor.ReadS3(ctx, f.s3.client, "audit", "hush/")
	if err != nil {
		f.t.Fatal(err)
	}
	if fromS3, err = anchor.Check(ctx, f.st, cps, pub); err != nil {
		f.t.Fatal(err)
	}
	return fromFile, fromS3
}

func (f *fixture) db() *sql.DB {
	f.t.Helper()
	db, err := sql.Open("sqlite", f.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rechain rewrites entry from's actor, recomputes every hash from there on
// and the head, as someone with write access to the file and the code
// would: the stored chain then verifies on its own.
func (f *fixture) rechain(from int64) {
	f.t.Helper()
	es, err := f.st.AuditEntries(context.Background(), store.AuditQuery{})
	if err != nil {
		f.t.Fatal(err)
	}
	db := f.db()
	prev := es[from-2].Hash
	for _, e := range es[from-1:] {
		if e.Seq == from {
			e.Actor = "agent:mallory"
		}
		e = audit.Seal(prev, e)
		mustExec(f.t, db, "UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", e.Actor, e.PrevHash, e.Hash, e.Seq)
		prev = e.Hash
	}
	mustExec(f.t, db, "UPDATE audit_head SET hash = ? WHERE id = 1", prev)
}

func TestIntactChainMatchesCheckpointsAndLockIsAsked(t *testing.T) {
	f := newFixture(t)
	f.appendEntries(20)
	f.checkpoint()
	f.appendEntries(10)
	f.checkpoint()
	fromFile, fromS3 := f.check()
	for _, r := range []anchor.Report{fromFile, fromS3} {
		if !r.OK() || r.Trusted != 2 || r.Newest.Seq != 30 {
			t.Fatalf("intact chain:\n%s", r)
		}
	}
	f.s3.mu.Lock()
	defer f.s3.mu.Unlock()
	if len(f.s3.locks) != 2 || !strings.HasPrefix(f.s3.locks[0], "COMPLIANCE 20") {
		t.Fatalf("object lock headers %q", f.s3.locks)
	}
}

// Deleting the newest entries and rewriting the stored head to match
// passes the chain's own check; the checkpoints name what is missing.
func TestTruncatedTailIsFound(t *testing.T) {
	f := newFixture(t)
	f.appendEntries(30)
	f.checkpoint()
	db := f.db()
	mustExec(t, db, "DELETE FROM audit WHERE seq > 25")
	mustExec(t, db, "UPDATE audit_head SET seq = 25, hash = (SELECT hash FROM audit WHERE seq = 25) WHERE id = 1")
	if err := f.st.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("the cut chain should verify on its own: %v", err)
	}
	fromFile, fromS3 := f.check()
	for _, r := range []anchor.Report{fromFile, fromS3} {
		if r.OK() || len(r.Findings) != 1 || r.Findings[0].Seq != 26 || !strings.Contains(r.Findings[0].Problem, "entries 26 to 30 are missing") {
			t.Fatalf("truncated chain:\n%s", r)
		}
	}
}

// Rewriting an entry and recomputing every later hash and the head passes
// the chain's own check; the checkpoints find it, and bound where.
func TestRewrittenChainIsFound(t *testing.T) {
	f := newFixture(t)
	f.appendEntries(10)
	f.checkpoint()
	f.appendEntries(10)
	f.checkpoint()
	f.appendEntries(5)
	f.rechain(14)
	if err := f.st.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("the rewritten chain should verify on its own: %v", err)
	}
	fromFile, fromS3 := f.check()
	for _, r := range []anchor.Report{fromFile, fromS3} {
		if r.OK() || len(r.Findings) != 1 || r.Findings[0].Seq != 11 || !strings.Contains(r.Findings[0].Problem, "entries 11 to 20") {
			t.Fatalf("rewritten chain:\n%s", r)
		}
	}
}

// A checkpoint signed by another key, or edited, is set aside, not trusted.
func TestForgedCheckpointsAreSetAside(t *testing.T) {
	f := newFixture(t)
	f.appendEntries(5)
	f.checkpoint()
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	head, _ := f.st.AuditHead(context.Background())
	forged := audit.SignCheckpoint(other, audit.Head{Seq: 3, Hash: head.Hash}, time.Now())
	edited := audit.SignCheckpoint(f.key, head, time.Now())
	edited.Seq = 4
	r, err := anchor.Check(context.Background(), f.st, []audit.Checkpoint{forged, edited}, f.key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || r.Trusted != 0 || len(r.Untrusted) != 2 {
		t.Fatalf("forged checkpoints:\n%s", r)
	}
}

// The anchorer publishes at start, once the chain has grown by Entries,
// without waiting for its interval, and once more when it stops. The chain
// holds an entry before it starts, so the start's checkpoint is known
// before the test adds more, whenever the anchorer's goroutine runs.
func TestAnchorerPublishesAfterNEntriesAndAtStop(t *testing.T) {
	f := newFixture(t)
	f.anc.Entries, f.anc.Every, f.anc.Poll = 5, time.Hour, 5*time.Millisecond
	f.appendEntries(1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.anc.Run(ctx); close(done) }()
	waitCheckpoints := func(seqs ...int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			cps, _ := anchor.ReadFile(f.file)
			var got []int64
			for _, c := range cps {
				got = append(got, c.Seq)
			}
			if slices.Equal(got, seqs) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("checkpoints %+v, want seqs %v", cps, seqs)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitCheckpoints(1)
	f.appendEntries(5)
	waitCheckpoints(1, 6)
	f.appendEntries(2)
	cancel()
	<-done
	cps, err := anchor.ReadFile(f.file)
	if err != nil || len(cps) != 3 || cps[2].Seq != 8 {
		t.Fatalf("after stop: %+v, %v", cps, err)
	}
	if b, _ := os.ReadFile(filepath.Join(filepath.Dir(f.path), "checkpoint.key.pub")); !strings.Contains(string(b), "PUBLIC KEY") {
		t.Fatal("no public key written beside the signing key")
	}
}
