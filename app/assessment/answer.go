package assessment

import (
	"context"
	"math"
	"time"
	"unicode/utf8"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/instrument"
	decimal "github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// MaxNoteLength bounds an answer's note (characters): a paragraph of explanation, not a
// document — documents are evidence.
const MaxNoteLength = 2000

// AnswerInput is one save of one indicator, as the page or the API sends it.
type AnswerInput struct {
	Indicator string
	Answer    scoring.Answer
	Note      string
	// Rev is the answer's rev the client saw (0 for an indicator never answered).
	Rev int64
}

// Version is one saved state of an answer, kept in the history.
type Version struct {
	Indicator string    `bson:"indicator" json:"indicator"`
	Rev       int64     `bson:"rev" json:"rev"`
	Option    string    `bson:"option,omitempty" json:"option,omitempty"`
	Value     *float64  `bson:"value,omitempty" json:"value,omitempty"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
	By        string    `bson:"by" json:"by"`
	At        time.Time `bson:"at" json:"at"`
}

// Periods finds a period's schedule.
type Periods interface {
	ByYear(ctx context.Context, year int) (*period.Period, error)
}

// Service is the write side of assessments: the rules of DESIGN.md's workflow and the
// ordered writes that keep nothing lost.
type Service struct {
	Store   *Store
	Blobs   Blobs
	Periods Periods
	Catalog *instrument.Catalog
	Access  Access
	// Audit records every change that lands (nil: none, in tests of other things).
	Audit *audit.Log
	Now   func() time.Time
	// Zone is the kabupaten's time zone, in which deadlines are whole days (nil: WIB).
	Zone func(context.Context) *time.Location
}

// CheckEditable says whether u may change indicator of a now, with sh the sheet as read:
// own unit, a sheet in draft (or returned, then only the returned items), before the deadline,
// and not an answer a public survey wrote (Answer.FromSurvey). Errors: Forbidden (who, or past
// the deadline) or Conflict (the status, a survey's answer), with the reason.
func (sv *Service) CheckEditable(ctx context.Context, u *account.User, a *Assessment, sh *Sheet, indicator string) error {
	obj, err := sv.Access.Object(ctx, u, a)
	if err != nil {
		return err
	}
	if sh.Flow != nil { // the sheet's flow is the one writes judge
		cp := *a
		cp.Flow = *sh.Flow
		a = &cp
	}
	return sv.editable(ctx, u, obj, a, sh, indicator)
}

// editable is CheckEditable on a relation already looked up and an assessment whose flow is
// the sheet's; writes call it under the lock.
func (sv *Service) editable(ctx context.Context, u *account.User, obj account.Object, a *Assessment, sh *Sheet, indicator string) error {
	if err := Permit(u, obj, a.Status, account.Answer); err != nil {
		return err
	}
	if indicator != "" {
		if ans := sh.Answer(indicator); ans != nil && ans.FromSurvey() {
			return apperr.New(apperr.Conflict, "Jawaban indikator %s berasal dari survei publik (%s) dan hanya berubah melalui hasil survei; lembar kerja tidak dapat mengubahnya.",
				indicator, ans.Self.Survey)
		}
	}
	if a.Status == Returned && indicator != "" {
		if ans := sh.Answer(indicator); ans == nil || ans.Review == nil || ans.Review.Verdict != VerdictReturned {
			return apperr.New(apperr.Conflict, "Hanya indikator yang dikembalikan evaluator yang dapat diubah.")
		}
	}
	due, err := sv.Deadline(ctx, a)
	if err != nil {
		return err
	}
	if due.Passed(sv.Now()) {
		return apperr.New(apperr.Forbidden, "%s (%s) telah lewat. Hubungi admin untuk perpanjangan.", due.Label(), due.Text())
	}
	if due.NotOpen(sv.Now()) {
		return apperr.New(apperr.Forbidden, "Pengisian baru dibuka %s.", due.Opens.Long())
	}
	return nil
}

// Validate checks an input against the instrument; errors are Invalid and name the field.
func Validate(inst *instrument.Instrument, in AnswerInput) error {
	if _, ok := inst.Indicator(in.Indicator); !ok {
		return apperr.New(apperr.Invalid, "Indikator %q tidak ada pada instrumen %s.", in.Indicator, inst.ID)
	}
	if n := in.Answer.Number; n != nil && (math.IsNaN(*n) || math.IsInf(*n, 0)) {
		return apperr.New(apperr.Invalid, "Jawaban indikator %s harus berupa angka.", in.Indicator)
	}
	if err := scoring.ValidateAnswer(inst, in.Indicator, in.Answer); err != nil {
		return err
	}
	if !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > MaxNoteLength {
		return apperr.New(apperr.Invalid, "Catatan indikator %s terlalu panjang (maksimal %d karakter).", in.Indicator, MaxNoteLength)
	}
	if in.Rev < 0 {
		return apperr.New(apperr.Invalid, "Nilai rev tidak valid.")
	}
	return nil
}

// SaveAnswer stores one answer of the unit through Apply, which judges the status, the
// answer's rev and the deadline on the sheet read under the write lock. A stale Rev is a
// Conflict carrying the current answer, never an overwrite.
func (sv *Service) SaveAnswer(ctx context.Context, u *account.User, id string, in AnswerInput) (*Answer, *Assessment, error) {
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	inst, ok := sv.Catalog.Get(a.Instrument)
	if !ok {
		return nil, nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
	}
	// Authorization before validation: a stranger learns nothing about the sheet.
	obj, err := sv.Access.Object(ctx, u, a)
	if err != nil {
		return nil, nil, err
	}
	if err := account.Decide(u, account.Answer, obj); err != nil {
		return nil, nil, err
	}
	if err := Validate(inst, in); err != nil {
		return nil, nil, err
	}
	var saved Answer
	c, err := sv.Apply(ctx, id, func(ctx context.Context, c *Change) error {
		if err := sv.editable(ctx, u, obj, c.A, c.Sheet, in.Indicator); err != nil {
			return err
		}
		cur := c.Answer(in.Indicator)
		if cur.Rev != in.Rev {
			return apperr.WithDetail(apperr.Conflict, *cur,
				"Jawaban indikator %s telah diubah oleh %s. Periksa versi terbaru lalu pilih versi yang disimpan.", in.Indicator, lastEditor(cur))
		}
		cur.Self = &Response{Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: c.Now}
		cur.Rev++
		c.Keep(Version{Indicator: in.Indicator, Rev: cur.Rev, Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: c.Now})
		c.Audit(u.Username, audit.AnswerSave, "%s rev %d: %s", in.Indicator, cur.Rev, shortAnswer(in.Answer.Option, in.Answer.Number))
		saved = *cur
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &saved, c.A, nil
}

// shortAnswer is an answer as the audit log shows it.
func shortAnswer(option string, value *float64) string {
	if option != "" {
		return option
	}
	if value != nil {
		return decimal.ID(*value)
	}
	return "—"
}

func lastEditor(a *Answer) string {
	if a.Self != nil && a.Self.By != "" {
		return a.Self.By
	}
	return "pengguna lain"
}

// Previous returns the unit's final predicates of the year before (WBBM requires WBK), or nil
// when that year is not final.
func (s *Store) Previous(ctx context.Context, a *Assessment) (scoring.Previous, error) {
	return s.previous(ctx, a.Period, a.Instrument, a.Unit)
}

// previousOf is Previous for the assessment with the given id.
func (s *Store) previousOf(ctx context.Context, id string) (scoring.Previous, error) {
	year, inst, unit, ok := ParseID(id)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "Penilaian %q tidak dikenal.", id)
	}
	return s.previous(ctx, year, inst, unit)
}

func (s *Store) previous(ctx context.Context, year int, instrumentID, unit string) (scoring.Previous, error) {
	p, err := s.ByID(ctx, ID(year-1, instrumentID, unit))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if p.Status != Final || p.Final == nil {
		return nil, nil
	}
	return scoring.Previous(p.Final.Predicates), nil
}
