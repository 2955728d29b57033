// Package review is the evaluators' side of an assessment (DESIGN.md, journey 2): reviewing
// each indicator against the unit's answer and evidence, returning items for revision, writing
// the findings per area, finalizing (the team's lead), and an admin reopening a final sheet.
// Every write goes through assessment.Service.Apply, which judges the workflow status on the
// sheet read under the write lock, so no write of an old state lands after a transition.
package review

import (
	"context"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// Limits of what an evaluator writes (characters).
const (
	MaxComment = 2000
	MaxFinding = 4000
	MaxReason  = 500
)

// Service holds the review rules.
type Service struct {
	Assessments *assessment.Service
}

// Verdict names as the API and the forms send them; the sheet stores assessment.Verdict.
const (
	Sesuai       = "sesuai"
	Dikembalikan = "dikembalikan"
)

// ParseVerdict reads a verdict: "sesuai" (or its stored form "ok") or "dikembalikan"
// ("returned"). Errors: Invalid naming the field.
func ParseVerdict(s string) (assessment.Verdict, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case Sesuai, string(assessment.VerdictOK):
		return assessment.VerdictOK, nil
	case Dikembalikan, string(assessment.VerdictReturned):
		return assessment.VerdictReturned, nil
	}
	return "", apperr.InField("verdict", "Pilih putusan %q atau %q (bukan %q).", Sesuai, Dikembalikan, s)
}

// Input is one review of one indicator: the evaluator's answer on the indicator's scale
// (required for sesuai, optional for dikembalikan), a comment (required for dikembalikan),
// the verdict, and the review's rev the evaluator saw (0 for an indicator never reviewed).
type Input struct {
	Indicator string
	Answer    *scoring.Answer
	Comment   string
	Verdict   assessment.Verdict
	Rev       int64
}

// Validate checks an input against the instrument; errors are Invalid and name the field.
func (in Input) Validate(inst *instrument.Instrument) error {
	if _, ok := inst.Indicator(in.Indicator); !ok {
		return apperr.InField("indicator", "Indikator %q tidak ada pada lembar kerja %s.", in.Indicator, inst.Title)
	}
	if in.Verdict != assessment.VerdictOK && in.Verdict != assessment.VerdictReturned {
		return apperr.InField("verdict", "Pilih putusan %q atau %q.", Sesuai, Dikembalikan)
	}
	if in.Answer != nil {
		if n := in.Answer.Number; n != nil && (math.IsNaN(*n) || math.IsInf(*n, 0)) {
			return apperr.InField("answer", "Nilai evaluator indikator %s harus berupa angka.", in.Indicator)
		}
		if err := scoring.ValidateAnswer(inst, in.Indicator, *in.Answer); err != nil {
			return apperr.InField("answer", "Nilai evaluator tidak sah. %s", apperr.Message(err))
		}
	}
	if in.Verdict == assessment.VerdictOK && in.Answer == nil {
		return apperr.InField("answer", "Isi nilai evaluator untuk indikator %s yang dinyatakan sesuai.", in.Indicator)
	}
	if !utf8.ValidString(in.Comment) || utf8.RuneCountInString(in.Comment) > MaxComment {
		return apperr.InField("comment", "Komentar terlalu panjang (maksimal %d karakter).", MaxComment)
	}
	if in.Verdict == assessment.VerdictReturned && strings.TrimSpace(in.Comment) == "" {
		return apperr.InField("comment", "Tuliskan komentar untuk indikator yang dikembalikan: apa yang perlu diperbaiki.")
	}
	if in.Rev < 0 {
		return apperr.InField("rev", "Nomor versi (rev) tidak sah.")
	}
	return nil
}

