package assessment

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

var engine *db.DB

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, &engine)) }

var (
	now     = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	camat   = &account.User{Username: "camat.a", Role: account.Camat, Unit: "a"}
	staf    = &account.User{Username: "staf.a", Role: account.Staf, Unit: "a"}
	orang   = &account.User{Username: "camat.b", Role: account.Camat, Unit: "b"}
	zi      *instrument.Instrument
	sheetID = ID(2026, "zi-2021", "a")
)

// fixture stores one draft ZI assessment of unit "a" with a deadline a week ahead.
func fixture(t *testing.T) (*Service, *db.DB) {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	zi, _ = cat.Get("zi-2021")
	d := dbtest.Fresh(t, engine)
	ctx := context.Background()
	if err := d.Prepare(ctx, "assessments", "sheets", "history", "periods"); err != nil {
		t.Fatal(err)
	}
	periods := period.NewStore(d)
	// Whole days: a week after now, and the review a month after now.
	if err := periods.Put(ctx, period.Period{Year: 2026, Instruments: []period.Window{{Instrument: "zi-2021",
		Opens: "2026-05-23", SelfDeadline: "2026-11-30", ReviewDeadline: "2026-12-23"}}}); err != nil {
		t.Fatal(err)
	}
	st := NewStore(d)
	a := &Assessment{ID: sheetID, Period: 2026, Instrument: "zi-2021", Unit: "a", Flow: Flow{Status: Draft}, Rev: 1}
	if err := Rescore(zi, a, &Sheet{ID: sheetID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, a, &Sheet{ID: sheetID, Rev: 1}); err != nil {
		t.Fatal(err)
	}
	return &Service{Store: st, Periods: periods, Catalog: cat, Access: Access{}, Now: func() time.Time { return now }}, d
}

func opt(code, key string) AnswerInput {
	return AnswerInput{Indicator: code, Answer: scoring.Answer{Option: key}}
}

func num(code string, x float64) AnswerInput {
	return AnswerInput{Indicator: code, Answer: scoring.Answer{Number: &x}}
}

// 50 people save the same indicator at once, all having seen rev 0: exactly one wins, the
// others get a Conflict carrying the winner's answer, and the history holds exactly one version.
func TestConcurrentConflictingSaves(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	const code = "P.MP.RF.1.b" // a percentage: each saver sends its own value
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = sv.SaveAnswer(ctx, camat, sheetID, num(code, float64(i)))
		}()
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case apperr.Is(err, apperr.Conflict):
			conflicts++
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Detail == nil {
				t.Errorf("conflict without the current answer: %v", err)
			}
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 || conflicts != 49 {
		t.Fatalf("wins %d, conflicts %d; want 1 and 49", wins, conflicts)
	}
	sh, err := sv.Store.Sheet(ctx, sheetID)
	if err != nil {
		t.Fatal(err)
	}
	got := sh.Answer(code)
	if got == nil || got.Rev != 1 || got.Self == nil {
		t.Fatalf("stored answer = %+v", got)
	}
	hist, err := sv.Store.History(ctx, sheetID, *got, 0, 0)
	if err != nil || len(hist) != 1 || hist[0].Rev != 1 {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	// The next save must carry rev 1; rev 0 again is a conflict, rev 1 wins.
	if _, _, err := sv.SaveAnswer(ctx, camat, sheetID, AnswerInput{Indicator: code, Answer: got.Self.answer(), Rev: 0}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("stale rev = %v", err)
	}
	in := AnswerInput{Indicator: code, Answer: got.Self.answer(), Note: "diperbarui", Rev: 1}
	if a, _, err := sv.SaveAnswer(ctx, staf, sheetID, in); err != nil || a.Rev != 2 {
		t.Errorf("save with rev 1 = %+v, %v", a, err)
	}
}

// 50 people save 50 different indicators at once: every save lands, none is lost, and the
// snapshot counts all of them.
func TestConcurrentSavesOfDifferentIndicators(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	var inputs []AnswerInput
	for _, ind := range zi.Indicators() {
		if len(inputs) == 50 {
			break
		}
		s := zi.ScaleOf(ind.Code)
		switch s.Kind {
		case instrument.KindChoice:
			inputs = append(inputs, opt(ind.Code, s.Options[0].Key))
		case instrument.KindPercent:
			inputs = append(inputs, num(ind.Code, 80))
		default:
			inputs = append(inputs, num(ind.Code, *s.Max))
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := camat
			if i%2 == 1 {
				u = staf
			}
			_, _, errs[i] = sv.SaveAnswer(ctx, u, sheetID, in)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("save %d (%s): %v", i, inputs[i].Indicator, err)
		}
	}
	sh, _ := sv.Store.Sheet(ctx, sheetID)
	for _, in := range inputs {
		a := sh.Answer(in.Indicator)
		if a == nil || a.Self == nil || a.Rev != 1 {
			t.Errorf("%s lost: %+v", in.Indicator, a)
			continue
		}
		if hist, _ := sv.Store.History(ctx, sheetID, *a, 0, 0); len(hist) != 1 {
			t.Errorf("%s: %d history versions", in.Indicator, len(hist))
		}
	}
	a, _ := sv.Store.ByID(ctx, sheetID)
	want, _ := scoring.Score(zi, sh.SelfAnswers(), nil)
	if a.Progress.Answered != 50 || a.Self.Total != want.Total || a.SheetRev != sh.Rev {
		t.Errorf("assessment: answered %d, self %v (want %v), sheet_rev %d (sheet %d)", a.Progress.Answered, a.Self.Total, want.Total, a.SheetRev, sh.Rev)
	}
}

// Bad input is refused with a message naming the field, and the earlier answer stays.
func TestBadInputKeepsEarlierAnswer(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	if _, _, err := sv.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Ya")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   AnswerInput
	}{
		{"option the scale lacks", AnswerInput{Indicator: "P.MP.PM.1.a", Answer: scoring.Answer{Option: "Mungkin"}, Rev: 1}},
		{"number for an option scale", func() AnswerInput {
			x := 1.0
			return AnswerInput{Indicator: "P.MP.PM.1.a", Answer: scoring.Answer{Number: &x}, Rev: 1}
		}()},
		{"note too long", AnswerInput{Indicator: "P.MP.PM.1.a", Answer: scoring.Answer{Option: "Tidak"}, Note: strings.Repeat("x", MaxNoteLength+1), Rev: 1}},
		{"unknown indicator", AnswerInput{Indicator: "X.9", Answer: scoring.Answer{Option: "Ya"}}},
		{"percent out of range", num("P.PP.RF.1.b", 101)},
		{"survey value out of range", num("H.BA.IPAK.a", 4.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := sv.SaveAnswer(ctx, camat, sheetID, tc.in)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.Message(err), tc.in.Indicator) {
				t.Errorf("err = %v, want Invalid naming %s", err, tc.in.Indicator)
			}
		})
	}
	sh, _ := sv.Store.Sheet(ctx, sheetID)
	if a := sh.Answer("P.MP.PM.1.a"); a == nil || a.Self.Option != "Ya" || a.Rev != 1 {
		t.Errorf("earlier answer changed: %+v", a)
	}
}

