package assessment

import (
	"context"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
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
	Now     func() time.Time
	// Zone is the kabupaten's time zone, in which deadlines are whole days (nil: WIB).
	Zone func(context.Context) *time.Location
}

// CheckEditable says whether u may change indicator of a now: own unit, a sheet in draft (or
// returned, then only the returned items), before the deadline. Errors: Forbidden with the reason.
func (sv *Service) CheckEditable(ctx context.Context, u *account.User, a *Assessment, sh *Sheet, indicator string) error {
	if err := sv.Access.Decide(ctx, u, account.Answer, a); err != nil {
		return err
	}
	switch a.Status {
	case Draft:
	case Returned:
		if ans := sh.Answer(indicator); indicator != "" && (ans == nil || ans.Review == nil || ans.Review.Verdict != VerdictReturned) {
			return apperr.New(apperr.Forbidden, "Hanya indikator yang dikembalikan evaluator yang dapat diubah.")
		}
	case Submitted, InReview:
		return apperr.New(apperr.Forbidden, "Penilaian sudah diajukan dan tidak dapat diubah sampai dikembalikan evaluator.")
	case Final:
		return apperr.New(apperr.Forbidden, "Penilaian sudah final dan tidak dapat diubah.")
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

// SaveAnswer stores one answer of the unit. The write order makes any crash repairable by
// rescoring: the new version goes to the history first, then the sheet (conditioned on the
// sheet's rev, retried when another indicator was saved in between), then the assessment's
// derived snapshot. A stale Rev is a Conflict carrying the current answer, never an overwrite.
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
	if err := sv.Access.Decide(ctx, u, account.Answer, a); err != nil {
		return nil, nil, err
	}
	if err := Validate(inst, in); err != nil {
		return nil, nil, err
	}
	prev, err := sv.Store.Previous(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	var saved *Answer
	err = sv.Store.db.Write(ctx, func(ctx context.Context) error {
		for attempt := 0; attempt < 20; attempt++ {
			sh, err := sv.Store.Sheet(ctx, id)
			if err != nil {
				return err
			}
			if err := sv.CheckEditable(ctx, u, a, sh, in.Indicator); err != nil {
				return err
			}
			cur := sh.Answer(in.Indicator)
			if cur == nil {
				sh.Answers = append(sh.Answers, Answer{Indicator: in.Indicator})
				cur = &sh.Answers[len(sh.Answers)-1]
			}
			if cur.Rev != in.Rev {
				return apperr.WithDetail(apperr.Conflict, *cur,
					"Jawaban indikator %s telah diubah oleh %s. Periksa versi terbaru lalu pilih versi yang disimpan.", in.Indicator, lastEditor(cur))
			}
			now := sv.Now().UTC()
			cur.Self = &Response{Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: now}
			cur.Rev++
			v := Version{Indicator: in.Indicator, Rev: cur.Rev, Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: now}
			if err := sv.Store.appendHistory(ctx, id, v); err != nil {
				return err
			}
			sheetRev := sh.Rev
			sh.Rev++
			ok, err := sv.Store.db.ReplaceIfRev(ctx, "sheets", id, sheetRev, sh)
			if err != nil {
				return fmt.Errorf("saving sheet %s: %w", id, err)
			}
			if !ok {
				continue // another indicator was saved meanwhile: re-read and try again
			}
			if err := Rescore(inst, a, sh, prev); err != nil {
				return err
			}
			a.UpdatedAt = now
			if err := sv.Store.db.SetIfNewer(ctx, "assessments", id, "sheet_rev", sh.Rev, bson.D{
				{Key: "self", Value: a.Self}, {Key: "final", Value: a.Final}, {Key: "progress", Value: a.Progress}, {Key: "updated_at", Value: now},
			}); err != nil {
				return fmt.Errorf("saving the score of %s: %w", id, err)
			}
			if err := sv.Store.recorded(ctx, id); err != nil {
				return err
			}
			a.SheetRev = sh.Rev
			ans := *cur
			saved = &ans
			return nil
		}
		return apperr.New(apperr.Conflict, "Lembar kerja sedang banyak diubah. Coba simpan lagi.")
	})
	if err != nil {
		return nil, nil, err
	}
	return saved, a, nil
}

func lastEditor(a *Answer) string {
	if a.Self != nil && a.Self.By != "" {
		return a.Self.By
	}
	return "pengguna lain"
}

// appendHistory adds one version to the assessment's history bucket.
func (s *Store) appendHistory(ctx context.Context, id string, v Version) error {
	_, err := s.history.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$push", Value: bson.D{{Key: "versions", Value: v}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("history of %s: %w", id, err)
	}
	return nil
}

// History returns the saved versions of one indicator, newest first.
func (s *Store) History(ctx context.Context, id, indicator string) ([]Version, error) {
	all, err := s.AllHistory(ctx, id)
	if err != nil {
		return nil, err
	}
	if vs := all[indicator]; vs != nil {
		return vs, nil
	}
	return []Version{}, nil
}

// Previous returns the unit's final predicates of the year before (WBBM requires WBK), or nil
// when that year is not final.
func (s *Store) Previous(ctx context.Context, a *Assessment) (scoring.Previous, error) {
	p, err := s.ByID(ctx, ID(a.Period-1, a.Instrument, a.Unit))
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

// AllHistory returns every saved version of the assessment's answers by indicator, newest first.
func (s *Store) AllHistory(ctx context.Context, id string) (map[string][]Version, error) {
	var doc struct {
		Versions []Version `bson:"versions"`
	}
	err := s.history.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	if err != nil && !isNoDocuments(err) {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	out := map[string][]Version{}
	for i := len(doc.Versions) - 1; i >= 0; i-- {
		v := doc.Versions[i]
		out[v.Indicator] = append(out[v.Indicator], v)
	}
	return out, nil
}
