package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/server"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/seed/demo"
)

// nationalUnits is the number of kecamatan in Indonesia; perParent the demo's kecamatan per
// kabupaten (the nation averages about 14).
const (
	nationalUnits = 7277
	perParent     = 24
)

// runNational seeds the demo plus the national data set (7,277 kecamatan in kabupaten of 24,
// each with a final ZI assessment of the current period, the ranking boards built from them),
// serves the app, views the national dashboard, ranking and a drill-down as the bupati, and
// prints the process's RSS (the server runs in this process; the requests are a few).
func runNational(ctx context.Context, vendor string) error {
	t0 := time.Now()
	var year int
	a, err := start(ctx, vendor, func(ctx context.Context, st server.Stores, cat *instrument.Catalog) error {
		if _, err := demo.Run(ctx, cat, demo.Stores{Units: st.Units, Users: st.Users, Assignments: st.Assignments,
			Periods: st.Periods, Assessments: st.Assessments, Eligibility: st.Eligibility}, demo.Options{Now: time.Now(), Password: password}); err != nil {
			return err
		}
		p, err := st.Periods.Current(ctx)
		if err != nil {
			return err
		}
		year = p.Year
		return seedNation(ctx, st, cat, year)
	})
	if err != nil {
		return err
	}
	defer a.stop()
	fmt.Printf("national data set: %d kecamatan with a final ZI assessment of %d, boards built, server up in %.1fs\n", nationalUnits, year, time.Since(t0).Seconds())
	h := &harness{app: a, hc: newClient(4)}
	if h.bupati, err = h.login("bupati"); err != nil {
		return err
	}
	idle := rss()
	for _, path := range []string{"/dasbor", "/dasbor?instrumen=zi-2021&cari=00042", fmt.Sprintf("/api/v1/rankings?period=%d&instrument=zi-2021", year),
		fmt.Sprintf("/api/v1/composite?period=%d", year), fmt.Sprintf("/dasbor/%d/zi-2021/kec-00042", year)} {
		t1 := time.Now()
		b, err := h.fetch(a.base+path, h.bupati)
		if err != nil {
			return err
		}
		fmt.Printf("  GET %-55s %7d bytes  %6.0f ms\n", path, len(b), float64(time.Since(t1).Microseconds())/1000)
	}
	after := rss()
	runtime.GC()
	fmt.Printf("\nRSS with the national data set loaded: %.1f MB after the views (%.1f MB before them); budget ≤ 150 MB: %s\n",
		after, idle, budget(after <= 150))
	return nil
}

// seedNation inserts the kabupaten and kecamatan of the nation and their assessments directly
// (the seed is not what is measured), then builds the ZI boards as start-up does.
func seedNation(ctx context.Context, st server.Stores, cat *instrument.Catalog, year int) error {
	zi, _ := cat.Get("zi-2021")
	root, err := st.Units.Root(ctx)
	if err != nil {
		return err
	}
	var units, docs []any
	for i := range (nationalUnits + perParent - 1) / perParent {
		units = append(units, unit.Unit{Code: fmt.Sprintf("kab-%04d", i), Name: fmt.Sprintf("Kabupaten %04d", i), Kind: unit.Kabupaten, Parent: root.Code, Active: true})
	}
	for i := range nationalUnits {
		code := fmt.Sprintf("kec-%05d", i)
		units = append(units, unit.Unit{Code: code, Name: fmt.Sprintf("Kecamatan %05d", i), Kind: unit.Kecamatan, Parent: fmt.Sprintf("kab-%04d", i/perParent), Active: true})
		snap := assessment.Snapshot{Total: float64((i*37)%100) + 0.25, Predicates: map[string]bool{"WBK": i%7 == 0, "WBBM": i%31 == 0}}
		zi.Walk(func(ar *instrument.Area, _ int) {
			snap.Nodes = append(snap.Nodes, assessment.NodeScore{Code: ar.Code, Score: float64(i%9) + 0.5})
		})
		final := snap
		final.Total -= 3
		docs = append(docs, assessment.Assessment{ID: assessment.ID(year, zi.ID, code), Period: year, Instrument: zi.ID, Unit: code,
			Flow: assessment.Flow{Status: assessment.Final}, Rev: 3, SheetRev: 40, Self: snap, Final: &final,
			Progress: assessment.Progress{Answered: 70, Evidenced: 60, Reviewed: 70, Total: 72}})
	}
	for coll, batch := range map[string][]any{"units": units, "assessments": docs} {
		for i := 0; i < len(batch); i += 1000 {
			if _, err := st.DB.Collection(coll).InsertMany(ctx, batch[i:min(i+1000, len(batch))]); err != nil {
				return fmt.Errorf("inserting %s: %w", coll, err)
			}
		}
	}
	return st.Board.Rebuild(ctx, year, zi.ID)
}

// rss is this process's resident set size in MB (Linux).
func rss() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// runtimeNote names the machine the figures come from.
func runtimeNote() string {
	return fmt.Sprintf("%d CPUs (GOMAXPROCS %d), %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
}
