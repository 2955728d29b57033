package assessment

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
)

// Submit hands the sheet to the evaluator: only the camat, only from draf or perlu_perbaikan,
// only before the deadline. Afterwards the unit can no longer edit until items are returned.
func (sv *Service) Submit(ctx context.Context, u *account.User, id string) (*Assessment, error) {
	var out *Assessment
	err := sv.Store.db.Write(ctx, func(ctx context.Context) error {
		a, err := sv.Store.ByID(ctx, id)
		if err != nil {
			return err
		}
		if err := sv.Access.Decide(ctx, u, account.Submit, a); err != nil {
			return err
		}
		sh, err := sv.Store.Sheet(ctx, id)
		if err != nil {
			return err
		}
		if err := sv.CheckEditable(ctx, u, a, sh, ""); err != nil {
			return err
		}
		now := sv.Now().UTC()
		ok, err := sv.Store.db.SetIfRev(ctx, "assessments", id, a.Rev, bson.D{
			{Key: "status", Value: Submitted}, {Key: "submitted_at", Value: now}, {Key: "updated_at", Value: now}})
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "Status penilaian baru saja berubah. Muat ulang halaman.")
		}
		a.Status, a.SubmittedAt, a.UpdatedAt, a.Rev = Submitted, &now, now, a.Rev+1
		out = a
		return sv.Store.recorded(ctx, id)
	})
	return out, err
}