// relation loads the assessment id and u's relation to it, refusing early (403) those who
// may not do act at all: authorization before validation, so a stranger learns nothing.
func (s *Service) relation(ctx context.Context, u *account.User, id string, act account.Action) (*assessment.Assessment, *instrument.Instrument, account.Object, error) {
	sv := s.Assessments
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, nil, account.Object{}, err
	}
	inst, ok := sv.Catalog.Get(a.Instrument)
	if !ok {
		return nil, nil, account.Object{}, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
	}
	obj, err := sv.Access.Object(ctx, u, a)
	if err != nil {
		return nil, nil, account.Object{}, err
	}
	if err := account.Decide(u, act, obj); err != nil {
		return nil, nil, account.Object{}, err
	}
	return a, inst, obj, nil
}

// begin judges a review write on the state read under the lock, and moves a submitted sheet
// to direviu: the evaluator has started.
func begin(c *assessment.Change, u *account.User, obj account.Object) error {
	if err := assessment.Permit(u, obj, c.Status(), account.Review); err != nil {
		return err
	}
	if c.Status() == assessment.Submitted {
		f := c.Sheet.Flow
		f.Status, f.ReviewedAt = assessment.InReview, &c.Now
		c.Audit(u.Username, audit.ReviewStart, "reviu dimulai")
	}
	return nil
}

// Save stores one review. A stale Rev is a Conflict carrying the current answer (with its
// review), never an overwrite; two evaluators reviewing different indicators both succeed.
func (s *Service) Save(ctx context.Context, u *account.User, id string, in Input) (*assessment.Answer, *assessment.Assessment, error) {
	_, inst, obj, err := s.relation(ctx, u, id, account.Review)
	if err != nil {
		return nil, nil, err
	}
	if err := in.Validate(inst); err != nil {
		return nil, nil, err
	}
	var saved assessment.Answer
	c, err := s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		if err := begin(c, u, obj); err != nil {
			return err
		}
		cur := c.Answer(in.Indicator)
		if cur.ReviewRev != in.Rev {
			by := "evaluator lain"
			if cur.Review != nil {
				by = cur.Review.By
			}
			return apperr.WithDetail(apperr.Conflict, *cur, "Reviu indikator %s telah diubah oleh %s. Periksa versi terbaru sebelum menyimpan.", in.Indicator, by)
		}
		r := &assessment.Review{Comment: strings.TrimSpace(in.Comment), Verdict: in.Verdict, By: u.Username, At: c.Now}
		if in.Answer != nil {
			r.Option, r.Value = in.Answer.Option, in.Answer.Number
		}
		cur.Review = r
		cur.ReviewRev++
		c.Audit(u.Username, audit.ReviewSave, "%s: %s, %s", in.Indicator, VerdictLabel(in.Verdict), answerText(r.Option, r.Value))
		saved = *cur
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &saved, c.A, nil
}

// Approve accepts the unit's answer to one indicator as the evaluator's ("setujui jawaban
// kecamatan"), verdict sesuai. rev is the review's rev the evaluator saw.
func (s *Service) Approve(ctx context.Context, u *account.User, id, indicator string, rev int64) (*assessment.Answer, *assessment.Assessment, error) {
	_, inst, obj, err := s.relation(ctx, u, id, account.Review)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := inst.Indicator(indicator); !ok {
		return nil, nil, apperr.InField("indicator", "Indikator %q tidak ada pada lembar kerja %s.", indicator, inst.Title)
	}
	var saved assessment.Answer
	c, err := s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		if err := begin(c, u, obj); err != nil {
			return err
		}
		cur := c.Answer(indicator)
		if cur.ReviewRev != rev {
			return apperr.WithDetail(apperr.Conflict, *cur, "Reviu indikator %s telah diubah oleh evaluator lain. Periksa versi terbaru.", indicator)
		}
		if !approvable(cur) {
			return apperr.New(apperr.Invalid, "Indikator %s belum dijawab kecamatan: isi nilai evaluator sendiri.", indicator)
		}
		approve(cur, u.Username, c)
		c.Audit(u.Username, audit.ReviewSave, "%s: disetujui sesuai jawaban kecamatan (%s)", indicator, answerText(cur.Review.Option, cur.Review.Value))
		saved = *cur
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &saved, c.A, nil
}

