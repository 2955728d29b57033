package account

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

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
