// Package home serves each role's landing page: the kecamatan's own assessments, the
// evaluator's queue, the bupati's rankings, the admin's units and users.
package home

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves GET /.
type Handler struct {
	Assessments *assessment.Store
	Access      assessment.Access
	Periods     *period.Store
	Units       *unit.Store
	Users       *account.Store
	Catalog     *instrument.Catalog
	// Zone is the kabupaten's time zone, in which deadlines are whole days.
	Zone func(context.Context) *time.Location
}

// Routes registers the home page.
func (h *Handler) Routes(r web.Router) {
	r.Get("/", account.SignedIn, h.home)
}

// Item is one assessment on a home list, with what the page needs beside it.
type Item struct {
	assessment.Assessment
	UnitName string
	Title    string
	// Due is the deadline that governs what the unit can still do (the review deadline for
	// returned items, or the admin's extension); HasWindow is false outside the period and
	// once the unit has nothing left to do (submitted, in review, final).
	Due        period.Due
	HasWindow  bool
	IsFinal    bool
	GradeLabel string
}

func (h *Handler) home(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	ctx := c.UserContext()
	if u.Role == account.Admin {
		// The admin's home needs no period: a new kabupaten opens its first year from there.
		return h.adminHome(c, fiber.Map{})
	}
	p, err := period.Resolve(ctx, h.Periods, c.Query("tahun"))
	if err != nil {
		return err
	}
	years, err := h.Periods.List(ctx)
	if err != nil {
		return err
	}
	data := fiber.Map{"Periode": p, "Tahun": years}
	switch u.Role {
	case account.Staf, account.Camat:
		return h.unitHome(c, u, p, data)
	case account.Evaluator:
		return h.evaluatorHome(c, p, data)
	default: // pimpinan: the bupati's home is the dashboard
		return c.Redirect("/dasbor?tahun=" + strconv.Itoa(p.Year))
	}
}

func (h *Handler) items(ctx context.Context, p *period.Period, as []assessment.Assessment) ([]Item, error) {
	names, err := h.Units.Names(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(as))
	for _, a := range as {
		it := Item{Assessment: a, UnitName: names[a.Unit], Title: a.Instrument, IsFinal: a.Status == assessment.Final && a.Final != nil}
		if inst, ok := h.Catalog.Get(a.Instrument); ok {
			it.Title = inst.Title
			grade := a.Self.Grade
			if it.IsFinal {
				grade = a.Final.Grade
			}
			for _, g := range inst.Grades {
				if g.Key == grade {
					it.GradeLabel = g.Label
				}
			}
		}
		if p != nil && p.Year == a.Period {
			if due, err := assessment.DeadlineOf(&a, p, h.Zone(ctx)); err == nil {
				it.Due, it.HasWindow = due, a.Status == assessment.Draft || a.Status == assessment.Returned
			}
		}
		out = append(out, it)
	}
	return out, nil
}

func (h *Handler) unitHome(c *fiber.Ctx, u *account.User, p *period.Period, data fiber.Map) error {
	ctx := c.UserContext()
	un, err := h.Units.ByCode(ctx, u.Unit)
	if err != nil {
		return err
	}
	as, err := h.Assessments.List(ctx, assessment.Filter{Unit: u.Unit})
	if err != nil {
		return err
	}
	var current, earlier []assessment.Assessment
	for _, a := range as {
		if a.Period == p.Year {
			current = append(current, a)
		} else if a.Period < p.Year {
			earlier = append(earlier, a)
		}
	}
	if data["Sekarang"], err = h.items(ctx, p, current); err != nil {
		return err
	}
	if data["Sebelumnya"], err = h.items(ctx, nil, earlier); err != nil {
		return err
	}
	data["Unit"] = un
	return web.Render(c, "home/unit", "Beranda "+un.Name, data)
}

func (h *Handler) evaluatorHome(c *fiber.Ctx, p *period.Period, data fiber.Map) error {
	ctx := c.UserContext()
	as, err := h.Assessments.List(ctx, assessment.Filter{Period: p.Year})
	if err != nil {
		return err
	}
	if as, err = h.Access.Visible(ctx, web.CurrentUser(c), as); err != nil {
		return err
	}
	if data["Antrian"], err = h.items(ctx, p, as); err != nil {
		return err
	}
	return web.Render(c, "home/evaluator", "Antrian reviu", data)
}

func (h *Handler) adminHome(c *fiber.Ctx, data fiber.Map) error {
	ctx := c.UserContext()
	units, err := h.Units.List(ctx)
	if err != nil {
		return err
	}
	users, err := h.Users.List(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(units))
	for _, u := range units {
		names[u.Code] = u.Name
	}
	data["Units"], data["Users"], data["UnitNames"] = units, users, names
	return web.Render(c, "home/admin", "Administrasi", data)
}
