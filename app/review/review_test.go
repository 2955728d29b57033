package review

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// The whole loop on the real engine: a team member reviews, the lead returns two items, the
// camat fixes one (and is asked to confirm leaving the other), the evaluators see what
// changed, approve the rest, write the findings the low areas need, the lead finalizes, and
// an admin reopens. The final snapshot is the score of the evaluators' answers.
func TestReviewReturnResubmitFinalizeReopen(t *testing.T) {
	f := newFix(t, true)
	ctx := context.Background()
	codes := f.inst.Indicators()
	c1, c2 := codes[0].Code, codes[1].Code

	// Only the team reviews; only its lead returns and finalizes; the admin never reviews.
	if _, _, err := f.rv.Save(ctx, other, f.id, Input{Indicator: c1, Answer: ptr(goodAnswer(f.inst, c1)), Verdict: "ok"}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("unassigned evaluator = %v", err)
	}
	for name, u := range map[string]*account.User{"camat": camat, "admin": admin, "bupati": bupati} {
		if _, _, err := f.rv.Save(ctx, u, f.id, Input{Indicator: c1, Answer: ptr(goodAnswer(f.inst, c1)), Verdict: "ok"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s reviewing = %v", name, err)
		}
	}
	if _, _, err := f.rv.Return(ctx, lead, f.id); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("return before review started = %v", err)
	}

	// The member's first review starts the review.
	worst := worstAnswer(f.inst, c1)
	if _, a, err := f.rv.Save(ctx, member, f.id, Input{Indicator: c1, Answer: &worst, Verdict: assessment.VerdictReturned, Comment: "SK tim belum ditandatangani"}); err != nil || a.Status != assessment.InReview {
		t.Fatalf("first review: %v, status %v", err, a)
	}
	// A stale rev is a 409 carrying the current answer; nothing changes.
	if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c1, Answer: ptr(goodAnswer(f.inst, c1)), Verdict: "ok"}); !apperr.Is(err, apperr.Conflict) || apperr.DetailOf(err) == nil {
		t.Errorf("stale review rev = %v", err)
	}
	if _, _, err := f.rv.Return(ctx, member, f.id); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("member returning = %v", err)
	}
	if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c2, Verdict: assessment.VerdictReturned, Comment: "Foto kegiatan tidak terbaca"}); err != nil {
		t.Fatal(err)
	}
	returned, a, err := f.rv.Return(ctx, lead, f.id)
	if err != nil || a.Status != assessment.Returned || strings.Join(returned, ",") != c1+","+c2 || a.Returns != 1 {
		t.Fatalf("return = %v %v %+v", returned, err, a)
	}

	// The camat may change only the returned items; leaving one untouched needs a confirmation.
	if _, _, err := f.sv.SaveAnswer(ctx, camat, f.id, assessment.AnswerInput{Indicator: codes[5].Code, Answer: goodAnswer(f.inst, codes[5].Code), Rev: 1}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("editing an item not returned = %v", err)
	}
	if _, _, err := f.sv.SaveAnswer(ctx, camat, f.id, assessment.AnswerInput{Indicator: c1, Answer: goodAnswer(f.inst, c1), Note: "SK terlampir", Rev: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sv.Submit(ctx, camat, f.id, false); !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.Message(err), c2) {
		t.Errorf("resubmit with an untouched returned item = %v", err)
	}
	if a, err := f.sv.Submit(ctx, camat, f.id, true); err != nil || a.Status != assessment.Submitted {
		t.Fatalf("confirmed resubmit = %v %+v", err, a)
	}
	_, sh := f.sheet(t)
	if !sh.Answer(c1).Changed() || sh.Answer(c2).Changed() || sh.Answer(c1).AtReturn.Self.Note != "" {
		t.Errorf("changed since returned: %s %v, %s %v", c1, sh.Answer(c1).Changed(), c2, sh.Answer(c2).Changed())
	}

	// Items still marked dikembalikan block finalizing; so do unreviewed ones.
	if _, err := f.rv.Finalize(ctx, lead, f.id); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("finalize while submitted = %v", err)
	}
	for _, c := range []string{c1, c2} {
		if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c, Answer: ptr(goodAnswer(f.inst, c)), Verdict: assessment.VerdictOK, Rev: f.reviewRev(t, c)}); err != nil {
			t.Fatal(err)
		}
		if c == c1 {
			// c2, returned without an evaluator's score, counts as reviewed on the pages: it is
			// refused as still returned, not as unreviewed.
			if _, err := f.rv.Finalize(ctx, lead, f.id); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.Message(err), "masih berstatus dikembalikan") || !strings.Contains(apperr.Message(err), c2) {
				t.Errorf("finalize with %s still returned = %v", c2, err)
			}
		}
	}
	if _, err := f.rv.Finalize(ctx, lead, f.id); !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.Message(err), "belum dinilai") {
		t.Errorf("finalize with unreviewed items = %v", err)
	}
	// The evaluators accept a poor area at its worst, so that findings are required there.
	low := f.inst.Children("P")[0]
	for _, ind := range f.inst.Indicators() {
		if f.inst.Under(ind.Code, low.Code) && ind.Code != c1 && ind.Code != c2 {
			w := worstAnswer(f.inst, ind.Code)
			if _, _, err := f.rv.Save(ctx, member, f.id, Input{Indicator: ind.Code, Answer: &w, Verdict: assessment.VerdictOK, Comment: "bukti tidak memadai"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, skipped, _, err := f.rv.ApprovePending(ctx, member, f.id)
	if err != nil || n == 0 || len(skipped) != 0 {
		t.Fatalf("approve pending = %d %v %v", n, skipped, err)
	}
	if _, err := f.rv.Finalize(ctx, lead, f.id); !apperr.Is(err, apperr.Invalid) || apperr.FieldOf(err) != "findings."+low.Code {
		t.Errorf("finalize without findings for %s = %v", low.Code, err)
	}
	if _, err := f.rv.SaveFinding(ctx, member, f.id, FindingInput{Area: "X.Y"}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("finding of an unknown area = %v", err)
	}
	if _, err := f.rv.SaveFinding(ctx, member, f.id, FindingInput{Area: low.Code, Kondisi: "Tim kerja belum dibentuk dengan SK.", Rekomendasi: "Tetapkan SK tim kerja ZI."}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rv.SaveFinding(ctx, lead, f.id, FindingInput{Area: low.Code, Kondisi: "x", Rekomendasi: "y"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("stale finding rev = %v", err)
	}
	if _, err := f.rv.Finalize(ctx, member, f.id); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("member finalizing = %v", err)
	}
	a, err = f.rv.Finalize(ctx, lead, f.id)
	if err != nil || a.Status != assessment.Final || a.Final == nil || a.FinalizedBy != lead.Username {
		t.Fatalf("finalize = %v %+v", err, a)
	}
	_, sh = f.sheet(t)
	want, err := scoring.Score(f.inst, sh.ReviewAnswers(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Final.Total != want.Total || a.Final.Node(low.Code) != want.Nodes[low.Code] || a.Final.Predicates["WBK"] != want.Predicates["WBK"] {
		t.Errorf("final snapshot %v, score of the evaluators' answers %v", a.Final.Total, want.Total)
	}
	// Final locks everything but an admin's reopening, which needs a reason.
	if _, _, err := f.rv.Save(ctx, lead, f.id, Input{Indicator: c1, Answer: &worst, Verdict: "ok", Rev: f.reviewRev(t, c1)}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("review after final = %v", err)
	}
	if _, err := f.rv.Reopen(ctx, admin, f.id, " "); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("reopen without a reason = %v", err)
	}
	if _, err := f.rv.Reopen(ctx, lead, f.id, "salah nilai"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("evaluator reopening = %v", err)
	}
	if a, err = f.rv.Reopen(ctx, admin, f.id, "Keberatan kecamatan atas nilai IPAK diterima."); err != nil || a.Status != assessment.InReview || a.Final != nil {
		t.Fatalf("reopen = %v %+v", err, a)
	}

	// Every step is in the audit log.
	events, err := f.log.List(ctx, audit.Filter{Day: "2026-11-23", Unit: "a"})
	if err != nil {
		t.Fatal(err)
	}
	count := map[audit.Action]int{}
	for _, e := range events {
		count[e.Action]++
	}
	for _, act := range []audit.Action{audit.AnswerSave, audit.Submit, audit.ReviewStart, audit.ReviewSave, audit.Return,
		audit.ReviewApproveAll, audit.FindingsSave, audit.Finalize, audit.Reopen} {
		if count[act] == 0 {
			t.Errorf("no %s in the audit log (%v)", act, count)
		}
	}
	if count[audit.Submit] != 2 || count[audit.AnswerSave] != len(codes)+1 {
		t.Errorf("audit counts %v", count)
	}
}

func ptr[T any](v T) *T { return &v }

// Finalizing without findings names every area that still needs them, at once (the field is
// the first), so the lead does not meet them one refusal at a time.
func TestFinalizeNamesEveryAreaWithoutFindings(t *testing.T) {
	f := newFix(t, true)
	ctx := context.Background()
	poor := f.inst.Children("P")[:2]
	for _, ind := range f.inst.Indicators() {
		for _, area := range poor {
			if f.inst.Under(ind.Code, area.Code) {
				w := worstAnswer(f.inst, ind.Code)
				if _, _, err := f.rv.Save(ctx, member, f.id, Input{Indicator: ind.Code, Answer: &w, Verdict: assessment.VerdictOK}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, _, _, err := f.rv.ApprovePending(ctx, member, f.id); err != nil {
		t.Fatal(err)
	}
	_, sh := f.sheet(t)
	res, err := scoring.Score(f.inst, sh.ReviewAnswers(), nil)
	if err != nil {
		t.Fatal(err)
	}
	need := NeedFindings(f.inst, res, nil)
	if len(need) < 2 {
		t.Fatalf("areas needing findings: %v, want at least the two made poor", need)
	}
	_, err = f.rv.Finalize(ctx, lead, f.id)
	msg := apperr.Message(err)
	if !apperr.Is(err, apperr.Invalid) || apperr.FieldOf(err) != "findings."+need[0] || !strings.Contains(msg, fmt.Sprintf("Temuan %d area", len(need))) {
		t.Fatalf("finalize = %v (field %q), want %d areas named, the field the first", err, apperr.FieldOf(err), len(need))
	}
	for _, code := range need {
		if n, _ := f.inst.Node(code); !strings.Contains(msg, n.Title) {
			t.Errorf("the refusal does not name %s (%s): %s", code, n.Title, msg)
		}
	}
}
