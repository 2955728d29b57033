// Package ranking compares sibling units on one instrument and period, across instruments (the
// composite index) and across years (trends). It reads only the per-period boards of score
// snapshots (never the answers), so a ranking costs one read by _id, and usually not even that:
// rankings are cached in process until a write changes them.
package ranking

import (
	"cmp"
	"slices"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// Row is one unit's place in a ranking.
type Row struct {
	Unit   string `json:"unit"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Rank   int    `json:"rank"`
	// Final is the evaluator's total once the assessment is final; nil before.
	Final *float64 `json:"final"`
	Self  float64  `json:"self"`
	// Score is what the rank is based on: Final when final, else Self.
	Score      float64             `json:"score"`
	Grade      string              `json:"grade,omitempty"`
	SelfGrade  string              `json:"self_grade,omitempty"`
	Predicates map[string]bool     `json:"predicates"`
	Status     assessment.Status   `json:"status"`
	Progress   assessment.Progress `json:"progress"`
	// FinalizedBy is the team lead who finalized the score (empty before).
	FinalizedBy string `json:"finalized_by,omitempty"`
	// Areas are the scores of the areas down to depth 1 behind Score (final or self).
	Areas assessment.Nodes `json:"-"`
	// SelfAreas are the unit's own area scores, for self-versus-final comparisons.
	SelfAreas assessment.Nodes `json:"-"`
}

// IsFinal reports whether the row's score is the evaluator's final one.
func (r Row) IsFinal() bool { return r.Final != nil }

// Rank orders the board lines of one instrument and period: final scores count as they are,
// self scores stand in until the evaluator finalizes. Equal scores share a rank (1, 2, 2, 4)
// and are listed by name.
func Rank(es []Entry) []Row {
	rows := make([]Row, 0, len(es))
	for _, e := range es {
		r := Row{Unit: e.Unit, Name: e.Name, Parent: e.Parent, Self: e.Self.Total, Score: e.Self.Total, Grade: e.Self.Grade,
			SelfGrade: e.Self.Grade, Predicates: e.Self.Predicates, Status: e.Status, Progress: e.Progress,
			Areas: e.Self.Nodes, SelfAreas: e.Self.Nodes}
		if r.Name == "" {
			r.Name = e.Unit
		}
		if e.Status == assessment.Final && e.Final != nil {
			f := e.Final.Total
			r.Final, r.Score, r.Grade, r.Predicates, r.Areas = &f, f, e.Final.Grade, e.Final.Predicates, e.Final.Nodes
			r.FinalizedBy = e.FinalizedBy
		}
		if r.Predicates == nil {
			r.Predicates = map[string]bool{}
		}
		rows = append(rows, r)
	}
	return rerank(rows)
}

// rerank sorts rows by score (then name) and numbers them, equal scores sharing a rank.
func rerank(rows []Row) []Row {
	rankBy(rows, func(r *Row) (float64, string) { return r.Score, r.Name }, func(r *Row, n int) { r.Rank = n })
	return rows
}

// rankBy orders xs by score, highest first, then by name, and gives each its rank: equal
// scores share one (1, 2, 2, 4), the competition ranking official results use.
func rankBy[T any](xs []T, key func(*T) (score float64, name string), setRank func(*T, int)) {
	slices.SortStableFunc(xs, func(a, b T) int {
		sa, na := key(&a)
		sb, nb := key(&b)
		if c := cmp.Compare(sb, sa); c != 0 {
			return c
		}
		return cmp.Compare(na, nb)
	})
	rank := 0
	var prev float64
	for i := range xs {
		s, _ := key(&xs[i])
		if i == 0 || s != prev {
			rank = i + 1
		}
		setRank(&xs[i], rank)
		prev = s
	}
}
