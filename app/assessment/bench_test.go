package assessment_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/seed/demo"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// benchDB seeds the demo kabupaten (3 years), then removes its earlier years (years < 3) or
// adds copies of its sheets and assessments under earlier years (years > 3), so the database
// holds `years` years of data.
func benchDB(b *testing.B, base *db.DB, years int) (*assessment.Service, *db.DB, *instrument.Catalog) {
	b.Helper()
	ctx := context.Background()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		b.Fatal(err)
	}
	d := dbtest.Fresh(b, base)
	if err := d.Prepare(ctx, "users", "units", "periods", "assignments", "assessments", "sheets", "history"); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	st := assessment.NewStore(d)
	ps := period.NewStore(d)
	if _, err := demo.Run(ctx, cat, demo.Stores{Units: unit.NewStore(d), Users: account.NewStore(d), Assignments: account.NewAssignments(d),
		Periods: ps, Assessments: st}, demo.Options{Now: now, Password: "bench"}); err != nil {
		b.Fatal(err)
	}
	for y := 2026 - 2; y <= 2026-years; y++ {
		for _, coll := range []string{"sheets", "assessments"} {
			if _, err := d.Collection(coll).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: fmt.Sprintf("^%d/", y)}}}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for y := 3; y < years; y++ {
		for _, coll := range []string{"sheets", "assessments"} {
			cur, err := d.Collection(coll).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^2024/"}}}})
			if err != nil {
				b.Fatal(err)
			}
			var docs []bson.M
			if err := cur.All(ctx, &docs); err != nil {
				b.Fatal(err)
			}
			var copies []any
			for _, doc := range docs {
				doc["_id"] = fmt.Sprintf("%d%s", 2024-(y-2), doc["_id"].(string)[4:])
				copies = append(copies, doc)
			}
			if _, err := d.Collection(coll).InsertMany(ctx, copies); err != nil {
				b.Fatal(err)
			}
		}
	}
	return &assessment.Service{Store: st, Periods: ps, Catalog: cat, Access: assessment.Access{Assignments: account.NewAssignments(d)},
		Now: func() time.Time { return now }}, d, cat
}

// BenchmarkSaveAnswer: 50 writers save 50 different indicators of one sheet at once, each
// save timed (p50/p99 reported), beside 50 writers replacing the same sheet whole through the
// driver: the raw engine doing the sheet write every save contains.
func BenchmarkSaveAnswer(b *testing.B) {
	var base *db.DB
	var stop func()
	base, stop = dbtest.MustStart()
	defer stop()
	ctx := context.Background()
	for _, years := range []int{1, 5} {
		sv, d, cat := benchDB(b, base, years)
		zi, _ := cat.Get("zi-2021")
		id := assessment.ID(2026, "zi-2021", "sukamaju")
		camat := &account.User{Username: "camat.sukamaju", Role: account.Camat, Unit: "sukamaju"}
		// 50 writers, each on an indicator of its own, each with a valid answer for its scale.
		var inputs []assessment.AnswerInput
		for _, ind := range zi.Indicators()[:50] {
			in := assessment.AnswerInput{Indicator: ind.Code}
			switch s := zi.ScaleOf(ind.Code); s.Kind {
			case instrument.KindChoice:
				in.Answer.Option = s.Options[0].Key
			case instrument.KindPercent:
				x := 50.0
				in.Answer.Number = &x
			default:
				x := *s.Max
				in.Answer.Number = &x
			}
			inputs = append(inputs, in)
		}
		b.Run(fmt.Sprintf("years=%d/service", years), func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				sh, _ := sv.Store.Sheet(ctx, id)
				saves := make([]func() error, len(inputs))
				for i, in := range inputs {
					if a := sh.Answer(in.Indicator); a != nil {
						in.Rev = a.Rev
					}
					saves[i] = func() error { _, _, err := sv.SaveAnswer(ctx, camat, id, in); return err }
				}
				lat = append(lat, concurrently(b, saves)...)
			}
			report(b, lat)
		})
		b.Run(fmt.Sprintf("years=%d/raw-replace", years), func(b *testing.B) {
			var raw bson.Raw
			if err := d.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&raw); err != nil {
				b.Fatal(err)
			}
			replace := func() error {
				return d.Write(ctx, func(ctx context.Context) error {
					_, err := d.Collection("sheets").ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, raw)
					return err
				})
			}
			var lat []time.Duration
			for b.Loop() {
				lat = append(lat, concurrently(b, slices.Repeat([]func() error{replace}, 50))...)
			}
			report(b, lat)
		})
	}
}

// concurrently runs every fn at once and returns how long each took.
func concurrently(b *testing.B, fns []func() error) []time.Duration {
	lat := make([]time.Duration, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			if err := fn(); err != nil {
				b.Error(err)
			}
			lat[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	return lat
}

func report(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat))/float64(b.N), "saves/op")
}
