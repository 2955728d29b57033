package assessment

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Writes to one sheet that queue for the write lock are applied together (group commit): each
// is judged on the state the ones before it left, a refused one (a stale rev, an error after
// changing the sheet, a panic) fails alone and leaves no trace, and the sheet is stored once.
func TestQueuedWritesToOneSheetAreAppliedTogether(t *testing.T) {
	sv, d := fixture(t)
	if !d.Embedded {
		t.Skip("group commit happens on the embedded engine, where writes queue for its lock")
	}
	ctx := context.Background()
	codes := []string{}
	for _, ind := range zi.Indicators() {
		if zi.ScaleOf(ind.Code).Options != nil && len(codes) < 6 {
			codes = append(codes, ind.Code)
		}
	}
	before, err := sv.Store.Sheet(ctx, sheetID)
	if err != nil {
		t.Fatal(err)
	}
	key := func(code string) string { return zi.ScaleOf(code).Options[0].Key }

	type result struct {
		name string
		err  error
	}
	results := make(chan result, 10)
	var wg sync.WaitGroup
	run := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- result{name, fn()}
		}()
	}
	// Hold the write lock until every write below waits in the sheet's queue.
	_ = d.Write(ctx, func(context.Context) error {
		for _, code := range codes[:4] {
			run("save "+code, func() error { _, _, err := sv.SaveAnswer(ctx, camat, sheetID, opt(code, key(code))); return err })
		}
		// Two saves of one indicator, both having seen rev 0: the first in the queue wins.
		run("stale", func() error {
			_, _, err := sv.SaveAnswer(ctx, camat, sheetID, opt(codes[0], key(codes[0])))
			return err
		})
		run("changes then fails", func() error {
			_, err := sv.Apply(ctx, sheetID, func(ctx context.Context, c *Change) error {
				c.Answer(codes[4]).Self = &Response{Option: key(codes[4]), By: "x"}
				c.Sheet.Flow.Status = Submitted
				return errors.New("refused after changing the sheet")
			})
			return err
		})
		run("panics", func() error {
			_, err := sv.Apply(ctx, sheetID, func(ctx context.Context, c *Change) error {
				c.Answer(codes[5]).Self = &Response{Option: key(codes[5]), By: "x"}
				panic("a bug in one write")
			})
			return err
		})
		waitQueued(t, sv, 7)
		return nil
	})
	wg.Wait()
	close(results)
	saved, conflicts, failed := 0, 0, 0
	for r := range results {
		switch {
		case r.err == nil:
			saved++
		case apperr.Is(r.err, apperr.Conflict) && r.name == "stale" || r.name == "save "+codes[0] && apperr.Is(r.err, apperr.Conflict):
			conflicts++
		case r.name == "changes then fails" || r.name == "panics":
			failed++
		default:
			t.Errorf("%s: %v", r.name, r.err)
		}
	}
	if saved != 4 || conflicts != 1 || failed != 2 {
		t.Errorf("saved %d, conflicts %d, refused %d; want 4, 1, 2", saved, conflicts, failed)
	}
	after, err := sv.Store.Sheet(ctx, sheetID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Rev != before.Rev+1 {
		t.Errorf("sheet rev %d → %d: the batch was stored %d times, want once", before.Rev, after.Rev, after.Rev-before.Rev)
	}
	for _, code := range codes[:4] {
		if a := after.Answer(code); a == nil || a.Self == nil || a.Self.Option != key(code) || a.Rev != 1 {
			t.Errorf("%s: %+v, want saved once", code, a)
		}
	}
	for _, code := range codes[4:] {
		if a := after.Answer(code); a != nil && a.Self != nil {
			t.Errorf("%s: the refused write left %+v", code, a)
		}
	}
	if after.Flow.Status != Draft {
		t.Errorf("status %q: the refused write's change was kept", after.Flow.Status)
	}
	// What the engine holds is what the store returns (the cache is not ahead of it).
	var stored Sheet
	if err := d.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: sheetID}}).Decode(&stored); err != nil {
		t.Fatal(err)
	}
	if stored.Rev != after.Rev || len(stored.Answers) != len(after.Answers) {
		t.Errorf("stored rev %d with %d answers, the store returns rev %d with %d", stored.Rev, len(stored.Answers), after.Rev, len(after.Answers))
	}
	if n, _ := d.Collection("history").CountDocuments(ctx, bson.D{{Key: "assessment", Value: sheetID}}); n != 4 {
		t.Errorf("%d versions in the history, want 4", n)
	}
	a, err := sv.Store.ByID(ctx, sheetID)
	if err != nil {
		t.Fatal(err)
	}
	if a.SheetRev != after.Rev || a.Progress.Answered != 4 {
		t.Errorf("assessment derived from sheet rev %d with %d answered, want rev %d with 4", a.SheetRev, a.Progress.Answered, after.Rev)
	}
}

