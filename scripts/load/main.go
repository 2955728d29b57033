// Command load is the bounded load suite (`make load`): it starts Rapor RB on the embedded
// engine in a temporary data directory with the demo seeded, in this process, attacks it with
// vegeta (20 concurrent clients, a bounded time per scenario) and prints each figure beside an
// anchor measured in the same run, their ratio and the budget:
//
//   - 20 writers saving answers on one sheet, and on 20 sheets, against a raw ReplaceOne of the
//     same sheet(s) by 20 concurrent writers through the driver on the same engine;
//   - 20 writers and 20 ranking readers at once: the writers' p50 against the writers alone;
//   - dashboard readers against Fiber serving the same bytes as a static page;
//   - logins during 20 writers against an idle login;
//   - saves on a sheet with 1,000 history versions against a fresh sheet.
//
// `-national` instead loads the national data set (7,277 kecamatan) and prints the process's
// RSS (`make load-national`). `-cpuprofile DIR` writes a CPU profile of each scenario (the
// server runs in this process) for `go tool pprof`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/server"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/seed/demo"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// password is every demo account's in the suite's throwaway data directory.
const password = "Muatan-Uji-2026" // #nosec G101 -- a test password, never a real account's

func main() {
	national := flag.Bool("national", false, "load the national data set (7,277 kecamatan) and print the RSS")
	dur := flag.Duration("d", 15*time.Second, "duration of each measured scenario")
	clients := flag.Int("c", 20, "concurrent clients (writers, readers)")
	profDir := flag.String("cpuprofile", "", "write a CPU profile of each scenario into this directory")
	vendor := flag.String("vendor", "public/vendor", "the npm assets (for the pages' script tags; not requested)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var err error
	if *national {
		err = runNational(ctx, *vendor)
	} else {
		err = runSuite(ctx, suite{dur: *dur, clients: *clients, profDir: *profDir, vendor: *vendor})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// app is the server under load, in this process, and what the scenarios need of it.
type app struct {
	base   string // http://127.0.0.1:port
	db     *db.DB
	st     server.Stores
	cat    *instrument.Catalog
	stop   func()
	dir    string
	seeded demo.Result
}

// start opens the embedded engine in a temporary directory, seeds the demo (seed: unless the
// caller loads its own data), and serves the full app on a loopback port.
func start(ctx context.Context, vendor string, seed func(context.Context, server.Stores, *instrument.Catalog) error) (*app, error) {
	dir, err := os.MkdirTemp("", "raporrb-load-")
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := db.Open(ctx, db.Config{DataDir: filepath.Join(dir, "data"), Logger: quiet})
	if err != nil {
		return nil, err
	}
	a := &app{db: d, dir: dir}
	if a.cat, err = instrument.LoadFS(instruments.FS); err != nil {
		return nil, err
	}
	a.st = server.NewStores(d, a.cat, time.Now)
	if err := a.st.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	if seed == nil {
		a.seeded, err = demo.Run(ctx, a.cat, demo.Stores{Units: a.st.Units, Users: a.st.Users, Assignments: a.st.Assignments,
			Periods: a.st.Periods, Assessments: a.st.Assessments, Eligibility: a.st.Eligibility}, demo.Options{Now: time.Now(), Password: password})
	} else {
		err = seed(ctx, a.st, a.cat)
	}
	if err != nil {
		return nil, fmt.Errorf("seeding: %w", err)
	}
	if err := a.st.EnsureBoards(ctx); err != nil {
		return nil, err
	}
	blobs, err := server.NewBlobs(ctx, d, filepath.Join(dir, "data"))
	if err != nil {
		return nil, err
	}
	// Logins are measured, not throttled: every client comes from 127.0.0.1.
	srv, err := server.New(web.Config{LoginMaxPerAddress: 1 << 30, LoginMaxPerAccount: 1 << 30}, a.st, blobs, a.cat, os.DirFS(vendor), quiet)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.App.Listener(ln) }()
	a.base = "http://" + ln.Addr().String()
	a.stop = func() {
		_ = srv.App.ShutdownWithTimeout(5 * time.Second)
		d.Close()
		_ = os.RemoveAll(dir)
	}
	return a, nil
}

// profile runs fn under a CPU profile written to dir/name.pprof when dir is set.
func profile(dir, name string, fn func() error) error {
	if dir == "" {
		return fn()
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, name+".pprof")) // #nosec G304 -- the directory the user named
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return fn()
}
