package ranking

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
)

// Weight is one instrument's weight in the composite index. Weights are relative: they are
// divided by their sum, so {1, 1, 1} and {2, 2, 2} give the same index.
type Weight struct {
	Instrument string  `bson:"instrument" json:"instrument"`
	Weight     float64 `bson:"weight" json:"weight"`
}

// Weights are the composite index's weights as the admin last saved them. They are kept as a
// list (instrument ids are data, never field names).
type Weights struct {
	Weights   []Weight  `bson:"weights" json:"weights"`
	Rev       int64     `bson:"rev" json:"rev"`
	UpdatedBy string    `bson:"updated_by,omitempty" json:"updated_by,omitempty"`
	UpdatedAt time.Time `bson:"updated_at,omitzero" json:"updated_at,omitzero"`
}

// Of returns the weight of an instrument: as saved, or 1 (equal weights) when never set.
func (w Weights) Of(instrumentID string) float64 {
	for _, x := range w.Weights {
		if x.Instrument == instrumentID {
			return x.Weight
		}
	}
	return 1
}

// maxWeight bounds a weight: relative weights beyond it mean nothing more, and the bound keeps
// the sum finite.
const maxWeight = 1000

// For lists the weight in force for each of insts.
func (w Weights) For(insts []*instrument.Instrument) []Weight {
	out := make([]Weight, len(insts))
	for i, in := range insts {
		out[i] = Weight{Instrument: in.ID, Weight: w.Of(in.ID)}
	}
	return out
}

// ValidateWeights refuses what would make the index meaningless: an unknown or repeated
// instrument, a weight that is negative, not a number or above maxWeight, or weights in effect
// summing to zero. A PUT replaces the whole list, so an instrument left out counts as 1 (the
// default), and the sum is over every instrument of the catalog.
func ValidateWeights(cat *instrument.Catalog, ws []Weight) error {
	seen := map[string]bool{}
	for _, w := range ws {
		if _, ok := cat.Get(w.Instrument); !ok {
			return apperr.New(apperr.Invalid, "Instrumen %q tidak dikenal.", w.Instrument)
		}
		if seen[w.Instrument] {
			return apperr.New(apperr.Invalid, "Bobot instrumen %s diisi lebih dari sekali.", w.Instrument)
		}
		seen[w.Instrument] = true
		switch {
		case math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0):
			return apperr.New(apperr.Invalid, "Bobot instrumen %s harus berupa angka.", w.Instrument)
		case w.Weight < 0:
			return apperr.New(apperr.Invalid, "Bobot instrumen %s tidak boleh negatif.", w.Instrument)
		case w.Weight > maxWeight:
			return apperr.New(apperr.Invalid, "Bobot instrumen %s paling besar %d; bobot bersifat relatif (1 dan 2 sama artinya dengan 10 dan 20).", w.Instrument, maxWeight)
		}
	}
	eff := Weights{Weights: ws}
	var sum float64
	for _, in := range cat.List() {
		sum += eff.Of(in.ID)
	}
	if len(ws) == 0 || sum == 0 {
		return apperr.New(apperr.Invalid, "Jumlah bobot harus lebih dari nol: beri bobot pada setidaknya satu instrumen.")
	}
	return nil
}

// Settings keeps the composite weights in the settings collection, one document by _id.
type Settings struct {
	db    *db.DB
	coll  *mongo.Collection
	audit Appender
}

// NewSettings returns Settings on d.
func NewSettings(d *db.DB) *Settings { return &Settings{db: d, coll: d.Collection("settings")} }

// Appender records a change in the audit log, inside the write that makes it (audit.Log).
type Appender interface {
	Append(ctx context.Context, e audit.Event) error
}

// WithAudit makes weight changes recorded in the audit log; it returns s.
func (s *Settings) WithAudit(a Appender) *Settings {
	s.audit = a
	return s
}

const weightsID = "composite_weights"

// Weights returns the saved weights; none saved yet means equal weights (an empty list).
func (s *Settings) Weights(ctx context.Context) (_ Weights, err error) {
	defer apperr.Wrap(&err, "ranking.Weights")
	var w Weights
	err = s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: weightsID}}).Decode(&w)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return Weights{}, nil
	}
	return w, err
}

