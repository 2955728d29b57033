package dashboard

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/web"
)

// proposal judges the subject's proposal checklist (instrument.Eligibility) on the facts the
// admin entered for its kabupaten (the unit's parent) and year, and on the unit's final results
// of earlier periods, read from the boards. nil for an instrument without a checklist.
func (h *Handler) proposal(ctx context.Context, s *Subject) (*eligibility.Report, error) {
	if s.Inst.Eligibility == nil || h.Eligibility == nil {
		return nil, nil
	}
	f, err := h.Eligibility.Get(ctx, s.A.Period, s.Inst.ID, s.Unit.Parent)
	if err != nil {
		return nil, err
	}
	years, err := h.years(ctx, s.Inst.ID)
	if err != nil {
		return nil, err
	}
	first := map[string]int{}
	for _, y := range years { // oldest first
		if y >= s.A.Period {
			continue
		}
		rows, err := h.Board.Rows(ctx, y, s.Inst.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Unit != s.Unit.Code || !r.IsFinal() {
				continue
			}
			for key, held := range r.Predicates {
				if _, seen := first[key]; held && !seen {
					first[key] = y
				}
			}
		}
	}
	return eligibility.Evaluate(s.Inst, f, s.Unit.Code, s.A.Period, first), nil
}

// proposalAPI is GET /api/v1/proposal/{year}/{instrument}/{unit}: the unit's checklist, for
// whoever may read its assessment.
func (h *Handler) proposalAPI(c *fiber.Ctx) error {
	s, err := h.load(c.UserContext(), web.CurrentUser(c), account.Read, c.Params("year"), c.Params("instrument"), c.Params("unit"))
	if err != nil {
		return err
	}
	r, err := h.proposal(c.UserContext(), s)
	if err != nil {
		return err
	}
	if r == nil {
		return apperr.New(apperr.NotFound, "Instrumen %s tidak memiliki syarat pengusulan.", s.Inst.ID)
	}
	return c.JSON(fiber.Map{"period": s.A.Period, "instrument": s.Inst.ID, "unit": s.Unit.Code, "report": r})
}
