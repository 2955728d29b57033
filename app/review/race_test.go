package review

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
)

// Every transition judges the status it reads under the write lock, and so does every save:
// once a transition has landed, no write of the state it ended lands after it. Each test races
// a burst of saves (each on its own indicator, so only the workflow can refuse them) against
// one transition, then checks every stored stamp against the transition's time.

const burst = 40

// race runs save(i) for i < burst and transition concurrently; it returns how many saves were
// stored and checks that every refusal is the status's 409.
func race(t *testing.T, save func(i int) error, transition func() error) int {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, burst)
	start := make(chan struct{})
	for i := range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = save(i)
		}()
	}
	var terr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		time.Sleep(2 * time.Millisecond) // let some saves in first
		terr = transition()
	}()
	close(start)
	wg.Wait()
	if terr != nil {
		t.Fatalf("transition: %v", terr)
	}
	stored := 0
	for _, err := range errs {
		switch {
		case err == nil:
			stored++
		case !apperr.Is(err, apperr.Conflict):
			t.Errorf("save refused with %v, want the status's 409", err)
		}
	}
	return stored
}

func TestSubmitRacingAnswerSaves(t *testing.T) {
	f := newFix(t, false)
	ctx := context.Background()
	codes := f.inst.Indicators()
	stored := race(t, func(i int) error {
		c := codes[i].Code
		_, _, err := f.sv.SaveAnswer(ctx, camat, f.id, assessment.AnswerInput{Indicator: c, Answer: worstAnswer(f.inst, c), Note: "terlambat?", Rev: 1})
		return err
	}, func() error { _, err := f.sv.Submit(ctx, camat, f.id, false); return err })
	a, sh := f.sheet(t)
	late := 0
	for _, ans := range sh.Answers {
		if ans.Self.At.After(*a.SubmittedAt) {
			late++
		}
	}
	if late > 0 {
		t.Errorf("%d of %d stored saves landed after the submission", late, stored)
	}
	t.Logf("%d saves before the submission, %d refused after it", stored, burst-stored)
}

// reviewed returns a fixture whose sheet every evaluator has reviewed as sesuai.
func reviewed(t *testing.T) *fix {
	f := newFix(t, true)
	if _, _, _, err := f.rv.ApprovePending(context.Background(), member, f.id); err != nil {
		t.Fatal(err)
	}
	return f
}

// reviewSave re-reviews indicator i with the rev stored now (read before the race starts).
func reviewSaves(t *testing.T, f *fix) func(i int) error {
	_, sh := f.sheet(t)
	codes := f.inst.Indicators()
	return func(i int) error {
		c := codes[i].Code
		_, _, err := f.rv.Save(context.Background(), member, f.id, Input{Indicator: c, Answer: ptr(worstAnswer(f.inst, c)),
			Verdict: assessment.VerdictReturned, Comment: "periksa lagi", Rev: sh.Answer(c).ReviewRev})
		return err
	}
}

func lateReviews(f *fix, sh *assessment.Sheet, at time.Time) int {
	n := 0
	for _, ans := range sh.Answers {
		if ans.Review != nil && ans.Review.At.After(at) {
			n++
		}
	}
	return n
}

func TestReturnRacingReviewSaves(t *testing.T) {
	f := reviewed(t)
	ctx := context.Background()
	c0 := f.inst.Indicators()[burst].Code // one item returned before the race
	if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c0, Verdict: assessment.VerdictReturned, Comment: "lengkapi", Rev: f.reviewRev(t, c0)}); err != nil {
		t.Fatal(err)
	}
	stored := race(t, reviewSaves(t, f), func() error { _, _, err := f.rv.Return(ctx, lead, f.id); return err })
	a, sh := f.sheet(t)
	if n := lateReviews(f, sh, *a.ReturnedAt); n > 0 {
		t.Errorf("%d review saves landed after the return", n)
	}
	// What was returned is exactly what was marked when the return landed.
	marked := 0
	for _, ans := range sh.Answers {
		if ans.Review.Verdict == assessment.VerdictReturned {
			marked++
			if ans.AtReturn == nil {
				t.Errorf("%s marked dikembalikan but not returned", ans.Indicator)
			}
		}
	}
	if marked != stored+1 {
		t.Errorf("%d items returned, want %d", marked, stored+1)
	}
}

func TestFinalizeRacingReviewSaves(t *testing.T) {
	f := reviewed(t)
	ctx := context.Background()
	// The saves mark items dikembalikan: any that lands first makes the finalization refuse,
	// so here they keep the verdict sesuai and only change the value.
	_, sh0 := f.sheet(t)
	codes := f.inst.Indicators()
	stored := race(t, func(i int) error {
		c := codes[i].Code
		_, _, err := f.rv.Save(ctx, member, f.id, Input{Indicator: c, Answer: ptr(goodAnswer(f.inst, c)), Verdict: assessment.VerdictOK, Comment: "dinilai ulang", Rev: sh0.Answer(c).ReviewRev})
		return err
	}, func() error { _, err := f.rv.Finalize(ctx, lead, f.id); return err })
	a, sh := f.sheet(t)
	if n := lateReviews(f, sh, *a.FinalizedAt); n > 0 {
		t.Errorf("%d review saves landed after the finalization", n)
	}
	t.Logf("%d review saves before the finalization", stored)
}

func TestResubmitRacingAnswerSaves(t *testing.T) {
	f := reviewed(t)
	ctx := context.Background()
	codes := f.inst.Indicators()
	for i := range burst {
		c := codes[i].Code
		if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c, Verdict: assessment.VerdictReturned, Comment: "perbaiki", Rev: f.reviewRev(t, c)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.rv.Return(ctx, lead, f.id); err != nil {
		t.Fatal(err)
	}
	race(t, func(i int) error {
		c := codes[i].Code
		_, _, err := f.sv.SaveAnswer(ctx, camat, f.id, assessment.AnswerInput{Indicator: c, Answer: goodAnswer(f.inst, c), Note: "diperbaiki", Rev: 1})
		return err
	}, func() error { _, err := f.sv.Submit(ctx, camat, f.id, true); return err })
	a, sh := f.sheet(t)
	for _, ans := range sh.Answers {
		if ans.Self.At.After(*a.SubmittedAt) {
			t.Errorf("%s saved after the resubmission", ans.Indicator)
		}
	}
}

func TestReopenRacingReviewSaves(t *testing.T) {
	f := reviewed(t)
	ctx := context.Background()
	if _, err := f.rv.Finalize(ctx, lead, f.id); err != nil {
		t.Fatal(err)
	}
	var reopened time.Time
	stored := race(t, reviewSaves(t, f), func() error {
		a, err := f.rv.Reopen(ctx, admin, f.id, "keberatan diterima")
		if err == nil {
			reopened = *a.ReopenedAt // not UpdatedAt: saves applied with it (group commit) come later
		}
		return err
	})
	_, sh := f.sheet(t)
	// Saves are refused while the sheet is final: every one that landed came after the reopening.
	fresh := 0
	for _, ans := range sh.Answers {
		if ans.Review.Verdict == assessment.VerdictReturned {
			fresh++
			if !ans.Review.At.After(reopened) {
				t.Errorf("%s reviewed at %v, before the reopening at %v", ans.Indicator, ans.Review.At, reopened)
			}
		}
	}
	if fresh != stored {
		t.Errorf("%d reviews changed, %d saves reported stored", fresh, stored)
	}
	t.Logf("%d review saves refused while final, %d stored after the reopening", burst-stored, stored)
}
