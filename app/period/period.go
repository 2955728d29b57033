// Package period holds the evaluation periods: per year, which instruments run and their
// deadlines.
package period

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Window is one instrument's schedule in a period.
type Window struct {
	Instrument     string    `bson:"instrument" json:"instrument"`
	Opens          time.Time `bson:"opens" json:"opens"`
	SelfDeadline   time.Time `bson:"self_deadline" json:"self_deadline"`
	ReviewDeadline time.Time `bson:"review_deadline" json:"review_deadline"`
}

// Period is one year's evaluations.
type Period struct {
	Year        int      `bson:"_id" json:"year"`
	Instruments []Window `bson:"instruments" json:"instruments"`
}

// Window returns the schedule of one instrument in the period.
func (p *Period) Window(instrument string) (Window, bool) {
	for _, w := range p.Instruments {
		if w.Instrument == instrument {
			return w, true
		}
	}
	return Window{}, false
}

// Store keeps periods.
type Store struct {
	db   *db.DB
	coll *mongo.Collection
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d, coll: d.Collection("periods")} }

// Put creates or replaces a period. Errors: Invalid.
func (s *Store) Put(ctx context.Context, p Period) (err error) {
	defer apperr.Wrap(&err, "period.Put(%d)", p.Year)
	if p.Year < 2000 || p.Year > 2100 {
		return apperr.New(apperr.Invalid, "Tahun periode %d tidak valid.", p.Year)
	}
	for _, w := range p.Instruments {
		if w.SelfDeadline.Before(w.Opens) || w.ReviewDeadline.Before(w.SelfDeadline) {
			return apperr.New(apperr.Invalid, "Jadwal %s tahun %d tidak berurutan: buka ≤ batas pengisian ≤ batas reviu.", w.Instrument, p.Year)
		}
	}
	return s.db.Put(ctx, "periods", p.Year, p)
}

// ByYear returns one period. Errors: NotFound.
func (s *Store) ByYear(ctx context.Context, year int) (_ *Period, err error) {
	defer apperr.Wrap(&err, "period.ByYear(%d)", year)
	var p Period
	err = s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: year}}).Decode(&p)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.New(apperr.NotFound, "Periode %d tidak ditemukan.", year)
	}
	return &p, err
}

// List returns every period, newest first.
func (s *Store) List(ctx context.Context) (_ []Period, err error) {
	defer apperr.Wrap(&err, "period.List")
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}))
	if err != nil {
		return nil, err
	}
	out := []Period{}
	return out, cur.All(ctx, &out)
}

// Current returns the newest period. Errors: NotFound when none exists.
func (s *Store) Current(ctx context.Context) (*Period, error) {
	ps, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, apperr.New(apperr.NotFound, "Belum ada periode penilaian.")
	}
	return &ps[0], nil
}

// ParseYear reads a year from a path or query value: 400 when it is not a year.
func ParseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, apperr.New(apperr.Invalid, "Tahun %q tidak valid.", s)
	}
	return y, nil
}

// Finder finds periods.
type Finder interface {
	ByYear(ctx context.Context, year int) (*Period, error)
	Current(ctx context.Context) (*Period, error)
}

// Resolve reads a ?tahun= or :year value: empty means the current period, a malformed year is
// 400, a year without a period 404.
func Resolve(ctx context.Context, f Finder, s string) (*Period, error) {
	if s == "" {
		return f.Current(ctx)
	}
	y, err := ParseYear(s)
	if err != nil {
		return nil, err
	}
	return f.ByYear(ctx, y)
}
