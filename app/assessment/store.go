package assessment

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Store keeps assessments and their sheets.
type Store struct {
	db          *db.DB
	assessments *mongo.Collection
	sheets      *mongo.Collection
	history     *mongo.Collection
	refs        *mongo.Collection
	board       Board
	// replaceSheet writes a sheet conditioned on the rev read (db.ReplaceIfRev); a test
	// replaces it to make a write lose its race on the embedded engine too.
	replaceSheet func(ctx context.Context, id string, rev int64, sh *Sheet) (bool, error)
	// cached holds each sheet as this process last wrote or read it (BSON), on the embedded
	// engine only: there this process is the only writer, and every sheet write goes through
	// this store, so a save need not read its ~50 KB sheet back from the engine (measured:
	// 8 ms of a 20 ms save, under the write lock). Nil on MongoDB, where other instances write.
	cached *db.Cache[string, bson.Raw]
	// cachedA holds assessments the same way (embedded only): every write of one goes through
	// this store and forgets or refreshes its entry.
	cachedA *db.Cache[string, bson.Raw]
	// queue holds the writes waiting for the write lock, per sheet (see Service.Apply).
	queue writeQueue
}

// Board is told of every stored change to an assessment's status, snapshots or progress, so
// the per-period boards that rankings read stay in step (ranking.Board implements it). It is
// called inside the store's write, holding the write lock: Record with the assessment's id,
// RecordLines with assessments as just stored (no read back; several at once after a group
// of saves).
type Board interface {
	Record(ctx context.Context, id string) error
	RecordLines(ctx context.Context, as []*Assessment) error
}

// DB is the database the store writes to (benchmarks compare raw writes on it).
func (s *Store) DB() *db.DB { return s.db }

// SetBoard connects the board that follows this store's writes.
func (s *Store) SetBoard(b Board) { s.board = b }

// recorded hands the assessment id to the board, if one is connected.
func (s *Store) recorded(ctx context.Context, id string) error {
	if s.board == nil {
		return nil
	}
	return s.board.Record(ctx, id)
}

// recordedLines hands assessments as just stored to the board, if one is connected.
func (s *Store) recordedLines(ctx context.Context, as []*Assessment) error {
	if s.board == nil || len(as) == 0 {
		return nil
	}
	return s.board.RecordLines(ctx, as)
}

// maxCachedSheets bounds the sheet cache: a ZI sheet in full is about 50 KB of BSON, so at
// most ~12 MB, whatever the number of units (the budget is 150 MB RSS with the national data).
const maxCachedSheets = 256

// maxCachedAssessments bounds the assessment cache (about 1–5 KB each: at most ~20 MB).
const maxCachedAssessments = 4096

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	s := &Store{db: d, assessments: d.Collection("assessments"), sheets: d.Collection("sheets"), history: d.Collection("history"), refs: d.Collection("evidence_refs")}
	if d.Embedded {
		s.cached = db.NewCache[string, bson.Raw](d, maxCachedSheets)
		s.cachedA = db.NewCache[string, bson.Raw](d, maxCachedAssessments)
	}
	s.replaceSheet = func(ctx context.Context, id string, rev int64, sh *Sheet) (bool, error) {
		raw, err := bson.Marshal(sh)
		if err != nil {
			return false, fmt.Errorf("encoding sheet %s: %w", id, err)
		}
		landed, err := d.ReplaceIfRev(ctx, "sheets", id, rev, bson.Raw(raw))
		if s.cached != nil {
			if landed && err == nil {
				s.cached.Put(id, raw)
			} else {
				s.cached.Forget(id) // read it again: someone else's write is there
			}
		}
		return landed, err
	}
	return s
}

// EnsureIndexes creates the index of the listing filter.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		// One at a time: the embedded engine panics on createIndexes with several indexes
		// that already exist (seen with FerretDB v1.24.2 on the second start).
		for _, keys := range []bson.D{
			{{Key: "period", Value: 1}, {Key: "instrument", Value: 1}},
			{{Key: "unit", Value: 1}},
		} {
			if _, err := s.assessments.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: keys}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Put writes an assessment and its sheet whole (seeding, rescoring), the sheet taking the
// assessment's flow. The sheet goes first:
// the assessment's snapshot is derived from it, so a crash in between leaves a state that
// rescoring repairs.
func (s *Store) Put(ctx context.Context, a *Assessment, sh *Sheet) (err error) {
	defer apperr.Wrap(&err, "assessment.Put(%s)", a.ID)
	if sh != nil { // written whole, both: the sheet carries the assessment's flow
		f := a.Flow
		sh.Flow = &f
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		if sh != nil {
			if s.cached != nil {
				defer s.cached.Forget(sh.ID)
			}
			if _, err := s.sheets.ReplaceOne(ctx, bson.D{{Key: "_id", Value: sh.ID}}, sh, options.Replace().SetUpsert(true)); err != nil {
				return err
			}
		}
		defer s.forget(a.ID)
		if _, err := s.assessments.ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, a, options.Replace().SetUpsert(true)); err != nil {
			return err
		}
		return s.recorded(ctx, a.ID)
	})
}

