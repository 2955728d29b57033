package dashboard

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/web"
	"github.com/rapor-rb/raporrb/charts"
)

// Section is one instrument's ranking on the dashboard.
type Section struct {
	Inst       *instrument.Instrument
	Rows       []RankRow
	Sel        Selection
	Predicates []string // keys, sheet order
	Chart      Chart
	Focused    bool
}

// Focus is the instrument the comparative charts are drawn for.
type Focus struct {
	Inst      *instrument.Instrument
	Areas     []*instrument.Area
	Rows      []ranking.Row // the selection's rows, rank order
	Gaps      []Gap
	GapSel    Selection // which gaps are listed
	SelfFinal Chart
	Heatmap   Chart
	Heat      [][]float64 // Rows × Areas, % of maximum
	Radar     Chart
	Chosen    []ranking.Row // up to five units on the radar and the trend
	ChosenSet map[string]bool
	Notice    string // why the choice was cut
	Trend     Chart
	Years     []int
	TrendRows []TrendRow
	Progress  Chart
	Window    period.Window
}

// TrendRow is one line of the trend table.
type TrendRow struct {
	Name   string
	Values []*float64
}

// maxChosen is the most kecamatan a radar stays readable with.
const maxChosen = 5

func (h *Handler) dashboard(c *fiber.Ctx) error {
	p, err := h.dashboardPage(c)
	if err != nil {
		return err
	}
	return web.RenderPage(c, p.Title, p.Body, fiber.Map{"Charts": true})
}

// dashboardCharts answers the options of the dashboard's charts for the same query as the page.
func (h *Handler) dashboardCharts(c *fiber.Ctx) error {
	p, err := h.dashboardPage(c)
	if err != nil {
		return err
	}
	return sendCharts(c, p)
}

