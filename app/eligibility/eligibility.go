// Package eligibility holds the checklist KemenPANRB applies before a unit may be proposed for a
// predicate (ZI: WBK, WBBM), beside its score: the facts the admin enters once a year (the
// kabupaten's BPK opinion, SPIP maturity, SAKIP value and Indeks RB; each unit's follow-up of
// audit findings and survey report), and the judgement of an instrument's conditions
// (instrument.Eligibility) on them and on the unit's earlier final results.
package eligibility

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
)

// Value is one entered fact: an option of a choice fact, or a number. Exactly one is set.
type Value struct {
	Option string   `bson:"option,omitempty" json:"option,omitempty"`
	Number *float64 `bson:"number,omitempty" json:"number,omitempty"`
}

// Text is the value as a person reads it: the option, or the number with a decimal comma (and
// % for a percent fact).
func (v Value) Text(f instrument.Fact) string {
	if v.Number == nil {
		return v.Option
	}
	if f.Kind == instrument.KindPercent {
		return num.ID(*v.Number) + "%"
	}
	return num.ID(*v.Number)
}

// MarshalJSON writes a value the way the API takes it: a string for an option, a number.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.Number != nil {
		return json.Marshal(*v.Number)
	}
	return json.Marshal(v.Option)
}

// UnitFacts are one unit's unit-level facts.
type UnitFacts struct {
	Unit   string           `bson:"unit" json:"unit"`
	Values map[string]Value `bson:"values" json:"values"`
}

// Facts are what the admin entered for one kabupaten, instrument and year: kabupaten-level
// values and each unit's unit-level values. Rev guards concurrent edits (0: nothing saved yet).
type Facts struct {
	Year       int              `bson:"year" json:"period"`
	Instrument string           `bson:"instrument" json:"instrument"`
	Kabupaten  string           `bson:"kabupaten" json:"kabupaten"`
	Values     map[string]Value `bson:"values" json:"values"`
	Units      []UnitFacts      `bson:"units" json:"units"`
	Rev        int64            `bson:"rev" json:"rev"`
	UpdatedBy  string           `bson:"updated_by,omitempty" json:"updated_by,omitempty"`
	UpdatedAt  time.Time        `bson:"updated_at,omitempty" json:"updated_at,omitzero"`
}

// ID is the document id of a kabupaten's facts: "2026/zi-2021/kab-contoh".
func ID(year int, instrumentID, kabupaten string) string {
	return fmt.Sprintf("%d/%s/%s", year, instrumentID, kabupaten)
}

// Unit returns a unit's values, nil when none were entered.
func (f *Facts) Unit(code string) map[string]Value {
	for _, u := range f.Units {
		if u.Unit == code {
			return u.Values
		}
	}
	return nil
}

// ParseValues turns decoded JSON or form values {key: "WTP" | 3.5} into Values of the given
// level, checking each against its fact: the key exists at that level, an option is one of the
// fact's, a percent is 0–100, a number is within min–max. An empty string (or nil) leaves the
// fact unentered. Errors are apperr.Invalid naming the fact.
func ParseValues(e *instrument.Eligibility, level string, raw map[string]any) (map[string]Value, error) {
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]Value{}
	for _, k := range keys {
		f, ok := e.Fact(k)
		if !ok || f.Level != level {
			return nil, apperr.New(apperr.Invalid, "Data %q tidak dikenal pada tingkat %s.", k, level)
		}
		v, set, err := parseValue(f, raw[k])
		if err != nil {
			return nil, err
		}
		if set {
			out[k] = v
		}
	}
	return out, nil
}

func parseValue(f instrument.Fact, raw any) (Value, bool, error) {
	var x float64
	switch r := raw.(type) {
	case nil:
		return Value{}, false, nil
	case string:
		s := strings.TrimSpace(r)
		if s == "" {
			return Value{}, false, nil
		}
		if f.Kind == instrument.KindChoice {
			if !slices.Contains(f.Options, s) {
				return Value{}, false, apperr.New(apperr.Invalid, "%s: pilih salah satu dari %s, bukan %q.", f.Label, strings.Join(f.Options, ", "), s)
			}
			return Value{Option: s}, true, nil
		}
		n, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if err != nil {
			return Value{}, false, apperr.New(apperr.Invalid, "%s harus berupa angka, bukan %q.", f.Label, s)
		}
		x = n
	case float64:
		x = r
	case json.Number:
		n, err := r.Float64()
		if err != nil {
			return Value{}, false, apperr.New(apperr.Invalid, "%s harus berupa angka yang sah.", f.Label)
		}
		x = n
	default:
		return Value{}, false, apperr.New(apperr.Invalid, "%s: isian harus berupa teks atau angka.", f.Label)
	}
	if f.Kind == instrument.KindChoice {
		return Value{}, false, apperr.New(apperr.Invalid, "%s: pilih salah satu dari %s.", f.Label, strings.Join(f.Options, ", "))
	}
	lo, hi := 0.0, 100.0
	if f.Kind == instrument.KindNumber {
		lo, hi = *f.Min, *f.Max
	}
	if math.IsNaN(x) || x < lo || x > hi {
		return Value{}, false, apperr.New(apperr.Invalid, "%s harus antara %s dan %s, bukan %s.", f.Label, num.ID(lo), num.ID(hi), num.ID(x))
	}
	return Value{Number: &x}, true, nil
}

