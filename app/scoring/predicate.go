package scoring

import (
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
)

// Failure is one unmet condition of a predicate: a node scoring below its threshold, or a
// required earlier predicate the unit did not have. The web layer shows these as "what is still
// missing" for WBK/WBBM.
type Failure struct {
	Predicate string  `json:"predicate"`
	Node      string  `json:"node,omitempty"`     // area code or "total"; empty for a previous-result condition
	Score     float64 `json:"score"`              // the node's rounded score
	Min       float64 `json:"min"`                // the rounded threshold it must reach
	Gap       float64 `json:"gap"`                // Min - Score, rounded
	Previous  string  `json:"previous,omitempty"` // the earlier predicate required, e.g. "WBK"
}

// Explain lists, predicate by predicate in sheet order, every condition that fails for r. It
// judges the same rounded numbers as Score, so a predicate is false in r exactly when it has at
// least one Failure here (given the same prev).
func Explain(inst *instrument.Instrument, r Result, prev Previous) []Failure {
	var out []Failure
	for _, p := range inst.Predicates {
		out = append(out, judge(inst, p, r.Nodes, r.Total, prev)...)
	}
	return out
}

// judge returns the failed conditions of one predicate over rounded node scores.
func judge(inst *instrument.Instrument, p instrument.Predicate, nodes map[string]float64, total float64, prev Previous) []Failure {
	var out []Failure
	for _, r := range p.Rules {
		if r.EachChildOf != "" {
			out = append(out, eachChildRule(inst, p.Key, r, nodes)...)
		} else if f, failed := nodeRule(p.Key, r, nodes, total); failed {
			out = append(out, f)
		}
	}
	if f, failed := previousRule(p, prev); failed {
		out = append(out, f)
	}
	return out
}

// nodeRule: the node's (or the total's) rounded score is at least min.
func nodeRule(key string, r instrument.Rule, nodes map[string]float64, total float64) (Failure, bool) {
	score := total
	if r.Node != instrument.TotalNode {
		score = nodes[r.Node]
	}
	return compare(key, r.Node, num.CentsOf(score), num.CentsOf(*r.Min))
}

// compare judges a rounded score against a rounded minimum, both in hundredths, so the
// comparison and the gap are exact.
func compare(key, node string, score, want int64) (Failure, bool) {
	if score >= want {
		return Failure{}, false
	}
	return Failure{Predicate: key, Node: node, Score: num.FromCents(score), Min: num.FromCents(want), Gap: num.FromCents(want - score)}, true
}

// ChildMin is the rounded minimum an each_child_of rule sets on one child: min_ratio × the
// child's points, computed exactly (ZI WBK: 0.6 × 8 = 4.80 for Manajemen Perubahan).
func ChildMin(inst *instrument.Instrument, r instrument.Rule, child *instrument.Area) float64 {
	return num.FromCents(childMinCents(inst, r, child))
}

func childMinCents(inst *instrument.Instrument, r instrument.Rule, child *instrument.Area) int64 {
	m := num.Exact(*r.MinRatio)
	return num.Cents(m.Mul(m, inst.PointsExact(child)))
}

// eachChildRule: every child of the node scores at least min_ratio × its points, both sides
// rounded to 2 decimals (ZI: each of the six pengungkit areas ≥ 60% for WBK, 75% for WBBM).
func eachChildRule(inst *instrument.Instrument, key string, r instrument.Rule, nodes map[string]float64) []Failure {
	var out []Failure
	for _, c := range inst.Children(r.EachChildOf) {
		if f, failed := compare(key, c.Code, num.CentsOf(nodes[c.Code]), childMinCents(inst, r, c)); failed {
			out = append(out, f)
		}
	}
	return out
}

// previousRule: a requires_previous condition counts only when the earlier result is known for
// that key; then the unit must have had it (WBBM needs an earlier WBK).
func previousRule(p instrument.Predicate, prev Previous) (Failure, bool) {
	if p.RequiresPrevious == "" {
		return Failure{}, false
	}
	if had, known := prev[p.RequiresPrevious]; !known || had {
		return Failure{}, false
	}
	return Failure{Predicate: p.Key, Previous: p.RequiresPrevious}, true
}

// FailingAreas lists, in sheet order, the report areas (instrument.ReportAreas) holding a node
// that fails a predicate's minimum in r: for ZI an area under 60 % (WBK) or 75 % (WBBM) of its
// points, IPAK or IPKP under their minimum. A failing total or an earlier result names no
// area. The evaluators must write their findings for these areas before finalizing.
func FailingAreas(inst *instrument.Instrument, r Result, prev Previous) []string {
	failing := map[string]bool{}
	for _, f := range Explain(inst, r, prev) {
		if f.Node == "" || f.Node == instrument.TotalNode {
			continue
		}
		if a := inst.ReportAreaOf(f.Node); a != "" {
			failing[a] = true
		}
	}
	out := []string{}
	for _, a := range inst.ReportAreas() {
		if failing[a] {
			out = append(out, a)
		}
	}
	return out
}