// ApprovePending accepts, in one write, the unit's answer of every indicator not yet reviewed
// ("setujui semua yang belum dinilai"). Indicators the unit left unanswered stay unreviewed;
// it returns how many were approved and which were skipped.
func (s *Service) ApprovePending(ctx context.Context, u *account.User, id string) (approved int, skipped []string, _ *assessment.Assessment, err error) {
	_, inst, obj, err := s.relation(ctx, u, id, account.Review)
	if err != nil {
		return 0, nil, nil, err
	}
	c, err := s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		approved, skipped = 0, nil
		if err := begin(c, u, obj); err != nil {
			return err
		}
		for _, ind := range inst.Indicators() {
			cur := c.Answer(ind.Code)
			if cur.Review != nil {
				continue
			}
			if !approvable(cur) {
				skipped = append(skipped, ind.Code)
				continue
			}
			approve(cur, u.Username, c)
			approved++
		}
		if approved == 0 {
			return apperr.New(apperr.Conflict, "Tidak ada indikator terjawab yang belum dinilai.")
		}
		c.Audit(u.Username, audit.ReviewApproveAll, "%d indikator disetujui sesuai jawaban kecamatan; %d belum dijawab kecamatan", approved, len(skipped))
		return nil
	})
	if err != nil {
		return 0, nil, nil, err
	}
	return approved, skipped, c.A, nil
}

func approvable(a *assessment.Answer) bool {
	return a.Self != nil && (a.Self.Option != "" || a.Self.Value != nil)
}

func approve(a *assessment.Answer, by string, c *assessment.Change) {
	a.Review = &assessment.Review{Option: a.Self.Option, Value: a.Self.Value, Verdict: assessment.VerdictOK, By: by, At: c.Now}
	a.ReviewRev++
}

// FindingInput is what the evaluator writes for one area; Rev is the finding's rev seen (0
// for a new one).
type FindingInput struct {
	Area        string
	Kondisi     string
	Rekomendasi string
	Rev         int64
}

// SaveFinding stores the findings of one area (kondisi, rekomendasi): any team member, while
// the sheet is under review. Errors: Invalid naming the field, Conflict on a stale rev.
func (s *Service) SaveFinding(ctx context.Context, u *account.User, id string, in FindingInput) (*assessment.Finding, error) {
	_, inst, obj, err := s.relation(ctx, u, id, account.Review)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(FindingAreas(inst), in.Area) {
		return nil, apperr.InField("area", "Area %q tidak ada pada instrumen ini; pilih salah satu dari %s.", in.Area, strings.Join(FindingAreas(inst), ", "))
	}
	for field, v := range map[string]string{"kondisi": in.Kondisi, "rekomendasi": in.Rekomendasi} {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxFinding {
			return nil, apperr.InField(field, "Isian %s terlalu panjang (maksimal %d karakter).", field, MaxFinding)
		}
	}
	if in.Rev < 0 {
		return nil, apperr.InField("rev", "Nomor versi (rev) tidak sah.")
	}
	var saved assessment.Finding
	_, err = s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		if err := begin(c, u, obj); err != nil {
			return err
		}
		f := c.Sheet.Finding(in.Area)
		if f == nil {
			c.Sheet.Findings = append(c.Sheet.Findings, assessment.Finding{Area: in.Area})
			f = &c.Sheet.Findings[len(c.Sheet.Findings)-1]
		}
		if f.Rev != in.Rev {
			return apperr.WithDetail(apperr.Conflict, *f, "Temuan area %s telah diubah oleh %s. Periksa versi terbaru.", in.Area, f.By)
		}
		f.Kondisi, f.Rekomendasi = strings.TrimSpace(in.Kondisi), strings.TrimSpace(in.Rekomendasi)
		f.By, f.At = u.Username, c.Now
		f.Rev++
		c.Audit(u.Username, audit.FindingsSave, "area %s", in.Area)
		saved = *f
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &saved, nil
}