// ByID returns one assessment. Errors: NotFound.
func (s *Store) ByID(ctx context.Context, id string) (_ *Assessment, err error) {
	defer apperr.Wrap(&err, "assessment.ByID(%s)", id)
	var a Assessment
	if s.cachedA == nil {
		err = s.assessments.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&a)
	} else {
		var raw bson.Raw
		raw, err = s.cachedA.Get(id, func() (bson.Raw, error) { return s.assessments.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw() })
		if err == nil {
			err = bson.Unmarshal(raw, &a) // decoded afresh each time: callers change their copy
		}
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, apperr.New(apperr.NotFound, "%s", notFoundText(id))
	}
	return &a, err
}

// forget drops the cached copies of assessment id, after a write other than a save's.
func (s *Store) forget(id string) {
	if s.cachedA != nil {
		s.cachedA.Forget(id)
	}
}

// storeDerived writes what a save derived on the assessment (status copy, snapshots,
// progress), unless the stored one already derives from sheet rev sheetRev or later. On the
// embedded engine, under the write lock, a was read whole under that lock: it is replaced
// whole by _id (cheaper there than a conditional update, which the engine answers with a scan)
// and kept in the cache as written.
func (s *Store) storeDerived(ctx context.Context, a *Assessment, set bson.D) error {
	if s.cachedA == nil {
		return s.db.SetIfNewer(ctx, "assessments", a.ID, "sheet_rev", a.SheetRev, set)
	}
	raw, err := bson.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := s.assessments.ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, bson.Raw(raw)); err != nil {
		s.cachedA.Forget(a.ID)
		return err
	}
	s.cachedA.Put(a.ID, raw)
	return nil
}

// Sheet returns the answers of one assessment; a missing sheet is an empty one.
func (s *Store) Sheet(ctx context.Context, id string) (_ *Sheet, err error) {
	defer apperr.Wrap(&err, "assessment.Sheet(%s)", id)
	if s.cached == nil {
		var sh Sheet
		err = s.sheets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&sh)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return &Sheet{ID: id}, nil
		}
		return &sh, err
	}
	raw, err := s.cached.Get(id, func() (bson.Raw, error) {
		raw, err := s.sheets.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil, nil // none yet: an empty sheet
		}
		return raw, err
	})
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return &Sheet{ID: id}, nil
	}
	var sh Sheet // decoded afresh each time: callers change their copy
	if err := bson.Unmarshal(raw, &sh); err != nil {
		return nil, err
	}
	return &sh, nil
}

// Filter narrows List; zero fields match everything. Units, when non-nil, restricts the
// result to those units (an empty non-nil slice matches nothing).
type Filter struct {
	Period     int
	Instrument string
	Unit       string
	Units      []string
}

// List returns the assessments matching f, ordered by period (newest first), instrument, unit.
func (s *Store) List(ctx context.Context, f Filter) (_ []Assessment, err error) {
	defer apperr.Wrap(&err, "assessment.List")
	q := bson.D{}
	if f.Period != 0 {
		q = append(q, bson.E{Key: "period", Value: f.Period})
	}
	if f.Instrument != "" {
		q = append(q, bson.E{Key: "instrument", Value: f.Instrument})
	}
	if f.Unit != "" {
		q = append(q, bson.E{Key: "unit", Value: f.Unit})
	}
	if f.Units != nil {
		if len(f.Units) == 0 {
			return []Assessment{}, nil
		}
		q = append(q, bson.E{Key: "unit", Value: bson.D{{Key: "$in", Value: f.Units}}})
	}
	cur, err := s.assessments.Find(ctx, q, options.Find().SetSort(bson.D{{Key: "period", Value: -1}, {Key: "instrument", Value: 1}, {Key: "unit", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := []Assessment{}
	return out, cur.All(ctx, &out)
}

// Count returns the number of assessments stored.
func (s *Store) Count(ctx context.Context) (int64, error) {
	return s.assessments.CountDocuments(ctx, bson.D{})
}

func isNoDocuments(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }

// notFoundText says in words which assessment is missing ("Penilaian zi-2021 tahun 2031 untuk
// unit sukamaju tidak ditemukan"), not by its id.
func notFoundText(id string) string {
	if y, inst, unit, ok := ParseID(id); ok {
		return fmt.Sprintf("Belum ada penilaian %s tahun %d untuk unit %s.", inst, y, unit)
	}
	return "Penilaian tidak ditemukan."
}
