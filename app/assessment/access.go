package assessment

import (
	"context"

	"github.com/rapor-rb/raporrb/app/account"
)

// Assignments tells which units an evaluator reviews.
type Assignments interface {
	ForEvaluator(ctx context.Context, evaluator string) ([]account.Assignment, error)
}

// Access decides what a user may see, with the one policy of account.Decide.
type Access struct {
	Assignments Assignments
}

// assigned returns the assessment ids an evaluator is assigned to (nil for other roles).
func (x Access) assigned(ctx context.Context, u *account.User) (map[string]bool, error) {
	if u == nil || u.Role != account.Evaluator {
		return nil, nil
	}
	as, err := x.Assignments.ForEvaluator(ctx, u.Username)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, a := range as {
		for _, unit := range a.Units {
			ids[ID(a.Year, a.Instrument, unit)] = true
		}
	}
	return ids, nil
}

// Decide applies account.Decide to one assessment, looking up the evaluator's assignment.
func (x Access) Decide(ctx context.Context, u *account.User, act account.Action, a *Assessment) error {
	ids, err := x.assigned(ctx, u)
	if err != nil {
		return err
	}
	return account.Decide(u, act, account.Object{Unit: a.Unit, Assigned: ids[a.ID]})
}

// Visible keeps the assessments u may read.
func (x Access) Visible(ctx context.Context, u *account.User, as []Assessment) ([]Assessment, error) {
	ids, err := x.assigned(ctx, u)
	if err != nil {
		return nil, err
	}
	out := as[:0:0]
	for _, a := range as {
		if account.Decide(u, account.Read, account.Object{Unit: a.Unit, Assigned: ids[a.ID]}) == nil {
			out = append(out, a)
		}
	}
	return out, nil
}
