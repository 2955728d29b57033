package assessment

import (
	"context"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A version is appended once per (indicator, rev), only for a sheet write that landed: a
// retried append is a no-op, and a save that loses the race for its sheet (made to lose it
// here by a write slipped in between its read and its write) leaves no version behind.
func TestHistoryIdempotentAndOnlyForLandedWrites(t *testing.T) {
	sv, d := fixture(t)
	ctx := context.Background()
	const code = "P.MP.PM.1.a"
	if _, _, err := sv.SaveAnswer(ctx, camat, sheetID, opt(code, "Ya")); err != nil {
		t.Fatal(err)
	}
	v := Version{Indicator: code, Rev: 1, Option: "Tidak", By: "pengganggu", At: now}
	if err := sv.Store.appendHistory(ctx, sheetID, v); err != nil {
		t.Fatalf("retried append: %v", err)
	}
	n, err := d.Collection("history").CountDocuments(ctx, bson.D{{Key: "assessment", Value: sheetID}})
	if err != nil || n != 1 {
		t.Fatalf("versions stored = %d (%v), want 1", n, err)
	}
	sh, _ := sv.Store.Sheet(ctx, sheetID)
	hist, _ := sv.Store.History(ctx, sheetID, *sh.Answer(code), 0, 0)
	if len(hist) != 1 || hist[0].Option != "Ya" {
		t.Errorf("history = %+v, want the landed version only", hist)
	}

	// A race: between the save's read of the sheet and its write, another write lands (a
	// colleague's evidence), so the save's conditional write fails, as on MongoDB; it reads
	// again and lands. One version is stored, the one that landed.
	replace := sv.Store.replaceSheet
	lost := false
	sv.Store.replaceSheet = func(ctx context.Context, id string, rev int64, sh *Sheet) (bool, error) {
		if !lost {
			lost = true
			cur, err := sv.Store.Sheet(ctx, id)
			if err != nil {
				return false, err
			}
			cur.Rev++
			cur.Answer(code).Evidence = append(cur.Answer(code).Evidence, Evidence{ID: "x", Kind: EvidenceLink, Name: "tautan", URL: "https://contoh.go.id"})
			if _, err := replace(ctx, id, cur.Rev-1, cur); err != nil { // the colleague's write, through the store
				return false, err
			}
			return false, nil
		}
		return replace(ctx, id, rev, sh)
	}
	if _, _, err := sv.SaveAnswer(ctx, camat, sheetID, AnswerInput{Indicator: code, Answer: opt(code, "Tidak").Answer, Rev: 1}); err != nil {
		t.Fatal(err)
	}
	if !lost {
		t.Fatal("the race was not staged")
	}
	sh, _ = sv.Store.Sheet(ctx, sheetID)
	hist, _ = sv.Store.History(ctx, sheetID, *sh.Answer(code), 0, 0)
	if len(hist) != 2 || hist[0].Rev != 2 || hist[0].Option != "Tidak" || len(sh.Answer(code).Evidence) != 1 {
		t.Errorf("history after the race = %+v; evidence kept %v", hist, sh.Answer(code).Evidence)
	}
	if n, _ := d.Collection("history").CountDocuments(ctx, bson.D{{Key: "assessment", Value: sheetID}}); n != 2 {
		t.Errorf("versions stored = %d, want 2", n)
	}
}

// History is read a page at a time, newest first, whatever its length.
func TestHistoryPages(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	const code = "P.MP.PM.1.a"
	var rev int64
	for i := range 23 {
		a, _, err := sv.SaveAnswer(ctx, camat, sheetID, AnswerInput{Indicator: code, Answer: opt(code, "Ya").Answer, Note: fmt.Sprint(i), Rev: rev})
		if err != nil {
			t.Fatal(err)
		}
		rev = a.Rev
	}
	sh, _ := sv.Store.Sheet(ctx, sheetID)
	cur := *sh.Answer(code)
	p1, _ := sv.Store.History(ctx, sheetID, cur, 0, 10)
	p3, _ := sv.Store.History(ctx, sheetID, cur, 4, 10)
	if len(p1) != 10 || p1[0].Rev != 23 || p1[9].Rev != 14 || len(p3) != 3 || p3[2].Rev != 1 || p3[0].Note != "2" {
		t.Errorf("pages: %d from %d to %d; last page %+v", len(p1), p1[0].Rev, p1[9].Rev, p3)
	}
}
