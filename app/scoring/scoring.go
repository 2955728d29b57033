// Package scoring turns an instrument and a unit's answers into scores, a grade and predicates
// (WBK, WBBM, …), following the catalog's scoring rule. It is pure: no database, no clock.
package scoring

import (
	"math"

	"github.com/rapor-rb/raporrb/app/instrument"
)

// Result is the outcome of scoring one answer set; it is also the JSON printed by
// `raporrb score`, so its shape is a contract.
type Result struct {
	Instrument string             `json:"instrument"`
	Total      float64            `json:"total"`      // rounded to 2 decimals
	Grade      *string            `json:"grade"`      // nil when the instrument has no grades
	Predicates map[string]bool    `json:"predicates"` // every predicate key present
	Nodes      map[string]float64 `json:"nodes"`      // every area code (not indicators), rounded to 2 decimals
	Missing    []string           `json:"missing"`    // unanswered indicator codes in sheet order, [] not null
}

// Previous holds the unit's earlier final predicates, e.g. {"WBK": true}. A requires_previous
// condition counts only when its key is present; nil means the earlier result is unknown.
type Previous map[string]bool

// Round2 rounds half away from zero to 2 decimals, the precision of every official band and
// threshold; grades and predicates compare rounded scores.
func Round2(x float64) float64 { return math.Round(x*100) / 100 }

// Score validates every answer, then scores the instrument. An invalid answer is an
// apperr.Invalid error naming the indicator.
func Score(inst *instrument.Instrument, answers Answers, prev Previous) (Result, error) {
	if err := validateAll(inst, answers); err != nil {
		return Result{}, err
	}
	raw := map[string]float64{}
	var total float64
	for _, root := range inst.Areas {
		total += areaScore(inst, root, answers, raw)
	}
	r := Result{
		Instrument: inst.ID,
		Total:      Round2(total),
		Predicates: make(map[string]bool, len(inst.Predicates)),
		Nodes:      make(map[string]float64, len(raw)),
		Missing:    missing(inst, answers),
	}
	for code, s := range raw {
		r.Nodes[code] = Round2(s)
	}
	if g, ok := GradeOf(inst, r.Total); ok {
		r.Grade = &g.Key
	}
	for _, p := range inst.Predicates {
		r.Predicates[p.Key] = len(judge(inst, p, r.Nodes, r.Total, prev)) == 0
	}
	return r, nil
}

// indicatorValue is an indicator's value in [0, 1]; an unanswered indicator counts 0. Answers
// are validated before scoring, so a misfit cannot reach here.
func indicatorValue(inst *instrument.Instrument, code string, answers Answers) float64 {
	a, ok := answers[code]
	if !ok {
		return 0
	}
	v, _ := value(inst.ScaleOf(code), a)
	return v
}

// leafScore is the leaf's points × the mean of its indicators' values.
func leafScore(inst *instrument.Instrument, leaf *instrument.Area, answers Answers) float64 {
	var sum float64
	for _, ind := range leaf.Indicators {
		sum += indicatorValue(inst, ind.Code, answers)
	}
	return inst.Points(leaf) * (sum / float64(len(leaf.Indicators)))
}

// areaScore scores a subtree into raw (unrounded): a leaf by leafScore, a parent as the sum of
// its children, so rounding happens once, at the end.
func areaScore(inst *instrument.Instrument, a *instrument.Area, answers Answers, raw map[string]float64) float64 {
	var s float64
	if a.IsLeaf() {
		s = leafScore(inst, a, answers)
	} else {
		for _, c := range a.Areas {
			s += areaScore(inst, c, answers, raw)
		}
	}
	raw[a.Code] = s
	return s
}

func missing(inst *instrument.Instrument, answers Answers) []string {
	out := []string{}
	for _, ind := range inst.Indicators() {
		if _, ok := answers[ind.Code]; !ok {
			out = append(out, ind.Code)
		}
	}
	return out
}

// GradeOf returns the first grade band that admits the total rounded to 2 decimals (`above` is
// strict, `min` inclusive). Rounding first is what puts SAKIP's all-A 90.00000000000001 in A,
// not AA. ok is false when the instrument has no grades.
func GradeOf(inst *instrument.Instrument, total float64) (g instrument.Grade, ok bool) {
	t := Round2(total)
	for _, g := range inst.Grades {
		if g.Admits(t) {
			return g, true
		}
	}
	return instrument.Grade{}, false
}
