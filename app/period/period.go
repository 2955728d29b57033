// Package period holds the evaluation periods: per year, which instruments run and their
// deadlines.
package period

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Window is one instrument's schedule in a period: whole days in the kabupaten's zone. The
// unit answers from Opens through SelfDeadline; returned items are fixed through
// ReviewDeadline.
type Window struct {
	Instrument     string `bson:"instrument" json:"instrument"`
	Opens          Day    `bson:"opens" json:"opens"`
	SelfDeadline   Day    `bson:"self_deadline" json:"self_deadline"`
	ReviewDeadline Day    `bson:"review_deadline" json:"review_deadline"`
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

// Store keeps periods (every save judges its deadline by one).
type Store struct {
	db   *db.DB
	coll *mongo.Collection

	// On the embedded engine every period is kept in memory while this process has not
	// written the collection since it was read (db.Generation): each page and API call
	// resolves its period, and a read of the engine competes with the writers of a deadline
	// rush. On MongoDB, where other instances write, every call reads the database.
	mu     sync.Mutex
	cached []Period
	gen    uint64
	loaded bool

	// now and zone tell which period is running (Current); nil: the newest is.
	now  func() time.Time
	zone func(context.Context) *time.Location
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	return &Store{db: d, coll: d.Collection("periods")}
}

// WithClock makes Current judge which period is running by the server's clock (now; nil:
// time.Now) in the kabupaten's zone, and returns s.
func (s *Store) WithClock(now func() time.Time, zone func(context.Context) *time.Location) *Store {
	if now == nil {
		now = time.Now
	}
	s.now, s.zone = now, zone
	return s
}

// all returns every period, newest first, from memory when current; callers get copies.
func (s *Store) all(ctx context.Context) ([]Period, error) {
	gen := s.db.Generation("periods") // before the read: a write during it leaves it stale
	if s.db.Embedded {
		s.mu.Lock()
		ps, ok := s.cached, s.loaded && s.gen == gen
		s.mu.Unlock()
		if ok {
			return clonePeriods(ps), nil
		}
	}
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}))
	if err != nil {
		return nil, err
	}
	ps := []Period{}
	if err := cur.All(ctx, &ps); err != nil {
		return nil, err
	}
	if s.db.Embedded {
		s.mu.Lock()
		if !s.loaded || gen >= s.gen {
			s.cached, s.gen, s.loaded = ps, gen, true
		}
		s.mu.Unlock()
	}
	return clonePeriods(ps), nil
}

func clonePeriods(ps []Period) []Period {
	out := make([]Period, len(ps))
	for i, p := range ps {
		out[i] = Period{Year: p.Year, Instruments: slices.Clone(p.Instruments)}
	}
	return out
}

// Validate checks a period: a year, known and distinct instruments (title, when not nil,
// gives the catalog's title of an id, false when unknown), well-formed dates in order
// (opens ≤ self deadline ≤ review deadline). Errors: Invalid with the field (apperr.FieldOf,
// e.g. "instruments[1].self_deadline") and a message that names the instrument by its title.
func (p Period) Validate(title func(id string) (string, bool)) error {
	if p.Year < 2000 || p.Year > 2100 {
		return apperr.InField("year", "Tahun periode %d tidak valid.", p.Year)
	}
	seen := map[string]bool{}
	for i, w := range p.Instruments {
		f := func(name string) string { return fmt.Sprintf("instruments[%d].%s", i, name) }
		name := w.Instrument
		if title != nil {
			t, ok := title(w.Instrument)
			if !ok && w.Instrument != "" {
				return apperr.InField(f("instrument"), "Instrumen %q tidak dikenal.", w.Instrument)
			}
			name = t
		}
		switch {
		case w.Instrument == "":
			return apperr.InField(f("instrument"), "Pilih instrumen jadwal ke-%d.", i+1)
		case seen[w.Instrument]:
			return apperr.InField(f("instrument"), "Instrumen %s disebut dua kali.", name)
		}
		seen[w.Instrument] = true
		for _, d := range []struct {
			field, label string
			day          Day
		}{{"opens", "Tanggal buka", w.Opens}, {"self_deadline", "Batas pengisian", w.SelfDeadline}, {"review_deadline", "Batas reviu", w.ReviewDeadline}} {
			if _, err := ParseDay(f(d.field), string(d.day)); err != nil {
				return apperr.InField(f(d.field), "%s %s: isi tanggal berformat TTTT-BB-HH (mis. 2026-10-31), bukan %q.", d.label, name, d.day)
			}
		}
		if w.SelfDeadline < w.Opens {
			return apperr.InField(f("self_deadline"), "%s: batas pengisian (%s) tidak boleh sebelum tanggal buka (%s).",
				name, w.SelfDeadline.Long(), w.Opens.Long())
		}
		if w.ReviewDeadline < w.SelfDeadline {
			return apperr.InField(f("review_deadline"), "%s: batas reviu (%s) tidak boleh sebelum batas pengisian (%s).",
				name, w.ReviewDeadline.Long(), w.SelfDeadline.Long())
		}
	}
	return nil
}

