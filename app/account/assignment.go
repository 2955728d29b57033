package account

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Assignment gives an evaluator the units they review for one instrument and year. The
// evaluators assigned to one unit form its team; those with Lead (ketua tim) return items and
// finalize, every member reviews.
type Assignment struct {
	ID         string   `bson:"_id" json:"-"` // year/instrument/evaluator
	Year       int      `bson:"year" json:"year"`
	Instrument string   `bson:"instrument" json:"instrument"`
	Evaluator  string   `bson:"evaluator" json:"evaluator"`
	Units      []string `bson:"units" json:"units"`
	Lead       bool     `bson:"lead,omitempty" json:"lead"`
}

// AssignmentID builds an assignment's deterministic id.
func AssignmentID(year int, instrument, evaluator string) string {
	return fmt.Sprintf("%d/%s/%s", year, instrument, evaluator)
}

// Assignments keeps evaluator assignments.
type Assignments struct {
	db   *db.DB
	coll *mongo.Collection
}

// NewAssignments returns an Assignments store on d.
func NewAssignments(d *db.DB) *Assignments {
	return &Assignments{db: d, coll: d.Collection("assignments")}
}

// Put creates or replaces an assignment.
func (s *Assignments) Put(ctx context.Context, a Assignment) (err error) {
	defer apperr.Wrap(&err, "assignments.Put(%s)", a.ID)
	a.ID = AssignmentID(a.Year, a.Instrument, a.Evaluator)
	return s.db.Put(ctx, "assignments", a.ID, a)
}

// ForEvaluator returns every assignment of one evaluator (all years and instruments).
func (s *Assignments) ForEvaluator(ctx context.Context, evaluator string) (_ []Assignment, err error) {
	defer apperr.Wrap(&err, "assignments.ForEvaluator(%s)", evaluator)
	cur, err := s.coll.Find(ctx, bson.D{{Key: "evaluator", Value: evaluator}})
	if err != nil {
		return nil, err
	}
	out := []Assignment{}
	return out, cur.All(ctx, &out)
}

// IsAssigned reports whether evaluator reviews unit for that instrument and year.
func (s *Assignments) IsAssigned(ctx context.Context, year int, instrument, evaluator, unit string) (bool, error) {
	var a Assignment
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: AssignmentID(year, instrument, evaluator)}}).Decode(&a)
	if err == mongo.ErrNoDocuments {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("assignments.IsAssigned: %w", err)
	}
	return slices.Contains(a.Units, unit), nil
}

// ForYear returns every assignment of one year, for the evaluators' consistency figures.
func (s *Assignments) ForYear(ctx context.Context, year int) (_ []Assignment, err error) {
	defer apperr.Wrap(&err, "assignments.ForYear(%d)", year)
	cur, err := s.coll.Find(ctx, bson.D{{Key: "year", Value: year}})
	if err != nil {
		return nil, err
	}
	out := []Assignment{}
	return out, cur.All(ctx, &out)
}

// List returns the assignments of one year (0: every year) and instrument ("" : every one),
// by year, instrument and evaluator.
func (s *Assignments) List(ctx context.Context, year int, instrument string) (_ []Assignment, err error) {
	defer apperr.Wrap(&err, "assignments.List(%d, %s)", year, instrument)
	q := bson.D{}
	if year != 0 {
		q = append(q, bson.E{Key: "year", Value: year})
	}
	if instrument != "" {
		q = append(q, bson.E{Key: "instrument", Value: instrument})
	}
	cur, err := s.coll.Find(ctx, q)
	if err != nil {
		return nil, err
	}
	out := []Assignment{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Assignment) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		if a.Instrument != b.Instrument {
			return strings.Compare(a.Instrument, b.Instrument)
		}
		return strings.Compare(a.Evaluator, b.Evaluator)
	})
	return out, nil
}

// Team returns the evaluators assigned to unit for one instrument and year, leads first.
func (s *Assignments) Team(ctx context.Context, year int, instrument, unit string) ([]Assignment, error) {
	all, err := s.List(ctx, year, instrument)
	if err != nil {
		return nil, err
	}
	var out []Assignment
	for _, a := range all {
		if slices.Contains(a.Units, unit) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b Assignment) int {
		if a.Lead != b.Lead {
			if a.Lead {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// Replace stores a, an evaluator's units and lead flag for one year and instrument, after
// check has judged it against that year's other assignments of the instrument as read under
// the write lock (one lead per unit). record runs in the same write, once a is stored (the
// audit log). No units removes the assignment.
func (s *Assignments) Replace(ctx context.Context, a Assignment, check func(others []Assignment) error, record func(ctx context.Context) error) (err error) {
	a.ID = AssignmentID(a.Year, a.Instrument, a.Evaluator)
	defer apperr.Wrap(&err, "assignments.Replace(%s)", a.ID)
	return s.db.Write(ctx, func(ctx context.Context) error {
		all, err := s.List(ctx, a.Year, a.Instrument)
		if err != nil {
			return err
		}
		others := slices.DeleteFunc(all, func(x Assignment) bool { return x.Evaluator == a.Evaluator })
		if err := check(others); err != nil {
			return err
		}
		if len(a.Units) == 0 {
			_, err = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: a.ID}})
		} else {
			_, err = s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, a, options.Replace().SetUpsert(true))
		}
		if err != nil {
			return err
		}
		return record(ctx)
	})
}
