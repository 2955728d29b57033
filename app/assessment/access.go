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

// assigned returns, for an evaluator, the assessment ids assigned to them and whether as the
// team's lead (nil for other roles).
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
			id := ID(a.Year, a.Instrument, unit)
			ids[id] = ids[id] || a.Lead
		}
	}
	return ids, nil
}

// Object is u's relation to a, as account.Decide needs it.
func (x Access) Object(ctx context.Context, u *account.User, a *Assessment) (account.Object, error) {
	ids, err := x.assigned(ctx, u)
	if err != nil {
		return account.Object{}, err
	}
	lead, assigned := ids[a.ID]
	return account.Object{Unit: a.Unit, Assigned: assigned, Lead: lead}, nil
}

// Decide applies account.Decide to one assessment, looking up the evaluator's assignment.
func (x Access) Decide(ctx context.Context, u *account.User, act account.Action, a *Assessment) error {
	obj, err := x.Object(ctx, u, a)
	if err != nil {
		return err
	}
	return account.Decide(u, act, obj)
}

// Visible keeps the assessments u may read.
func (x Access) Visible(ctx context.Context, u *account.User, as []Assessment) ([]Assessment, error) {
	ids, err := x.assigned(ctx, u)
	if err != nil {
		return nil, err
	}
	out := as[:0:0]
	for _, a := range as {
		_, assigned := ids[a.ID]
		if account.Decide(u, account.Read, account.Object{Unit: a.Unit, Assigned: assigned}) == nil {
			out = append(out, a)
		}
	}
	return out, nil
}
