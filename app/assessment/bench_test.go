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
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
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
	if err := d.Prepare(ctx, "users", "units", "periods", "assignments", "assessments", "sheets", "history", "audit", "boards"); err != nil {
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
	// Wired as the server wires it: every save also writes its board line and its audit event.
	units := unit.NewStore(d)
	st.SetBoard(ranking.NewBoard(d, cat, units, st, 0))
	return &assessment.Service{Store: st, Periods: ps, Catalog: cat, Access: assessment.Access{Assignments: account.NewAssignments(d)},
		Audit: audit.New(d, units.Zone), Now: func() time.Time { return now }}, d, cat
}

// writers is how many clients save at once in the deadline-rush benchmark (issue 14's budget:
// save p50 with 20 writers ≤ 1.5× a raw ReplaceOne of the same sheet under 20 writers).
const writers = 20

// validInputs returns one valid answer for each of the instrument's first n indicators.
func validInputs(inst *instrument.Instrument, n int) []assessment.AnswerInput {
	var inputs []assessment.AnswerInput
	for _, ind := range inst.Indicators()[:n] {
		in := assessment.AnswerInput{Indicator: ind.Code}
		switch s := inst.ScaleOf(ind.Code); s.Kind {
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
	return inputs
}

// BenchmarkSaveAnswer: 20 writers save 20 different indicators of one sheet at once, each
// save timed (p50/p99 reported), beside 20 writers replacing the same sheet whole through the
// driver: the raw engine doing the sheet write every save contains. x-raw is the ratio of the
// p50s (budget ≤ 1.5).
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
		inputs := validInputs(zi, writers)
		var rawP50 time.Duration
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
				lat = append(lat, concurrently(b, slices.Repeat([]func() error{replace}, writers))...)
			}
			rawP50 = report(b, lat)
		})
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
			if p50 := report(b, lat); rawP50 > 0 {
				b.ReportMetric(float64(p50)/float64(rawP50), "x-raw")
			}
		})
	}
}

// BenchmarkSaveManySheets: 20 writers each save one answer on a sheet of their own (drafts
// of any instrument and kecamatan), beside 20 writers replacing those sheets whole: here no
// two writes share a sheet, so the group commit of Apply cannot help and the ratio shows what
// a save costs beyond its sheet write (the assessment, the history, the board, the audit).
func BenchmarkSaveManySheets(b *testing.B) {
	base, stop := dbtest.MustStart()
	defer stop()
	ctx := context.Background()
	sv, d, cat := benchDB(b, base, 1)
	as, err := sv.Store.List(ctx, assessment.Filter{Period: 2026})
	if err != nil {
		b.Fatal(err)
	}
	type sheet struct {
		id string
		u  *account.User
		in assessment.AnswerInput
	}
	var sheets []sheet
	for _, a := range as {
		if a.Status != assessment.Draft || len(sheets) == writers {
			continue
		}
		// Some instruments' deadlines have passed in the demo: extended, as an admin would.
		if _, err := sv.Store.SetExtension(ctx, a.ID, &assessment.Extension{Until: "2026-12-31", Reason: "bench", By: "admin", At: time.Now()}, nil); err != nil {
			b.Fatal(err)
		}
		inst, _ := cat.Get(a.Instrument)
		sheets = append(sheets, sheet{a.ID, &account.User{Username: "camat." + a.Unit, Role: account.Camat, Unit: a.Unit}, validInputs(inst, 1)[0]})
	}
	if len(sheets) < writers {
		b.Fatalf("the demo has %d drafts in 2026, want %d", len(sheets), writers)
	}
	var rawP50 time.Duration
	b.Run("raw-replace", func(b *testing.B) {
		replaces := make([]func() error, len(sheets))
		for i, s := range sheets {
			var raw bson.Raw
			if err := d.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: s.id}}).Decode(&raw); err != nil {
				b.Fatal(err)
			}
			replaces[i] = func() error {
				return d.Write(ctx, func(ctx context.Context) error {
					_, err := d.Collection("sheets").ReplaceOne(ctx, bson.D{{Key: "_id", Value: s.id}}, raw)
					return err
				})
			}
		}
		var lat []time.Duration
		for b.Loop() {
			lat = append(lat, concurrently(b, replaces)...)
		}
		rawP50 = report(b, lat)
	})
	b.Run("service", func(b *testing.B) {
		var lat []time.Duration
		for b.Loop() {
			saves := make([]func() error, len(sheets))
			for i, s := range sheets {
				sh, err := sv.Store.Sheet(ctx, s.id)
				if err != nil {
					b.Fatal(err)
				}
				in := s.in
				if a := sh.Answer(in.Indicator); a != nil {
					in.Rev = a.Rev
				}
				saves[i] = func() error { _, _, err := sv.SaveAnswer(ctx, s.u, s.id, in); return err }
			}
			lat = append(lat, concurrently(b, saves)...)
		}
		if p50 := report(b, lat); rawP50 > 0 {
			b.ReportMetric(float64(p50)/float64(rawP50), "x-raw")
		}
	})
}