// Status of one checklist line.
type Status string

// Statuses.
const (
	Met      Status = "terpenuhi"
	Unmet    Status = "tidak_terpenuhi"
	NotKnown Status = "belum_diisi" // the fact has not been entered
)

// Label is the status as a person reads it.
func (s Status) Label() string {
	switch s {
	case Met:
		return "Terpenuhi"
	case Unmet:
		return "Tidak terpenuhi"
	}
	return "Belum diisi"
}

// Item is one line of a checklist.
type Item struct {
	Text   string `json:"text"`
	Level  string `json:"level"` // kabupaten, unit, or "riwayat" for an earlier-results condition
	Status Status `json:"status"`
	Value  string `json:"value"` // what was entered (or found), as a person reads it; "" when nothing
}

// Checklist is one predicate's conditions for one unit.
type Checklist struct {
	Predicate string `json:"predicate"`
	Name      string `json:"name"`
	Items     []Item `json:"items"`
	// Met is true when every line is met; Missing counts the lines that are not (unmet or not
	// entered).
	Met     bool `json:"met"`
	Missing int  `json:"missing"`
}

// Report is every predicate's checklist for one unit and year, with the source of the list.
type Report struct {
	Instrument string      `json:"instrument"`
	Source     string      `json:"source"`
	Confirmed  bool        `json:"confirmed"`
	Lists      []Checklist `json:"lists"`
}

// LevelHistory marks a condition judged on the unit's earlier final results.
const LevelHistory = "riwayat"

// Evaluate judges inst's eligibility conditions for one unit in year: kabupaten-level facts from
// f.Values, unit-level ones from f.Unit(unit), and held conditions on firstHeld, the earliest
// period in which the unit's final result had each predicate (absent: never). f may be nil
// (nothing entered). It returns nil for an instrument without eligibility.
func Evaluate(inst *instrument.Instrument, f *Facts, unit string, year int, firstHeld map[string]int) *Report {
	e := inst.Eligibility
	if e == nil {
		return nil
	}
	if f == nil {
		f = &Facts{}
	}
	unitValues := f.Unit(unit)
	r := &Report{Instrument: inst.ID, Source: e.Source, Confirmed: e.Confirmed, Lists: []Checklist{}}
	for _, p := range inst.Predicates {
		cl := Checklist{Predicate: p.Key, Name: p.Display(), Items: []Item{}, Met: true}
		for _, c := range e.Conditions {
			if !slices.Contains(c.For, p.Key) {
				continue
			}
			it := judge(e, c, f.Values, unitValues, year, firstHeld)
			if it.Status != Met {
				cl.Met = false
				cl.Missing++
			}
			cl.Items = append(cl.Items, it)
		}
		if len(cl.Items) > 0 {
			r.Lists = append(r.Lists, cl)
		}
	}
	return r
}

func judge(e *instrument.Eligibility, c instrument.Condition, kab, unit map[string]Value, year int, firstHeld map[string]int) Item {
	if c.Held != "" {
		it := Item{Text: c.Text, Level: LevelHistory, Status: Unmet, Value: "belum pernah"}
		if y, ok := firstHeld[c.Held]; ok {
			it.Value = fmt.Sprintf("sejak %d", y)
			if year-y >= c.Years {
				it.Status = Met
			}
		}
		return it
	}
	f, _ := e.Fact(c.Fact)
	it := Item{Text: c.Text, Level: f.Level, Status: NotKnown}
	values := kab
	if f.Level == instrument.LevelUnit {
		values = unit
	}
	v, ok := values[c.Fact]
	if !ok {
		return it
	}
	it.Value, it.Status = v.Text(f), Unmet
	switch {
	case len(c.OneOf) > 0:
		if slices.Contains(c.OneOf, v.Option) {
			it.Status = Met
		}
	case v.Number == nil:
	case c.Min != nil:
		if num.Cmp(*v.Number, *c.Min) >= 0 {
			it.Status = Met
		}
	case c.Above != nil:
		if num.Cmp(*v.Number, *c.Above) > 0 {
			it.Status = Met
		}
	}
	return it
}