// dashQuery is what the dashboard shows, from the request: ?tahun= (empty: the latest period),
// ?instrumen= (the charts' instrument), ?cari=, ?n= and the ?pilih= kecamatan (sorted: their
// order changes nothing), in a canonical form that keys the cache and the charts' URL.
func dashQuery(c *fiber.Ctx) url.Values {
	q := url.Values{}
	for _, k := range []string{"tahun", "instrumen", "cari"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	q.Set("n", strconv.Itoa(atoiOr(c.Query("n"), 15, 1, 200)))
	var chosen []string
	for _, b := range c.Context().QueryArgs().PeekMulti("pilih") {
		chosen = append(chosen, string(b))
	}
	slices.Sort(chosen)
	if chosen = slices.Compact(chosen); len(chosen) > 0 {
		q["pilih"] = chosen
	}
	return q
}

// dashboardPage is the dashboard for the request's query, from memory unless something it
// shows has changed. What differs by role (the admin's link to the weights) is part of the key;
// the user's name and CSRF token are not in it (the layout adds them).
func (h *Handler) dashboardPage(c *fiber.Ctx) (*cachedPage, error) {
	if err := leader(c); err != nil {
		return nil, err
	}
	q := dashQuery(c)
	admin := web.CurrentUser(c).Role == account.Admin
	key := fmt.Sprintf("dasbor?%s&admin=%t", q.Encode(), admin)
	return h.pages.get(key, h.stamp(c.UserContext(), dashboardInputs), func() (*cachedPage, error) {
		return h.buildDashboard(c, q, admin)
	})
}

// buildDashboard renders the dashboard's content and collects its charts' options.
func (h *Handler) buildDashboard(c *fiber.Ctx, q url.Values, admin bool) (*cachedPage, error) {
	ctx := c.UserContext()
	p, err := h.period(c, q.Get("tahun"))
	if err != nil {
		return nil, err
	}
	v, err := h.Board.View(ctx, h.Catalog, h.Settings, p)
	if err != nil {
		return nil, err
	}
	insts, rows := v.Insts, v.Rows
	focusID := q.Get("instrumen")
	if focusID == "" {
		focusID = defaultFocus(insts)
	}
	if focusID != "" && !slices.ContainsFunc(insts, func(in *instrument.Instrument) bool { return in.ID == focusID }) {
		return nil, fmt.Errorf("dashboard: %w", errUnknownInPeriod(focusID, p.Year))
	}
	n, _ := strconv.Atoi(q.Get("n"))
	sel := Selection{Query: q.Get("cari"), N: n}
	var sections []Section
	var charts []*Chart
	for _, in := range insts {
		s, err := h.section(ctx, p.Year, in, rows[in.ID], sel)
		if err != nil {
			return nil, err
		}
		s.Focused = in.ID == focusID
		sections = append(sections, s)
	}
	for i := range sections {
		charts = append(charts, &sections[i].Chart)
	}
	data := fiber.Map{"Periode": p, "Sections": sections, "Cari": sel.Query, "Admin": admin,
		"Headline": headline(p, insts, rows, h.Now(), h.zone(ctx))}
	if data["Tahun"], err = h.Periods.List(ctx); err != nil {
		return nil, err
	}
	if focusID != "" {
		inst, _ := h.Catalog.Get(focusID)
		f, err := h.focus(ctx, p, inst, rows[focusID], sel, q["pilih"])
		if err != nil {
			return nil, err
		}
		data["Focus"] = f
		charts = append(charts, &f.SelfFinal, &f.Progress, &f.Heatmap, &f.Radar, &f.Trend)
	}
	komposit, err := compositeView(v, sel)
	if err != nil {
		return nil, err
	}
	data["Komposit"] = komposit
	charts = append(charts, &komposit.Chart)
	if data["Konsistensi"], err = h.consistency(ctx, insts, rows); err != nil {
		return nil, err
	}
	out := &cachedPage{Title: fmt.Sprintf("Dasbor %d", p.Year)}
	if out.Charts, err = chartsJSON("/dasbor/grafik?"+q.Encode(), charts...); err != nil {
		return nil, err
	}
	if out.Body, err = web.RenderBody(c, "dashboard/index", data); err != nil {
		return nil, err
	}
	return out, nil
}

func (h *Handler) section(ctx context.Context, year int, in *instrument.Instrument, rows []ranking.Row, sel Selection) (Section, error) {
	prev, err := h.Board.Rows(ctx, year-1, in.ID) // last period, for the trend arrows
	if err != nil {
		return Section{}, err
	}
	s := Section{Inst: in, Sel: sel}
	shown := pick(rows, func(r ranking.Row) string { return r.Name }, &s.Sel)
	s.Rows = withTrend(shown, prev)
	for i := range s.Rows {
		pathFor(in, &s.Rows[i])
	}
	for _, pr := range in.Predicates {
		s.Predicates = append(s.Predicates, pr.Key)
	}
	opt, err := ranking.Chart(in, shown)
	if err != nil {
		return Section{}, err
	}
	s.Chart = Chart{ID: "peringkat-" + in.ID, Label: "Grafik peringkat " + in.Title, Option: opt, Rows: len(shown)}
	return s, nil
}

func (h *Handler) focus(ctx context.Context, p *period.Period, in *instrument.Instrument, rows []ranking.Row, sel Selection, chosen []string) (*Focus, error) {
	f := &Focus{Inst: in, Areas: compareAreas(in)}
	f.Gaps, f.GapSel = overclaims(rows, sel)
	f.Window, _ = p.Window(in.ID)
	f.Rows = pick(rows, func(r ranking.Row) string { return r.Name }, &sel)

	// Self against final: who claims more than the evaluator found.
	sf := make([]charts.SelfFinal, len(f.Rows))
	for i, r := range f.Rows {
		sf[i] = charts.SelfFinal{Label: r.Name, Self: r.Self, Final: r.Final}
	}
	opt, err := charts.SelfVsFinal("Nilai mandiri dan nilai akhir", sf, in.ScaleMax)
	if err != nil {
		return nil, err
	}
	f.SelfFinal = Chart{ID: "mandiri-akhir", Label: "Grafik nilai mandiri dan nilai akhir " + in.Title, Option: opt, Rows: len(f.Rows) * 2}

	// Heatmap: every shown kecamatan × the compared areas, % of the area's maximum.
	names, areaNames := make([]string, len(f.Rows)), make([]string, len(f.Areas))
	for j, a := range f.Areas {
		areaNames[j] = a.Title
	}
	f.Heat = make([][]float64, len(f.Rows))
	for i, r := range f.Rows {
		names[i] = r.Name
		f.Heat[i] = make([]float64, len(f.Areas))
		for j, a := range f.Areas {
			f.Heat[i][j] = percentOf(in, a, r.Areas)
		}
	}
	if opt, err = charts.Heatmap("Capaian per area (% dari nilai maksimum)", names, areaNames, f.Heat); err != nil {
		return nil, err
	}
	f.Heatmap = Chart{ID: "peta-panas", Label: "Peta panas capaian per area", Option: opt, Rows: len(f.Rows)}

	// Radar and trend: the chosen kecamatan, or the top five.
	f.Chosen, f.Notice = choose(rows, chosen)
	f.ChosenSet = map[string]bool{}
	for _, r := range f.Chosen {
		f.ChosenSet[r.Unit] = true
	}
	axes := make([]charts.RadarAxis, len(f.Areas))
	for j, a := range f.Areas {
		axes[j] = charts.RadarAxis{Name: a.Title, Max: 100}
	}
	series := make([]charts.RadarSeries, len(f.Chosen))
	for i, r := range f.Chosen {
		vals := make([]float64, len(f.Areas))
		for j, a := range f.Areas {
			vals[j] = percentOf(in, a, r.Areas)
		}
		series[i] = charts.RadarSeries{Name: r.Name, Values: vals}
	}
	if opt, err = charts.Radar("Profil area (% dari maksimum)", axes, series); err != nil {
		return nil, err
	}
	f.Radar = Chart{ID: "radar", Label: "Radar profil area kecamatan terpilih", Option: opt, Rows: 14}

	if err := h.trend(ctx, f); err != nil {
		return nil, err
	}

	pr := make([]charts.ProgressRow, len(f.Rows))
	for i, r := range f.Rows {
		pr[i] = charts.ProgressRow{Label: r.Name, Answered: r.Progress.Answered, Evidenced: r.Progress.Evidenced,
			Reviewed: r.Progress.Reviewed, Total: r.Progress.Total}
	}
	if opt, err = charts.Progress("Kemajuan pengisian (% indikator)", pr); err != nil {
		return nil, err
	}
	f.Progress = Chart{ID: "kemajuan", Label: "Grafik kemajuan pengisian", Option: opt, Rows: len(f.Rows) * 2}
	return f, nil
}

// overclaims lists the final rows' gaps as the selection says: at a province's or the nation's
// size, the largest over- and under-claims (or the search's matches), not every kecamatan.
func overclaims(rows []ranking.Row, sel Selection) ([]Gap, Selection) {
	gs := pick(gaps(rows), func(g Gap) string { return g.Name }, &sel)
	return gs, sel
}

// choose returns the units named in codes (at most five, in rank order), or the top five.
func choose(rows []ranking.Row, codes []string) ([]ranking.Row, string) {
	if len(codes) == 0 {
		return rows[:min(maxChosen, len(rows))], ""
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	var out []ranking.Row
	for _, r := range rows {
		if want[r.Unit] {
			out = append(out, r)
		}
	}
	notice := ""
	if len(out) > maxChosen {
		out, notice = out[:maxChosen], fmt.Sprintf("Radar hanya terbaca untuk paling banyak %d kecamatan; yang ditampilkan %d teratas dari pilihan Anda.", maxChosen, maxChosen)
	}
	if len(out) == 0 {
		return rows[:min(maxChosen, len(rows))], "Kecamatan yang dipilih tidak ada dalam peringkat ini; ditampilkan lima teratas."
	}
	return out, notice
}

// trend draws the chosen units' scores over every period of the instrument, with the mean.
func (h *Handler) trend(ctx context.Context, f *Focus) error {
	years, err := h.years(ctx, f.Inst.ID)
	if err != nil {
		return err
	}
	f.Years = years
	lines := make([]charts.TrendLine, len(f.Chosen)+1)
	for i, r := range f.Chosen {
		lines[i] = charts.TrendLine{Name: r.Name, Values: make([]*float64, len(years))}
	}
	mean := charts.TrendLine{Name: "Rata-rata (tanpa draf)", Values: make([]*float64, len(years))}
	for y, year := range years {
		rows, err := h.Board.Rows(ctx, year, f.Inst.ID)
		if err != nil {
			return err
		}
		var scores []float64
		for _, r := range rows {
			if r.Status != assessment.Draft { // a half-filled sheet would drag the mean down
				scores = append(scores, r.Score)
			}
			for i, c := range f.Chosen {
				if c.Unit == r.Unit {
					v := r.Score
					lines[i].Values[y] = &v
				}
			}
		}
		if len(scores) > 0 {
			m := num.Mean(scores)
			mean.Values[y] = &m
		}
	}
	lines[len(f.Chosen)] = mean
	for _, l := range lines {
		f.TrendRows = append(f.TrendRows, TrendRow{Name: l.Name, Values: l.Values})
	}
	opt, err := charts.Trend("Perkembangan nilai per tahun", years, lines, f.Inst.ScaleMax, ranking.Thresholds(f.Inst))
	if err != nil {
		return err
	}
	f.Trend = Chart{ID: "tren", Label: "Grafik perkembangan nilai per tahun", Option: opt, Rows: 14}
	return nil
}

// CompositeView is the composite index section.
type CompositeView struct {
	Rows    []ranking.CompositeRow
	Insts   []*instrument.Instrument
	Weights []ranking.Weight
	Sel     Selection
	Chart   Chart
}

func compositeView(pv *ranking.View, sel Selection) (*CompositeView, error) {
	v := &CompositeView{Insts: pv.Insts, Weights: pv.Weights.For(pv.Insts), Sel: sel}
	v.Rows = pick(pv.Composite, func(r ranking.CompositeRow) string { return r.Name }, &v.Sel)
	units := make([]string, len(v.Rows))
	parts := make([]charts.CompositePart, len(pv.Insts))
	for j, in := range pv.Insts {
		parts[j] = charts.CompositePart{Name: in.Title, Values: make([]float64, len(v.Rows))}
	}
	for i, r := range v.Rows {
		units[i] = r.Name
		for j, p := range r.Parts {
			parts[j].Values[i] = p.Points
		}
	}
	opt, err := charts.Composite("Indeks komposit (0–100)", units, parts)
	if err != nil {
		return nil, err
	}
	v.Chart = Chart{ID: "komposit", Label: "Grafik indeks komposit per instrumen", Option: opt, Rows: len(v.Rows)}
	return v, nil
}

func (h *Handler) consistency(ctx context.Context, insts []*instrument.Instrument, rows map[string][]ranking.Row) ([]Consistency, error) {
	// Only the finalizing evaluators are named: one read by _id each, not a scan of every user.
	names := map[string]string{}
	for _, rs := range rows {
		for _, r := range rs {
			if r.FinalizedBy == "" {
				continue
			}
			if _, ok := names[r.FinalizedBy]; ok {
				continue
			}
			names[r.FinalizedBy] = r.FinalizedBy
			if u, err := h.Users.ByUsername(ctx, r.FinalizedBy); err == nil {
				names[r.FinalizedBy] = u.Name
			} else if !apperr.Is(err, apperr.NotFound) {
				return nil, err
			}
		}
	}
	out := consistency(rows, insts, names)
	for i := range out {
		for j, id := range out[i].Instruments {
			if in, ok := h.Catalog.Get(id); ok {
				out[i].Instruments[j] = in.ShortName()
			}
		}
	}
	return out, nil
}

// defaultFocus is the instrument the comparison charts open on: the one with the most
// predicates (ZI's WBK and WBBM, the integrity-zone question the bupati asks first), else the
// first of the period.
func defaultFocus(insts []*instrument.Instrument) string {
	best := -1
	id := ""
	for _, in := range insts {
		if len(in.Predicates) > best {
			best, id = len(in.Predicates), in.ID
		}
	}
	return id
}