// Return sends the items marked dikembalikan back to the unit: the team's lead, while under
// review, with at least one such item, each with a comment. Each returned item keeps the
// unit's answer and evidence as they are now, for the comparison after the resubmission.
func (s *Service) Return(ctx context.Context, u *account.User, id string) (returned []string, _ *assessment.Assessment, err error) {
	_, _, obj, err := s.relation(ctx, u, id, account.Return)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		returned = nil
		if err := assessment.Permit(u, obj, c.Status(), account.Return); err != nil {
			return err
		}
		f := c.Sheet.Flow
		for i := range c.Sheet.Answers {
			a := &c.Sheet.Answers[i]
			if a.Review == nil || a.Review.Verdict != assessment.VerdictReturned {
				continue
			}
			if strings.TrimSpace(a.Review.Comment) == "" {
				return apperr.New(apperr.Invalid, "Indikator %s ditandai dikembalikan tanpa komentar: tuliskan apa yang perlu diperbaiki.", a.Indicator)
			}
			returned = append(returned, a.Indicator)
			a.AtReturn = &assessment.AtReturn{Self: a.Self, Evidence: slices.Clone(a.Evidence), Comment: a.Review.Comment, At: c.Now, Round: f.Returns + 1}
		}
		if len(returned) == 0 {
			return apperr.New(apperr.Invalid, "Tandai minimal satu indikator %q (dengan komentar) sebelum mengembalikan.", Dikembalikan)
		}
		f.Status, f.ReturnedAt, f.Returns = assessment.Returned, &c.Now, f.Returns+1
		c.Audit(u.Username, audit.Return, "%d indikator dikembalikan (putaran %d): %s", len(returned), f.Returns, strings.Join(returned, ", "))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return returned, c.A, nil
}

// Finalize locks the sheet and stores the final snapshot, computed from the evaluators'
// answers (with the unit's earlier final result for requires_previous): the team's lead,
// under review, every indicator reviewed and none still dikembalikan, and findings (kondisi
// and rekomendasi) for every area below a WBK/WBBM minimum.
func (s *Service) Finalize(ctx context.Context, u *account.User, id string) (*assessment.Assessment, error) {
	_, inst, obj, err := s.relation(ctx, u, id, account.Finalize)
	if err != nil {
		return nil, err
	}
	c, err := s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		if err := assessment.Permit(u, obj, c.Status(), account.Finalize); err != nil {
			return err
		}
		var unreviewed, stillReturned []string
		for _, ind := range inst.Indicators() {
			a := c.Sheet.Answer(ind.Code)
			// A returned item counts as reviewed on every page ("113/113 dinilai · 1 ditandai
			// dikembalikan"), so it is refused as still returned, score or not.
			switch {
			case a != nil && a.Review != nil && a.Review.Verdict == assessment.VerdictReturned:
				stillReturned = append(stillReturned, ind.Code)
			case a == nil || a.Review == nil || (a.Review.Option == "" && a.Review.Value == nil):
				unreviewed = append(unreviewed, ind.Code)
			}
		}
		if len(stillReturned) > 0 {
			return apperr.New(apperr.Conflict, "%d indikator masih berstatus dikembalikan (%s): nyatakan sesuai setelah diperbaiki, atau kembalikan lagi ke kecamatan.",
				len(stillReturned), listShort(stillReturned))
		}
		if len(unreviewed) > 0 {
			return apperr.New(apperr.Conflict, "%d indikator belum dinilai (%s). Nilai semuanya, atau setujui jawaban kecamatan, sebelum memfinalkan.",
				len(unreviewed), listShort(unreviewed))
		}
		prev, err := s.Assessments.Store.Previous(ctx, c.A)
		if err != nil {
			return err
		}
		res, err := scoring.Score(inst, c.Sheet.ReviewAnswers(), prev)
		if err != nil {
			return err
		}
		// Every area still lacking its findings is named at once (the field is the first),
		// so the lead does not meet them one refusal at a time.
		var missing, titles []string
		for _, area := range NeedFindings(inst, res, prev) {
			if f := c.Sheet.Finding(area); f == nil || f.Kondisi == "" || f.Rekomendasi == "" {
				title := area
				if n, ok := inst.Node(area); ok {
					title = n.Title
				}
				missing, titles = append(missing, area), append(titles, title)
			}
		}
		switch {
		case len(missing) == 1:
			return apperr.InField("findings."+missing[0], "Temuan area %s wajib diisi, kondisi dan rekomendasi, karena area ini di bawah batas minimal predikat.", titles[0])
		case len(missing) > 1:
			return apperr.InField("findings."+missing[0], "Temuan %d area wajib diisi, kondisi dan rekomendasi, karena area-area ini di bawah batas minimal predikat: %s.", len(missing), strings.Join(titles, "; "))
		}
		f := c.Sheet.Flow
		f.Status, f.FinalizedAt, f.FinalizedBy = assessment.Final, &c.Now, u.Username
		f.ReopenedAt, f.ReopenReason = nil, ""
		detail := "nilai akhir " + num.ID2(res.Total)
		if res.Grade != nil {
			detail += ", predikat " + *res.Grade
		}
		for _, p := range inst.Predicates {
			if res.Predicates[p.Key] {
				detail += ", " + p.Key
			}
		}
		c.Audit(u.Username, audit.Finalize, "%s", detail)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.A, nil
}

