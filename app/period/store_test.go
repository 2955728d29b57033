package period

import (
	"context"
	"os"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

// TestStoreReadsFollowWrites: periods are read from memory on the embedded engine, yet every
// write to the collection, by the store or not, shows on the next read, and what a caller gets
// is its own copy.
func TestStoreReadsFollowWrites(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Fresh(t, engine)
	s := NewStore(d)
	p := Period{Year: 2026, Instruments: []Window{{Instrument: "zi-2021", Opens: "2026-01-05", SelfDeadline: "2026-10-31", ReviewDeadline: "2026-11-30"}}}
	if err := s.Put(ctx, p); err != nil {
		t.Fatal(err)
	}
	deadline := func() Day {
		t.Helper()
		got, err := s.ByYear(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		return got.Instruments[0].SelfDeadline
	}
	for range 2 { // the second read comes from memory
		if got := deadline(); got != "2026-10-31" {
			t.Fatalf("the stored deadline: %s", got)
		}
	}
	got, _ := s.ByYear(ctx, 2026)
	got.Instruments[0].SelfDeadline = "1999-01-01" // the caller's copy
	if deadline() != "2026-10-31" {
		t.Error("a caller's change reached the store's memory")
	}

	p.Instruments[0].SelfDeadline = "2026-11-15"
	if err := d.Write(ctx, func(ctx context.Context) error { return s.Replace(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	if got := deadline(); got != "2026-11-15" {
		t.Errorf("after Replace: %s", got)
	}
	if _, err := d.Collection("periods").UpdateOne(ctx, bson.D{{Key: "_id", Value: 2026}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "instruments.0.self_deadline", Value: "2026-11-20"}}}}); err != nil {
		t.Fatal(err)
	}
	if got := deadline(); got != "2026-11-20" {
		t.Errorf("after a write outside the store: %s", got)
	}
	if err := s.Put(ctx, Period{Year: 2027, Instruments: p.Instruments}); err != nil {
		t.Fatal(err)
	}
	if cur, err := s.Current(ctx); err != nil || cur.Year != 2027 {
		t.Errorf("Current = %v, %v", cur, err)
	}
	if ps, err := s.List(ctx); err != nil || len(ps) != 2 || ps[0].Year != 2027 {
		t.Errorf("List = %v, %v", ps, err)
	}
	if _, err := s.ByYear(ctx, 2030); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("ByYear(2030) = %v, want NotFound", err)
	}
}
