package dashboard

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/eligibility"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/app/web"
)

// Periods finds evaluation periods.
type Periods interface {
	period.Finder
	List(ctx context.Context) ([]period.Period, error)
}

// Assignments lists a year's evaluator assignments.
type Assignments interface {
	ForYear(ctx context.Context, year int) ([]account.Assignment, error)
}

// Users finds users (the evaluators' names).
type Users interface {
	ByUsername(ctx context.Context, username string) (*account.User, error)
}

// Units looks units up.
type Units interface {
	ByCode(ctx context.Context, code string) (*unit.Unit, error)
}

// Facts reads the facts entered for the proposal checklist (eligibility.Store).
type Facts interface {
	Get(ctx context.Context, year int, instrumentID, kabupaten string) (*eligibility.Facts, error)
}

// Handler serves the dashboard, the drill-down, the rapor page, the exports and the path API.
type Handler struct {
	Board       *ranking.Board
	Settings    *ranking.Settings
	Catalog     *instrument.Catalog
	Periods     Periods
	Assignments Assignments
	Users       Users
	Units       Units
	Assessments *assessment.Store
	Access      assessment.Access
	Eligibility Facts
	Now         func() time.Time
	// Zone is the kabupaten's time zone (nil: WIB): deadlines and the exports' "dicetak".
	Zone func(context.Context) *time.Location
	// Changes reports the writes to the collections the pages read (db.DB): the dashboard and
	// the drill-down are served from memory until one of them changes.
	Changes Changes
	// CacheMaxAge bounds how long a rendered page is served where other instances write (on
	// MongoDB, like the ranking cache); 0 (the embedded engine) serves it until a write.
	CacheMaxAge time.Duration
	// Log receives the faults a page survives (a path the planner could not plan); nil discards.
	Log *slog.Logger

	pages *pageCache
}

// log is h.Log, or a logger that discards.
func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

// zone is the kabupaten's time zone.
func (h *Handler) zone(ctx context.Context) *time.Location {
	if h.Zone == nil {
		return time.FixedZone("WIB", 7*3600)
	}
	return h.Zone(ctx)
}

// Routes registers the dashboard's pages and API. The dashboard and the drill-down, and their
// charts' options, are served from memory (pageCache) with an ETag (304 when unchanged).
func (h *Handler) Routes(r web.Router) {
	h.pages = newPageCache(h.CacheMaxAge)
	r.Get("/dasbor", account.Leaders, web.Revalidated(), h.dashboard)
	r.Get("/dasbor/grafik", account.Leaders, web.Revalidated(), h.dashboardCharts)
	r.Get("/dasbor/:year/:instrument/:unit", account.SignedIn, web.Revalidated(), h.drilldown)
	r.Get("/dasbor/:year/:instrument/:unit/grafik", account.SignedIn, web.Revalidated(), h.drilldownCharts)
	r.Get("/rapor/:year/:unit", account.Leaders, h.rapor)
	r.Get("/lhe/:year/:instrument/:unit", account.SignedIn, h.lhe)
	r.Get("/ekspor/:year/peringkat.xlsx", account.Leaders, h.rankingsXLSX)
	r.Get("/ekspor/:year/peringkat.csv", account.Leaders, h.rankingsCSV)
	r.Get("/ekspor/:year/:instrument/:unit/lke.xlsx", account.SignedIn, h.sheetXLSX)
	r.Get("/admin/bobot-komposit", account.AdminsOnly, h.weightsForm)
	r.Post("/admin/bobot-komposit", account.AdminsOnly, h.saveWeights)
	r.Get("/api/v1/paths/:year/:instrument/:unit", account.SignedIn, h.pathAPI)
	r.Get("/api/v1/proposal/:year/:instrument/:unit", account.SignedIn, h.proposalAPI)
}

// Chart is one chart on a page: its ECharts option and what the page needs around it. The
// page holds the chart's place; charts.js fetches the option from Src (the page's chart
// options, by ID) when the chart comes into view.
type Chart struct {
	ID     string
	Label  string // the accessible description
	Option json.RawMessage
	Rows   int // category count, for the chart's height
	Src    string
}

// period resolves ?tahun= (or a :year parameter) to a period; unknown years are 404.
func (h *Handler) period(c *fiber.Ctx, s string) (*period.Period, error) {
	return period.Resolve(c.UserContext(), h.Periods, s)
}

// years lists the periods (ascending) that include the instrument.
func (h *Handler) years(ctx context.Context, instID string) ([]int, error) {
	ps, err := h.Periods.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, p := range ps {
		if _, ok := p.Window(instID); ok {
			out = append(out, p.Year)
		}
	}
	slices.Sort(out)
	return out, nil
}

// instrumentOf resolves an instrument id of the catalog: 404 when unknown.
func (h *Handler) instrumentOf(id string) (*instrument.Instrument, error) {
	inst, ok := h.Catalog.Get(id)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", id)
	}
	return inst, nil
}

// leader checks the user may see rankings (the route policy already did; this is the
// object-level decision every handler makes through the one policy).
func leader(c *fiber.Ctx) error {
	return account.Decide(web.CurrentUser(c), account.Rankings, account.Object{})
}

func atoiOr(s string, def, lo, hi int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return def
	}
	return n
}
