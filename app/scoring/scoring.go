// Package scoring turns an instrument and a unit's answers into scores, a grade and predicates
// (WBK, WBBM, …), following the catalog's scoring rule. It is pure: no database, no clock.
package scoring

import (
	"math/big"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
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

// Round2 rounds the exact decimal value of x half away from zero to 2 decimals, the precision of
// every official band and threshold (num.Round2, the one rounding function of the application);
// grades and predicates compare rounded scores.
func Round2(x float64) float64 { return num.Round2(x) }

// Score validates every answer, then scores the instrument. Every node is computed exactly
// (rationals over the written decimals: option values, weights, entered numbers) and rounded
// once, half away from zero, so a node worth exactly 2.425 reports 2.43 as the LKE workbook does.
// An invalid answer is an apperr.Invalid error naming the indicator.
func Score(inst *instrument.Instrument, answers Answers, prev Previous) (Result, error) {
	if err := validateAll(inst, answers); err != nil {
		return Result{}, err
	}
	raw, total := exactScores(inst, answers)
	r := Result{
		Instrument: inst.ID,
		Total:      num.Round(total),
		Predicates: make(map[string]bool, len(inst.Predicates)),
		Nodes:      make(map[string]float64, len(raw)),
		Missing:    missing(inst, answers),
	}
	for code, s := range raw {
		r.Nodes[code] = num.Round(s)
	}
	if g, ok := GradeOf(inst, r.Total); ok {
		r.Grade = &g.Key
	}
	for _, p := range inst.Predicates {
		r.Predicates[p.Key] = len(judge(inst, p, r.Nodes, r.Total, prev)) == 0
	}
	return r, nil
}

// exactValue is an answer's value in [0, 1] as an exact rational: the option's value, x/100 for
// a percent, x/max for a number, each on its written decimal. The answer has been validated. An
// option's value is shared: callers must not modify the result.
func exactValue(s instrument.Scale, a Answer) *big.Rat {
	switch {
	case s.Kind == instrument.KindChoice:
		o, _ := s.Option(a.Option)
		return o.Exact() // shared: read only
	case a.Number == nil:
		return new(big.Rat)
	case s.Kind == instrument.KindPercent:
		v := num.Exact(*a.Number)
		return v.Quo(v, big.NewRat(100, 1))
	case s.Max != nil && *s.Max != 0:
		v := num.Exact(*a.Number)
		return v.Quo(v, num.Exact(*s.Max))
	}
	return new(big.Rat)
}

// indicatorExact is an indicator's exact value; an unanswered indicator counts 0. The value may be
// shared (an option's): read only.
func indicatorExact(inst *instrument.Instrument, code string, answers Answers) *big.Rat {
	a, ok := answers[code]
	if !ok {
		return new(big.Rat)
	}
	return exactValue(inst.ScaleOf(code), a)
}

// leafExact is the leaf's points × the mean of its indicators' values, exactly; value gives each
// indicator's value.
func leafExact(inst *instrument.Instrument, leaf *instrument.Area, value func(code string) *big.Rat) *big.Rat {
	// Σ values as one fraction num/den, reduced once at the end: the values mostly share a
	// denominator (option values in hundredths), and big.Rat.Add would reduce after every term.
	num, den := new(big.Int), big.NewInt(1)
	var t big.Int
	for _, ind := range leaf.Indicators {
		v := value(ind.Code)
		if v.Denom().Cmp(den) == 0 {
			num.Add(num, v.Num())
			continue
		}
		num.Mul(num, v.Denom())
		num.Add(num, t.Mul(v.Num(), den))
		den.Mul(den, v.Denom())
	}
	num.Mul(num, inst.PointsExact(leaf).Num())
	den.Mul(den, inst.PointsExact(leaf).Denom())
	den.Mul(den, big.NewInt(int64(len(leaf.Indicators))))
	return new(big.Rat).SetFrac(num, den)
}

// exactScores scores every area exactly (a leaf by leafExact, a parent as the sum of its
// children) and returns them by code with the total, the sum of the roots.
func exactScores(inst *instrument.Instrument, answers Answers) (map[string]*big.Rat, *big.Rat) {
	raw := map[string]*big.Rat{}
	value := func(code string) *big.Rat { return indicatorExact(inst, code, answers) }
	var area func(a *instrument.Area) *big.Rat
	area = func(a *instrument.Area) *big.Rat {
		var s *big.Rat
		if a.IsLeaf() {
			s = leafExact(inst, a, value)
		} else {
			s = new(big.Rat)
			for _, c := range a.Areas {
				s.Add(s, area(c))
			}
		}
		raw[a.Code] = s
		return s
	}
	total := new(big.Rat)
	for _, root := range inst.Areas {
		total.Add(total, area(root))
	}
	return raw, total
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
// strict, `min` inclusive, both compared exactly): a total of exactly 88.305 is 88.31, which is
// above IKM's 88.30 and so A. ok is false when the instrument has no grades.
func GradeOf(inst *instrument.Instrument, total float64) (g instrument.Grade, ok bool) {
	t := Round2(total)
	for _, g := range inst.Grades {
		if g.Admits(t) {
			return g, true
		}
	}
	return instrument.Grade{}, false
}

// Lost is what an indicator's answer leaves on the table: its share of the leaf's points × (1 −
// its value), computed exactly and rounded to 2 decimals; an unanswered indicator loses its whole
// share. The answers must be valid (an unknown code loses 0).
func Lost(inst *instrument.Instrument, code string, answers Answers) float64 {
	leaf := inst.LeafOf(code)
	if leaf == nil {
		return 0
	}
	l := new(big.Rat).Sub(big.NewRat(1, 1), indicatorExact(inst, code, answers))
	l.Mul(l, inst.PointsExact(leaf))
	return num.Round(l.Quo(l, big.NewRat(int64(len(leaf.Indicators)), 1)))
}
