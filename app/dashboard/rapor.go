package dashboard

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/web"
)

// RaporItem is one instrument on a kecamatan's printable rapor.
type RaporItem struct {
	*Subject
	Row   ranking.Row
	Of    int // how many units are ranked
	Areas []AreaLine
	Paths []PathView
	Weak  []Weak
	// Syarat is the proposal checklist (ZI), nil for an instrument without one.
	Syarat *eligibility.Report
}

// rapor is the printable report of one kecamatan for a year: every instrument's score, rank,
// areas and path, laid out for the browser's "save as PDF" (see the print stylesheet).
func (h *Handler) rapor(c *fiber.Ctx) error {
	if err := leader(c); err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := h.period(c, c.Params("year"))
	if err != nil {
		return err
	}
	un, err := h.Units.ByCode(ctx, c.Params("unit"))
	if err != nil {
		return err
	}
	var items []RaporItem
	for _, w := range p.Instruments {
		s, err := h.load(ctx, web.CurrentUser(c), account.Export, fmt.Sprint(p.Year), w.Instrument, un.Code)
		if apperr.Is(err, apperr.NotFound) {
			continue // the unit has no assessment of this instrument
		} else if err != nil {
			return err
		}
		rows, err := h.Board.Rows(ctx, p.Year, w.Instrument)
		if err != nil {
			return err
		}
		it := RaporItem{Subject: s, Of: len(rows), Areas: areaLines(s), Weak: weakest(s, 5)}
		for _, r := range rows {
			if r.Unit == un.Code {
				it.Row = r
			}
		}
		it.Paths = h.paths(ctx, s)
		if it.Syarat, err = h.proposal(ctx, s); err != nil {
			return err
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return apperr.New(apperr.NotFound, "%s belum memiliki penilaian pada periode %d.", un.Name, p.Year)
	}
	return web.Render(c, "dashboard/rapor", fmt.Sprintf("Rapor %s %d", un.Name, p.Year),
		fiber.Map{"Unit": un, "Periode": p, "Items": items, "Dicetak": h.Now(), "Print": true})
}
