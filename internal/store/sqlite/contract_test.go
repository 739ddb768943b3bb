package sqlite

import (
	"testing"

	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		Open: func(t *testing.T) store.Store { return open(t, dbPath(t)) },
		OpenPair: func(t *testing.T) (store.Store, store.Store) {
			path := dbPath(t)
			return open(t, path), open(t, path)
		},
	})
}
