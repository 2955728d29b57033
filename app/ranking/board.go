package ranking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/unit"
)

// Entry is one unit's line on a board: what a ranking, the dashboard and its charts need of an
// assessment, copied from the stored assessment after every change.
type Entry struct {
	Unit        string               `bson:"unit"`
	Name        string               `bson:"name"`
	Parent      string               `bson:"parent,omitempty"`
	Rev         int64                `bson:"rev"`
	SheetRev    int64                `bson:"sr"`
	Status      assessment.Status    `bson:"status"`
	Self        assessment.Snapshot  `bson:"self"`
	Final       *assessment.Snapshot `bson:"final,omitempty"`
	Progress    assessment.Progress  `bson:"progress"`
	SubmittedAt *time.Time           `bson:"submitted_at,omitempty"`
	FinalizedAt *time.Time           `bson:"finalized_at,omitempty"`
	FinalizedBy string               `bson:"finalized_by,omitempty"`
}

// boardDoc is the bucket of one parent unit's children for one period and instrument:
// {_id: "2026/zi-2021/kab-contoh", rows: {unit: …}}: one kabupaten's kecamatan, or one
// province's kabupaten. A save rewrites a line of its unit's siblings only, so its cost does
// not grow with the country; wider views (Rows) read every parent's board of the period and
// instrument, listed in an index document {_id: "idx/2026/zi-2021", parents: [...]}.
//
// Why buckets: the embedded engine answers no filter but _id from an index and decodes every
// document it scans, so listing the assessments of one period costs a scan of every period and
// instrument (≈2 s at 700 units, minutes at the national 7,277). Board documents are read by
// _id. Rows are keyed by unit code (codes never hold dots or $), so one unit's change is a
// single $set of "rows.<code>", atomic on MongoDB.
//
// Why each line is stored as BSON bytes beside its two version numbers rather than as a
// sub-document: the embedded engine decodes every value of a document it reads or updates, and
// a line has some forty. Measured on a 7,277-unit board: as sub-documents a read took 1.4 s and
// one unit's update 1.1 s; as bytes, see BENCHMARKS in the README. The versions stay plain
// fields because MongoDB's update filter compares them.
type boardDoc struct {
	ID         string                `bson:"_id"`
	Period     int                   `bson:"period"`
	Instrument string                `bson:"instrument"`
	Parent     string                `bson:"parent"`
	Rows       map[string]storedLine `bson:"rows"`
}

// indexDoc lists the parents that have a board for one period and instrument.
type indexDoc struct {
	ID      string   `bson:"_id"`
	Parents []string `bson:"parents"`
}

// storedLine is one Entry as kept in a board.
type storedLine struct {
	Rev      int64  `bson:"rev"`
	SheetRev int64  `bson:"sr"`
	Data     []byte `bson:"b"` // the Entry, BSON-encoded
}

func lineOf(e Entry) (storedLine, error) {
	b, err := bson.Marshal(e)
	if err != nil {
		return storedLine{}, fmt.Errorf("encoding the board line of %s: %w", e.Unit, err)
	}
	return storedLine{Rev: e.Rev, SheetRev: e.SheetRev, Data: b}, nil
}

// UnitLookup finds one unit (its name and parent go on the board).
type UnitLookup interface {
	ByCode(ctx context.Context, code string) (*unit.Unit, error)
}

// AssessmentReader reads stored assessments.
type AssessmentReader interface {
	ByID(ctx context.Context, id string) (*assessment.Assessment, error)
	List(ctx context.Context, f assessment.Filter) ([]assessment.Assessment, error)
}

