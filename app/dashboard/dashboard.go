// Package dashboard is the bupati's view: per period the headline figures, every instrument's
// ranking with its trend against last year, the composite index, comparative charts, the
// drill-down into one kecamatan with its path to WBK/WBBM, the over-claiming and evaluator
// consistency figures, and the exports. It only reads: ranking boards (cached), and for the
// drill-down one assessment with its sheet.
package dashboard

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// Headline holds the figures at the top of the dashboard.
type Headline struct {
	Units       int // kecamatan with at least one assessment this period
	Assessments int
	Submitted   int // submitted or further along
	Finalized   int
	// WBK and WBBM count final results; the Claimed counts are self-assessments that claim a
	// predicate the evaluator has not (yet) confirmed.
	WBK, WBBM               int
	WBKClaimed, WBBMClaimed int
	HasZI                   bool
	Averages                []Average
	Next                    *Deadline
}

// Average is one instrument's mean score over the units ranked on it.
type Average struct {
	Instrument *instrument.Instrument
	Mean       float64
	Final      int // how many of the scores are final
	N          int
}

// Deadline is the next date something is due: a whole day in the kabupaten's zone.
type Deadline struct {
	What string
	Due  period.Due
	Days int // calendar days until it (0: today is the last day)
}

// headline computes the headline from the period's rankings; loc is the kabupaten's zone.
func headline(p *period.Period, insts []*instrument.Instrument, rows map[string][]ranking.Row, now time.Time, loc *time.Location) Headline {
	var h Headline
	units := map[string]bool{}
	for _, in := range insts {
		rs := rows[in.ID]
		avg := Average{Instrument: in, N: len(rs)}
		_, wbk := in.Predicate("WBK")
		_, wbbm := in.Predicate("WBBM")
		h.HasZI = h.HasZI || wbk
		for _, r := range rs {
			units[r.Unit] = true
			h.Assessments++
			if r.Status != assessment.Draft {
				h.Submitted++
			}
			if r.IsFinal() {
				h.Finalized++
				avg.Final++
			}
			avg.Mean += r.Score
			count(&h.WBK, &h.WBKClaimed, wbk, r, "WBK")
			count(&h.WBBM, &h.WBBMClaimed, wbbm, r, "WBBM")
		}
		if avg.N > 0 {
			avg.Mean = scoring.Round2(avg.Mean / float64(avg.N))
		}
		h.Averages = append(h.Averages, avg)
	}
	h.Units = len(units)
	h.Next = nextDeadline(p, insts, now, loc)
	return h
}

// count adds r to the final or the claimed tally of a predicate.
func count(final, claimed *int, has bool, r ranking.Row, key string) {
	if !has || !r.Predicates[key] {
		return
	}
	if r.IsFinal() {
		*final++
	} else {
		*claimed++
	}
}

// nextDeadline is the earliest self-assessment or review deadline not yet passed.
func nextDeadline(p *period.Period, insts []*instrument.Instrument, now time.Time, loc *time.Location) *Deadline {
	var best *Deadline
	title := map[string]string{}
	for _, in := range insts {
		title[in.ID] = in.Title
	}
	consider := func(what string, day period.Day) {
		due := period.Due{Day: day, Zone: loc}
		if !day.Valid() || due.Passed(now) || (best != nil && day >= best.Due.Day) {
			return
		}
		best = &Deadline{What: what, Due: due, Days: due.DaysLeft(now)}
	}
	for _, w := range p.Instruments {
		consider("Batas penilaian mandiri "+cmp.Or(title[w.Instrument], w.Instrument), w.SelfDeadline)
		consider("Batas reviu evaluator "+cmp.Or(title[w.Instrument], w.Instrument), w.ReviewDeadline)
	}
	return best
}

// RankRow is a ranking row with its change against the previous period.
type RankRow struct {
	ranking.Row
	// Delta is Score minus last period's score; nil when the unit was not ranked then.
	Delta *float64
}

// Trend is the arrow shown beside the score.
func (r RankRow) Trend() string {
	switch {
	case r.Delta == nil:
		return ""
	case *r.Delta > 0:
		return "naik"
	case *r.Delta < 0:
		return "turun"
	}
	return "tetap"
}

// withTrend pairs each row with its delta against prev (last period's rows).
func withTrend(rows, prev []ranking.Row) []RankRow {
	before := make(map[string]float64, len(prev))
	for _, r := range prev {
		before[r.Unit] = r.Score
	}
	out := make([]RankRow, len(rows))
	for i, r := range rows {
		out[i] = RankRow{Row: r}
		if s, ok := before[r.Unit]; ok {
			d := scoring.Round2(r.Score - s)
			out[i].Delta = &d
		}
	}
	return out
}

