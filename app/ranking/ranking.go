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
	slices.SortStableFunc(rows, func(a, b Row) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	for i := range rows {
		if i > 0 && rows[i].Score == rows[i-1].Score {
			rows[i].Rank = rows[i-1].Rank
		} else {
			rows[i].Rank = i + 1
		}
	}
	return rows
}