// Board keeps the per-parent buckets and an in-process cache of what they hold: each parent's
// lines, and each period and instrument's ranking. Writes to an assessment call Record, which
// updates its parent's bucket and drops that parent's lines and the ranking built on them, so
// a page view never re-reads, let alone re-scores, anything that has not changed.
type Board struct {
	db          *db.DB
	coll        *mongo.Collection
	catalog     *instrument.Catalog
	units       UnitLookup
	assessments AssessmentReader
	// maxAge bounds how long a cached ranking is trusted. With the embedded engine this
	// process is the only writer, so invalidation is exact and maxAge is 0 (forever); several
	// instances on one MongoDB each see only their own writes, so there it is a few seconds.
	maxAge time.Duration
	now    func() time.Time

	mu     sync.Mutex
	ranked map[string]cached      // "2026/zi-2021" → ranking of every unit
	lines  map[string]cachedLines // board id → its entries
	// gen counts the invalidations of each key (of either map): a read that started before a
	// Record must not put its older data back into the cache.
	gen map[string]uint64
	// version counts every change of any board, for caches built on rankings (the dashboard).
	version uint64
	// loads shares one load among readers that miss the cache at once (after a save, twenty
	// readers would otherwise each read and rank the same board); keyed with the generation,
	// so a reader after an invalidation never joins a load that began before it.
	loads singleflight.Group
}

type cached struct {
	rows []Row
	at   time.Time
	json []byte // rows as JSON, encoded on the first API read (readers at thousands a second)
}

type cachedLines struct {
	entries []Entry
	at      time.Time
}

// NewBoard returns a Board on d.
func NewBoard(d *db.DB, cat *instrument.Catalog, units UnitLookup, as AssessmentReader, maxAge time.Duration) *Board {
	return &Board{db: d, coll: d.Collection("boards"), catalog: cat, units: units, assessments: as,
		maxAge: maxAge, now: time.Now, ranked: map[string]cached{}, lines: map[string]cachedLines{}, gen: map[string]uint64{}}
}

// rankKey names the ranking of one period and instrument (the index document is "idx/"+it).
func rankKey(year int, instrumentID string) string { return fmt.Sprintf("%d/%s", year, instrumentID) }

// noParent stands for the parent of a root unit in a board id.
const noParent = "_"

func boardID(year int, instrumentID, parent string) string {
	if parent == "" {
		parent = noParent
	}
	return rankKey(year, instrumentID) + "/" + parent
}

func indexID(year int, instrumentID string) string { return "idx/" + rankKey(year, instrumentID) }

// Version changes whenever any board changes: a cache of something built from rankings is
// current while it is the same.
func (b *Board) Version() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.version
}

// Record copies the stored assessment id onto its parent's board. The caller holds the
// database's write lock (assessment.Store calls it inside its writes), so on the embedded
// engine the assessment read here is the latest. On MongoDB, concurrent recorders may finish
// out of order, so the update only lands when the board does not already hold a later status
// (rev) or a later sheet (sr): both only grow.
func (b *Board) Record(ctx context.Context, id string) (err error) {
	defer apperr.Wrap(&err, "ranking.Record(%s)", id)
	a, err := b.assessments.ByID(ctx, id)
	if err != nil {
		return err
	}
	return b.RecordLines(ctx, []*assessment.Assessment{a})
}

