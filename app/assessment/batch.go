package assessment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/evidence"
)

// NewLink checks a web address given as evidence (http or https, at most 2,000 characters)
// and names it (name, or the address without its scheme). Errors: Invalid.
func NewLink(rawURL, name string) (Evidence, error) {
	rawURL = strings.TrimSpace(rawURL)
	p, err := url.Parse(rawURL)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(rawURL) > 2000 {
		return Evidence{}, apperr.New(apperr.Invalid, "Tautan bukti harus alamat web lengkap yang diawali http:// atau https://.")
	}
	if name = strings.TrimSpace(name); name == "" {
		name = p.Host + p.EscapedPath()
	}
	if name, err = evidence.CleanName(strings.ReplaceAll(name, "/", " ")); err != nil {
		return Evidence{}, err
	}
	sum := sha256.Sum256([]byte(rawURL))
	return Evidence{ID: hex.EncodeToString(sum[:]), Kind: EvidenceLink, Name: name, URL: rawURL}, nil
}

// Change is what a batch does to one indicator: set its answer (when SetAnswer; Input.Rev is
// the answer's rev the caller previewed) and add links (from NewLink; one already linked is
// skipped).
type Change struct {
	Input     AnswerInput
	SetAnswer bool
	Links     []Evidence
}

// SaveAnswers applies changes to one sheet at once, all or nothing: every change is checked
// as a typed save is (Validate, CheckEditable with the deadline, the answer's rev), and only
// when all pass is anything written, in the order of SaveAnswer — the new versions to the
// history first, then the sheet in one conditioned write, then the derived snapshot — so a
// crash leaves what rescoring repairs. then runs inside the same write (the audit log). A
// stale rev is a Conflict naming the indicator; nothing is written then.
func (sv *Service) SaveAnswers(ctx context.Context, u *account.User, id string, changes []Change, then func(ctx context.Context, a *Assessment) error) (*Assessment, error) {
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inst, ok := sv.Catalog.Get(a.Instrument)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
	}
	if err := sv.Access.Decide(ctx, u, account.Answer, a); err != nil {
		return nil, err
	}
	for _, ch := range changes {
		if ch.SetAnswer {
			if err := Validate(inst, ch.Input); err != nil {
				return nil, err
			}
		} else if _, ok := inst.Indicator(ch.Input.Indicator); !ok {
			return nil, apperr.New(apperr.Invalid, "Indikator %q tidak ada pada instrumen %s.", ch.Input.Indicator, inst.ID)
		}
	}
	prev, err := sv.Store.Previous(ctx, a)
	if err != nil {
		return nil, err
	}
	err = sv.Store.db.Write(ctx, func(ctx context.Context) error {
		for attempt := 0; attempt < 20; attempt++ {
			// The status as stored now, under the lock: a submission since the preview refuses.
			if a, err = sv.Store.ByID(ctx, id); err != nil {
				return err
			}
			sh, err := sv.Store.Sheet(ctx, id)
			if err != nil {
				return err
			}
			now := sv.Now().UTC()
			var versions []Version
			for _, ch := range changes {
				in := ch.Input
				if err := sv.CheckEditable(ctx, u, a, sh, in.Indicator); err != nil {
					return fmt.Errorf("%s: %w", in.Indicator, err)
				}
				cur := sh.Answer(in.Indicator)
				if cur == nil {
					sh.Answers = append(sh.Answers, Answer{Indicator: in.Indicator})
					cur = &sh.Answers[len(sh.Answers)-1]
				}
				if ch.SetAnswer {
					if cur.Rev != in.Rev {
						return apperr.WithDetail(apperr.Conflict, *cur,
							"Jawaban indikator %s telah diubah oleh %s sejak pratinjau. Tidak ada yang disimpan; ulangi pratinjau.", in.Indicator, lastEditor(cur))
					}
					cur.Self = &Response{Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: now}
					cur.Rev++
					versions = append(versions, Version{Indicator: in.Indicator, Rev: cur.Rev, Option: in.Answer.Option,
						Value: in.Answer.Number, Note: in.Note, By: u.Username, At: now})
				}
				for _, e := range ch.Links {
					if !slices.ContainsFunc(cur.Evidence, func(x Evidence) bool { return x.ID == e.ID }) {
						e.By, e.At = u.Username, now
						cur.Evidence = append(cur.Evidence, e)
					}
				}
			}
			if len(versions) > 0 {
				if _, err := sv.Store.history.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
					bson.D{{Key: "$push", Value: bson.D{{Key: "versions", Value: bson.D{{Key: "$each", Value: versions}}}}}},
					options.UpdateOne().SetUpsert(true)); err != nil {
					return fmt.Errorf("history of %s: %w", id, err)
				}
			}
			sheetRev := sh.Rev
			sh.Rev++
			ok, err := sv.Store.db.ReplaceIfRev(ctx, "sheets", id, sheetRev, sh)
			if err != nil {
				return fmt.Errorf("saving sheet %s: %w", id, err)
			}
			if !ok {
				continue // another save landed meanwhile: check everything again
			}
			if err := Rescore(inst, a, sh, prev); err != nil {
				return err
			}
			a.UpdatedAt, a.SheetRev = now, sh.Rev
			if err := sv.Store.db.SetIfNewer(ctx, "assessments", id, "sheet_rev", sh.Rev, bson.D{
				{Key: "self", Value: a.Self}, {Key: "final", Value: a.Final}, {Key: "progress", Value: a.Progress}, {Key: "updated_at", Value: now},
			}); err != nil {
				return fmt.Errorf("saving the score of %s: %w", id, err)
			}
			if err := sv.Store.recorded(ctx, id); err != nil {
				return err
			}
			if then != nil {
				return then(ctx, a)
			}
			return nil
		}
		return apperr.New(apperr.Conflict, "Lembar kerja sedang banyak diubah. Coba lagi.")
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