func TestWhoAndWhenMayEdit(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	if _, _, err := sv.SaveAnswer(ctx, orang, sheetID, opt("P.MP.PM.1.a", "Ya")); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("other kecamatan = %v", err)
	}
	if _, err := sv.Submit(ctx, staf, sheetID, false); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("staf submit = %v", err)
	}
	late := *sv
	late.Now = func() time.Time { return now.AddDate(0, 0, 8) }
	if _, _, err := late.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Ya")); !apperr.Is(err, apperr.Forbidden) || !strings.Contains(apperr.Message(err), "Batas pengisian") {
		t.Errorf("after deadline = %v", err)
	}
	a, err := sv.Submit(ctx, camat, sheetID, false)
	if err != nil || a.Status != Submitted {
		t.Fatalf("submit = %+v, %v", a, err)
	}
	// What the status no longer allows is a conflict with the current state (409), not a
	// matter of who asks (403).
	if _, _, err := sv.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Ya")); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.Message(err), "sudah diajukan") {
		t.Errorf("after submit = %v", err)
	}
	if _, err := sv.Submit(ctx, camat, sheetID, false); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second submit = %v", err)
	}
}

func (r *Response) answer() scoring.Answer { return scoring.Answer{Option: r.Option, Number: r.Value} }

// An admin's per-unit extension reopens a sheet whose period deadline has passed.
func TestDeadlineExtension(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	late := *sv
	late.Now = func() time.Time { return now.AddDate(0, 0, 10) }
	if _, _, err := late.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Ya")); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("after the deadline = %v", err)
	}
	if _, err := sv.Store.SetExtension(ctx, sheetID, &Extension{Until: "2026-12-07", Reason: "banjir", By: "admin", At: now}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := late.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Ya")); err != nil {
		t.Errorf("with an extension = %v", err)
	}
}

// Returned items are fixed after the self-assessment deadline, until the review deadline,
// and only those items.
func TestReturnedItemsEditableUntilReviewDeadline(t *testing.T) {
	sv, _ := fixture(t)
	ctx := context.Background()
	if _, _, err := sv.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.a", "Tidak")); err != nil {
		t.Fatal(err)
	}
	a, _ := sv.Store.ByID(ctx, sheetID)
	sh, _ := sv.Store.Sheet(ctx, sheetID)
	sh.Answer("P.MP.PM.1.a").Review = &Review{Option: "Tidak", Verdict: VerdictReturned, Comment: "SK belum ditandatangani", By: "inspektur", At: now}
	a.Status = Returned
	if err := sv.Store.Put(ctx, a, sh); err != nil {
		t.Fatal(err)
	}
	later := *sv
	later.Now = func() time.Time { return now.AddDate(0, 0, 10) } // past the self deadline, before the review deadline
	if _, _, err := later.SaveAnswer(ctx, camat, sheetID, AnswerInput{Indicator: "P.MP.PM.1.a", Answer: scoring.Answer{Option: "Ya"}, Rev: 1}); err != nil {
		t.Errorf("returned item = %v", err)
	}
	if _, _, err := later.SaveAnswer(ctx, camat, sheetID, opt("P.MP.PM.1.b", "A")); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("item not returned = %v", err)
	}
	tooLate := *sv
	tooLate.Now = func() time.Time { return now.AddDate(0, 2, 0) }
	if _, _, err := tooLate.SaveAnswer(ctx, camat, sheetID, AnswerInput{Indicator: "P.MP.PM.1.a", Answer: scoring.Answer{Option: "Tidak"}, Rev: 2}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("after the review deadline = %v", err)
	}
}