// RecordLines is Record for assessments the caller has just stored and holds (the save path:
// no read back under the write lock). On the embedded engine the lines of one board are
// written in one update; on MongoDB each line is its own conditioned update.
func (b *Board) RecordLines(ctx context.Context, as []*assessment.Assessment) (err error) {
	defer apperr.Wrap(&err, "ranking.RecordLines")
	type update struct {
		year         int
		inst, parent string
		filter, set  bson.D
	}
	var updates []*update
	byBoard := map[string]*update{}
	for _, a := range as {
		e, err := b.entryOf(ctx, a)
		if err != nil {
			return err
		}
		line, err := lineOf(e)
		if err != nil {
			return err
		}
		key := boardID(a.Period, a.Instrument, e.Parent)
		u, ok := byBoard[key]
		if !ok || !b.db.Embedded {
			u = &update{year: a.Period, inst: a.Instrument, parent: e.Parent, filter: bson.D{{Key: "_id", Value: key}},
				set: bson.D{{Key: "period", Value: a.Period}, {Key: "instrument", Value: a.Instrument}, {Key: "parent", Value: e.Parent}}}
			if !b.db.Embedded { // see db.SetIfNewer: on the embedded engine the caller holds the write lock
				u.filter = append(u.filter, bson.E{Key: "$nor", Value: bson.A{
					bson.D{{Key: "rows." + a.Unit + ".rev", Value: bson.D{{Key: "$gt", Value: e.Rev}}}},
					bson.D{{Key: "rows." + a.Unit + ".sr", Value: bson.D{{Key: "$gt", Value: e.SheetRev}}}},
				}})
			}
			byBoard[key] = u
			updates = append(updates, u)
		}
		u.set = append(u.set, bson.E{Key: "rows." + a.Unit, Value: line})
	}
	defer func() {
		for _, u := range updates {
			b.invalidate(rankKey(u.year, u.inst), boardID(u.year, u.inst, u.parent))
		}
	}()
	for _, u := range updates {
		res, err := b.coll.UpdateOne(ctx, u.filter, bson.D{{Key: "$set", Value: u.set}}, options.UpdateOne().SetUpsert(true))
		if mongo.IsDuplicateKeyError(err) {
			continue // the board holds a later version of this unit: nothing to do
		}
		if err != nil {
			return err
		}
		if res.UpsertedCount > 0 {
			if err := b.indexParent(ctx, u.year, u.inst, u.parent); err != nil { // a parent's first board
				return err
			}
		}
	}
	return nil
}

// indexParent lists parent among the boards of a period and instrument.
func (b *Board) indexParent(ctx context.Context, year int, instrumentID, parent string) error {
	_, err := b.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: indexID(year, instrumentID)}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "parents", Value: cmpOr(parent, noParent)}}}}, options.UpdateOne().SetUpsert(true))
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// entryOf builds a's board line. Only the areas down to depth 1 are kept (the heatmap and
// radar compare those); the drill-down reads the assessment itself for the rest.
func (b *Board) entryOf(ctx context.Context, a *assessment.Assessment) (Entry, error) {
	u, err := b.units.ByCode(ctx, a.Unit)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{Unit: a.Unit, Name: u.Name, Parent: u.Parent, Rev: a.Rev, SheetRev: a.SheetRev, Status: a.Status,
		Self: a.Self, Final: a.Final, Progress: a.Progress, SubmittedAt: a.SubmittedAt, FinalizedAt: a.FinalizedAt, FinalizedBy: a.FinalizedBy}
	if inst, ok := b.catalog.Get(a.Instrument); ok {
		e.Self.Nodes = topAreas(inst, e.Self.Nodes)
		if e.Final != nil {
			f := *e.Final
			f.Nodes = topAreas(inst, f.Nodes)
			e.Final = &f
		}
	}
	return e, nil
}

// topAreas keeps the nodes of depth 0 and 1, in sheet order.
func topAreas(inst *instrument.Instrument, nodes assessment.Nodes) assessment.Nodes {
	keep := map[string]bool{}
	inst.Walk(func(a *instrument.Area, depth int) {
		if depth <= 1 {
			keep[a.Code] = true
		}
	})
	out := make(assessment.Nodes, 0, len(keep))
	for _, n := range nodes {
		if keep[n.Code] {
			out = append(out, n)
		}
	}
	return out
}

