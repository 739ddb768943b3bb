package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/postgres"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
	"github.com/hush-cc/hush/internal/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		Open: func(t *testing.T) store.Store { return open(t, pgtest.Database(t)) },
		OpenPair: func(t *testing.T) (store.Store, store.Store) {
			url := pgtest.Database(t)
			return open(t, url), open(t, url)
		},
	})
}