// Writes to several sheets that queue for the write lock are stored together: the sheets in
// one bulk write, then their assessments in another (embedded engine). Each sheet lands with
// its own writes and its assessment derives from it; a refused write fails alone; a sheet the
// engine does not hold where the cache says (removed behind the store's back) is applied again
// from what the engine holds; a sheet never stored is inserted. The cache equals the engine.
func TestQueuedWritesToSeveralSheetsAreStoredTogether(t *testing.T) {
	sv, d := fixture(t)
	if !d.Embedded {
		t.Skip("rounds happen on the embedded engine, where writes queue for its lock")
	}
	ctx := context.Background()
	units := []string{"b", "c", "gone", "fresh"}
	for _, u := range units {
		id := ID(2026, "zi-2021", u)
		a := &Assessment{ID: id, Period: 2026, Instrument: "zi-2021", Unit: u, Flow: Flow{Status: Draft}, Rev: 1}
		if err := Rescore(zi, a, &Sheet{ID: id}, nil); err != nil {
			t.Fatal(err)
		}
		sh := &Sheet{ID: id, Rev: 1}
		if u == "fresh" {
			sh = nil // never stored: the first write inserts it
		}
		if err := sv.Store.Put(ctx, a, sh); err != nil {
			t.Fatal(err)
		}
		if _, err := sv.Store.Sheet(ctx, id); err != nil { // now in the cache
			t.Fatal(err)
		}
	}
	var codes []string
	for _, ind := range zi.Indicators() {
		if zi.ScaleOf(ind.Code).Options != nil && len(codes) < 2 {
			codes = append(codes, ind.Code)
		}
	}
	key := func(code string) string { return zi.ScaleOf(code).Options[0].Key }
	set := func(code string) func(ctx context.Context, c *Change) error {
		return func(ctx context.Context, c *Change) error {
			c.Answer(code).Self = &Response{Option: key(code), By: "camat"}
			c.Answer(code).Rev++
			return nil
		}
	}
	errs := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	apply := func(name, id string, fn func(ctx context.Context, c *Change) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := sv.Apply(ctx, id, fn)
			mu.Lock()
			errs[name] = err
			mu.Unlock()
		}()
	}
	_ = d.Write(ctx, func(ctx context.Context) error {
		for _, u := range units {
			apply(u, ID(2026, "zi-2021", u), set(codes[0]))
		}
		apply("a", sheetID, set(codes[0]))
		apply("a refused", sheetID, func(ctx context.Context, c *Change) error {
			c.Answer(codes[1]).Self = &Response{Option: key(codes[1]), By: "x"}
			return errors.New("refused")
		})
		apply("c second", ID(2026, "zi-2021", "c"), set(codes[1]))
		waitQueued(t, sv, 7)
		// Behind the store's back, with the sheet still in its cache.
		_, err := d.Collection("sheets").DeleteOne(ctx, bson.D{{Key: "_id", Value: ID(2026, "zi-2021", "gone")}})
		return err
	})
	wg.Wait()
	for name, err := range errs {
		if (err != nil) != (name == "a refused") {
			t.Errorf("%s: %v", name, err)
		}
	}
	want := map[string]struct {
		rev      int64
		answered int
	}{"a": {2, 1}, "b": {2, 1}, "c": {2, 2}, "gone": {1, 1}, "fresh": {1, 1}}
	for u, w := range want {
		id := ID(2026, "zi-2021", u)
		var stored Sheet
		if err := d.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&stored); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		cached, err := sv.Store.Sheet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		a, err := sv.Store.ByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var storedA Assessment
		if err := d.Collection("assessments").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&storedA); err != nil {
			t.Fatal(err)
		}
		if stored.Rev != w.rev || cached.Rev != stored.Rev || len(stored.Answers) != w.answered || len(cached.Answers) != w.answered {
			t.Errorf("%s: stored rev %d with %d answers, cached rev %d with %d; want rev %d with %d", u, stored.Rev, len(stored.Answers), cached.Rev, len(cached.Answers), w.rev, w.answered)
		}
		if a.SheetRev != stored.Rev || a.Progress.Answered != w.answered || storedA.SheetRev != a.SheetRev || storedA.Progress.Answered != a.Progress.Answered {
			t.Errorf("%s: assessment derived from sheet rev %d with %d answered (stored: %d, %d), want rev %d with %d",
				u, a.SheetRev, a.Progress.Answered, storedA.SheetRev, storedA.Progress.Answered, stored.Rev, w.answered)
		}
	}
	if sh, _ := sv.Store.Sheet(ctx, sheetID); sh.Answer(codes[1]) != nil && sh.Answer(codes[1]).Self != nil {
		t.Errorf("the refused write left %+v", sh.Answer(codes[1]))
	}

	// A round where every sheet is where the cache says: all land in the one bulk write.
	errs = map[string]error{}
	_ = d.Write(ctx, func(ctx context.Context) error {
		for _, u := range []string{"b", "gone"} {
			apply(u, ID(2026, "zi-2021", u), set(codes[1]))
		}
		waitQueued(t, sv, 2)
		return nil
	})
	wg.Wait()
	for u, rev := range map[string]int64{"b": 3, "gone": 2} {
		id := ID(2026, "zi-2021", u)
		var stored Sheet
		if err := d.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&stored); err != nil {
			t.Fatal(err)
		}
		a, _ := sv.Store.ByID(ctx, id)
		if errs[u] != nil || stored.Rev != rev || len(stored.Answers) != 2 || a.SheetRev != rev || a.Progress.Answered != 2 {
			t.Errorf("%s: %v; stored rev %d with %d answers, assessment from rev %d with %d answered; want rev %d with 2",
				u, errs[u], stored.Rev, len(stored.Answers), a.SheetRev, a.Progress.Answered, rev)
		}
	}
}

// waitQueued waits until n writes wait in the queue for the write lock (held by the caller).
func waitQueued(t *testing.T, sv *Service, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		sv.Store.queue.mu.Lock()
		queued := 0
		for _, ws := range sv.Store.queue.m {
			queued += len(ws)
		}
		sv.Store.queue.mu.Unlock()
		if queued == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", queued, n)
		}
	}
}