// Rebuild recomputes the boards of one period and instrument from the stored assessments (a
// scan, so only at start-up for boards that do not exist yet, and after bulk loads).
func (b *Board) Rebuild(ctx context.Context, year int, instrumentID string) (err error) {
	defer apperr.Wrap(&err, "ranking.Rebuild(%d/%s)", year, instrumentID)
	defer b.invalidateAll(rankKey(year, instrumentID))
	return b.db.Write(ctx, func(ctx context.Context) error {
		as, err := b.assessments.List(ctx, assessment.Filter{Period: year, Instrument: instrumentID})
		if err != nil {
			return err
		}
		docs := map[string]*boardDoc{}
		var parents []string
		for i := range as {
			e, err := b.entryOf(ctx, &as[i])
			if err != nil {
				return err
			}
			parent := cmpOr(e.Parent, noParent)
			doc, ok := docs[parent]
			if !ok {
				doc = &boardDoc{ID: boardID(year, instrumentID, e.Parent), Period: year, Instrument: instrumentID, Parent: e.Parent, Rows: map[string]storedLine{}}
				docs[parent] = doc
				parents = append(parents, parent)
			}
			if doc.Rows[e.Unit], err = lineOf(e); err != nil {
				return err
			}
		}
		for _, p := range parents {
			if _, err := b.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: docs[p].ID}}, docs[p], options.Replace().SetUpsert(true)); err != nil {
				return err
			}
		}
		slices.Sort(parents)
		_, err = b.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: indexID(year, instrumentID)}},
			indexDoc{ID: indexID(year, instrumentID), Parents: append([]string{}, parents...)}, options.Replace().SetUpsert(true))
		return err
	})
}

