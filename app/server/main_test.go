package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/demo"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// The package shares one engine and one seeded demo database: the tests here read it, or
// write only to their own fresh database.
var (
	engine  *db.DB
	seeded  *db.DB
	catalog *instrument.Catalog
	stores  Stores
	demoRes demo.Result
	// demoNow is the seed's clock; tests that judge deadlines use it too.
	demoNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("WIB", 7*3600))
)

const demoPassword = "Rahasia-Demo-2026"

func TestMain(m *testing.M) {
	var stop func()
	engine, stop = dbtest.MustStart()
	code := func() int {
		defer stop()
		var err error
		if catalog, err = instrument.LoadFS(instruments.FS); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		seeded = engine.WithName(fmt.Sprintf("seeded_%d", time.Now().UnixNano()))
		defer seeded.Database.Drop(context.Background())
		stores = NewStores(seeded, catalog, func() time.Time { return demoNow })
		ctx := context.Background()
		if err := stores.EnsureIndexes(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if demoRes, err = demo.Run(ctx, catalog, demo.Stores{Units: stores.Units, Users: stores.Users, Assignments: stores.Assignments,
			Periods: stores.Periods, Assessments: stores.Assessments, Eligibility: stores.Eligibility}, demo.Options{Now: demoNow, Password: demoPassword}); err != nil {
			fmt.Fprintln(os.Stderr, "seeding:", err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// newServer builds the full app on the seeded database.
func newServer(t testing.TB, cfg web.Config) *web.Server {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return demoNow }
	}
	return newServerOn(t, cfg, stores)
}

// newServerOn builds the full app on st, with evidence in a directory of the test's own.
func newServerOn(t testing.TB, cfg web.Config, st Stores) *web.Server {
	t.Helper()
	blobs, err := NewBlobs(context.Background(), st.DB, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, st, blobs, catalog, os.DirFS("../../public/vendor"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// freshDemo seeds the demo (on the demo clock) into a database of the test's own, for tests
// that change it: reviews, returns and finalization change rankings other tests read.
func freshDemo(t *testing.T) (Stores, demo.Result, *web.Server) {
	t.Helper()
	clock := func() time.Time { return demoNow }
	st := NewStores(dbtest.Fresh(t, engine), catalog, clock)
	ctx := context.Background()
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := demo.Run(ctx, catalog, demo.Stores{Units: st.Units, Users: st.Users, Assignments: st.Assignments,
		Periods: st.Periods, Assessments: st.Assessments}, demo.Options{Now: demoNow, Password: demoPassword})
	if err != nil {
		t.Fatal(err)
	}
	return st, res, newServerOn(t, web.Config{Now: clock}, st)
}