// SetWeights validates and saves new weights if the stored rev is still rev (409 otherwise).
// An invalid list is refused before anything is written, so the previous weights stay.
func (s *Settings) SetWeights(ctx context.Context, cat *instrument.Catalog, ws []Weight, rev int64, by string, now time.Time) (_ Weights, err error) {
	defer apperr.Wrap(&err, "ranking.SetWeights")
	if err := ValidateWeights(cat, ws); err != nil {
		return Weights{}, err
	}
	out := Weights{Weights: ws, Rev: rev + 1, UpdatedBy: by, UpdatedAt: now.UTC()}
	err = s.db.Write(ctx, func(ctx context.Context) error {
		cur, err := s.Weights(ctx)
		if err != nil {
			return err
		}
		if cur.Rev != rev {
			return apperr.WithDetail(apperr.Conflict, cur, "Bobot indeks komposit baru saja diubah oleh %s. Muat ulang lalu ulangi.", cur.UpdatedBy)
		}
		doc := struct {
			ID      string `bson:"_id"`
			Weights `bson:",inline"`
		}{weightsID, out}
		ok, err := s.db.ReplaceIfRev(ctx, "settings", weightsID, rev, doc)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "Bobot indeks komposit baru saja diubah. Muat ulang lalu ulangi.")
		}
		if s.audit == nil {
			return nil
		}
		parts := make([]string, len(ws))
		for i, w := range ws {
			parts[i] = fmt.Sprintf("%s=%s", w.Instrument, strings.Replace(strconv.FormatFloat(w.Weight, 'f', -1, 64), ".", ",", 1))
		}
		return s.audit.Append(ctx, audit.Event{At: out.UpdatedAt, Actor: by, Action: audit.WeightsPut, Target: weightsID, Detail: strings.Join(parts, "; ")})
	})
	return out, err
}

// Part is one instrument's share of a unit's composite index.
type Part struct {
	Instrument string  `json:"instrument"`
	Share      float64 `json:"share"`    // the weight divided by the sum of weights, 0–1
	Score      float64 `json:"score"`    // the instrument's score normalized to 0–100
	Points     float64 `json:"points"`   // Share × Score: what it adds to the index
	Final      bool    `json:"final"`    // the score is the evaluator's
	Assessed   bool    `json:"assessed"` // false: the unit has no assessment of it (adds 0)
}

// CompositeRow is one unit's composite index.
type CompositeRow struct {
	Unit  string  `json:"unit"`
	Name  string  `json:"name"`
	Rank  int     `json:"rank"`
	Index float64 `json:"index"` // 0–100, rounded to 2 decimals
	// Final is true when every part is the evaluator's score.
	Final bool   `json:"final"`
	Parts []Part `json:"parts"`
}

// Composite combines per-instrument rankings into one index: each score normalized to 0–100
// by its instrument's scale_max (PEKPPP's 0–5 becomes comparable to ZI's 0–100), weighted by
// w and summed. A unit missing an instrument gets 0 for it, which the parts make visible. The
// index is computed exactly from the rounded scores (score / scale_max × 100 × weight / Σ
// weights) and rounded once, half away from zero; each part's score and points are rounded for
// display the same way, so a reader may find the index a hundredth off the sum of the rounded
// points, never off the exact sum.
func Composite(insts []*instrument.Instrument, rows map[string][]Row, w Weights) []CompositeRow {
	sum := new(big.Rat)
	for _, in := range insts {
		sum.Add(sum, num.Exact(w.Of(in.ID)))
	}
	byUnit := map[string]*CompositeRow{}
	var order []string
	index := map[string]map[string]Row{} // instrument → unit → row
	for _, in := range insts {
		index[in.ID] = make(map[string]Row, len(rows[in.ID]))
		for _, r := range rows[in.ID] {
			index[in.ID][r.Unit] = r
			if _, ok := byUnit[r.Unit]; !ok {
				byUnit[r.Unit] = &CompositeRow{Unit: r.Unit, Name: r.Name, Final: true}
				order = append(order, r.Unit)
			}
		}
	}
	hundred := big.NewRat(100, 1)
	for _, code := range order {
		c := byUnit[code]
		total := new(big.Rat)
		for _, in := range insts {
			p := Part{Instrument: in.ID}
			share, score := new(big.Rat), new(big.Rat)
			if sum.Sign() > 0 {
				share.Quo(num.Exact(w.Of(in.ID)), sum)
			}
			if r, ok := index[in.ID][code]; ok {
				p.Assessed, p.Final = true, r.IsFinal()
				if x := num.Ratio(r.Score, in.ScaleMax); x != nil {
					score.Mul(x, hundred)
				}
			}
			points := new(big.Rat).Mul(share, score)
			total.Add(total, points)
			if share.Sign() > 0 && !p.Final {
				c.Final = false
			}
			p.Share, _ = share.Float64()
			p.Score, p.Points = num.Round(score), num.Round(points)
			c.Parts = append(c.Parts, p)
		}
		c.Index = num.Round(total)
	}
	out := make([]CompositeRow, 0, len(order))
	for _, code := range order {
		out = append(out, *byUnit[code])
	}
	rankBy(out, func(r *CompositeRow) (float64, string) { return r.Index, r.Name }, func(r *CompositeRow, n int) { r.Rank = n })
	return out
}
