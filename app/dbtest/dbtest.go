// Package dbtest gives tests a real database: the embedded engine in a temporary directory,
// or the MongoDB named by MONGODB_URI when it is set. Never a mock.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
)

// MustStart opens the test engine once for a test package (call it from TestMain) and returns
// it with a function that stops it and removes its files.
func MustStart() (*db.DB, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := db.Config{URI: os.Getenv("MONGODB_URI"), Name: "raporrb_test"}
	var dir string
	if cfg.URI == "" {
		var err error
		if dir, err = os.MkdirTemp("", "raporrb-db"); err != nil {
			panic(err)
		}
		cfg.DataDir = dir
	}
	d, err := db.Open(ctx, cfg)
	if err != nil {
		panic(fmt.Sprintf("dbtest: %v", err))
	}
	return d, func() {
		d.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
}

// Fresh returns a database of the test's own, dropped when the test ends, on the connection
// of base. Tests that share a package engine stay independent this way.
func Fresh(tb testing.TB, base *db.DB) *db.DB {
	tb.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	d := base.WithName("t_" + hex.EncodeToString(b[:]))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = d.Database.Drop(ctx)
	})
	return d
}

// Main runs a package's tests with the test engine started once in *engine, stops it after,
// and returns the exit code: `func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }`.
func Main(m *testing.M, engine **db.DB) int {
	var stop func()
	*engine, stop = MustStart()
	defer stop()
	return m.Run()
}
