package assessment

import (
	"context"
	"strings"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
)

// Submit hands the sheet to the evaluator: only the camat, only from draf or perlu_perbaikan,
// only before the deadline, judged on the sheet read under the write lock, so that no save of
// the old state lands after it. A resubmission with returned items left untouched needs
// confirm (the items are listed in the Invalid error otherwise). Afterwards the unit can no
// longer edit until items are returned.
func (sv *Service) Submit(ctx context.Context, u *account.User, id string, confirm bool) (*Assessment, error) {
	a, err := sv.Store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	obj, err := sv.Access.Object(ctx, u, a)
	if err != nil {
		return nil, err
	}
	c, err := sv.Apply(ctx, id, func(ctx context.Context, c *Change) error {
		if err := Permit(u, obj, c.Status(), account.Submit); err != nil {
			return err
		}
		if err := sv.editable(ctx, u, obj, c.A, c.Sheet, ""); err != nil {
			return err
		}
		if untouched := Untouched(c.Sheet); c.Status() == Returned && len(untouched) > 0 && !confirm {
			return apperr.New(apperr.Invalid, "%d indikator yang dikembalikan belum diubah (%s). Konfirmasi (confirm) bila tetap ingin mengajukan kembali.",
				len(untouched), strings.Join(untouched, ", "))
		}
		round := ""
		if c.Status() == Returned {
			round = " kembali setelah perbaikan"
		}
		f := c.Sheet.Flow
		f.Status, f.SubmittedAt, f.ReviewedAt = Submitted, &c.Now, nil
		c.Audit(u.Username, audit.Submit, "diajukan%s", round)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.A, nil
}

// Untouched lists the returned items whose answer, note and evidence are as they were when
// returned.
func Untouched(sh *Sheet) []string {
	var out []string
	for _, a := range sh.Answers {
		if a.Review != nil && a.Review.Verdict == VerdictReturned && a.AtReturn != nil && !a.Changed() {
			out = append(out, a.Indicator)
		}
	}
	return out
}
