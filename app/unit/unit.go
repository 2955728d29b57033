// Package unit holds the tree of organisational units: the kabupaten and its kecamatan (and,
// for larger deployments, provinces, OPD or UPT). Rankings compare the children of one parent.
package unit

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/db"
)

// Kind of a unit.
type Kind string

// Unit kinds.
const (
	Kabupaten Kind = "kabupaten"
	Kecamatan Kind = "kecamatan"
	OPD       Kind = "opd"
	UPT       Kind = "upt"
)

// Kinds lists the unit kinds in the order the UI offers them.
var Kinds = []Kind{Kabupaten, Kecamatan, OPD, UPT}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Label is the kind as people read it.
func (k Kind) Label() string {
	switch k {
	case Kabupaten:
		return "Kabupaten"
	case Kecamatan:
		return "Kecamatan"
	case OPD:
		return "Perangkat daerah (OPD)"
	case UPT:
		return "Unit pelaksana teknis (UPT)"
	}
	return string(k)
}

// Unit is one node of the tree. Its code is its _id and appears in URLs. The root (the unit
// without a parent, the kabupaten) carries the kabupaten's time zone, in which every date is
// shown, exported and judged. An inactive unit keeps its history but gets no new assessments.
type Unit struct {
	Code     string `bson:"_id" json:"code"`
	Name     string `bson:"name" json:"name"`
	Kind     Kind   `bson:"kind" json:"kind"`
	Parent   string `bson:"parent,omitempty" json:"parent,omitempty"`
	Active   bool   `bson:"active" json:"active"`
	TimeZone string `bson:"time_zone,omitempty" json:"time_zone,omitempty"`
}

var codeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidCode reports whether s can be a unit code (used in ids like "2026/zi-2021/sukamaju").
func ValidCode(s string) bool { return codeRe.MatchString(s) }

// Store keeps units, and caches the kabupaten's time zone (see Zone).
type Store struct {
	db    *db.DB
	coll  *mongo.Collection
	zones zoneCache
	// units caches ByCode: every save's ranking line names its unit and parent.
	units *db.Cache[string, Unit]
}

// zoneMaxAge is how long the cached zone is trusted on MongoDB, where another instance may
// change it; the embedded engine has one process, whose own writes invalidate it exactly.
const zoneMaxAge = 5 * time.Second

// maxCachedUnits bounds the units kept by code (a national data set has ~7,300 kecamatan; a
// unit is a few hundred bytes).
const maxCachedUnits = 8192

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store {
	s := &Store{db: d, coll: d.Collection("units"), units: db.NewCache[string, Unit](d, maxCachedUnits)}
	if !d.Embedded {
		s.zones.maxAge = zoneMaxAge
	}
	return s
}

// EnsureIndexes creates the index for listing children.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "parent", Value: 1}}})
		return err
	})
}

// Put creates or replaces a unit. Errors: Invalid.
func (s *Store) Put(ctx context.Context, u Unit) (err error) {
	defer apperr.Wrap(&err, "unit.Put(%s)", u.Code)
	if !ValidCode(u.Code) {
		return apperr.New(apperr.Invalid, "Kode unit %q tidak valid.", u.Code)
	}
	if u.Name == "" {
		return apperr.New(apperr.Invalid, "Nama unit wajib diisi.")
	}
	defer s.invalidate()
	return s.db.Put(ctx, "units", u.Code, u)
}

// ByCode returns one unit. Errors: NotFound.
func (s *Store) ByCode(ctx context.Context, code string) (_ *Unit, err error) {
	defer apperr.Wrap(&err, "unit.ByCode(%s)", code)
	u, err := s.units.Get(code, func() (Unit, error) {
		var u Unit
		err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&u)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return u, apperr.New(apperr.NotFound, "Unit %q tidak ditemukan.", code)
		}
		return u, err
	})
	if err != nil {
		return nil, err
	}
	return &u, nil // a copy: callers may change it
}

// invalidate drops what the store caches, after any write of a unit.
func (s *Store) invalidate() {
	s.zones.invalidate()
	s.units.Clear()
}

// List returns all units sorted by name.
func (s *Store) List(ctx context.Context) (_ []Unit, err error) {
	defer apperr.Wrap(&err, "unit.List")
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}}))
	if err != nil {
		return nil, err
	}
	out := []Unit{}
	return out, cur.All(ctx, &out)
}

// Names returns a code → name map of all units, for labelling rankings.
func (s *Store) Names(ctx context.Context) (map[string]string, error) {
	us, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(us))
	for _, u := range us {
		m[u.Code] = u.Name
	}
	return m, nil
}

// Children returns the codes of the direct children of parent.
func (s *Store) Children(ctx context.Context, parent string) (_ []string, err error) {
	defer apperr.Wrap(&err, "unit.Children(%s)", parent)
	cur, err := s.coll.Find(ctx, bson.D{{Key: "parent", Value: parent}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		Code string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.Code)
	}
	return out, nil
}
