package ranking

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves rankings, the composite index and its weights over the JSON API.
type Handler struct {
	Board    *Board
	Settings *Settings
	Catalog  *instrument.Catalog
	Periods  period.Finder
	Now      func() time.Time
}

// Routes registers the ranking API.
func (h *Handler) Routes(r web.Router) {
	r.Get("/api/v1/rankings", account.Leaders, h.rankings)
	r.Get("/api/v1/composite", account.Leaders, h.composite)
	r.Get("/api/v1/composite-weights", account.Leaders, h.weights)
	r.Put("/api/v1/composite-weights", account.AdminsOnly, h.putWeights)
}

func (h *Handler) rankings(c *fiber.Ctx) error {
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
	p, err := period.Resolve(c.UserContext(), h.Periods, c.Query("period"))
	if err != nil {
		return err
	}
	if parent := c.Query("parent"); parent != "" {
		rows, err := h.Board.Ranking(c.UserContext(), p.Year, instID, parent)
		if err != nil {
			return err
		}
		if rows == nil {
			rows = []Row{}
		}
		return c.JSON(fiber.Map{"period": p.Year, "instrument": instID, "rows": rows})
	}
	rows, err := h.Board.RowsJSON(c.UserContext(), p.Year, instID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": p.Year, "instrument": instID, "rows": rows})
}

func (h *Handler) composite(c *fiber.Ctx) error {
	if err := account.Decide(web.CurrentUser(c), account.Rankings, account.Object{}); err != nil {
		return err
	}
	p, err := period.Resolve(c.UserContext(), h.Periods, c.Query("period"))
	if err != nil {
		return err
	}
	v, err := h.Board.View(c.UserContext(), h.Catalog, h.Settings, p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"period": p.Year, "weights": v.Weights.For(v.Insts), "rows": v.Composite})
}

func (h *Handler) weights(c *fiber.Ctx) error {
	w, err := h.Settings.Weights(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"weights": w.For(h.Catalog.List()), "rev": w.Rev})
}

// weightsRequest is the body of PUT /api/v1/composite-weights.
type weightsRequest struct {
	Weights []Weight `json:"weights"`
	Rev     *int64   `json:"rev"`
}

func (h *Handler) putWeights(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	if err := account.Decide(u, account.Manage, account.Object{}); err != nil {
		return err
	}
	var req weightsRequest
	if err := json.Unmarshal(c.Body(), &req); err != nil || req.Rev == nil {
		return apperr.New(apperr.Invalid, "Badan permintaan harus JSON {\"weights\": [{\"instrument\", \"weight\"}], \"rev\"}.")
	}
	w, err := h.Settings.SetWeights(c.UserContext(), h.Catalog, req.Weights, *req.Rev, u.Username, h.Now())
	if err != nil {
		return err
	}
	return c.JSON(w)
}

// View is one period seen whole: its instruments (those of the catalog, in the period's order),
// each one's ranking of all units, the composite weights in force and the composite index.
type View struct {
	Period    *period.Period
	Insts     []*instrument.Instrument
	Rows      map[string][]Row
	Weights   Weights
	Composite []CompositeRow
}

// View reads every ranking of period p (from the cache when unchanged) and combines them.
func (b *Board) View(ctx context.Context, cat *instrument.Catalog, s *Settings, p *period.Period) (*View, error) {
	v := &View{Period: p, Rows: map[string][]Row{}}
	for _, w := range p.Instruments {
		in, ok := cat.Get(w.Instrument)
		if !ok {
			continue
		}
		rs, err := b.Rows(ctx, p.Year, in.ID)
		if err != nil {
			return nil, err
		}
		v.Insts, v.Rows[in.ID] = append(v.Insts, in), rs
	}
	var err error
	if v.Weights, err = s.Weights(ctx); err != nil {
		return nil, err
	}
	v.Composite = Composite(v.Insts, v.Rows, v.Weights)
	return v, nil
}
