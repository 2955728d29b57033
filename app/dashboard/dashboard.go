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

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
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

// Average is one instrument's mean scores, like with like: the evaluators' final scores, and
// apart from them the self scores of sheets submitted but not yet final. Drafts are counted,
// not averaged: a half-filled sheet would drag the mean down.
type Average struct {
	Instrument *instrument.Instrument
	Final      int     // how many scores are final
	FinalMean  float64 // their mean (0 when none)
	Claims     int     // submitted, not yet final
	ClaimMean  float64 // the mean of their self scores
	Drafts     int
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
		var finals, claims []float64
		_, wbk := in.Predicate("WBK")
		_, wbbm := in.Predicate("WBBM")
		h.HasZI = h.HasZI || wbk
		for _, r := range rs {
			units[r.Unit] = true
			h.Assessments++
			if r.Status != assessment.Draft {
				h.Submitted++
			}
			switch {
			case r.IsFinal():
				h.Finalized++
				avg.Final++
				finals = append(finals, r.Score)
			case r.Status == assessment.Draft:
				avg.Drafts++
			default:
				avg.Claims++
				claims = append(claims, r.Self)
			}
			count(&h.WBK, &h.WBKClaimed, wbk, r, "WBK")
			count(&h.WBBM, &h.WBBMClaimed, wbbm, r, "WBBM")
		}
		avg.FinalMean, avg.ClaimMean = num.Mean(finals), num.Mean(claims)
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
	// Delta is the change against last period, like with like: final minus last year's final
	// when both are final, else the self score minus last year's self score (DeltaSelf); nil
	// when the unit was not ranked then.
	Delta     *float64
	DeltaSelf bool
	// PathTarget is what the row's path link plans for: the lowest predicate of the ladder the
	// unit does not hold yet (WBK, then WBBM), or the next grade; "" when there is nothing
	// higher to reach (a unit holding WBBM, or in the top grade). PathLabel is the link's text,
	// or what is shown instead of a link.
	PathTarget, PathLabel string
}

// ladder orders an instrument's predicates by what they require: a predicate comes after the one
// its requires_previous names (WBK before WBBM).
func ladder(in *instrument.Instrument) []instrument.Predicate {
	var out []instrument.Predicate
	placed := map[string]bool{}
	for len(out) < len(in.Predicates) {
		n := len(out)
		for _, p := range in.Predicates {
			if !placed[p.Key] && (p.RequiresPrevious == "" || placed[p.RequiresPrevious]) {
				out = append(out, p)
				placed[p.Key] = true
			}
		}
		if len(out) == n { // a requires_previous cycle: keep sheet order for the rest
			for _, p := range in.Predicates {
				if !placed[p.Key] {
					out = append(out, p)
					placed[p.Key] = true
				}
			}
		}
	}
	return out
}

// pathFor sets the row's path link: the first rung of the ladder above everything the unit
// holds, or the next grade for an instrument without predicates.
func pathFor(in *instrument.Instrument, r *RankRow) {
	if len(in.Predicates) == 0 {
		if len(in.Grades) == 0 {
			return
		}
		if r.Grade == in.Grades[0].Key {
			r.PathLabel = "predikat tertinggi"
			return
		}
		r.PathTarget, r.PathLabel = "next", "naik predikat"
		return
	}
	rungs := ladder(in)
	top := -1
	for i, p := range rungs {
		if r.Predicates[p.Key] {
			top = i
		}
	}
	if top == len(rungs)-1 {
		r.PathLabel = rungs[top].Display() + " tercapai"
		return
	}
	next := rungs[top+1]
	r.PathTarget, r.PathLabel = next.Key, "ke "+next.Display()
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
	before := make(map[string]ranking.Row, len(prev))
	for _, r := range prev {
		before[r.Unit] = r
	}
	out := make([]RankRow, len(rows))
	for i, r := range rows {
		out[i] = RankRow{Row: r}
		p, ok := before[r.Unit]
		if !ok {
			continue
		}
		d := num.Diff(r.Self, p.Self)
		if r.IsFinal() && p.IsFinal() {
			d = num.Diff(*r.Final, *p.Final)
		} else {
			out[i].DeltaSelf = true
		}
		out[i].Delta = &d
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
			out = append(out, Gap{Unit: r.Unit, Name: r.Name, Self: r.Self, Final: *r.Final, Gap: num.Diff(r.Self, *r.Final)})
		}
	}
	slices.SortStableFunc(out, func(a, b Gap) int { return cmp.Compare(b.Gap, a.Gap) })
	return out
}

// Consistency is one evaluator's average adjustment over the sheets they finalized (as team
// lead): how far, on average, the final totals sit from the units' own claims (negative: they
// mark down).
type Consistency struct {
	Evaluator   string
	Name        string
	Instruments []string // ids; the page shows their short names
	N           int
	Mean        float64 // mean of Final - Self
	Min, Max    float64
}

// consistency computes each finalizing evaluator's adjustments from the recorded reviews: who
// finalized what (a final row without a recorded finalizer is left out).
func consistency(rows map[string][]ranking.Row, insts []*instrument.Instrument, names map[string]string) []Consistency {
	byEval := map[string]*Consistency{}
	diffs := map[string][]float64{}
	var order []string
	for _, in := range insts {
		for _, r := range rows[in.ID] {
			if !r.IsFinal() || r.FinalizedBy == "" {
				continue
			}
			c, ok := byEval[r.FinalizedBy]
			if !ok {
				c = &Consistency{Evaluator: r.FinalizedBy, Name: cmp.Or(names[r.FinalizedBy], r.FinalizedBy)}
				byEval[r.FinalizedBy] = c
				order = append(order, r.FinalizedBy)
			}
			d := num.Diff(*r.Final, r.Self) // exact: both are 2-decimal figures
			if c.N == 0 || d < c.Min {
				c.Min = d
			}
			if c.N == 0 || d > c.Max {
				c.Max = d
			}
			diffs[r.FinalizedBy] = append(diffs[r.FinalizedBy], d)
			c.N++
			if !slices.Contains(c.Instruments, in.ID) {
				c.Instruments = append(c.Instruments, in.ID)
			}
		}
	}
	out := make([]Consistency, 0, len(order))
	for _, e := range order {
		c := byEval[e]
		c.Mean = num.Mean(diffs[e])
		out = append(out, *c)
	}
	slices.SortStableFunc(out, func(a, b Consistency) int { return cmp.Compare(a.Mean, b.Mean) })
	return out
}

// compareAreas picks the areas charts compare units on: the children of the roots (a root that is
// a leaf itself, like PEKPPP's F-03 survey) when there are a handful (ZI's six pengungkit areas
// and the hasil; PEKPPP's six aspects and F-03), else the roots.
func compareAreas(inst *instrument.Instrument) []*instrument.Area {
	var second []*instrument.Area
	for _, r := range inst.Areas {
		if r.IsLeaf() {
			second = append(second, r)
			continue
		}
		second = append(second, r.Areas...)
	}
	if len(second) >= 3 && len(second) <= 16 {
		return second
	}
	return inst.Areas
}

// percentOf is an area's score as % of its points, computed exactly and rounded once.
func percentOf(inst *instrument.Instrument, a *instrument.Area, nodes assessment.Nodes) float64 {
	for _, n := range nodes {
		if n.Code == a.Code {
			return num.PercentOf(n.Score, inst.PointsExact(a))
		}
	}
	return 0
}