// Put creates or replaces a period. Errors: Invalid (see Validate; instruments unchecked).
func (s *Store) Put(ctx context.Context, p Period) (err error) {
	defer apperr.Wrap(&err, "period.Put(%d)", p.Year)
	if err := p.Validate(nil); err != nil {
		return err
	}
	return s.db.Put(ctx, "periods", p.Year, p)
}

// Replace writes p under the caller's db.Write (the admin's calendar change, audited in the
// same write). p must have been validated.
func (s *Store) Replace(ctx context.Context, p Period) error {
	_, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.Year}}, p, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("period.Replace(%d): %w", p.Year, err)
	}
	return nil
}

// ByYear returns one period. Errors: NotFound.
func (s *Store) ByYear(ctx context.Context, year int) (_ *Period, err error) {
	defer apperr.Wrap(&err, "period.ByYear(%d)", year)
	ps, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Year == year {
			return &ps[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "Periode %d tidak ditemukan.", year)
}

// List returns every period, newest first.
func (s *Store) List(ctx context.Context) (_ []Period, err error) {
	defer apperr.Wrap(&err, "period.List")
	return s.all(ctx)
}

// Current returns the period a page or an API call uses when none is asked for: the running
// one (see Running) when the store has a clock, otherwise the newest. So a year the admin opens
// ahead of its opening day does not take the dashboard, the rankings or the homes away from the
// year still being answered and reviewed. Errors: NotFound when none exists.
func (s *Store) Current(ctx context.Context) (*Period, error) {
	ps, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	if s.now == nil || s.zone == nil {
		return newest(ps)
	}
	return Running(ps, s.now(), s.zone(ctx))
}

// Newest returns the newest period, opened or not: where the admin prepares a year (its
// assignments). Errors: NotFound when none exists.
func (s *Store) Newest(ctx context.Context) (*Period, error) {
	ps, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	return newest(ps)
}

func newest(ps []Period) (*Period, error) {
	if len(ps) == 0 {
		return nil, apperr.New(apperr.NotFound, "Belum ada periode penilaian.")
	}
	return &ps[0], nil
}

// Running returns the period a page shows when none is asked for, from ps newest first (as
// List gives them): the newest that has opened by now in loc (one of its instruments' opening
// day has come), so that a year the admin opens ahead does not hide the year still being
// answered and reviewed; the newest when none has opened yet. Errors: NotFound when ps is empty.
func Running(ps []Period, now time.Time, loc *time.Location) (*Period, error) {
	if len(ps) == 0 {
		return nil, apperr.New(apperr.NotFound, "Belum ada periode penilaian.")
	}
	today := DayOf(now, loc)
	for i := range ps {
		for _, w := range ps[i].Instruments {
			if w.Opens <= today {
				return &ps[i], nil
			}
		}
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
