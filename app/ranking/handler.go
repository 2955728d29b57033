package ranking

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/web"
)

// Periods finds evaluation periods.
type Periods interface {
	ByYear(ctx context.Context, year int) (*period.Period, error)
	Current(ctx context.Context) (*period.Period, error)
}

// Handler serves rankings over the JSON API.
type Handler struct {
	Reader  Reader
	Catalog *instrument.Catalog
	Periods Periods
}

// Routes registers GET /api/v1/rankings.
func (h *Handler) Routes(r web.Router) {
	r.Get("/api/v1/rankings", account.Leaders, h.api)
}

func (h *Handler) api(c *fiber.Ctx) error {
	if err := account.Decide(web.CurrentUser(c), account.Rankings, account.Object{}); err != nil {
		return err
	}
	instID := c.Query("instrument")
	if instID == "" {
		return apperr.New(apperr.Invalid, "Parameter instrument wajib diisi, misalnya instrument=zi-2021.")
	}
	if _, ok := h.Catalog.Get(instID); !ok {
		return apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", instID)
	}
	p, err := h.period(c.UserContext(), c.Query("period"))
	if err != nil {
		return err
	}
	rows, err := h.Reader.Rows(c.UserContext(), p.Year, instID, c.Query("parent"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": p.Year, "instrument": instID, "rows": rows})
}

// period resolves a year parameter; empty means the current period.
func (h *Handler) period(ctx context.Context, s string) (*period.Period, error) {
	if s == "" {
		return h.Periods.Current(ctx)
	}
	y, err := assessment.ParseYear(s)
	if err != nil {
		return nil, err
	}
	return h.Periods.ByYear(ctx, y)
}
