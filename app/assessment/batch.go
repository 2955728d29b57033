package assessment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"

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
		name = p.Host + p.Path // decoded: "a%20b" reads "a b"
	}
	if name, err = evidence.CleanName(strings.ReplaceAll(name, "/", " ")); err != nil {
		return Evidence{}, err
	}
	sum := sha256.Sum256([]byte(rawURL))
	return Evidence{ID: hex.EncodeToString(sum[:]), Kind: EvidenceLink, Name: name, URL: rawURL}, nil
}

// BatchChange is what a batch does to one indicator: set its answer (when SetAnswer;
// Input.Rev is the answer's rev the caller previewed) and add links (from NewLink; one already
// linked is skipped).
type BatchChange struct {
	Input     AnswerInput
	SetAnswer bool
	Links     []Evidence
}

// SaveAnswers applies changes to one sheet at once, all or nothing, through Apply: every change
// is judged as a typed save is (Validate, the status and deadline read under the write lock,
// the answer's rev), and only when all pass does the sheet change, in one conditioned write,
// followed by the history of each new version. then runs inside the same write once the sheet
// has landed (the audit log). A stale rev is a Conflict naming the indicator; nothing is
// written then.
func (sv *Service) SaveAnswers(ctx context.Context, u *account.User, id string, changes []BatchChange, then func(ctx context.Context, a *Assessment) error) (*Assessment, error) {
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	inst, ok := sv.Catalog.Get(a.Instrument)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", a.Instrument)
	}
	obj, err := sv.Access.Object(ctx, u, a)
	if err != nil {
		return nil, err
	}
	if err := account.Decide(u, account.Answer, obj); err != nil {
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
	c, err := sv.Apply(ctx, id, func(ctx context.Context, c *Change) error {
		for _, ch := range changes {
			in := ch.Input
			if err := sv.editable(ctx, u, obj, c.A, c.Sheet, in.Indicator); err != nil {
				return fmt.Errorf("%s: %w", in.Indicator, err)
			}
			cur := c.Answer(in.Indicator)
			if ch.SetAnswer {
				if cur.Rev != in.Rev {
					return apperr.WithDetail(apperr.Conflict, *cur,
						"Jawaban indikator %s telah diubah oleh %s sejak pratinjau. Tidak ada yang disimpan; ulangi pratinjau.", in.Indicator, lastEditor(cur))
				}
				cur.Self = &Response{Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: c.Now}
				cur.Rev++
				c.Keep(Version{Indicator: in.Indicator, Rev: cur.Rev, Option: in.Answer.Option, Value: in.Answer.Number, Note: in.Note, By: u.Username, At: c.Now})
			}
			for _, e := range ch.Links {
				if !slices.ContainsFunc(cur.Evidence, func(x Evidence) bool { return x.ID == e.ID }) {
					e.By, e.At = u.Username, c.Now
					cur.Evidence = append(cur.Evidence, e)
				}
			}
		}
		if then != nil {
			c.After(func(ctx context.Context) error { return then(ctx, c.A) })
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.A, nil
}
