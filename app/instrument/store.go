package instrument

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/db"
)

// Stored is an uploaded instrument sheet as kept in the `instruments` collection: the YAML
// itself (parsed again at every start, with the same validation as the embedded sheets).
type Stored struct {
	ID     string    `bson:"_id" json:"id"`
	YAML   string    `bson:"yaml" json:"-"`
	SHA256 string    `bson:"sha256" json:"sha256"`
	By     string    `bson:"by" json:"by"`
	At     time.Time `bson:"at" json:"at"`
}

// Store keeps uploaded instruments.
type Store struct {
	db   *db.DB
	coll *mongo.Collection
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d, coll: d.Collection("instruments")} }

// All returns every uploaded instrument, by id.
func (s *Store) All(ctx context.Context) ([]Stored, error) {
	cur, err := s.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("instrument.All: %w", err)
	}
	out := []Stored{}
	return out, cur.All(ctx, &out)
}

// Put stores an uploaded sheet (replacing an earlier upload of the same id, which the caller
// allows only while no assessment uses it) under the caller's db.Write.
func (s *Store) Put(ctx context.Context, st Stored) error {
	sum := sha256.Sum256([]byte(st.YAML))
	st.SHA256 = hex.EncodeToString(sum[:])
	_, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: st.ID}}, st, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("instrument.Put(%s): %w", st.ID, err)
	}
	return nil
}

// LoadInto parses every uploaded sheet and adds it to cat. A sheet that no longer validates
// stops start-up with its one-line error, as a broken embedded sheet does.
func (s *Store) LoadInto(ctx context.Context, cat *Catalog) error {
	all, err := s.All(ctx)
	if err != nil {
		return err
	}
	for _, st := range all {
		in, err := Parse(st.ID+".yaml (unggahan)", []byte(st.YAML))
		if err != nil {
			return err
		}
		if in.ID != st.ID {
			return fmt.Errorf("uploaded instrument %s holds id %s", st.ID, in.ID)
		}
		if err := cat.Upload(in); err != nil {
			return err
		}
	}
	return nil
}

// versionRe reads an id of the form family-year[-n]: "zi-2021", "zi-2026-2".
var versionRe = regexp.MustCompile(`^(.+)-((?:19|20|21)\d\d)(?:-(\d+))?$`)

// Version splits an instrument id by the catalog's naming rule (family-year, and -2, -3 … for
// a revision within a year): "zi-2026-2" is family "zi", year 2026, revision 2. An id without
// a year is its own family, year 0.
func Version(id string) (family string, year, revision int) {
	m := versionRe.FindStringSubmatch(id)
	if m == nil {
		return id, 0, 0
	}
	year, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		revision, _ = strconv.Atoi(m[3])
	}
	return m[1], year, revision
}

// ForYear picks, per family, the newest instrument whose year is at most year: what a new
// period runs by default (zi-2021 until a zi-2026 is loaded).
func (c *Catalog) ForYear(year int) []*Instrument {
	best := map[string]*Instrument{}
	var order []string
	for _, in := range c.List() {
		fam, y, rev := Version(in.ID)
		if y > year {
			continue
		}
		cur, ok := best[fam]
		if !ok {
			order = append(order, fam)
		}
		if _, cy, crev := Version(idOf(cur)); !ok || y > cy || (y == cy && rev > crev) {
			best[fam] = in
		}
	}
	out := make([]*Instrument, 0, len(order))
	for _, fam := range order {
		out = append(out, best[fam])
	}
	return out
}

func idOf(in *Instrument) string {
	if in == nil {
		return ""
	}
	return in.ID
}
