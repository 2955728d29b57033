// Package ranking compares sibling units on one instrument and period. It reads only the
// stored score snapshots (never the answers), so a ranking costs one read of small documents.
package ranking

import (
	"cmp"
	"context"
	"slices"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// Row is one unit's place in a ranking.
type Row struct {
	Unit string `json:"unit"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
	// Final is the evaluator's total once the assessment is final; nil before.
	Final *float64 `json:"final"`
	Self  float64  `json:"self"`
	// Score is what the rank is based on: Final when final, else Self.
	Score      float64             `json:"score"`
	Grade      string              `json:"grade,omitempty"`
	Predicates map[string]bool     `json:"predicates"`
	Status     assessment.Status   `json:"status"`
	Progress   assessment.Progress `json:"progress"`
}

// IsFinal reports whether the row's score is the evaluator's final one.
func (r Row) IsFinal() bool { return r.Final != nil }

// Rank orders assessments of one instrument and period: final scores count as they are, self
// scores stand in until the evaluator finalizes. Equal scores share a rank (1, 2, 2, 4) and
// are listed by name.
func Rank(as []assessment.Assessment, names map[string]string) []Row {
	rows := make([]Row, 0, len(as))
	for _, a := range as {
		r := Row{Unit: a.Unit, Name: names[a.Unit], Self: a.Self.Total, Score: a.Self.Total, Grade: a.Self.Grade,
			Predicates: a.Self.Predicates, Status: a.Status, Progress: a.Progress}
		if r.Name == "" {
			r.Name = a.Unit
		}
		if a.Status == assessment.Final && a.Final != nil {
			f := a.Final.Total
			r.Final, r.Score, r.Grade, r.Predicates = &f, f, a.Final.Grade, a.Final.Predicates
		}
		if r.Predicates == nil {
			r.Predicates = map[string]bool{}
		}
		rows = append(rows, r)
	}
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

// Assessments is what a ranking reads.
type Assessments interface {
	List(ctx context.Context, f assessment.Filter) ([]assessment.Assessment, error)
}

// UnitDirectory names units and knows their parents.
type UnitDirectory interface {
	Names(ctx context.Context) (map[string]string, error)
	Children(ctx context.Context, parent string) ([]string, error)
}

// Reader builds rankings from stored snapshots.
type Reader struct {
	Assessments Assessments
	Units       UnitDirectory
}

// Rows ranks the units of one instrument and period; parent, when set, keeps only its children.
func (r Reader) Rows(ctx context.Context, period int, instrumentID, parent string) ([]Row, error) {
	f := assessment.Filter{Period: period, Instrument: instrumentID}
	if parent != "" {
		kids, err := r.Units.Children(ctx, parent)
		if err != nil {
			return nil, err
		}
		f.Units = kids
	}
	as, err := r.Assessments.List(ctx, f)
	if err != nil {
		return nil, err
	}
	names, err := r.Units.Names(ctx)
	if err != nil {
		return nil, err
	}
	return Rank(as, names), nil
}