// BenchmarkSaveAfterHistory: one save on a sheet whose indicator already has 1,000 versions in
// its history, beside the same save on a sheet with none (issue 14's budget: ≤ 1.2×). The
// versions are made by real saves before the timer starts.
func BenchmarkSaveAfterHistory(b *testing.B) {
	base, stop := dbtest.MustStart()
	defer stop()
	ctx := context.Background()
	sv, _, cat := benchDB(b, base, 1)
	zi, _ := cat.Get("zi-2021")
	in := validInputs(zi, 1)[0]
	save := func(b *testing.B, unitCode string) {
		id := assessment.ID(2026, "zi-2021", unitCode)
		u := &account.User{Username: "camat." + unitCode, Role: account.Camat, Unit: unitCode}
		sh, err := sv.Store.Sheet(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		in := in
		if a := sh.Answer(in.Indicator); a != nil {
			in.Rev = a.Rev
		}
		in.Note = fmt.Sprintf("catatan %d", in.Rev)
		if _, _, err := sv.SaveAnswer(ctx, u, id, in); err != nil {
			b.Fatal(err)
		}
	}
	// Another draft of the same instrument, with no history yet, is the fresh sheet.
	as, err := sv.Store.List(ctx, assessment.Filter{Period: 2026, Instrument: "zi-2021"})
	if err != nil {
		b.Fatal(err)
	}
	fresh := ""
	for _, a := range as {
		if a.Status == assessment.Draft && a.Unit != "sukamaju" {
			fresh = a.Unit
			break
		}
	}
	if fresh == "" {
		b.Fatal("the demo has no second ZI draft in 2026")
	}
	// The fresh sheet gets the same answers as the other, so that only the history differs.
	sh, err := sv.Store.Sheet(ctx, assessment.ID(2026, "zi-2021", "sukamaju"))
	if err != nil {
		b.Fatal(err)
	}
	fa, err := sv.Store.ByID(ctx, assessment.ID(2026, "zi-2021", fresh))
	if err != nil {
		b.Fatal(err)
	}
	sh.ID = fa.ID
	if err := sv.Store.Put(ctx, fa, sh); err != nil {
		b.Fatal(err)
	}
	for range 1000 {
		save(b, "sukamaju")
	}
	var freshOp float64
	for _, c := range []struct{ name, unit string }{{"fresh", fresh}, {"versions=1000", "sukamaju"}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				save(b, c.unit)
			}
			perOp := float64(b.Elapsed()) / float64(b.N)
			if freshOp == 0 {
				freshOp = perOp
			} else {
				b.ReportMetric(perOp/freshOp, "x-fresh")
			}
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

// report prints the p50 and p99 of lat and returns the p50.
func report(b *testing.B, lat []time.Duration) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	p50 := lat[len(lat)/2]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat))/float64(b.N), "saves/op")
	return p50
}
