package audit

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Units lists units (for the kecamatan filter and names).
type Units interface {
	List(ctx context.Context) ([]unit.Unit, error)
}

// Titles names an instrument by its id ("" when unknown).
type Titles func(id string) string

// Handler serves the audit log to the admin: GET /api/v1/audit and the page /admin/audit.
type Handler struct {
	Log    *Log
	Units  Units
	Titles Titles
	Now    func() time.Time
}

// Routes registers the log's API and page, for admins only.
func (h *Handler) Routes(r web.Router) {
	r.Get("/api/v1/audit", account.AdminsOnly, h.api)
	r.Get("/admin/audit", account.AdminsOnly, h.page)
}

// filter reads day (default: today in the kabupaten's zone), actor and unit.
func (h *Handler) filter(c *fiber.Ctx, day, actor, unit string) (Filter, error) {
	f := Filter{Day: strings.TrimSpace(day), Actor: strings.TrimSpace(actor), Unit: strings.TrimSpace(unit)}
	if f.Day == "" {
		f.Day = h.Log.Day(c.UserContext(), h.Now())
	}
	_, err := ParseDay(f.Day)
	return f, err
}

func (h *Handler) api(c *fiber.Ctx) error {
	if err := account.Decide(web.CurrentUser(c), account.Manage, account.Object{}); err != nil {
		return err
	}
	f, err := h.filter(c, c.Query("day"), c.Query("actor"), c.Query("unit"))
	if err != nil {
		return err
	}
	es, err := h.Log.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"day": f.Day, "events": es})
}

// Row is one event as the page shows it: the target in words where it is an assessment
// ("Zona Integritas 2026") rather than its id.
type Row struct {
	Event
	UnitName string
	What     string
}

func (h *Handler) describe(target string) string {
	parts := strings.Split(target, "/")
	if len(parts) == 3 && h.Titles != nil {
		if t := h.Titles(parts[1]); t != "" {
			return t + " " + parts[0]
		}
	}
	return target
}

func (h *Handler) page(c *fiber.Ctx) error {
	if err := account.Decide(web.CurrentUser(c), account.Manage, account.Object{}); err != nil {
		return err
	}
	f, err := h.filter(c, c.Query("hari"), c.Query("aktor"), c.Query("unit"))
	if err != nil {
		return err
	}
	es, err := h.Log.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	units, err := h.Units.List(c.UserContext())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.Code] = u.Name
	}
	rows := make([]Row, len(es))
	for i, e := range es {
		rows[len(es)-1-i] = Row{Event: e, UnitName: names[e.Unit], What: h.describe(e.Target)} // newest first
	}
	d, _ := time.Parse(time.DateOnly, f.Day)
	return web.Render(c, "audit/page", "Log audit", fiber.Map{"F": f, "Rows": rows, "Units": units,
		"Prev": d.AddDate(0, 0, -1).Format(time.DateOnly), "Next": d.AddDate(0, 0, 1).Format(time.DateOnly), "Date": d})
}
