package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// Changes reports this process's writes to collections (db.DB.Generation).
type Changes interface {
	Generation(collections ...string) uint64
}

// What the pages read, by collection. The dashboard reads the boards (rankings, every year's
// for the trends), the composite weights (settings), the periods (years, deadlines), the units
// (the kabupaten's zone; names are on the boards), the users (the evaluators' names) and the
// uploaded instruments. The drill-down reads one assessment, its sheet, the unit's earlier
// assessments and the proposal checklist's facts besides. Assignments are not among them:
// authorization is decided on every request, never cached.
var (
	dashboardInputs = []string{"boards", "settings", "periods", "units", "users", "instruments"}
	drillInputs     = []string{"boards", "periods", "units", "instruments", "assessments", "sheets", "eligibility"}
)

// pageCacheSize bounds the pages kept: each query of the dashboard (year, instrument, search,
// chosen kecamatan) and each drill-down is one entry of 30–250 KB.
const pageCacheSize = 64

// pageCache keeps pages rendered once for every reader: their content without the layout
// (which carries the user's name and CSRF token, added per request) and their charts' options.
// An entry is current while its stamp is: the versions of everything the page was built from,
// read before it was built, so a write that lands during a build leaves a stamp that no longer
// matches. Concurrent requests for a page being built wait for that build (singleflight).
type pageCache struct {
	lru *lru.Cache[string, *cachedPage]
	// maxAge bounds an entry's life where other processes write (several instances on one
	// MongoDB), whose writes the stamp cannot see; 0 keeps entries until their stamp changes.
	maxAge time.Duration
	group  singleflight.Group
}

func newPageCache(maxAge time.Duration) *pageCache {
	c, _ := lru.New[string, *cachedPage](pageCacheSize) // only a size ≤ 0 fails
	return &pageCache{lru: c, maxAge: maxAge}
}

// cachedPage is one page as every reader gets it.
type cachedPage struct {
	Title  string
	Body   template.HTML
	Charts []byte // {"chart id": ECharts option, …}, fetched by public/js/charts.js
	// A is the drill-down's assessment: each request decides on it whether its user may read.
	A *assessment.Assessment

	stamp string
	at    time.Time
}

// get returns the page under key built at stamp, building it when missing, stale or expired.
// Errors (404, 403, a database failure) are not kept.
func (pc *pageCache) get(key, stamp string, build func() (*cachedPage, error)) (*cachedPage, error) {
	if p, ok := pc.lru.Get(key); ok && p.stamp == stamp && (pc.maxAge == 0 || time.Since(p.at) < pc.maxAge) {
		return p, nil
	}
	v, err, _ := pc.group.Do(key+"\x00"+stamp, func() (any, error) {
		at := time.Now()
		p, err := build()
		if err != nil {
			return nil, err
		}
		p.stamp, p.at = stamp, at
		pc.lru.Add(key, p)
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cachedPage), nil
}

// stamp names the state a page is built from: the ranking boards' version, the catalog's, this
// process's writes to the collections the page reads, and the kabupaten's zone and today's date
// in it (a countdown changes at midnight, dates are shown in the zone).
func (h *Handler) stamp(ctx context.Context, collections []string) string {
	loc := h.zone(ctx)
	var gen uint64
	if h.Changes != nil {
		gen = h.Changes.Generation(collections...)
	}
	return fmt.Sprintf("%d/%d/%d/%s/%s", h.Board.Version(), h.Catalog.Version(), gen, loc, h.Now().In(loc).Format(time.DateOnly))
}

// chartsJSON collects the options of a page's charts, by id, and points each chart at src,
// where charts.js fetches them.
func chartsJSON(src string, charts ...*Chart) ([]byte, error) {
	opts := make(map[string]json.RawMessage, len(charts))
	for _, c := range charts {
		c.Src = src
		opts[c.ID] = c.Option
	}
	b, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("chart options: %w", err)
	}
	return b, nil
}

// sendCharts answers a page's chart options as JSON.
func sendCharts(c *fiber.Ctx, p *cachedPage) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(p.Charts)
}