// Reopen puts a final sheet back under review (an admin, with a reason): the final score is
// withdrawn until the lead finalizes again.
func (s *Service) Reopen(ctx context.Context, u *account.User, id, reason string) (*assessment.Assessment, error) {
	reason = strings.TrimSpace(reason)
	_, _, obj, err := s.relation(ctx, u, id, account.Reopen)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, apperr.InField("reason", "Tuliskan alasan membuka kembali penilaian final.")
	}
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > MaxReason {
		return nil, apperr.InField("reason", "Alasan terlalu panjang (maksimal %d karakter).", MaxReason)
	}
	c, err := s.Assessments.Apply(ctx, id, func(ctx context.Context, c *assessment.Change) error {
		if err := assessment.Permit(u, obj, c.Status(), account.Reopen); err != nil {
			return err
		}
		f := c.Sheet.Flow
		was := f.FinalizedBy
		f.Status, f.FinalizedAt, f.FinalizedBy = assessment.InReview, nil, ""
		f.ReopenedAt, f.ReopenReason = &c.Now, reason
		c.Audit(u.Username, audit.Reopen, "dibuka kembali (final oleh %s): %s", was, reason)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.A, nil
}

// FindingAreas are the areas findings are written for: the instrument's report areas.
func FindingAreas(inst *instrument.Instrument) []string { return inst.ReportAreas() }

// NeedFindings lists the areas whose findings the finalization requires (scoring.FailingAreas).
func NeedFindings(inst *instrument.Instrument, r scoring.Result, prev scoring.Previous) []string {
	return scoring.FailingAreas(inst, r, prev)
}

// VerdictLabel is a verdict in Bahasa Indonesia.
func VerdictLabel(v assessment.Verdict) string {
	if v == assessment.VerdictReturned {
		return "dikembalikan"
	}
	return "sesuai"
}

func answerText(option string, value *float64) string {
	if option != "" {
		return option
	}
	if value != nil {
		return num.ID(*value)
	}
	return "tanpa nilai"
}

func listShort(codes []string) string {
	if len(codes) > 5 {
		return strings.Join(codes[:5], ", ") + ", …"
	}
	return strings.Join(codes, ", ")
}
