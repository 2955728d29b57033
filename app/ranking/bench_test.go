package ranking

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

func loadCatalog(tb testing.TB) *instrument.Catalog {
	tb.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// seedBoard is the bench seeder: n kecamatan in kabupaten of siblingsPer each (the nation
// averages about 14 kecamatan a kabupaten; 24 is the demo's), each with a ZI assessment of 2026
// whose snapshots have the catalog's real area codes, then the boards built from them the way
// start-up builds missing ones. Sizes: a kabupaten (30), a province (700), the nation (7,277).
const siblingsPer = 24

func parentOf(i int) string { return fmt.Sprintf("kab-%04d", i/siblingsPer) }

func seedBoard(tb testing.TB, n int) (*db.DB, *Board) {
	tb.Helper()
	ctx := context.Background()
	d := dbtest.Fresh(tb, engine)
	if err := d.Prepare(ctx, "units", "assessments", "boards"); err != nil {
		tb.Fatal(err)
	}
	cat := loadCatalog(tb)
	zi, _ := cat.Get("zi-2021")
	var units, docs []any
	for i := range n {
		code := fmt.Sprintf("kec-%05d", i)
		units = append(units, unit.Unit{Code: code, Name: fmt.Sprintf("Kecamatan %05d", i), Kind: unit.Kecamatan, Parent: parentOf(i)})
		snap := assessment.Snapshot{Total: float64((i*37)%100) + 0.25, Grade: "", Predicates: map[string]bool{"WBK": i%7 == 0, "WBBM": i%31 == 0}}
		zi.Walk(func(a *instrument.Area, _ int) {
			snap.Nodes = append(snap.Nodes, assessment.NodeScore{Code: a.Code, Score: float64(i%9) + 0.5})
		})
		final := snap
		final.Total -= 3
		docs = append(docs, assessment.Assessment{ID: assessment.ID(2026, zi.ID, code), Period: 2026, Instrument: zi.ID, Unit: code,
			Flow: assessment.Flow{Status: assessment.Final}, Rev: 3, SheetRev: 40, Self: snap, Final: &final, Progress: assessment.Progress{Answered: 70, Evidenced: 60, Reviewed: 70, Total: 72}})
	}
	for _, batch := range [][]any{units, docs} {
		for i := 0; i < len(batch); i += 1000 {
			if _, err := d.Database.Collection(collectionOf(batch[i])).InsertMany(ctx, batch[i:min(i+1000, len(batch))]); err != nil {
				tb.Fatal(err)
			}
		}
	}
	b := NewBoard(d, cat, unit.NewStore(d), assessment.NewStore(d), 0)
	if err := b.Rebuild(ctx, 2026, zi.ID); err != nil {
		tb.Fatal(err)
	}
	return d, b
}

func collectionOf(doc any) string {
	if _, ok := doc.(unit.Unit); ok {
		return "units"
	}
	return "assessments"
}

// BenchmarkRanking ranks every kecamatan of one period and instrument at the three sizes of
// DESIGN.md: from the boards of every kabupaten (cache dropped before each read), beside the
// raw driver reading the same boards into bson.Raw, beside a cached read (what a page view
// costs after the first), and beside the scan of the assessments collection the boards
// replace. record-one is what one save adds at that size: one line of its kabupaten's board,
// the same whatever the size of the country.
func BenchmarkRanking(b *testing.B) {
	for _, n := range []int{30, 700, 7277} {
		d, board := seedBoard(b, n)
		ctx := context.Background()
		key := rankKey(2026, "zi-2021")
		parents, err := board.parentsOf(ctx, 2026, "zi-2021")
		if err != nil || len(parents) != (n+siblingsPer-1)/siblingsPer {
			b.Fatalf("%d parents, %v", len(parents), err)
		}
		b.Run(fmt.Sprintf("units=%d/ranking", n), func(b *testing.B) {
			for b.Loop() {
				board.invalidateAll(key)
				rows, err := board.Rows(ctx, 2026, "zi-2021")
				if err != nil || len(rows) != n {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
		})
		b.Run(fmt.Sprintf("units=%d/raw-driver", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := d.Collection("boards").FindOne(ctx, bson.D{{Key: "_id", Value: indexID(2026, "zi-2021")}}).Raw(); err != nil {
					b.Fatal(err)
				}
				for _, p := range parents {
					raw, err := d.Collection("boards").FindOne(ctx, bson.D{{Key: "_id", Value: boardID(2026, "zi-2021", p)}}).Raw()
					if err != nil || len(raw) == 0 {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("units=%d/cached", n), func(b *testing.B) {
			if _, err := board.Rows(ctx, 2026, "zi-2021"); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if rows, err := board.Rows(ctx, 2026, "zi-2021"); err != nil || len(rows) != n {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
			b.ReportMetric(rssMB(), "MB-RSS")
		})
		b.Run(fmt.Sprintf("units=%d/record-one", n), func(b *testing.B) {
			// What a save adds at this size: one unit's line written into the board.
			for b.Loop() {
				if err := d.Write(ctx, func(ctx context.Context) error { return board.Record(ctx, assessment.ID(2026, "zi-2021", "kec-00001")) }); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n <= 700 {
			b.Run(fmt.Sprintf("units=%d/scan-assessments-raw", n), func(b *testing.B) {
				for b.Loop() {
					cur, err := d.Collection("assessments").Find(ctx, bson.D{{Key: "period", Value: 2026}, {Key: "instrument", Value: "zi-2021"}})
					if err != nil {
						b.Fatal(err)
					}
					var raw []bson.Raw
					if err := cur.All(ctx, &raw); err != nil || len(raw) != n {
						b.Fatalf("%d rows, %v", len(raw), err)
					}
				}
			})
		}
	}
}

// rssMB is the process's resident memory (the embedded engine runs in this process too).
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
