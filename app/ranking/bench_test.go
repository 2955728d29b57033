package ranking

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/unit"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

// seedPeriod stores n kecamatan with five instruments' snapshots for one year, plus two other
// years of noise, the shape of a kabupaten's real data.
func seedPeriod(tb testing.TB, n int) (*db.DB, *assessment.Store, *unit.Store) {
	tb.Helper()
	d := dbtest.Fresh(tb, engine)
	ctx := context.Background()
	as, us := assessment.NewStore(d), unit.NewStore(d)
	nodes := make(assessment.Nodes, 40)
	for i := range nodes {
		nodes[i] = assessment.NodeScore{Code: fmt.Sprintf("P.X.%d", i), Score: float64(i)}
	}
	docs := []any{}
	for i := range n {
		code := fmt.Sprintf("kec-%04d", i)
		if err := us.Put(ctx, unit.Unit{Code: code, Name: fmt.Sprintf("Kecamatan %04d", i), Kind: unit.Kecamatan, Parent: "kab"}); err != nil {
			tb.Fatal(err)
		}
		for _, year := range []int{2024, 2025, 2026} {
			for _, inst := range []string{"zi-2021", "sakip-2021", "pekppp-2022", "ikm-2017", "new-normal-2020"} {
				snap := assessment.Snapshot{Total: float64((i*37+year)%100) + 0.25, Grade: "B", Predicates: map[string]bool{"WBK": i%7 == 0}, Nodes: nodes}
				docs = append(docs, assessment.Assessment{ID: assessment.ID(year, inst, code), Period: year, Instrument: inst, Unit: code,
					Status: assessment.Final, Rev: 1, Self: snap, Final: &snap, Progress: assessment.Progress{Answered: 70, Total: 72}})
			}
		}
	}
	if _, err := d.Collection("assessments").InsertMany(ctx, docs); err != nil {
		tb.Fatal(err)
	}
	return d, as, us
}

// BenchmarkReadPeriod reads all snapshots of one period and instrument: through the store
// (decoded into Assessment) and, beside it, the raw driver doing the same Find into bson.Raw.
func BenchmarkReadPeriod(b *testing.B) {
	for _, n := range []int{30, 700} {
		d, as, us := seedPeriod(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("units=%d/store", n), func(b *testing.B) {
			for b.Loop() {
				got, err := as.List(ctx, assessment.Filter{Period: 2026, Instrument: "zi-2021"})
				if err != nil || len(got) != n {
					b.Fatalf("%d rows, %v", len(got), err)
				}
			}
		})
		b.Run(fmt.Sprintf("units=%d/raw-driver", n), func(b *testing.B) {
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
		b.Run(fmt.Sprintf("units=%d/ranking", n), func(b *testing.B) {
			r := Reader{Assessments: as, Units: us}
			for b.Loop() {
				rows, err := r.Rows(ctx, 2026, "zi-2021", "")
				if err != nil || len(rows) != n {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
		})
	}
}