// EnsureBuilt rebuilds the boards of the given periods and instruments that have none yet: a
// data directory written before boards existed (or before boards per parent), or after a
// restore of assessments.
func (b *Board) EnsureBuilt(ctx context.Context, years []int, instrumentIDs []string) error {
	for _, y := range years {
		for _, id := range instrumentIDs {
			n, err := b.coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: indexID(y, id)}})
			if err != nil {
				return fmt.Errorf("ranking: checking board %d/%s: %w", y, id, err)
			}
			if n == 0 {
				if err := b.Rebuild(ctx, y, id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// DropPeriodBoards removes boards of the earlier layout, one document per period and
// instrument ({_id: "2026/zi-2021", rows}); EnsureBuilt then builds the boards per parent.
func (b *Board) DropPeriodBoards(ctx context.Context) error {
	return b.db.Write(ctx, func(ctx context.Context) error {
		_, err := b.coll.DeleteMany(ctx, bson.D{{Key: "parent", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "rows", Value: bson.D{{Key: "$exists", Value: true}}}})
		return err
	})
}

// parentsOf lists the parents with a board for one period and instrument.
func (b *Board) parentsOf(ctx context.Context, year int, instrumentID string) ([]string, error) {
	var idx indexDoc
	err := b.coll.FindOne(ctx, bson.D{{Key: "_id", Value: indexID(year, instrumentID)}}).Decode(&idx)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	return idx.Parents, err
}

// parentEntries returns the lines of one parent's board, from the cache when it holds them.
func (b *Board) parentEntries(ctx context.Context, year int, instrumentID, parent string) ([]Entry, error) {
	if parent == noParent {
		parent = ""
	}
	key := boardID(year, instrumentID, parent)
	b.mu.Lock()
	c, ok := b.lines[key]
	gen := b.gen[key]
	b.mu.Unlock()
	if ok && (b.maxAge == 0 || b.now().Sub(c.at) < b.maxAge) {
		return c.entries, nil
	}
	v, err, _ := b.loads.Do(fmt.Sprintf("lines %s#%d", key, gen), func() (any, error) {
		at := b.now()
		var doc boardDoc
		err := b.coll.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return []Entry(nil), nil
		}
		if err != nil {
			return nil, err
		}
		out := make([]Entry, 0, len(doc.Rows))
		for code, line := range doc.Rows {
			var e Entry
			if err := bson.Unmarshal(line.Data, &e); err != nil {
				return nil, fmt.Errorf("board line %s: %w", code, err)
			}
			e.Unit = code
			out = append(out, e)
		}
		b.mu.Lock()
		if b.gen[key] == gen {
			b.lines[key] = cachedLines{entries: out, at: at}
		}
		b.mu.Unlock()
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]Entry), nil
}

// Entries returns the board lines of one period and instrument, every parent's, unranked.
func (b *Board) Entries(ctx context.Context, year int, instrumentID string) (_ []Entry, err error) {
	defer apperr.Wrap(&err, "ranking.Entries(%d/%s)", year, instrumentID)
	parents, err := b.parentsOf(ctx, year, instrumentID)
	if err != nil {
		return nil, err
	}
	out := []Entry{}
	for _, p := range parents {
		es, err := b.parentEntries(ctx, year, instrumentID, p)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

// Rows ranks every unit of one period and instrument, from the cache when it holds them. The
// slice is shared with other readers: callers must not modify it.
func (b *Board) Rows(ctx context.Context, year int, instrumentID string) ([]Row, error) {
	key := rankKey(year, instrumentID)
	b.mu.Lock()
	c, ok := b.ranked[key]
	gen := b.gen[key]
	b.mu.Unlock()
	if ok && (b.maxAge == 0 || b.now().Sub(c.at) < b.maxAge) {
		return c.rows, nil
	}
	v, err, _ := b.loads.Do(fmt.Sprintf("rank %s#%d", key, gen), func() (any, error) {
		at := b.now()
		es, err := b.Entries(ctx, year, instrumentID)
		if err != nil {
			return nil, err
		}
		rows := Rank(es)
		b.mu.Lock()
		if b.gen[key] == gen {
			b.ranked[key] = cached{rows: rows, at: at}
		}
		b.mu.Unlock()
		return rows, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]Row), nil
}

// RowsJSON is Rows encoded as a JSON array, kept with the cached rows so that the rankings API
// encodes a ranking once per change, not once per read.
func (b *Board) RowsJSON(ctx context.Context, year int, instrumentID string) (json.RawMessage, error) {
	key := rankKey(year, instrumentID)
	b.mu.Lock()
	c, ok := b.ranked[key]
	gen := b.gen[key]
	b.mu.Unlock()
	if ok && c.json != nil && (b.maxAge == 0 || b.now().Sub(c.at) < b.maxAge) {
		return c.json, nil
	}
	rows, err := b.Rows(ctx, year, instrumentID)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []Row{}
	}
	j, err := json.Marshal(rows)
	if err != nil {
		return nil, fmt.Errorf("ranking %s as JSON: %w", key, err)
	}
	b.mu.Lock()
	if c, ok := b.ranked[key]; ok && b.gen[key] == gen && len(c.rows) == len(rows) && (len(rows) == 0 || &c.rows[0] == &rows[0]) {
		c.json = j
		b.ranked[key] = c
	}
	b.mu.Unlock()
	return j, nil
}

// Ranking ranks the children of parent (every unit when parent is empty) on one period and
// instrument: one parent's board only. Ranks are recomputed among the siblings.
func (b *Board) Ranking(ctx context.Context, year int, instrumentID, parent string) ([]Row, error) {
	if parent == "" {
		return b.Rows(ctx, year, instrumentID)
	}
	es, err := b.parentEntries(ctx, year, instrumentID, parent)
	if err != nil {
		return nil, err
	}
	return Rank(es), nil
}

// invalidate drops the cached data under keys.
func (b *Board) invalidate(keys ...string) {
	b.mu.Lock()
	for _, k := range keys {
		delete(b.ranked, k)
		delete(b.lines, k)
		b.gen[k]++
	}
	b.version++
	b.mu.Unlock()
}

// invalidateAll drops the ranking under key and every parent's lines of it.
func (b *Board) invalidateAll(key string) {
	b.mu.Lock()
	for k := range b.lines {
		if strings.HasPrefix(k, key+"/") {
			delete(b.lines, k)
			b.gen[k]++
		}
	}
	b.mu.Unlock()
	b.invalidate(key)
}