// Selection is which rows a table and its chart show: readable at 30 kecamatan, and at 700
// (a province) the top and bottom N, or the matches of a search.
type Selection struct {
	Query string
	N     int
	// Shown is true when rows were left out; the page says so.
	Trimmed bool
	Total   int
}

// bigRanking is the row count above which only the top and bottom N are charted.
const bigRanking = 40

// pick applies the selection to rows (already in rank order), keeping their ranks.
func pick[T any](rows []T, name func(T) string, sel *Selection) []T {
	sel.Total = len(rows)
	if q := strings.ToLower(strings.TrimSpace(sel.Query)); q != "" {
		var out []T
		for _, r := range rows {
			if strings.Contains(strings.ToLower(name(r)), q) {
				out = append(out, r)
			}
		}
		sel.Trimmed = len(out) < len(rows)
		return out
	}
	if len(rows) <= bigRanking || 2*sel.N >= len(rows) {
		return rows
	}
	sel.Trimmed = true
	out := slices.Clone(rows[:sel.N])
	return append(out, rows[len(rows)-sel.N:]...)
}

// Gap is one unit's over-claiming: its own total against the evaluator's.
type Gap struct {
	Unit, Name  string
	Self, Final float64
	Gap         float64 // Self - Final: positive means the unit claimed more than was found
}

// gaps lists the final rows by how much the unit over-claimed, largest first.
func gaps(rows []ranking.Row) []Gap {
	var out []Gap
	for _, r := range rows {
		if r.IsFinal() {
			out = append(out, Gap{Unit: r.Unit, Name: r.Name, Self: r.Self, Final: *r.Final, Gap: scoring.Round2(r.Self - *r.Final)})
		}
	}
	slices.SortStableFunc(out, func(a, b Gap) int { return cmp.Compare(b.Gap, a.Gap) })
	return out
}

// Consistency is one evaluator's average adjustment: how far, on average, their final totals
// sit from the units' own claims (negative: they mark down).
type Consistency struct {
	Evaluator   string
	Name        string
	Instruments []string
	N           int
	Mean        float64 // mean of Final - Self
	Min, Max    float64
}

// consistency computes each evaluator's adjustments over the finalized units assigned to them.
func consistency(as []account.Assignment, rows map[string][]ranking.Row, names map[string]string) []Consistency {
	byEval := map[string]*Consistency{}
	var order []string
	for _, a := range as {
		c, ok := byEval[a.Evaluator]
		if !ok {
			c = &Consistency{Evaluator: a.Evaluator, Name: cmp.Or(names[a.Evaluator], a.Evaluator)}
			byEval[a.Evaluator] = c
			order = append(order, a.Evaluator)
		}
		assigned := map[string]bool{}
		for _, u := range a.Units {
			assigned[u] = true
		}
		counted := false
		for _, r := range rows[a.Instrument] {
			if !assigned[r.Unit] || !r.IsFinal() {
				continue
			}
			d := *r.Final - r.Self
			if c.N == 0 || d < c.Min {
				c.Min = d
			}
			if c.N == 0 || d > c.Max {
				c.Max = d
			}
			c.Mean += d
			c.N++
			counted = true
		}
		if counted && !slices.Contains(c.Instruments, a.Instrument) {
			c.Instruments = append(c.Instruments, a.Instrument)
		}
	}
	out := make([]Consistency, 0, len(order))
	for _, e := range order {
		c := byEval[e]
		if c.N > 0 {
			c.Mean = scoring.Round2(c.Mean / float64(c.N))
			c.Min, c.Max = scoring.Round2(c.Min), scoring.Round2(c.Max)
		}
		out = append(out, *c)
	}
	slices.SortStableFunc(out, func(a, b Consistency) int { return cmp.Compare(a.Mean, b.Mean) })
	return out
}

// compareAreas picks the areas charts compare units on: the children of the roots when there
// are a handful (ZI's six pengungkit areas and the hasil), else the roots (an instrument whose
// second level is every indicator, like PEKPPP's).
func compareAreas(inst *instrument.Instrument) []*instrument.Area {
	var second []*instrument.Area
	for _, r := range inst.Areas {
		second = append(second, r.Areas...)
	}
	if len(second) >= 3 && len(second) <= 16 {
		return second
	}
	return inst.Areas
}

// percentOf is an area's score as % of its points.
func percentOf(inst *instrument.Instrument, a *instrument.Area, nodes assessment.Nodes) float64 {
	p := inst.Points(a)
	if p == 0 {
		return 0
	}
	for _, n := range nodes {
		if n.Code == a.Code {
			return scoring.Round2(n.Score / p * 100)
		}
	}
	return 0
}
