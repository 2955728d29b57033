package audit

import (
	"context"
	"fmt"
	"go.mongodb.org/mongo-driver/v2/bson"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

func TestDaysAreCutInTheKabupatensZone(t *testing.T) {
	at := time.Date(2026, 11, 23, 17, 30, 0, 0, time.UTC) // 00:30 WIB, 01:30 WITA, 02:30 WIT on the 24th
	for _, tc := range []struct {
		zone string
		want string
	}{{"UTC", "2026-11-23"}, {"Asia/Jakarta", "2026-11-24"}, {"Asia/Makassar", "2026-11-24"}, {"Asia/Jayapura", "2026-11-24"}} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		l := New(dbtest.Fresh(t, engine), func(context.Context) *time.Location { return loc })
		if got := l.Day(context.Background(), at); got != tc.want {
			t.Errorf("%s: day = %s, want %s", tc.zone, got, tc.want)
		}
	}
}

// A day with more events than a bucket holds spreads over numbered buckets and reads back in
// order; filters by actor and kecamatan keep only theirs; concurrent appends lose nothing.
func TestAppendAndListADay(t *testing.T) {
	l := New(dbtest.Fresh(t, engine), nil)
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) // 08:00 WIB
	var wg sync.WaitGroup
	const n = 2*bucketSize + 37
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			unit := "sukamaju"
			if i%3 == 0 {
				unit = "mekarsari"
			}
			errs <- l.Record(ctx, Event{At: base.Add(time.Duration(i) * time.Second), Actor: fmt.Sprintf("camat.%s", unit),
				Action: AnswerSave, Target: "2026/zi-2021/" + unit, Unit: unit, Detail: fmt.Sprintf("ke-%d", i)})
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := l.List(ctx, Filter{Day: "2026-11-23"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("%d events listed, want %d", len(all), n)
	}
	// Appends written together (group commit) still fill each bucket to bucketSize, no more.
	for b := 0; b*bucketSize < n; b++ {
		want := min(bucketSize, n-b*bucketSize)
		var doc struct{ Events []Event }
		if err := l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: bucketID("2026-11-23", int64(b))}}).Decode(&doc); err != nil {
			t.Fatalf("bucket %d: %v", b, err)
		}
		if len(doc.Events) != want {
			t.Errorf("bucket %d holds %d events, want %d", b, len(doc.Events), want)
		}
	}
	seen := map[string]bool{}
	for i, e := range all {
		if i > 0 && e.At.Before(all[i-1].At) {
			t.Fatalf("event %d out of order", i)
		}
		if seen[e.Detail] {
			t.Fatalf("event %q twice", e.Detail)
		}
		seen[e.Detail] = true
	}
	mine, err := l.List(ctx, Filter{Day: "2026-11-23", Unit: "mekarsari"})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != (n+2)/3 {
		t.Errorf("mekarsari: %d events, want %d", len(mine), (n+2)/3)
	}
	by, err := l.List(ctx, Filter{Day: "2026-11-23", Actor: "CAMAT.SUKAMAJU"})
	if err != nil {
		t.Fatal(err)
	}
	if len(by) != n-len(mine) {
		t.Errorf("camat.sukamaju: %d events, want %d", len(by), n-len(mine))
	}
	if other, err := l.List(ctx, Filter{Day: "2026-11-22"}); err != nil || len(other) != 0 {
		t.Errorf("another day: %v %v", other, err)
	}
}

func TestBadDayAndLongDetail(t *testing.T) {
	l := New(dbtest.Fresh(t, engine), nil)
	ctx := context.Background()
	for _, d := range []string{"", "23-11-2026", "2026-13-01", `{"$gt": ""}`} {
		if _, err := l.List(ctx, Filter{Day: d}); err == nil {
			t.Errorf("day %q accepted", d)
		}
	}
	long := make([]rune, 3*maxDetail)
	for i := range long {
		long[i] = 'x'
	}
	at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	if err := l.Record(ctx, Event{At: at, Actor: "admin", Action: Reopen, Target: "x", Detail: string(long)}); err != nil {
		t.Fatal(err)
	}
	es, err := l.List(ctx, Filter{Day: "2026-11-23"})
	if err != nil || len(es) != 1 || len([]rune(es[0].Detail)) != maxDetail {
		t.Errorf("long detail stored as %d runes (%v)", len([]rune(es[0].Detail)), err)
	}
	if err := l.Record(ctx, Event{Actor: "admin", Action: Reopen}); err == nil {
		t.Error("an event without time was accepted")
	}
}

// A restarted process (a new Log on the same data) carries on counting where the stored
// buckets end: no place is given twice, no bucket grows past bucketSize.
func TestAppendAfterARestart(t *testing.T) {
	d := dbtest.Fresh(t, engine)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	appendN := func(l *Log, from, n int) {
		for i := from; i < from+n; i++ {
			if err := l.Append(ctx, Event{At: at.Add(time.Duration(i) * time.Second), Actor: "admin", Action: UserUpdate, Target: "x", Detail: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := bucketSize + bucketSize/2 // the restart falls in the middle of a bucket
	const n = 3*bucketSize + 5
	appendN(New(d, nil), 0, first)
	l := New(d, nil)
	appendN(l, first, n-first)
	all, err := l.List(ctx, Filter{Day: "2026-11-23"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("%d events listed, want %d", len(all), n)
	}
	for i, e := range all {
		if e.Detail != fmt.Sprint(i) {
			t.Fatalf("event %d is %q", i, e.Detail)
		}
	}
	for b := 0; b*bucketSize < n; b++ {
		want := min(bucketSize, n-b*bucketSize)
		var doc struct{ Events []Event }
		if err := l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: bucketID("2026-11-23", int64(b))}}).Decode(&doc); err != nil {
			t.Fatalf("bucket %d: %v", b, err)
		}
		if len(doc.Events) != want {
			t.Errorf("bucket %d holds %d events, want %d", b, len(doc.Events), want)
		}
	}
}
