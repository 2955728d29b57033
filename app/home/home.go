// Package home serves each role's landing page: the kecamatan's own assessments, the
// evaluator's queue, the bupati's rankings, the admin's units and users.
package home

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
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
	Now         func() time.Time
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
	// ReviewDue is the evaluators' review deadline (the queue and what waits for them).
	ReviewDue    period.Due
	HasReviewDue bool
	// Names shows grade and predicate keys by their names (SIAP_CATATAN → "Siap dengan catatan");
	// nil for an instrument no longer in the catalog.
	Names *instrument.Instrument
}

// Display is a grade or predicate key as a person reads it.
func (it Item) Display(key string) string {
	if it.Names == nil {
		return key
	}
	if _, ok := it.Names.Predicate(key); ok {
		return it.Names.PredicateDisplay(key)
	}
	return it.Names.GradeDisplay(key)
}

func (h *Handler) home(c *fiber.Ctx) error {
	u := web.CurrentUser(c)
	ctx := c.UserContext()
	if u.Role == account.Admin {
		// The admin's home needs no period: a new kabupaten opens its first year from there.
		p, err := h.Periods.Current(ctx)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return h.adminHome(c, p, fiber.Map{})
	}
	years, err := h.Periods.List(ctx)
	if err != nil {
		return err
	}
	// Without ?tahun= the year being worked on (period.Store.Current), not one opened ahead.
	p, err := period.Resolve(ctx, h.Periods, c.Query("tahun"))
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
			it.Title, it.Names = inst.Title, inst
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
			if w, ok := p.Window(a.Instrument); ok && (a.Status == assessment.Submitted || a.Status == assessment.InReview) {
				it.ReviewDue = period.Due{Day: w.ReviewDeadline, Zone: h.Zone(ctx), Kind: period.DueEvaluate}
				it.HasReviewDue = true
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
	now, err := h.items(ctx, p, current)
	if err != nil {
		return err
	}
	data["Sekarang"], data["Todo"] = now, unitTodos(now, h.Now())
	if data["Sebelumnya"], err = h.items(ctx, nil, earlier); err != nil {
		return err
	}
	data["Unit"] = un
	return web.Render(c, "home/unit", "Beranda "+un.Name, data)
}

// Queue filters and orders of the evaluator's home (?status=, ?instrumen=, ?urut=).
var queueOrders = map[string]func(a, b Item) int{
	"kecamatan": func(a, b Item) int { return strings.Compare(a.UnitName, b.UnitName) },
	"diajukan": func(a, b Item) int { // oldest submission first: who has waited longest
		return compareTimes(a.SubmittedAt, b.SubmittedAt)
	},
	"batas": func(a, b Item) int { // the nearest review deadline first
		ea, eb := a.ReviewDue.Ends(), b.ReviewDue.Ends()
		return compareTimes(&ea, &eb)
	},
	"status": func(a, b Item) int { return statusOrder[a.Status] - statusOrder[b.Status] },
}

// statusOrder puts what waits for the evaluator first.
var statusOrder = map[assessment.Status]int{assessment.Submitted: 0, assessment.InReview: 1, assessment.Returned: 2, assessment.Draft: 3, assessment.Final: 4}

// compareTimes orders set times before unset ones.
func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil || a.IsZero():
		if b == nil || b.IsZero() {
			return 0
		}
		return 1
	case b == nil || b.IsZero():
		return -1
	}
	return a.Compare(*b)
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
	all, err := h.items(ctx, p, as)
	if err != nil {
		return err
	}
	data["Todo"] = evaluatorTodos(all, h.Now())
	status, inst, order := c.Query("status"), c.Query("instrumen"), c.Query("urut")
	if _, ok := queueOrders[order]; !ok {
		order = "status"
	}
	queue := all[:0:0]
	insts := map[string]string{}
	for _, it := range all {
		insts[it.Instrument] = it.Title
		if (status == "" || string(it.Status) == status) && (inst == "" || it.Instrument == inst) {
			queue = append(queue, it)
		}
	}
	slices.SortStableFunc(queue, func(a, b Item) int {
		if d := queueOrders[order](a, b); d != 0 {
			return d
		}
		return strings.Compare(a.UnitName, b.UnitName)
	})
	data["Antrian"], data["Status"], data["Instrumen"], data["Urut"] = queue, status, inst, order
	data["StatusList"] = []assessment.Status{assessment.Submitted, assessment.InReview, assessment.Returned, assessment.Draft, assessment.Final}
	data["InstrumenList"] = insts
	return web.Render(c, "home/evaluator", "Antrian reviu", data)
}

func (h *Handler) adminHome(c *fiber.Ctx, p *period.Period, data fiber.Map) error {
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
	if p != nil {
		as, err := h.Assessments.List(ctx, assessment.Filter{Period: p.Year})
		if err != nil {
			return err
		}
		items, err := h.items(ctx, p, as)
		if err != nil {
			return err
		}
		data["Todo"] = adminTodos(items, h.Now())
	}
	return web.Render(c, "home/admin", "Administrasi", data)
}
