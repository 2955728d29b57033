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
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			sv.Store.queue.mu.Lock()
			n := len(sv.Store.queue.m[sheetID])
			sv.Store.queue.mu.Unlock()
			if n == 7 {
				return nil
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d writes queued, want 7", n)
			}
		}
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
